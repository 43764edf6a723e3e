from django.urls import path

from nomadcloud.core import views_shared as views

app_name = "core"

urlpatterns = [
    path("publicity/", views.notices, name="publicity"),
    path("publicity/<int:notice_id>/", views.notice, name="notice"),
    path("publicity/objections/<int:objection_id>/", views.decide, name="decide"),
    path("holidays/", views.holidays, name="holidays"),
]
