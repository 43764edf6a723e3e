"""Organisations: create and edit, verification requests, members, invitations, API keys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts import (
    access,
    queries,
    services,
    transitions,
)
from nomadcloud.accounts.access import Action
from nomadcloud.accounts.forms import (
    InviteForm,
    OrganisationEditForm,
    OrganisationForm,
    RoleForm,
    TokenForm,
)
from nomadcloud.accounts.models import Invitation, Membership
from nomadcloud.accounts.schemas import (
    OrganisationChanges,
    OrganisationDraft,
)
from nomadcloud.accounts.views.common import _principal
from nomadcloud.core.errors import DomainError
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import (
    apply_error,
    confirm_page,
    domain_errors,
    form_status,
    require_confirmation,
)

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
