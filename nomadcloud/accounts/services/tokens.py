"""Use cases for API tokens: personal tokens and organisation keys (shown once, stored
hashed), revoking them, and authenticating a bearer token."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    Action,
    check_organisation,
    require_person,
    require_write,
)
from nomadcloud.accounts.models import (
    ApiToken,
    Organisation,
    User,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.services._common import MAX_TOKEN_DAYS, _apply
from nomadcloud.accounts.services.memberships import _hash_secret
from nomadcloud.accounts.services.people import _clean_name
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field

# --- API tokens --------------------------------------------------------------------------------

TOKEN_PREFIXES = {ApiToken.Kind.PERSONAL: "ncp", ApiToken.Kind.ORGANISATION: "nco"}


def _new_token(
    *,
    kind: str,
    name: str,
    scope: str,
    expires_in_days: int | None,
    created_by: User,
    user: User | None = None,
    organisation: Organisation | None = None,
) -> tuple[ApiToken, str]:
    name = _clean_name(name, "name")
    if scope not in ApiToken.Scope.values:
        raise invalid_field("scope", _("Scope must be read or write."))
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise invalid_field(
            "expires_in_days",
            _("A token lasts from 1 to %(n)d days.") % {"n": MAX_TOKEN_DAYS},
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_PREFIXES[kind]}_{prefix}_{secret}"  # type: ignore[index]
    token = ApiToken.objects.create(
        kind=kind,
        user=user,
        organisation=organisation,
        name=name,
        prefix=prefix,
        secret_hash=_hash_secret(raw),
        scope=scope,
        created_by=created_by,
        expires_at=(timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None),
    )
    audit.record(
        actor=created_by,
        action="accounts.token.create",
        obj=token,
        organisation=organisation,
        after={"kind": kind, "name": name, "scope": scope},
    )
    return token, raw


@transaction.atomic
def create_personal_token(
    *, principal: Principal, name: str, scope: str, expires_in_days: int | None = 90
) -> tuple[ApiToken, str]:
    user = require_person(principal)
    if principal.token is not None:
        raise Forbidden(_("Tokens can only be created when signed in."), code="session_only")
    return _new_token(
        kind=ApiToken.Kind.PERSONAL,
        name=name,
        scope=scope,
        expires_in_days=expires_in_days,
        created_by=user,
        user=user,
    )


@transaction.atomic
def create_organisation_key(
    *,
    principal: Principal,
    organisation: Organisation,
    name: str,
    scope: str,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    check_organisation(principal, organisation, Action.MANAGE_KEYS)
    user = require_person(principal)
    if principal.token is not None:
        raise Forbidden(_("Keys can only be created when signed in."), code="session_only")
    return _new_token(
        kind=ApiToken.Kind.ORGANISATION,
        name=name,
        scope=scope,
        expires_in_days=expires_in_days,
        created_by=user,
        organisation=organisation,
    )


@transaction.atomic
def revoke_token(*, principal: Principal, token: ApiToken) -> None:
    require_write(principal)
    if token.revoked_at is not None:
        raise Conflict(_("This token is already revoked."), code="token_revoked")
    _apply(
        principal,
        token,
        {"revoked_at": timezone.now()},
        "accounts.token.revoke",
        token.organisation,
    )


def authenticate_token(raw: str) -> ApiToken | None:
    """The usable token for a presented secret, or None. Constant-time comparison."""
    parts = raw.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] not in TOKEN_PREFIXES.values():
        return None
    token = ApiToken.objects.filter(prefix=parts[1]).select_related("user", "organisation").first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash_secret(raw)):
        return None
    if not token.is_usable or (token.user is not None and not token.user.is_active):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        # Throttled so that a busy integration does not write on every request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def revoke_personal_tokens(user: User, *, reason: str) -> int:
    """Revoke all of a person's usable API tokens (after a password reset; erasure does the
    same through ``personal_data.erase``); the number revoked, each audited."""
    from nomadcloud.accounts import personal_data

    return personal_data.revoke_tokens(user, reason=reason)
