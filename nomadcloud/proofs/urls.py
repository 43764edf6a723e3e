from django.urls import path

from nomadcloud.proofs import views

app_name = "proofs"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("status/1", views.status_list, name="status_list"),
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:credential_id>.json", views.download, name="download"),
]
