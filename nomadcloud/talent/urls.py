from django.urls import path

from nomadcloud.talent import views

app_name = "talent"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/languages/", views.add_language, name="add_language"),
    path("profile/links/", views.add_link, name="add_link"),
    path("profile/skills/", views.add_skill, name="add_skill"),
    path("profile/projects/", views.add_project, name="add_project"),
    path("profile/tools/", views.add_tool, name="add_tool"),
    path("profile/<str:section>/<int:pk>/remove/", views.remove_item, name="remove_item"),
    path("nomads/<str:profile_id>/", views.public_profile, name="public_profile"),
    path("certification/", views.certification, name="certification"),
    path("certification/check/", views.check, name="check"),
    path("certification/apply/", views.apply, name="apply"),
    path(
        "certification/applications/<str:application_id>/",
        views.application,
        name="application",
    ),
    path(
        "certification/applications/<str:application_id>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
    path("rules/", views.rules, name="rules"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<str:application_id>/", views.review, name="review"),
    path("certificates/<str:code>/", views.certificate, name="certificate"),
    path("certificates/<str:code>/revoke/", views.revoke, name="revoke"),
]
