"""Delivering forwarded applications to 海易办 (the outbox's worker side): ``deliver``
calls the adapter outside any transaction and records the attempt, retrying with backoff;
after ``MAX_ATTEMPTS`` the failure stays visible and an officer may retry it
(``forwarding.retry``). ``poll`` mirrors the external status; a reply about an application
already decided changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.onecard import adapters, content
from nomadcloud.onecard.models import AdapterSubmission, Application
from nomadcloud.onecard.services.applications.common import _lock, _move, _stop
from nomadcloud.onecard.transitions import Role

S = Application.Status
MAX_ATTEMPTS = 5


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** min(attempts, 8))


def _payload(application: Application) -> dict[str, object]:
    return {
        "reference": application.reference,
        "item": application.item.code,
        "version": application.version.number,
        "name": content.text(application.version.content.get("name"), "zh-hans"),
        "answers": application.answers,
        "materials": [m.get("code") for m in application.materials],
    }


def deliver(submission_id: int) -> AdapterSubmission:
    """One attempt; the external call runs outside any transaction."""
    submission = AdapterSubmission.objects.select_related(
        "application__item", "application__version"
    ).get(pk=submission_id)
    if submission.state == AdapterSubmission.State.SUBMITTED:
        return submission
    try:
        external_id = adapters.client().submit(_payload(submission.application))
        error = ""
    except adapters.AdapterError as exc:
        external_id, error = "", str(exc)[:500]
    with transaction.atomic():
        sub = AdapterSubmission.objects.select_for_update().get(pk=submission.pk)
        sub.attempts += 1
        if error:
            sub.last_error = error
            sub.state = (
                AdapterSubmission.State.FAILED
                if sub.attempts >= MAX_ATTEMPTS
                else AdapterSubmission.State.SUBMITTING
            )
            sub.next_attempt_at = (
                None if sub.state == sub.State.FAILED else timezone.now() + backoff(sub.attempts)
            )
            sub.save()
            return sub
        sub.state = AdapterSubmission.State.SUBMITTED
        sub.external_id = external_id
        sub.last_error = ""
        sub.next_attempt_at = None
        sub.save()
        row = _lock(sub.application)
        if row.status == S.FORWARDING:
            _move(row, "forwarded", actor=None, roles={Role.SYSTEM}, reason=external_id)
        return sub


def retry_due() -> int:
    """Deliver the submissions whose next attempt is due (run by the worker's schedule)."""
    moment = timezone.now()
    ids = list(
        AdapterSubmission.objects.filter(
            state=AdapterSubmission.State.SUBMITTING, next_attempt_at__lte=moment
        ).values_list("pk", flat=True)[:200]
    )
    for pk in ids:
        deliver(pk)
    return len(ids)


def poll(submission: AdapterSubmission) -> Application:
    """Mirror the external status: ``approved``/``rejected`` decide a forwarded application;
    for one already decided the reply is recorded and changes nothing."""
    status = adapters.client().status(submission.external_id)
    with transaction.atomic():
        sub = AdapterSubmission.objects.select_for_update().get(pk=submission.pk)
        sub.external_status = status[:40]
        sub.save(update_fields=["external_status"])
        row = _lock(sub.application)
        if status in ("approved", "rejected") and row.status == S.FORWARDED:
            now = timezone.now()
            row.decided_at = now
            row.rule_version = f"haiyiban:{sub.external_id}"
            row.decision_reasons = _("Decided by the external system (%(id)s).") % {
                "id": sub.external_id
            }
            _stop(row, now)
            _move(
                row,
                "decide",
                actor=None,
                roles={Role.SYSTEM},
                reason=status,
                target=S.APPROVED if status == "approved" else S.REJECTED,
            )
        return row
