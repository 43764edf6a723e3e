from django.urls import path

from nomadcloud.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.screen, name="screen"),
    path("screen.json", views.screen_json, name="screen_json"),
    path("public/", views.public, name="public"),
    path("public.json", views.public_json, name="public_json"),
    path("figures/", views.figures, name="figures"),
    path("figures/export.<str:fmt>", views.export, name="export"),
    path(
        "figures/<uuid:observation_id>/<str:action>",
        views.decide,
        name="decide",
    ),
]
