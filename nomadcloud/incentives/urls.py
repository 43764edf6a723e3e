from django.urls import path

from nomadcloud.incentives import views, views_facts

app_name = "incentives"

urlpatterns = [
    path("", views.policy_list, name="policies"),
    path("publicity/", views.publicity, name="publicity"),
    path("review/", views.review, name="review"),
    path("recalculation/", views.recalculation, name="recalculation"),
    path("policies/<slug:code>/", views.policy_detail, name="policy"),
    path("policies/<slug:code>/simulate/", views.simulate, name="simulate"),
    path("organisations/<str:org_id>/", views.organisation, name="organisation"),
    path("organisations/<str:org_id>/claim/", views.claim_start, name="claim_start"),
    path(
        "organisations/<str:org_id>/introductions/",
        views.introduction_add,
        name="introduction_add",
    ),
    path(
        "organisations/<str:org_id>/investments/",
        views_facts.investments,
        name="investments",
    ),
    path(
        "organisations/<str:org_id>/conferences/",
        views_facts.conferences,
        name="conferences",
    ),
    path("claims/<str:claim_id>/", views.claim_detail, name="claim"),
    path("claims/<str:claim_id>/<slug:move>/", views.claim_move, name="claim_move"),
]
