"""The department's use cases: receive (受理) and start the clocks, accept with gaps, refuse,
request a supplement (补正), review, decide, issue the result, suspend, resume, terminate,
rectify."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core import audit, workdays
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, invalid_field
from nomadcloud.onecard import access, transitions
from nomadcloud.onecard.models import (
    Application,
    Rectification,
    SupplementNotice,
)
from nomadcloud.onecard.services.applications.common import (
    SUBJECT,
    S,
    _lock,
    _move,
    _pause,
    _reason,
    _resume,
    _stop,
    _sync,
)
from nomadcloud.onecard.services.results import sign_result
from nomadcloud.onecard.transitions import Role

# --- the department --------------------------------------------------------------------------


def _start_clocks(row: Application, at: datetime) -> None:
    version = row.version
    promised = workdays.start_clock(
        SUBJECT, str(row.public_id), limit=version.promised_days, at=at, name="promised"
    )
    workdays.start_clock(
        SUBJECT, str(row.public_id), limit=version.statutory_days, at=at, name="statutory"
    )
    row.received_at = at
    row.due_at = promised.due_at


@transaction.atomic
def receive(application: Application, *, actor: User, roles: set[Role]) -> Application:
    """受理: the promised and statutory clocks start (refused past the loaded calendar)."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "receive", roles)
    _start_clocks(row, timezone.now())
    _move(row, "receive", actor=actor, roles=roles)
    return _sync(application, row)


@transaction.atomic
def accept_with_gaps(
    application: Application,
    *,
    actor: User,
    roles: set[Role],
    gaps: list[str],
    due: date,
    reason: str,
) -> Application:
    """容缺受理: received now, the named materials to follow by ``due``."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "accept_with_gaps", roles)
    if not row.version.allows_gaps:
        raise DomainError(
            _("This item does not allow acceptance with gaps."), code="gaps_not_allowed"
        )
    codes = {m["code"] for m in row.version.materials}
    unknown = [g for g in gaps if g not in codes]
    if not gaps or unknown:
        raise invalid_field("gaps", _("Name the materials to follow, from this item's list."))
    if due <= timezone.localdate():
        raise invalid_field("due", _("Give a date after today."))
    reason = _reason(reason)
    now = timezone.now()
    _start_clocks(row, now)
    row.gaps = sorted(set(gaps))
    row.gaps_due = due
    _move(row, "accept_with_gaps", actor=actor, roles=roles, reason=reason)
    return _sync(application, row)


@transaction.atomic
def refuse(
    application: Application, *, actor: User, roles: set[Role], reason: str, appeal: str
) -> Application:
    """不予受理, with the reasons and where to appeal."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "refuse", roles)
    text = _reason(reason)
    route = _reason(appeal, "appeal")
    row.decision_reasons = text
    _move(row, "refuse", actor=actor, roles=roles, reason=f"{text}\n{route}")
    return _sync(application, row)


@transaction.atomic
def request_supplement(
    application: Application,
    *,
    actor: User,
    roles: set[Role],
    items: list[dict[str, str]],
    override_reason: str = "",
) -> SupplementNotice:
    """一次性告知: one notice naming every missing or incorrect item; a second notice only
    with a supervisor's override and its reason. The clocks pause."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "request_supplement", roles)
    cleaned = [
        {"code": str(i.get("code", ""))[:40], "text": str(i.get("text", "")).strip()[:1000]}
        for i in items
        if str(i.get("text", "")).strip()
    ]
    if not cleaned:
        raise invalid_field("items", _("List every missing or incorrect item in one notice."))
    override = override_reason.strip()
    if row.notices.exists():
        if not access.is_supervisor(actor, row.department):
            raise Conflict(
                _("One notice lists everything (一次性告知): a second one needs a supervisor."),
                code="second_notice",
            )
        if not override:
            raise invalid_field(
                "override_reason",
                _("Give the reason for a second notice."),
                code="second_notice",
            )
    now = timezone.now()
    notice = SupplementNotice.objects.create(
        application=row,
        items=cleaned,
        issued_by=actor,
        issued_at=now,
        override_by=actor if override and row.notices.exists() else None,
        override_reason=override,
    )
    row.supplements += 1
    # The items named as materials must be given again.
    named = {i["code"] for i in cleaned}
    row.materials = [m for m in row.materials if m.get("code") not in named]
    if row.received_at is not None:
        _pause(row, now)
    _move(
        row,
        "request_supplement",
        actor=actor,
        roles=roles,
        reason="; ".join(i["text"] for i in cleaned),
    )
    return notice


@transaction.atomic
def start_review(application: Application, *, actor: User, roles: set[Role]) -> Application:
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "review", roles)
    row.reviewed_by = actor
    _move(row, "review", actor=actor, roles=roles)
    return _sync(application, row)


@transaction.atomic
def decide(
    application: Application,
    *,
    actor: User,
    roles: set[Role],
    approve: bool,
    reasons: str,
    rule_version: str,
) -> Application:
    """Approve or reject, with reasons and the rule version; where the item asks for
    four eyes, the approver is not the reviewer. The clocks stop."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "decide", roles)
    text = _reason(reasons, "reasons")
    version_text = (rule_version or "").strip()[:40]
    if not version_text:
        raise invalid_field("rule_version", _("Name the rule version the decision applies."))
    if row.version.four_eyes and row.reviewed_by_id == actor.pk:
        raise Forbidden(
            _("This item needs four eyes: the approver must not be the reviewer."),
            code="four_eyes",
        )
    now = timezone.now()
    row.decided_by = actor
    row.decided_at = now
    row.decision_reasons = text
    row.rule_version = version_text
    _stop(row, now)
    _move(
        row,
        "decide",
        actor=actor,
        roles=roles,
        reason=text,
        target=S.APPROVED if approve else S.REJECTED,
    )
    return _sync(application, row)


@transaction.atomic
def issue_result(application: Application, *, actor: User | None, roles: set[Role]) -> Application:
    """出件: the result as a signed document, verifiable offline."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "issue", roles)
    row.result = sign_result(row)
    _move(row, "issue", actor=actor, roles=roles)
    return _sync(application, row)


@transaction.atomic
def suspend(application: Application, *, actor: User, roles: set[Role], reason: str) -> Application:
    row = _lock(application)
    text = _reason(reason)
    now = timezone.now()
    _move(row, "suspend", actor=actor, roles=roles, reason=text)
    _pause(row, now)
    return _sync(application, row)


@transaction.atomic
def resume(application: Application, *, actor: User, roles: set[Role]) -> Application:
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "resume", roles)
    _resume(row, timezone.now())
    _move(row, "resume", actor=actor, roles=roles)
    return _sync(application, row)


@transaction.atomic
def terminate(
    application: Application, *, actor: User, roles: set[Role], reason: str
) -> Application:
    row = _lock(application)
    text = _reason(reason)
    now = timezone.now()
    _move(row, "terminate", actor=actor, roles=roles, reason=text)
    _stop(row, now)
    return _sync(application, row)


@transaction.atomic
def rectify(
    rectification: Rectification, *, actor: User, measures: str, callback_note: str
) -> Rectification:
    """The department records what it changed and the call-back to the applicant."""
    row = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating__application")
        .get(pk=rectification.pk)
    )
    application = row.rating.application
    if Role.OFFICER not in access.staff_roles(
        access.department_role(actor, application.department)
    ):
        raise Forbidden(_("Only the competent department rectifies."), code="role_not_allowed")
    if row.done_at is not None:
        raise Conflict(_("This rectification is recorded already."), code="already_rectified")
    row.measures = _reason(measures, "measures")
    row.callback_note = _reason(callback_note, "callback_note")
    row.done_at = timezone.now()
    row.done_by = actor
    row.save()
    audit.record(
        actor=actor,
        action="onecard.rectification.done",
        obj=row,
        organisation=application.department,
    )
    return row
