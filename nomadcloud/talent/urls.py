from django.urls import path  # noqa: F401

app_name = "talent"

urlpatterns: list = []  # type: ignore[type-arg]
