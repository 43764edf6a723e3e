"""The workspace and a person's settings: profile, data export and erasure, password reset,
API tokens."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import (
    access,
    queries,
    services,
    throttle,
)
from nomadcloud.accounts.forms import (
    EraseForm,
    ForeignDetailsForm,
    PasswordResetRequestForm,
    ProfileForm,
    ResetPasswordForm,
    TokenForm,
)
from nomadcloud.accounts.schemas import (
    PersonChanges,
)
from nomadcloud.accounts.views.common import _principal, _throttled, _user
from nomadcloud.accounts.workspace import panels_for as desk_panels
from nomadcloud.core.errors import DomainError
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import (
    apply_error,
    confirm_page,
    domain_errors,
    form_status,
    require_confirmation,
)

# --- workspace and settings -------------------------------------------------------------------


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """One panel per role the person holds, each with its tools, figures, next steps and a
    first-run checklist, contributed by the apps (accounts/workspace.py)."""
    user = _user(request)
    panels = desk_panels(user, queries.memberships_of(user))
    return render(request, "accounts/workspace.html", {"panels": panels})


@login_required
@domain_errors
def account_settings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    profile = ProfileForm(
        request.POST if request.POST.get("form") == "profile" else None,
        initial={
            "display_name": user.display_name,
            "email": user.email or "",
            "phone": user.phone or "",
            "preferred_language": user.preferred_language,
            "is_nomad": user.is_nomad,
        },
    )
    foreign = ForeignDetailsForm(
        request.POST if request.POST.get("form") == "foreign" else None,
        initial={
            "nationality": user.nationality.code if user.nationality else "",
            "permit_kind": user.permit_kind,
            "permit_valid_from": user.permit_valid_from,
            "permit_valid_until": user.permit_valid_until,
        },
    )
    if request.method == "POST":
        form = profile if request.POST.get("form") == "profile" else foreign
        changes = None
        if form is profile and form.is_valid():
            changes = draft_from_form(form, PersonChanges)  # a refusal shows on the form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if changes is not None:
                    services.update_profile(
                        principal=_principal(request), user=user, changes=changes
                    )
                else:
                    services.set_foreign_details(
                        principal=_principal(request),
                        user=user,
                        nationality=data["nationality"],
                        passport_number=data["passport_number"] or None,
                        permit_kind=data["permit_kind"],
                        permit_valid_from=data["permit_valid_from"],
                        permit_valid_until=data["permit_valid_until"],
                    )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                response = redirect("accounts:settings")
                response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
                return response
    return render(
        request,
        "accounts/settings.html",
        {"profile": profile, "foreign": foreign},
        status=max(form_status(profile), form_status(foreign)),
    )


@login_required
def export_data(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    data = services.export_personal_data(principal=_principal(request), user=user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="nomadcloud-personal-data.json"'
    response["Cache-Control"] = "no-store"
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """The reset request: the same answer (a redirect to "sent") whether or not the address
    belongs to an account, the mail sent in the background so the time taken is alike too;
    throttled per client address."""

    form_class = PasswordResetRequestForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            throttle.check_password_reset(request)
        except throttle.Throttled as exc:
            return _throttled(request, exc)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting the new password revokes the person's API tokens (and, through the session
    hash, signs out their other sessions)."""

    form_class = ResetPasswordForm


@login_required
@domain_errors
def erase(request: HttpRequest) -> HttpResponse:
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erase_account(
                principal=_principal(request),
                user=_user(request),
                password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            logout(request)
            messages.success(
                request, _("Your personal data has been erased and the account closed.")
            )
            return redirect("home")
    return render(request, "accounts/erase.html", {"form": form}, status=form_status(form))


@login_required
@domain_errors
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.create_personal_token(
                principal=_principal(request), **form.cleaned_data
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": queries.personal_tokens_of(user),
        },
        status=form_status(form),
    )


@login_required
@domain_errors
def revoke_token(request: HttpRequest, token_id: str) -> HttpResponse:
    """GET: what revoking the token does; POST with the confirmation: revoke it."""
    principal = _principal(request)
    token = access.token_for(principal, token_id)
    back = (
        reverse("accounts:organisation", args=[token.organisation.public_id])
        if token.organisation is not None
        else reverse("accounts:tokens")
    )
    if request.method != "POST":
        return confirm_page(
            request,
            title=_("Revoke this token?"),
            action=request.path,
            button=_("Revoke the token"),
            back=back,
            summary=[
                (_("Name"), token.name),
                (_("Prefix"), f"{token.prefix}…"),
                (_("Scope"), str(token.get_scope_display())),
                (_("Organisation"), str(token.organisation or "—")),
            ],
            consequences=[
                _("Every program using this token is refused from now on."),
                _("A revoked token cannot be restored: create a new one if it is needed again."),
            ],
        )
    require_confirmation(request)
    services.revoke_token(principal=principal, token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect(back)
