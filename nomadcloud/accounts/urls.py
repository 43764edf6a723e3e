from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from nomadcloud.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("register/", views.register, name="register"),
    path("register/confirm/", views.register_confirm, name="register_confirm"),
    path("verify-contact/", views.verify_contact, name="verify_contact"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_done.html",
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html",
        ),
        name="password_reset_complete",
    ),
    path("workspace/", views.workspace, name="workspace"),
    path("settings/", views.account_settings, name="settings"),
    path("settings/export/", views.export_data, name="export"),
    path("settings/erase/", views.erase, name="erase"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<str:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.create_organisation, name="create_organisation"),
    path("organisations/<str:org_id>/", views.organisation, name="organisation"),
    path("organisations/<str:org_id>/edit/", views.edit_organisation, name="edit_organisation"),
    path(
        "organisations/<str:org_id>/verification/",
        views.request_verification,
        name="request_verification",
    ),
    path("organisations/<str:org_id>/invite/", views.invite, name="invite"),
    path(
        "organisations/<str:org_id>/invitations/<int:invitation_id>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "organisations/<str:org_id>/members/<int:member_id>/role/",
        views.change_role,
        name="change_role",
    ),
    path(
        "organisations/<str:org_id>/members/<int:member_id>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path("organisations/<str:org_id>/keys/", views.create_key, name="create_key"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<str:org_id>/", views.review, name="review"),
    path("audit/", views.audit_log, name="audit"),
]
