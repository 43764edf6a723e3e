"""A data-pool agreement with a recipient abroad: the entry that covers it (or what is missing),
and each use logged as a counted transfer."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict
from nomadcloud.crossborder.models import (
    TransferEvent,
    WhitelistEntry,
)
from nomadcloud.crossborder.schemas import (
    TransferDraft,
)

from .transfers import (
    _log,
    _Refusal,
)


def _names(organisation: Organisation) -> set[str]:
    return {n.strip().casefold() for n in (organisation.name_en, organisation.name_zh) if n}


def _gap(
    entry: WhitelistEntry,
    *,
    purpose: str,
    data_categories: list[str],
    people: int,
    sensitive: int,
    day: date,
) -> str | None:
    """Why ``entry`` does not cover this use (in the reader's language), or None."""
    recipient = entry.recipient_name
    if entry.status == WhitelistEntry.Status.REASSESSMENT_REQUIRED:
        return _("the entry for %(recipient)s needs a reassessment (%(reason)s)") % {
            "recipient": recipient,
            "reason": entry.reason,
        }
    if entry.status == WhitelistEntry.Status.EXPIRED or not (
        entry.valid_from <= day <= entry.valid_to
    ):
        return _("the entry for %(recipient)s is valid only from %(start)s to %(end)s") % {
            "recipient": recipient,
            "start": entry.valid_from.isoformat(),
            "end": entry.valid_to.isoformat(),
        }
    if purpose != entry.purpose:
        return _("the entry for %(recipient)s is for the purpose %(entry)s, not %(asked)s") % {
            "recipient": recipient,
            "entry": entry.purpose,
            "asked": purpose,
        }
    missing = [c for c in data_categories if c not in entry.data_categories]
    if missing:
        return _("the entry for %(recipient)s does not cover the categories %(categories)s") % {
            "recipient": recipient,
            "categories": ", ".join(missing),
        }
    if entry.volume_used >= entry.volume_cap or (
        sensitive and entry.sensitive_used >= entry.sensitive_cap
    ):
        return _("the entry for %(recipient)s has reached its cap of %(cap)s people") % {
            "recipient": recipient,
            "cap": entry.volume_cap,
        }
    if (
        entry.volume_used + people > entry.volume_cap
        or entry.sensitive_used + sensitive > entry.sensitive_cap
    ):
        return _(
            "the entry for %(recipient)s has %(left)s people (%(sensitive)s sensitive) left "
            "under its cap, fewer than this transfer's %(people)s (%(asked)s sensitive)"
        ) % {
            "recipient": recipient,
            "left": entry.volume_cap - entry.volume_used,
            "sensitive": entry.sensitive_cap - entry.sensitive_used,
            "people": people,
            "asked": sensitive,
        }
    return None


def agreement_entry(
    *,
    exporter: Organisation,
    recipient: Organisation,
    country: str,
    purpose: str,
    data_categories: list[str],
    people: int = 0,
    sensitive: int = 0,
    on: date | None = None,
) -> WhitelistEntry | str:
    """The whitelist entry that covers a pool agreement (or one of its transfers) with a
    recipient outside China — same exporter, country, recipient (the consumer organisation
    by name), purpose, categories, valid on the day, room under the caps — or, when none
    does, why (localized): the gap of the most recent entry naming that recipient."""
    day = on or timezone.localdate()
    entries = list(
        WhitelistEntry.objects.filter(exporter=exporter, recipient_country=country).order_by(
            "-valid_to", "-id"
        )
    )
    if not entries:
        return _("%(exporter)s has no whitelist entry for a recipient in %(country)s") % {
            "exporter": exporter,
            "country": country,
        }
    names = _names(recipient)
    named = [e for e in entries if e.recipient_name.strip().casefold() in names]
    if not named:
        return _("no whitelist entry for %(country)s names %(recipient)s as the recipient") % {
            "country": country,
            "recipient": recipient,
        }
    gaps = []
    for entry in named:
        gap = _gap(
            entry,
            purpose=purpose,
            data_categories=data_categories,
            people=people,
            sensitive=sensitive,
            day=day,
        )
        if gap is None:
            return entry
        gaps.append(gap)
    return gaps[0]


def log_agreement_transfer(
    *,
    principal: Principal,
    exporter: Organisation,
    recipient: Organisation,
    country: str,
    purpose: str,
    data_categories: list[str],
    pi_count: int,
    sensitive_count: int,
    source: str,
) -> TransferEvent:
    """A transfer abroad under a pool agreement (one use of its data): logged against the
    covering entry and counted in the entry and the exporter's year, like a transfer logged
    by hand; refused (``whitelist_entry_required``, naming why) when no entry covers it.
    Runs inside the caller's transaction, so a refused use leaves nothing behind."""
    found = agreement_entry(
        exporter=exporter,
        recipient=recipient,
        country=country,
        purpose=purpose,
        data_categories=data_categories,
        people=pi_count,
        sensitive=sensitive_count,
    )
    if isinstance(found, str):
        raise Conflict(
            _("This transfer abroad needs a valid cross-border whitelist entry: %(why)s.")
            % {"why": found},
            code="whitelist_entry_required",
        )
    draft = TransferDraft(
        pi_count=pi_count,
        sensitive_count=sensitive_count,
        purpose=purpose,
        data_categories=data_categories or found.data_categories,
        recipient_name=found.recipient_name,
    )
    outcome = _log(principal, found, draft, source=source)
    if isinstance(outcome, _Refusal):
        raise outcome.error
    return outcome
