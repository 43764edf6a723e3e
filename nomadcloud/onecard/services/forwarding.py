"""Forwarding an external item's application to 海易办 through the outbox (cross-cutting
§3.1): ``forward`` moves it to ``forwarding`` and writes an ``AdapterSubmission`` in the same
transaction, then enqueues the delivery job (``tasks.py`` → ``delivery.deliver``) after
commit; ``retry`` sends a failed one again."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict
from nomadcloud.core.jobs import enqueue_after_commit
from nomadcloud.onecard import transitions
from nomadcloud.onecard.models import AdapterSubmission, Application, ServiceItem
from nomadcloud.onecard.services.applications.common import _lock, _move, _sync
from nomadcloud.onecard.tasks import deliver_submission
from nomadcloud.onecard.transitions import Role


@transaction.atomic
def forward(application: Application, *, actor: User | None, roles: set[Role]) -> AdapterSubmission:
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "forward", roles)
    if row.item.handler != ServiceItem.Handler.EXTERNAL:
        raise Conflict(_("Only an external item is forwarded."), code="not_external")
    submission = AdapterSubmission.objects.create(application=row, next_attempt_at=timezone.now())
    _move(row, "forward", actor=actor, roles=roles)
    _sync(application, row)
    enqueue_after_commit(deliver_submission, submission.pk)
    return submission


@transaction.atomic
def retry(submission: AdapterSubmission, *, actor: User) -> AdapterSubmission:
    """An officer sends a failed submission again."""
    sub = AdapterSubmission.objects.select_for_update().get(pk=submission.pk)
    if sub.state != AdapterSubmission.State.FAILED:
        raise Conflict(_("Only a failed submission is retried."), code="not_failed")
    sub.state = AdapterSubmission.State.SUBMITTING
    sub.attempts = 0
    sub.next_attempt_at = timezone.now()
    sub.save()
    audit.record(actor=actor, action="onecard.submission.retry", obj=sub)
    enqueue_after_commit(deliver_submission, sub.pk)
    return sub
