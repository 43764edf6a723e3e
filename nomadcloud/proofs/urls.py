from django.urls import path

from nomadcloud.proofs import views

app_name = "proofs"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("status/<int:number>", views.status_list, name="status_list"),
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:credential_id>.json", views.download, name="download"),
    path("mine/<str:credential_id>/openbadge.json", views.openbadge, name="openbadge"),
    path("mine/<str:credential_id>/print/", views.printable, name="print"),
    path("operator/", views.operator, name="operator"),
    path("operator/checkpoint", views.operator_checkpoint, name="operator_checkpoint"),
    path("operator/keys", views.operator_keys, name="operator_keys"),
    path(
        "operator/credentials/<str:credential_id>/revoke",
        views.operator_revoke,
        name="operator_revoke",
    ),
]
