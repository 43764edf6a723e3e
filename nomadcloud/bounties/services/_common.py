"""What every challenge use case shares: locking, the move through the transition table with
its event, audit record and OCDS release."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from nomadcloud.accounts.models import User
from nomadcloud.bounties import ocds, transitions
from nomadcloud.bounties.models import Application, Challenge, ChallengeEvent, Milestone, Phase
from nomadcloud.core import audit, publicity
from nomadcloud.core.errors import Conflict

SUBJECT = "bounties.challenge"  # the 公示 subject kind (core/publicity.py)
S = Challenge.Status
A = Application.Status

# The OCDS release tag each move writes (none: the step is not public).
RELEASE_TAG = {
    "approve": "tender",
    "close_applications": "tenderUpdate",
    "start_evaluation": "tenderUpdate",
    "close_evaluation": "tenderUpdate",
    "fail": "tenderUpdate",
    "select": "award",
    "start_signing": "awardUpdate",
    "signed": "contract",
    "milestones_accepted": "implementation",
    "remediate": "implementationUpdate",
    "midterm_check": "implementationUpdate",
    "accept_final": "implementation",
    "close": "implementationUpdate",
    "terminate": "contractTermination",
}


def lock(challenge: Challenge) -> Challenge:
    return (
        Challenge.objects.select_for_update()
        .select_related("issuer", "department")
        .get(pk=challenge.pk)
    )


def move(
    challenge: Challenge,
    action: str,
    roles: set[str],
    ctx: transitions.Context,
    *,
    actor: User | None,
    extra: dict[str, Any] | None = None,
) -> Challenge:
    """Check the move in the table, apply it, write the event, the audit record and, when
    public, the OCDS release. The caller holds the row lock."""
    row = transitions.check(challenge, action, roles, ctx)
    source = challenge.status
    challenge.status = row.target
    fields = ["status"]
    for name, value in (extra or {}).items():
        setattr(challenge, name, value)
        fields.append(name)
    if action == "approve":
        challenge.published_at = ctx.now
        fields.append("published_at")
    challenge.save(update_fields=fields)
    ChallengeEvent.objects.create(
        challenge=challenge,
        actor=actor,
        action=action,
        source=source,
        target=row.target,
        reason=ctx.reason,
        rule_version=challenge.rule_version,
    )
    audit.record(
        actor=actor,
        action=f"bounties.{action}",
        obj=challenge,
        organisation=challenge.issuer,
        before={"status": source},
        after={"status": row.target},
    )
    tag = RELEASE_TAG.get(action)
    if action == "cancel" and source not in (Challenge.Status.DRAFT, Challenge.Status.SUBMITTED):
        tag = "tenderCancellation"
    if tag:
        ocds.record_release(challenge, tag, at=ctx.now)
    return challenge


def now() -> Any:
    return timezone.now()


def _phase(challenge: Challenge, kind: str) -> Phase | None:
    return Phase.objects.filter(challenge=challenge, kind=kind).first()


def window_closed(challenge: Challenge) -> bool:
    phase = _phase(challenge, Phase.Kind.APPLICATIONS)
    return phase is None or timezone.localdate() > phase.ends_on


def context(challenge: Challenge, reason: str = "") -> transitions.Context:
    apps = list(challenge.applications.exclude(status=A.WITHDRAWN).values_list("status", flat=True))
    milestones = list(challenge.milestones.values_list("status", flat=True))
    decided = {A.ELIGIBLE, A.INELIGIBLE}
    may_sign = True
    if challenge.status == S.PUBLICITY:
        try:
            publicity.assert_may_advance(SUBJECT, str(challenge.public_id))
        except Conflict:
            may_sign = False
    return transitions.Context(
        now=timezone.now(),
        reason=reason,
        complete=True,
        window_closed=window_closed(challenge),
        all_reviewed=all(s in decided for s in apps),
        any_eligible=A.ELIGIBLE in apps,
        may_sign=may_sign,
        all_accepted=bool(milestones) and all(s == Milestone.Status.ACCEPTED for s in milestones),
        remediation_left=not challenge.remediation_used,
        payouts_confirmed=_payouts_confirmed(challenge),
    )


def _payouts_confirmed(challenge: Challenge) -> bool:
    rows = list(challenge.milestones.select_related("payout"))
    if not rows:
        return False
    if challenge.commitment_id is None:
        return True
    return all(m.payout is not None and m.payout.status == "confirmed" for m in rows)
