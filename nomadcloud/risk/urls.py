from django.urls import path

from nomadcloud.risk import views

app_name = "risk"

urlpatterns = [
    path("held/", views.queue, name="queue"),
    path("held/<str:held_id>/", views.held, name="held"),
]
