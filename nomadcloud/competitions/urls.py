from django.urls import path

from nomadcloud.competitions import results_views, views

app_name = "competitions"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("entries/<str:entry_id>/submit/", views.submit, name="submit"),
    path("submissions/<str:submission_id>/final/", views.final, name="final"),
    path("introductions/", results_views.introductions, name="introductions"),
    path("introductions/<str:introduction_id>/answer/", results_views.answer, name="answer"),
    path("appeals/<str:appeal_id>/decide/", results_views.decide_appeal, name="decide_appeal"),
    path("awards/<str:award_id>/introduce/", results_views.offer, name="introduce"),
    path("awards/<str:award_id>/landings/", results_views.landings, name="landings"),
    path("parks/<str:org_id>/", results_views.park, name="park"),
    path(
        "follow-ups/<int:follow_up_id>/outcome/",
        results_views.record_outcome,
        name="record_outcome",
    ),
    path("entries/<str:entry_id>/appeal/", results_views.appeal, name="appeal"),
    path("<str:competition_id>/", views.detail, name="detail"),
    path("<str:competition_id>/winners/", results_views.winners, name="winners"),
    path("<str:competition_id>/jury/", results_views.jury, name="jury"),
    path("<str:competition_id>/jury/score/", results_views.score, name="score"),
    path("<str:competition_id>/jury/recuse/", results_views.recuse, name="recuse"),
    path("<str:competition_id>/criteria/", results_views.add_criterion, name="add_criterion"),
    path("<str:competition_id>/judges/", results_views.assign_judge, name="assign_judge"),
    path(
        "<str:competition_id>/rounds/<int:number>/close-scoring/",
        results_views.close_scoring,
        name="close_scoring",
    ),
    path("<str:competition_id>/announce/", results_views.announce, name="announce"),
    path("<str:competition_id>/award/", results_views.award, name="award"),
    path("<str:competition_id>/manage/", views.manage, name="manage"),
    path("<str:competition_id>/tracks/", views.add_track, name="add_track"),
    path("<str:competition_id>/rounds/", views.add_round, name="add_round"),
    path("<str:competition_id>/move/", views.move, name="move"),
    path("<str:competition_id>/enter/", views.enter, name="enter"),
]
