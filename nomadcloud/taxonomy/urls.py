from django.urls import path  # noqa: F401

app_name = "taxonomy"

urlpatterns: list = []  # type: ignore[type-arg]
