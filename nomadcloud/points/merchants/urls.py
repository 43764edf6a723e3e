"""Pages for paying at merchants, the cashier, merchants' statements and the operator's
merchant registry (included by ``points/urls.py``; names in the ``points`` namespace)."""

from django.urls import path

from nomadcloud.points.merchants import views

urlpatterns = [
    path("pay/", views.pay, name="pay"),
    path("pay/codes/<int:code_id>/status/", views.pay_status, name="pay_status"),
    path("cashier/", views.cashier_home, name="cashier_home"),
    path("merchants/", views.registry, name="merchant_registry"),
    path("merchants/register/", views.register, name="merchant_register"),
    path("merchants/rates/", views.publish_rate, name="merchant_rate_publish"),
    path("merchants/statements.csv", views.day_csv, name="merchant_day_csv"),
    path("merchants/<uuid:org_id>/", views.merchant_detail, name="merchant_detail"),
    path("merchants/<uuid:org_id>/update/", views.update, name="merchant_update"),
    path("merchants/<uuid:org_id>/cashier/", views.cashier, name="merchant_cashier"),
    path(
        "merchants/<uuid:org_id>/payments/<uuid:payment_id>/",
        views.payment_detail,
        name="merchant_payment",
    ),
    path(
        "merchants/<uuid:org_id>/payments/<uuid:payment_id>/confirm/",
        views.payment_confirm,
        name="merchant_payment_confirm",
    ),
    path(
        "merchants/<uuid:org_id>/payments/<uuid:payment_id>/cancel/",
        views.payment_cancel,
        name="merchant_payment_cancel",
    ),
    path(
        "merchants/<uuid:org_id>/payments/<uuid:payment_id>/refund/",
        views.payment_refund,
        name="merchant_payment_refund",
    ),
    path(
        "merchants/<uuid:org_id>/statements/<uuid:statement_id>/",
        views.statement_detail,
        name="merchant_statement",
    ),
    path(
        "merchants/<uuid:org_id>/statements/<uuid:statement_id>.csv",
        views.statement_csv,
        name="merchant_statement_csv",
    ),
]
