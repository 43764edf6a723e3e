from django.urls import path

from nomadcloud.consent import views

app_name = "consent"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("records.jsonld", views.export, name="export"),
    path("<str:record_id>/withdraw/", views.withdraw, name="withdraw"),
]
