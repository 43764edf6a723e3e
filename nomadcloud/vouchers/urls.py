from django.urls import path

from nomadcloud.vouchers import views

app_name = "vouchers"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_new, name="programme_new"),
    path("review/", views.review, name="review"),
    path("organisations/<str:org_id>/", views.organisation, name="organisation"),
    path("programmes/<str:programme_id>/", views.programme, name="programme"),
    path("programmes/<str:programme_id>/register/", views.register, name="register"),
    path("programmes/<str:programme_id>/apply/", views.apply, name="apply"),
    path("providers/<str:provider_id>/", views.provider, name="provider"),
    path("providers/<str:provider_id>/decide/", views.provider_decide, name="provider_decide"),
    path("v/<str:voucher_id>/", views.voucher, name="voucher"),
    path("v/<str:voucher_id>/redeem/", views.redeem, name="redeem"),
    path("v/<str:voucher_id>/files/<str:file_id>/", views.evidence, name="evidence"),
    path("v/<str:voucher_id>/<str:move>/", views.act, name="act"),
]
