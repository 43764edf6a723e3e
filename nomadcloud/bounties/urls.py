from django.urls import path

from nomadcloud.bounties import views

app_name = "bounties"

urlpatterns = [
    path("", views.challenge_list, name="list"),
    path("expert/", views.expert, name="expert"),
    path("mine/", views.mine, name="mine"),
    path("org/<str:org_id>/", views.organisation, name="organisation"),
    path("org/<str:org_id>/new/", views.create, name="create"),
    path("<str:challenge_id>/", views.detail, name="detail"),
    path("<str:challenge_id>/apply/", views.apply, name="apply"),
    path("<str:challenge_id>/task-book/", views.task_book, name="task_book"),
]
