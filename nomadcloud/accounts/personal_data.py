"""What accounts holds about a person (core/privacy.py): the account itself, memberships,
API tokens, invitations addressed to them and the sign-in records. Erasure revokes the tokens,
ends the memberships, forgets the invitations' address and the sign-in records; the person's
own row is blanked last by ``services.erase_account``."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from nomadcloud.accounts.models import ApiToken, Invitation, Membership, User
from nomadcloud.core import audit
from nomadcloud.core.crypto import decrypt_text

ERASED_ADDRESS = "erased@invalid"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def export(user: User) -> dict[str, Any]:
    return {
        "person": {
            "public_id": str(user.public_id),
            "email": user.email,
            "phone": user.phone,
            "display_name": user.display_name,
            "preferred_language": user.preferred_language,
            "is_nomad": user.is_nomad,
            "nationality": user.nationality.code if user.nationality else "",
            "passport_number": decrypt_text(user.passport_number_encrypted),
            "permit_kind": user.permit_kind,
            "permit_valid_from": _iso(user.permit_valid_from),
            "permit_valid_until": _iso(user.permit_valid_until),
            "date_joined": user.date_joined.isoformat(),
            "privacy_notice_version": user.privacy_notice_version,
            "privacy_consented_at": _iso(user.privacy_consented_at),
            "last_login": _iso(user.last_login),
        },
        "memberships": [
            {
                "organisation": str(m.organisation),
                "organisation_id": str(m.organisation.public_id),
                "role": m.role,
                "joined": m.created_at.isoformat(),
            }
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ],
        "api_tokens": [
            {
                "name": t.name,
                "scope": t.scope,
                "created_at": t.created_at.isoformat(),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=user)
        ],
        "invitations_received": [
            {
                "organisation": str(i.organisation),
                "role": i.role,
                "created_at": i.created_at.isoformat(),
                "accepted_at": _iso(i.accepted_at),
            }
            for i in Invitation.objects.filter(email=user.email).select_related("organisation")
        ]
        if user.email
        else [],
    }


def revoke_tokens(user: User, *, reason: str) -> int:
    """Revoke every usable personal token of ``user`` (after a password reset or erasure);
    the number revoked. Organisation keys the person created belong to the organisation and
    stay."""
    now = timezone.now()
    open_tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    ApiToken.objects.filter(pk__in=[t.pk for t in open_tokens]).update(revoked_at=now)
    for token in open_tokens:
        audit.record(
            actor=user,
            action="accounts.token.revoke_all",
            obj=token,
            after={"reason": reason},
        )
    return len(open_tokens)


def erase(user: User) -> None:
    revoke_tokens(user, reason="erasure")
    for membership in Membership.objects.filter(user=user).select_related("organisation"):
        audit.record(
            actor=user,
            action="accounts.membership.end_by_erasure",
            obj=membership,
            organisation=membership.organisation,
            before={"role": membership.role},
        )
        membership.delete()
    if user.email:
        Invitation.objects.filter(email=user.email).update(email=ERASED_ADDRESS)
    forget_sign_in_records(user)


def forget_sign_in_records(user: User) -> None:
    """django-axes keeps the identifier typed at failed and successful sign-ins, counted per
    person (``backends.lockout_identifier``)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from nomadcloud.accounts.backends import person_key

    keys = [i for i in (user.email, user.phone, person_key(user)) if i]
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=keys).delete()
