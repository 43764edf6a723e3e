from django.urls import path

from nomadcloud.teams import views

app_name = "teams"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<str:team_id>/", views.detail, name="detail"),
]
