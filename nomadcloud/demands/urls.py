from django.urls import path  # noqa: F401

app_name = "demands"

urlpatterns: list = []  # type: ignore[type-arg]
