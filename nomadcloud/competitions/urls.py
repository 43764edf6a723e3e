from django.urls import path

from nomadcloud.competitions import views

app_name = "competitions"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("entries/<str:entry_id>/submit/", views.submit, name="submit"),
    path("submissions/<str:submission_id>/final/", views.final, name="final"),
    path("<str:competition_id>/", views.detail, name="detail"),
    path("<str:competition_id>/manage/", views.manage, name="manage"),
    path("<str:competition_id>/tracks/", views.add_track, name="add_track"),
    path("<str:competition_id>/rounds/", views.add_round, name="add_round"),
    path("<str:competition_id>/move/", views.move, name="move"),
    path("<str:competition_id>/enter/", views.enter, name="enter"),
]
