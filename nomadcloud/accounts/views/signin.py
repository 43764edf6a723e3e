"""Signing in and out, registration and contact verification."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts import (
    intent,
    services,
    signup,
    throttle,
    verification,
)
from nomadcloud.accounts.forms import (
    ConfirmCodeForm,
    RegisterForm,
    ResendCodeForm,
    SendCodeForm,
    SignInForm,
)
from nomadcloud.accounts.views.common import _throttled, _user
from nomadcloud.core.errors import DomainError
from nomadcloud.core.pages import (
    apply_error,
    form_status,
)

# --- sign-in, registration ------------------------------------------------------------------


class SignInView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            throttle.check_sign_in(request)
        except throttle.Throttled as exc:
            return _throttled(request, exc)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        throttle.note_failed_sign_in(self.request)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The person's saved language applies from now on (the cookie would override it).
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "message": _(
                "Too many failed sign-in attempts. Please wait %(minutes)d minutes and try "
                "again, or reset your password."
            )
            % {"minutes": settings.AXES_COOLOFF_TIME.total_seconds() // 60}
        },
        status=429,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("home")


def register(request: HttpRequest) -> HttpResponse:
    wanted = intent.from_request(request)  # e.g. "register an enterprise" from the home page
    if request.user.is_authenticated:
        return redirect(wanted or "accounts:workspace")
    if request.method == "POST":
        try:
            throttle.check_sign_up(request)
        except throttle.Throttled as exc:
            return _throttled(request, exc)
    initial: dict[str, object] = {"preferred_language": request.LANGUAGE_CODE}
    if wanted:
        initial["is_nomad"] = False  # someone registering an organisation is not asked to be one
    form = RegisterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # None when the e-mail address or mobile number is registered already: its owner
            # is told, and this page answers exactly as for a new person (accounts/signup.py).
            user = services.register_or_notify(
                display_name=data["display_name"],
                email=data["email"],
                phone=data["phone"],
                password=data["password"],
                nationality=data["nationality"],
                preferred_language=data["preferred_language"],
                is_nomad=data["is_nomad"],
                consent=data["consent"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            intent.keep(request, wanted)  # used when the code is confirmed
            signup.start(request, user, signup.channel_for(data["email"], data["phone"]))
            return redirect("accounts:register_confirm")
    return render(
        request,
        "accounts/register.html",
        {"form": form, "intent": wanted},
        status=form_status(form),
    )


def register_confirm(request: HttpRequest) -> HttpResponse:
    """The second step of registration: the code sent to the address just given. The same
    page, words and errors whether the address was new or taken (accounts/signup.py); only a
    new person's right code signs them in, then they continue where they set out to go."""
    if request.user.is_authenticated:
        return redirect(intent.pop(request))
    pending = signup.current(request)
    if pending is None:
        signup.forget(request)
        return redirect("accounts:register")
    send_form = ResendCodeForm(request.POST if "send" in request.POST else None)
    code_form = ConfirmCodeForm(request.POST if "confirm" in request.POST else None)
    if request.method == "POST" and "send" in request.POST:
        try:
            signup.send_again(request, pending)
        except DomainError as exc:
            apply_error(send_form, exc)
        else:
            messages.success(request, _("A code is on its way. It expires in 10 minutes."))
            return redirect("accounts:register_confirm")
    if request.method == "POST" and "confirm" in request.POST and code_form.is_valid():
        try:
            user = signup.confirm(request, pending, code_form.cleaned_data["code"])
        except DomainError as exc:
            apply_error(code_form, exc)
        else:
            from django.contrib.auth import login

            signup.forget(request)
            login(request, user, backend="nomadcloud.accounts.backends.EmailOrPhoneBackend")
            messages.success(request, _("Welcome to NomadCloud! Your contact is verified."))
            response = redirect(intent.pop(request))
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
            return response
    return render(
        request,
        "accounts/register_confirm.html",
        {"send_form": send_form, "code_form": code_form, "channel": pending.channel},
        status=form_status(send_form, code_form),
    )


@login_required
def verify_contact(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time code and confirm it (e-mail address or mobile number)."""
    user = _user(request)
    send_form = SendCodeForm(request.POST if "send" in request.POST else None, user=user)
    code_form = ConfirmCodeForm(request.POST if "confirm" in request.POST else None)
    if request.method == "POST" and "send" in request.POST and send_form.is_valid():
        try:
            verification.send_code(user, send_form.cleaned_data["channel"])
        except DomainError as exc:
            apply_error(send_form, exc)
        else:
            messages.success(request, _("A code is on its way. It expires in 10 minutes."))
            return redirect("accounts:verify_contact")
    if request.method == "POST" and "confirm" in request.POST and code_form.is_valid():
        try:
            verification.confirm_code(user, code_form.cleaned_data["code"])
        except DomainError as exc:
            apply_error(code_form, exc)
        else:
            messages.success(request, _("Thank you: your contact is verified."))
            return redirect("accounts:workspace")
    return render(
        request,
        "accounts/verify_contact.html",
        {"send_form": send_form, "code_form": code_form, "verified": user.contact_verified_at},
        status=form_status(send_form, code_form),
    )
