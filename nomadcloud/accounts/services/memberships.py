"""Use cases for memberships and invitations: invite, accept, revoke, change a member's role
and remove a member (never leaving an organisation without an owner)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts import tasks
from nomadcloud.accounts.access import (
    Action,
    Role,
    check_organisation,
    require_person,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import (
    Invitation,
    Membership,
    Organisation,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.services._common import INVITATION_DAYS, _apply
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.core.jobs import enqueue_after_commit

# --- memberships and invitations -------------------------------------------------------------


def _hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_can_grant(principal: Principal, organisation: Organisation, role: str) -> None:
    if role not in Role.values:
        raise invalid_field("role", _("Unknown role."))
    if role == Role.OWNER and role_in(principal, organisation) != Role.OWNER:
        raise Forbidden(_("Only an owner can make someone an owner."))


@transaction.atomic
def invite_member(
    *, principal: Principal, organisation: Organisation, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite someone by e-mail. Returns the invitation and its one-time token."""
    check_organisation(principal, organisation, Action.MANAGE_MEMBERS)
    user = require_person(principal)
    _require_can_grant(principal, organisation, role)
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise invalid_field("email", _("Enter a valid e-mail address.")) from None
    if Membership.objects.filter(organisation=organisation, user__email=address).exists():
        raise Conflict(_("This person is already a member."), code="already_member")
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=address,
        role=role,
        token_hash=_hash_secret(raw),
        invited_by=user,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit.record(
        actor=user,
        action="accounts.invitation.create",
        obj=invitation,
        organisation=organisation,
        after={"role": role},
    )
    enqueue_after_commit(tasks.send_invitation_email, invitation.pk, raw)
    return invitation, raw


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.filter(token_hash=_hash_secret(token))
        .select_related("organisation", "invited_by")
        .first()
    )


@transaction.atomic
def accept_invitation(*, principal: Principal, token: str) -> Membership:
    user = require_person(principal)
    require_write(principal)
    invitation = find_invitation(token)
    if invitation is None or not invitation.is_open:
        raise InvalidInput(
            _("This invitation is not valid any more; ask for a new one."),
            code="invitation_invalid",
        )
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise InvalidInput(_("This invitation has already been used."), code="invitation_invalid")
    if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
        raise Conflict(_("You are already a member."), code="already_member")
    membership = Membership.objects.create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=user,
        action="accounts.invitation.accept",
        obj=invitation,
        organisation=invitation.organisation,
        after={"role": invitation.role},
    )
    return membership


@transaction.atomic
def revoke_invitation(*, principal: Principal, invitation: Invitation) -> None:
    check_organisation(principal, invitation.organisation, Action.MANAGE_MEMBERS)
    if not invitation.is_open:
        raise Conflict(_("This invitation is no longer open."), code="invitation_closed")
    _apply(
        principal,
        invitation,
        {"revoked_at": timezone.now()},
        "accounts.invitation.revoke",
        invitation.organisation,
    )


def _would_leave_no_owner(membership: Membership) -> bool:
    return (
        membership.role == Role.OWNER
        and not Membership.objects.filter(organisation=membership.organisation, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def change_member_role(*, principal: Principal, membership: Membership, role: str) -> Membership:
    organisation = membership.organisation
    check_organisation(principal, organisation, Action.MANAGE_MEMBERS)
    _require_can_grant(principal, organisation, role)
    if membership.role == Role.OWNER and role_in(principal, organisation) != Role.OWNER:
        raise Forbidden(_("Only an owner can change an owner's role."))
    if role != Role.OWNER and _would_leave_no_owner(membership):
        raise Conflict(_("An organisation needs at least one owner."), code="last_owner")
    return _apply(
        principal, membership, {"role": role}, "accounts.membership.change_role", organisation
    )


@transaction.atomic
def remove_member(*, principal: Principal, membership: Membership) -> None:
    organisation = membership.organisation
    leaving_self = principal.user is not None and membership.user_id == principal.user.pk
    if not leaving_self:
        check_organisation(principal, organisation, Action.MANAGE_MEMBERS)
        if membership.role == Role.OWNER and role_in(principal, organisation) != Role.OWNER:
            raise Forbidden(_("Only an owner can remove an owner."))
    if _would_leave_no_owner(membership):
        raise Conflict(_("An organisation needs at least one owner."), code="last_owner")
    audit.record(
        actor=principal.user,
        action="accounts.membership.remove",
        obj=membership,
        organisation=organisation,
        before={"role": membership.role, "user": str(membership.user.public_id)},
    )
    membership.delete()
