"""Pages for people and organisations. Each view fetches objects through the access
chokepoints, parses input with a form and calls one service."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts import (
    access,
    intent,
    queries,
    services,
    signup,
    throttle,
    transitions,
    verification,
)
from nomadcloud.accounts.access import Action
from nomadcloud.accounts.forms import (
    AuditFilterForm,
    ConfirmCodeForm,
    DecisionForm,
    EraseForm,
    ForeignDetailsForm,
    InviteForm,
    OrganisationEditForm,
    OrganisationForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegisterForm,
    ResendCodeForm,
    ResetPasswordForm,
    RoleForm,
    SendCodeForm,
    SignInForm,
    TokenForm,
)
from nomadcloud.accounts.models import Invitation, Membership, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.schemas import (
    OrganisationChanges,
    OrganisationDraft,
    PersonChanges,
    VerificationDecisionDraft,
)
from nomadcloud.accounts.workspace import panels_for as desk_panels
from nomadcloud.core.errors import DomainError, InvalidInput
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import (
    apply_error,
    confirm_page,
    domain_errors,
    form_status,
    require_confirmation,
)


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- sign-in, registration ------------------------------------------------------------------


def _throttled(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "core/error.html", {"message": exc.message}, status=exc.status)


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


# --- organisations ------------------------------------------------------------------------


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.organisations_visible_to(_principal(request)), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/organisations.html", {"page": page})


@login_required
@domain_errors
def create_organisation(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")  # "register an enterprise" names the kind
    form = OrganisationForm(request.POST or None, initial={"kind": kind} if kind else None)
    posted = request.method == "POST" and form.is_valid()
    draft = draft_from_form(form, OrganisationDraft) if posted else None
    if draft is not None:
        try:
            organisation = services.create_organisation(principal=_principal(request), draft=draft)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The organisation has been registered."))
            return redirect("accounts:organisation", organisation.public_id)
    return render(
        request, "accounts/organisation_form.html", {"form": form}, status=form_status(form)
    )


@login_required
@domain_errors
def organisation(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, Action.VIEW)
    role = access.role_in(principal, org)
    manager = role in access.MANAGERS
    return render(
        request,
        "accounts/organisation.html",
        {
            "org": org,
            "role": role,
            "manager": manager,
            "verification_moves": transitions.verification_moves(
                org.verification_status, [transitions.Role.MANAGER] if manager else []
            ),
            "members": queries.members_of(org),
            "invitations": queries.open_invitations_of(org) if manager else [],
            "keys": queries.keys_of(org) if manager else [],
            "invite_form": InviteForm(),
            "key_form": TokenForm(initial={"expires_in_days": None}),
            "roles": Membership.Role.choices,
            "new_secret": request.session.pop("new_secret", None),
            "new_invitation_url": request.session.pop("new_invitation_url", None),
        },
    )


@login_required
@domain_errors
def edit_organisation(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, Action.EDIT)
    form = OrganisationEditForm(
        request.POST or None,
        initial={
            "name_zh": org.name_zh,
            "name_en": org.name_en,
            "country": org.country.code,
            "credit_code": org.credit_code,
            "registration_number": org.registration_number,
            "description_zh": org.description_zh,
            "description_en": org.description_en,
        },
    )
    posted = request.method == "POST" and form.is_valid()
    changes = draft_from_form(form, OrganisationChanges) if posted else None
    if changes is not None:
        try:
            services.update_organisation(principal=principal, organisation=org, changes=changes)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:organisation", org.public_id)
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "org": org},
        status=form_status(form),
    )


@login_required
@require_POST
@domain_errors
def request_verification(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, Action.REQUEST_VERIFICATION)
    services.request_verification(principal=principal, organisation=org)
    messages.success(request, _("Verification has been requested; the department will review it."))
    return redirect("accounts:organisation", org.public_id)


@login_required
@require_POST
@domain_errors
def invite(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, Action.MANAGE_MEMBERS)
    form = InviteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("accounts:organisation", org.public_id)
    _invitation, token = services.invite_member(
        principal=principal, organisation=org, **form.cleaned_data
    )
    from django.urls import reverse

    request.session["new_invitation_url"] = request.build_absolute_uri(
        reverse("accounts:accept_invitation", args=[token])
    )
    messages.success(request, _("The invitation has been sent."))
    return redirect("accounts:organisation", org.public_id)


@login_required
@domain_errors
def revoke_invitation(request: HttpRequest, org_id: str, invitation_id: int) -> HttpResponse:
    """GET: what withdrawing the invitation does; POST with the confirmation: withdraw it."""
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, Action.MANAGE_MEMBERS)
    invitation = Invitation.objects.filter(pk=invitation_id, organisation=org).first()
    if invitation is None:
        raise Http404
    if request.method != "POST":
        return confirm_page(
            request,
            title=_("Withdraw this invitation?"),
            action=request.path,
            button=_("Withdraw the invitation"),
            back=reverse("accounts:organisation", args=[org.public_id]),
            summary=[
                (_("Organisation"), str(org)),
                (_("E-mail address"), invitation.email),
                (_("Role"), str(invitation.get_role_display())),
            ],
            consequences=[
                _("The link sent to %(email)s stops working; nobody can join with it.")
                % {"email": invitation.email},
                _("To invite this person again, send a new invitation."),
            ],
        )
    require_confirmation(request)
    services.revoke_invitation(principal=principal, invitation=invitation)
    messages.success(request, _("The invitation has been withdrawn."))
    return redirect("accounts:organisation", org.public_id)


@login_required
@require_POST
@domain_errors
def change_role(request: HttpRequest, org_id: str, member_id: int) -> HttpResponse:
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, Action.VIEW)
    membership = access.membership_for(principal, org, member_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        services.change_member_role(
            principal=principal, membership=membership, role=form.cleaned_data["role"]
        )
        messages.success(request, _("The role has been changed."))
    return redirect("accounts:organisation", org.public_id)


@login_required
@require_POST
@domain_errors
def remove_member(request: HttpRequest, org_id: str, member_id: int) -> HttpResponse:
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, Action.VIEW)
    membership = access.membership_for(principal, org, member_id, own=True)
    leaving = membership.user_id == request.user.pk
    services.remove_member(principal=principal, membership=membership)
    if leaving:
        messages.success(request, _("You have left %(organisation)s.") % {"organisation": org})
        return redirect("accounts:workspace")
    messages.success(request, _("The member has been removed."))
    return redirect("accounts:organisation", org.public_id)


@login_required
@require_POST
@domain_errors
def create_key(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.organisation_for(principal, org_id, Action.MANAGE_KEYS)
    form = TokenForm(request.POST)
    if form.is_valid():
        _key, secret = services.create_organisation_key(
            principal=principal, organisation=org, **form.cleaned_data
        )
        request.session["new_secret"] = secret
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("accounts:organisation", org.public_id)


@domain_errors
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    if invitation is None or not invitation.is_open:
        return render(
            request,
            "core/error.html",
            {
                "message": _("This invitation is not valid any more; ask for a new one."),
            },
            status=404,
        )
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = services.accept_invitation(principal=_principal(request), token=token)
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(
                request,
                _("You have joined %(organisation)s.") % {"organisation": membership.organisation},
            )
            return redirect("accounts:organisation", membership.organisation.public_id)
    return render(request, "accounts/invitation.html", {"invitation": invitation}, status=status)


# --- department reviews and the audit log ---------------------------------------------------


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/reviews.html",
        {
            "queue": queries.review_queue_for(user),
            "departments": access.departments_deciding_for(user),
        },
    )


@login_required
@domain_errors
def review(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org, department = access.review_target_for(principal, org_id)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        draft = draft_from_form(form, VerificationDecisionDraft)
    else:
        draft = None
    if draft is not None:
        try:
            services.decide_verification(
                principal=principal,
                organisation=org,
                department=department,
                approve=draft.approve,
                reason=draft.reason,
                evidence={"checked_registry": draft.checked_registry},
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("accounts:reviews")
    return render(
        request,
        "accounts/review.html",
        {
            "org": org,
            "department": department,
            "form": form,
            "verification_moves": transitions.verification_moves(
                org.verification_status, [transitions.Role.REVIEWER]
            ),
            "decisions": org.verification_decisions.select_related("decided_by", "decided_for"),
        },
        status=form_status(form),
    )


@login_required
@domain_errors
def audit_log(request: HttpRequest) -> HttpResponse:
    access.require_zone_operator(_principal(request))
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = queries.audit_events(
        action=filters.get("action", ""), object_type=filters.get("object_type", "")
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"form": form, "page": page})


# --- site-wide pages that need a person: privacy notice, language switch -------------------


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html", {"version": services.PRIVACY_NOTICE_VERSION})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language: remembered in a cookie and, when signed in, on the person."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "") or request.headers.get("Referer", "") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if request.user.is_authenticated:
        try:
            services.set_preferred_language(user=request.user, language=language)
        except InvalidInput as exc:
            return _unknown_language(request, exc.message)
    elif language not in dict(settings.LANGUAGES):
        return _unknown_language(request, _("Unknown language %(code)s.") % {"code": language[:20]})
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.HTTPS,
    )
    return response


def _unknown_language(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"message": message}, status=400)
