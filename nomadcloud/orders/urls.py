from django.urls import path

from nomadcloud.orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("disputes/", views.disputes, name="disputes"),
    path("organisations/<str:org_id>/", views.organisation_orders, name="organisation"),
    path("organisations/<str:org_id>/new/", views.create, name="create"),
    path("conversions/", views.conversion_list, name="conversions"),
    path("conversions/report/", views.conversion_report, name="conversion_report"),
    path("conversions/export.csv", views.conversion_export, name="conversion_export"),
    path(
        "conversions/organisations/<str:org_id>/new/",
        views.conversion_create,
        name="conversion_create",
    ),
    path("conversions/<str:conversion_id>/", views.conversion_detail, name="conversion_detail"),
    path(
        "conversions/<str:conversion_id>/documents/",
        views.conversion_add_document,
        name="conversion_add_document",
    ),
    path(
        "conversions/<str:conversion_id>/documents/<int:document_id>/",
        views.conversion_document,
        name="conversion_document",
    ),
    path("<str:order_id>/", views.detail, name="detail"),
    path("<str:order_id>/edit/", views.edit, name="edit"),
    path("<str:order_id>/transition/", views.transition, name="transition"),
    path(
        "<str:order_id>/milestones/<int:position>/accept/",
        views.accept_milestone,
        name="accept_milestone",
    ),
    path("<str:order_id>/settle/", views.settle, name="settle"),
    path("<str:order_id>/apply/", views.apply, name="apply"),
    path(
        "<str:order_id>/applications/<int:application_id>/withdraw/",
        views.withdraw_application,
        name="withdraw_application",
    ),
    path(
        "<str:order_id>/applications/<int:application_id>/assign/",
        views.assign,
        name="assign",
    ),
    path("<str:order_id>/deliverables/", views.add_deliverable, name="add_deliverable"),
    path(
        "<str:order_id>/deliverables/<int:deliverable_id>/",
        views.deliverable,
        name="deliverable",
    ),
    path("<str:order_id>/dispute/", views.dispute, name="dispute"),
    path("<str:order_id>/dispute/decision/", views.resolve, name="resolve"),
    path("<str:order_id>/messages/", views.message, name="message"),
    path("<str:order_id>/ratings/", views.rate, name="rate"),
]
