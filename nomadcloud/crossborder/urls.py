from django.urls import path

from nomadcloud.crossborder import views

app_name = "crossborder"

urlpatterns = [
    path("", views.whitelist, name="list"),
    path("org/<str:org_id>/", views.exporter, name="exporter"),
    path("org/<str:org_id>/new/", views.new, name="new"),
    path("requests/<str:request_id>/", views.detail, name="request"),
    path("requests/<str:request_id>/evidence/", views.evidence, name="evidence"),
    path("requests/<str:request_id>/decide/", views.decide, name="decide"),
    path("review/", views.review, name="review"),
    path("entries/<str:entry_id>/", views.entry, name="entry"),
    path("entries/<str:entry_id>/transfer/", views.transfer, name="transfer"),
    path("entries/<str:entry_id>/reassess/", views.reassess, name="reassess"),
]
