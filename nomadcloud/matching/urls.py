from django.urls import path

from nomadcloud.matching import views

app_name = "matching"

urlpatterns = [
    path("recommended/", views.recommended, name="recommended"),
    path("demands/<str:demand_id>/candidates/", views.candidates, name="candidates"),
    path(
        "demands/<str:demand_id>/candidates/<str:profile_id>/invite/",
        views.invite,
        name="invite",
    ),
    path("demands/<str:demand_id>/compare/", views.compare, name="compare"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:invitation_id>/respond/", views.respond, name="respond"),
]
