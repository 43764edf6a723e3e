from django.urls import path

from nomadcloud.bounties import views

app_name = "ocds"

urlpatterns = [
    path("releases.json", views.ocds_releases, name="releases"),
    path("records.json", views.ocds_records, name="records"),
]
