"""Logging transfers against a whitelist entry and the year's counters, and reassessing on a change
of purpose, recipient or categories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, DomainError, invalid_field
from nomadcloud.crossborder.models import (
    ExportRequest,
    TransferEvent,
    WhitelistEntry,
)
from nomadcloud.crossborder.schemas import (
    ExportRequestDraft,
    TransferDraft,
)

from .requests import (
    R,
    _counter,
    assess_request,
)


@dataclass(frozen=True)
class _Refusal:
    error: DomainError


def log_transfer(
    *, principal: Principal, entry: WhitelistEntry, draft: TransferDraft
) -> TransferEvent:
    """Log one transfer under an entry. A transfer that changes the purpose, the recipient
    or the categories, or goes over the cap, is refused and the entry marked
    ``reassessment_required`` (kept: the marking is committed, the transfer is not)."""
    outcome = _log(principal, entry, draft)
    if isinstance(outcome, _Refusal):
        raise outcome.error
    return outcome


@transaction.atomic
def _log(
    principal: Principal, entry: WhitelistEntry, draft: TransferDraft, *, source: str = ""
) -> TransferEvent | _Refusal:
    entry = WhitelistEntry.objects.select_for_update().get(pk=entry.pk)
    today = timezone.localdate()
    if draft.sensitive_count > draft.pi_count:
        raise invalid_field(
            "sensitive_count",
            _("The people with sensitive information are among those counted: at most %(n)s.")
            % {"n": draft.pi_count},
        )
    if (
        entry.status in (WhitelistEntry.Status.EXPIRED, WhitelistEntry.Status.REASSESSMENT_REQUIRED)
        or not entry.valid_from <= today <= entry.valid_to
    ):
        if entry.status == WhitelistEntry.Status.REASSESSMENT_REQUIRED:
            raise Conflict(
                _("This entry needs a reassessment before anything more is sent."),
                code="reassessment_required",
            )
        if entry.status != WhitelistEntry.Status.EXPIRED:
            entry.status = WhitelistEntry.Status.EXPIRED
            entry.save(update_fields=["status"])
            return _Refusal(Conflict(_("This whitelist entry has expired."), code="entry_expired"))
        raise Conflict(_("This whitelist entry has expired."), code="entry_expired")
    changed = []
    if draft.purpose != entry.purpose:
        changed.append("purpose")
    if draft.recipient_name != entry.recipient_name:
        changed.append("recipient_name")
    if not set(draft.data_categories) <= set(entry.data_categories):
        changed.append("data_categories")
    over = (
        entry.volume_used + draft.pi_count > entry.volume_cap
        or entry.sensitive_used + draft.sensitive_count > entry.sensitive_cap
    )
    if changed or over:
        reason = (
            _("over the cap")
            if over and not changed
            else _("changed: %(fields)s") % {"fields": ", ".join(changed)}
        )
        entry.status = WhitelistEntry.Status.REASSESSMENT_REQUIRED
        entry.reason = reason
        entry.save(update_fields=["status", "reason"])
        audit.record(
            actor=principal.user,
            action="crossborder.entry.reassessment",
            obj=entry,
            after={"reason": reason},
        )
        return _Refusal(
            Conflict(
                _(
                    "This transfer is outside the whitelist entry (%(reason)s): the entry "
                    "now needs a reassessment."
                )
                % {"reason": reason},
                code="reassessment_required",
            )
        )
    entry.volume_used += draft.pi_count
    entry.sensitive_used += draft.sensitive_count
    entry.save(update_fields=["volume_used", "sensitive_used"])
    counter = _counter(entry.exporter, today.year)
    counter.pi_sent += draft.pi_count
    counter.sensitive_sent += draft.sensitive_count
    counter.save(update_fields=["pi_sent", "sensitive_sent"])
    user = principal.user
    assert user is not None
    event = TransferEvent.objects.create(
        entry=entry,
        pi_count=draft.pi_count,
        sensitive_count=draft.sensitive_count,
        purpose=draft.purpose,
        data_categories=draft.data_categories,
        logged_by=user,
        source=source,
    )
    audit.record(
        actor=user,
        action="crossborder.transfer.log",
        obj=entry,
        after={"pi": draft.pi_count, "sensitive": draft.sensitive_count, "source": source},
    )
    return event


def reassess(
    *, principal: Principal, entry: WhitelistEntry, draft: ExportRequestDraft
) -> ExportRequest:
    """A new request for a changed purpose, recipient or categories (or a renewal): decided
    again over the counters; the old entry stands until the new one is whitelisted."""
    entry = WhitelistEntry.objects.select_related("request").get(pk=entry.pk)
    request = entry.request
    pending = ExportRequest.objects.filter(previous=request, state__in=PENDING).exists()
    if request.state != R.WHITELISTED or pending:
        raise Conflict(_("This entry is already being reassessed."), code="transition_not_allowed")
    if _carries_over(request, timezone.localdate()):
        # The new request replaces this one in the year's counters, so it covers what was
        # already sent under the entry.
        for field, used in (
            ("pi_count", entry.volume_used),
            ("sensitive_count", entry.sensitive_used),
        ):
            if getattr(draft, field) < used:
                raise invalid_field(
                    field,
                    _(
                        "%(n)s people were already sent under this entry this year: the "
                        "reassessment must cover them."
                    )
                    % {"n": used},
                )
    return assess_request(
        principal=principal, exporter=entry.exporter, draft=draft, previous=request
    )


PENDING = (R.OBLIGATIONS_PENDING, R.EVIDENCE_SUBMITTED, R.RETURNED)


def _carries_over(previous: ExportRequest, today: date) -> bool:
    """A reassessment decided in the year of the request it replaces takes that request's
    place in the counters, so the new entry carries over what the old one sent."""
    return previous.counted and previous.decided_on.year == today.year


def pending_reassessment(entry: WhitelistEntry) -> ExportRequest | None:
    return (
        ExportRequest.objects.filter(previous_id=entry.request_id, state__in=PENDING)
        .order_by("-id")
        .first()
    )
