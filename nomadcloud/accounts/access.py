"""The access chokepoints for people, organisations, memberships and tokens, and the access
vocabulary every app's ``access.py`` is written in (``parse_public_id``, ``is_zone_operator``,
``require_*``, ``role_in``, ``check_enterprise``/``enterprise_for``).

Views and API handlers fetch these objects only through the functions here. Each takes the
Principal and the action, and raises NotFound when the object is not visible to them (so its
existence is not revealed) or Forbidden when it is visible but the action is not allowed.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import TypeVar

from django.utils.translation import gettext as _

from nomadcloud.accounts.models import ApiToken, Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound

Role = Membership.Role
# Every app's Action enum has VIEW = "view": seeing needs visibility only, never a write scope.
VIEW = "view"
A = TypeVar("A", bound=str)


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_KEYS = "manage_keys"
    REQUEST_VERIFICATION = "request_verification"


ALL_ROLES = frozenset(Role)
MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
ROLES_FOR: dict[Action, frozenset[str]] = {
    Action.VIEW: ALL_ROLES,
    Action.EDIT: MANAGERS,
    Action.MANAGE_MEMBERS: MANAGERS,
    Action.MANAGE_KEYS: MANAGERS,
    Action.REQUEST_VERIFICATION: MANAGERS,
}
# Roles that may decide a department's review queue.
DECIDING_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.REVIEWER})


def parse_public_id(raw: object, *, message: str) -> uuid.UUID:
    """A public id from a URL or a body; anything that is not a UUID is NotFound(message),
    exactly like an id that names nothing."""
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise NotFound(message) from exc


def _parse_organisation_id(raw: object) -> uuid.UUID:
    # Organisations, tokens and reviews alike answer a malformed id as an unknown organisation.
    return parse_public_id(raw, message=_("No such organisation."))


def require_authenticated(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Forbidden(_("Please sign in first."), code="not_authenticated")


def require_write(principal: Principal) -> None:
    if not principal.can_write:
        raise Forbidden(_("This token may only read; use a token with write scope."), code="scope")


def require_person(principal: Principal) -> User:
    """Actions only a person may take (not an organisation API key)."""
    require_authenticated(principal)
    if principal.user is None:
        raise Forbidden(_("Only a person can do this, not an API key."), code="person_only")
    return principal.user


def is_zone_operator(who: User | Principal | None) -> bool:
    """A member of the operator organisation (or a superuser). A Principal counts only when it
    acts as a person: an organisation API key is never the zone operator."""
    if isinstance(who, Principal):
        if who.key_organisation is not None:
            return False
        who = who.user
    user = who
    if user is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, organisation__kind=Organisation.Kind.OPERATOR
    ).exists()


def role_in(principal: Principal, organisation: Organisation) -> str | None:
    """The principal's role in the organisation, or None. An organisation key counts as a
    plain member of its own organisation (it can never manage members or keys)."""
    key_org = principal.key_organisation
    if key_org is not None:
        return Role.MEMBER if key_org.pk == organisation.pk else None
    if principal.user is None:
        return None
    membership = Membership.objects.filter(user=principal.user, organisation=organisation).first()
    return membership.role if membership else None


def organisation_for(principal: Principal, public_id: object, action: Action) -> Organisation:
    require_authenticated(principal)
    organisation = Organisation.objects.filter(public_id=_parse_organisation_id(public_id)).first()
    if organisation is None:
        raise NotFound(_("No such organisation."))
    check_organisation(principal, organisation, action)
    return organisation


def check_organisation(principal: Principal, organisation: Organisation, action: Action) -> None:
    role = role_in(principal, organisation)
    operator = is_zone_operator(principal)
    if role is None and not operator:
        raise NotFound(_("No such organisation."))
    if action is not Action.VIEW:
        require_write(principal)
    if role in ROLES_FOR[action]:
        return
    if operator and action is Action.VIEW:
        return
    raise Forbidden(
        _("Your role in %(organisation)s does not allow this.") % {"organisation": organisation}
    )


def membership_for(
    principal: Principal, organisation: Organisation, membership_id: int, *, own: bool = False
) -> Membership:
    """A membership to manage; with ``own=True`` also the principal's own (to leave)."""
    membership = Membership.objects.filter(pk=membership_id, organisation=organisation).first()
    is_own = (
        membership is not None
        and principal.user is not None
        and principal.key_organisation is None
        and membership.user_id == principal.user.pk
    )
    if not (own and is_own):
        check_organisation(principal, organisation, Action.MANAGE_MEMBERS)
    if membership is None:
        raise NotFound(_("No such member."))
    return membership


def token_for(principal: Principal, public_id: object) -> ApiToken:
    """A personal token of the person themself, or a key of an organisation they manage."""
    user = require_person(principal)
    token = (
        ApiToken.objects.filter(public_id=_parse_organisation_id(public_id))
        .select_related("organisation")
        .first()
    )
    if token is None:
        raise NotFound(_("No such token."))
    if token.kind == ApiToken.Kind.PERSONAL:
        if token.user_id != user.pk:
            raise NotFound(_("No such token."))
        return token
    assert token.organisation is not None
    try:
        check_organisation(principal, token.organisation, Action.MANAGE_KEYS)
    except NotFound:
        raise NotFound(_("No such token.")) from None
    return token


def departments_deciding_for(user: User) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            kind=Organisation.Kind.DEPARTMENT,
            memberships__user=user,
            memberships__role__in=DECIDING_ROLES,
        ).distinct()
    )


def review_target_for(principal: Principal, public_id: object) -> tuple[Organisation, Organisation]:
    """An organisation awaiting verification and the department deciding it. Department
    reviewers see only their own department's queue."""
    user = require_person(principal)
    organisation = Organisation.objects.filter(public_id=_parse_organisation_id(public_id)).first()
    if organisation is None or organisation.reviewing_department_id is None:
        raise NotFound(_("No such review."))
    department = organisation.reviewing_department
    assert department is not None
    allowed = Membership.objects.filter(
        user=user, organisation=department, role__in=DECIDING_ROLES
    ).exists()
    if not allowed:
        raise NotFound(_("No such review."))
    return organisation, department


def require_zone_operator(principal: Principal) -> User:
    user = require_person(principal)
    if not is_zone_operator(user):
        raise Forbidden(_("Only the zone operator can see this."), code="operator_only")
    return user


# --- an enterprise's objects (demands, orders, training, data batches) ---------------------


def check_enterprise(
    principal: Principal,
    organisation: Organisation,
    action: A,
    *,
    roles_for: Mapping[A, Collection[str]],
    only_enterprises: str,
    persons_only: Collection[A] = (),
) -> None:
    """May the principal take ``action`` on an enterprise's objects? Members (any role) and the
    zone operator see them (others: NotFound); any other action needs a write scope, an
    enterprise (``only_enterprises`` is the message, code ``not_an_enterprise``) and a role in
    ``roles_for[action]``; actions in ``persons_only`` refuse an organisation API key."""
    require_authenticated(principal)
    role = role_in(principal, organisation)
    if role is None and not is_zone_operator(principal):
        raise NotFound(_("No such organisation."))
    if action == VIEW:
        return
    require_write(principal)
    if organisation.kind != Organisation.Kind.ENTERPRISE:
        raise Forbidden(only_enterprises, code="not_an_enterprise")
    if role in roles_for[action]:
        if action in persons_only:
            require_person(principal)
        return
    raise Forbidden(
        _("Your role in %(organisation)s does not allow this.") % {"organisation": organisation}
    )


def enterprise_for(
    principal: Principal,
    public_id: object,
    action: A,
    *,
    roles_for: Mapping[A, Collection[str]],
    only_enterprises: str,
    persons_only: Collection[A] = (),
    sign_in_first: bool = True,
) -> Organisation:
    """The organisation ``public_id`` after ``check_enterprise``. With ``sign_in_first=False``
    a malformed id answers NotFound before asking a visitor to sign in (demands' order)."""
    if sign_in_first:
        require_authenticated(principal)
    organisation = Organisation.objects.filter(
        public_id=parse_public_id(public_id, message=_("No such organisation."))
    ).first()
    if organisation is None:
        require_authenticated(principal)
        raise NotFound(_("No such organisation."))
    check_enterprise(
        principal,
        organisation,
        action,
        roles_for=roles_for,
        only_enterprises=only_enterprises,
        persons_only=persons_only,
    )
    return organisation
