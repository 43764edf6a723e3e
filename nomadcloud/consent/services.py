"""Use cases of consent (docs/consent.md): give, withdraw, ask. The app that asks for a
consent (one-card prefill, a data pool, cross-border export) shows its notice, calls
``give_consent`` with what the person agreed to, and calls ``queries.has_consent`` before each use.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator
from nomadcloud.accounts.models import User
from nomadcloud.consent import dpv, events
from nomadcloud.consent.models import ConsentRecord
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, NotFound, invalid_field

MAX_ITEMS = 20


def _terms(values: Iterable[str], table: dict[str, object], field: str) -> list[str]:
    terms = list(dict.fromkeys(str(v).strip() for v in values))
    if not terms or not all(terms):
        raise invalid_field(field, _("Name at least one."))
    unknown = [t for t in terms if t not in table]
    if unknown:
        raise invalid_field(
            field, _("Not a known term: %(terms)s.") % {"terms": ", ".join(unknown)}
        )
    return terms


def _recipients(values: Iterable[str]) -> list[str]:
    recipients = list(dict.fromkeys(str(v).strip() for v in values))
    if not recipients or not all(recipients):
        raise invalid_field("recipients", _("Name at least one recipient."))
    if len(recipients) > MAX_ITEMS or any(len(r) > 100 for r in recipients):
        raise invalid_field("recipients", _("At most 20 recipients of 100 characters each."))
    return recipients


@transaction.atomic
def give_consent(
    user: User,
    *,
    purpose: str,
    data_categories: Iterable[str],
    recipients: Iterable[str],
    notice_version: str,
    method: str,
    legal_basis: str = "dpv:Consent",
    purpose_description: str = "",
    expires_at: datetime | None = None,
    at: datetime | None = None,
) -> ConsentRecord:
    """Record that ``user`` consented to ``purpose`` for these data categories and
    recipients, under this version of the notice. Each call makes a new record."""
    now = at or timezone.now()
    if purpose not in dpv.PURPOSES:
        raise invalid_field("purpose", _("Not a known purpose: %(term)s.") % {"term": purpose})
    categories = _terms(data_categories, dict(dpv.DATA_CATEGORIES), "data_categories")
    to = _recipients(recipients)
    if legal_basis not in dpv.LEGAL_BASES:
        raise invalid_field(
            "legal_basis", _("Not a consent legal basis: %(term)s.") % {"term": legal_basis}
        )
    if method not in dpv.METHODS:
        raise invalid_field("method", _("Not a known method: %(term)s.") % {"term": method})
    version = notice_version.strip()
    if not version or len(version) > 40:
        raise invalid_field(
            "notice_version", _("Give the notice's version (at most 40 characters).")
        )
    if expires_at is not None and expires_at <= now:
        raise invalid_field("expires_at", _("The expiry must be in the future."))
    description = purpose_description.strip()
    if len(description) > 300:
        raise invalid_field("purpose_description", _("At most 300 characters."))
    record = ConsentRecord.objects.create(
        subject=user,
        purpose=purpose,
        purpose_description=description,
        data_categories=categories,
        recipients=to,
        legal_basis=legal_basis,
        notice_version=version,
        method=method,
        given_at=now,
        expires_at=expires_at,
    )
    audit.record(
        actor=user,
        action="consent.record.give",
        obj=record,
        after={"purpose": purpose, "recipients": to, "notice_version": version},
    )
    return record


@transaction.atomic
def withdraw_consent(record: ConsentRecord, *, actor: User) -> ConsentRecord:
    """The person withdraws a consent (PIPL art. 15: as easily as it was given). Only the
    person (or the zone operator, on the person's written request) may."""
    locked = ConsentRecord.objects.select_for_update().get(pk=record.pk)
    if locked.subject_id != actor.pk and not is_zone_operator(actor):
        raise NotFound(_("No such consent."))
    if locked.withdrawn_at is not None:
        raise Conflict(_("This consent was already withdrawn."), code="already_withdrawn")
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = actor
    locked.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit.record(
        actor=actor,
        action="consent.record.withdraw",
        obj=locked,
        before={"status": dpv.STATUS_GIVEN},
        after={"status": dpv.STATUS_WITHDRAWN},
    )
    events.consent_withdrawn.send(
        events.ConsentWithdrawn(
            record_id=locked.public_id,
            subject_id=locked.subject_id,
            purpose=locked.purpose,
            recipients=tuple(locked.recipients),
            withdrawn_at=locked.withdrawn_at,
        )
    )
    return locked
