"""Access requests as contract negotiations (Dataspace Protocol 2025-1 states; ODRL 2.2
policies; docs/datapools.md). An enterprise requests access for a purpose; the request is
evaluated against the charter at once and refused, naming the failed constraint, when it does
not fit (nothing is stored). The steward agrees, counter-offers (narrower) or terminates; the
consumer accepts a counter-offer or terminates; once both sides agree, the pool's lead
department confirms (经核定) or refuses the agreement (decision 0062); no state waits past its
deadline (``expire_overdue`` ends it, with the reason). Moves::

    requested ─agree▶ confirming ─confirm▶ agreed ─verify▶ verified ─(system)▶ finalized
        ├─offer▶ offered ─accept▶ confirming    (steward, then consumer; then the department)
        │          └─request▶ requested         (consumer's counter-request)
        ├                  confirming ─refuse▶ terminated   (the department, naming itself)
        └─terminate▶ terminated       (either side, until finalized; or the timeout)

``confirming`` is the provider's internal step: the other connector sees ``REQUESTED``
(the steward agreed to its request) or ``ACCEPTED`` (it accepted the steward's offer) until
the department confirms, and only then receives the agreement (dsp.py). The consumer's
verification is finalized by the platform at once. An agreement is in force (``IN_FORCE``)
from ``agreed`` on until it ends — never while it awaits the department. An organisation API
key (another zone's connector, dsp.py) may make the consumer's moves. Each change the
connector did not make itself is reported to its ``callbackAddress`` (dsp_callbacks.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write, role_in
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.crossborder.schemas import SENSITIVE_CATEGORIES
from nomadcloud.crossborder.services import agreement_entry, log_agreement_transfer
from nomadcloud.datapools import access, dsp_callbacks, fees
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import (
    IN_FORCE,
    AgreementConfirmation,
    Charter,
    DatasetVersion,
    DownloadLink,
    Negotiation,
    NegotiationEvent,
    Pool,
)
from nomadcloud.datapools.transitions import Side

N = Negotiation.State
MAX_DAYS = 365
ANSWER_DAYS = 10
ODRL_CONTEXT = ["http://www.w3.org/ns/odrl.jsonld", {"nc": "https://nomadcloud.cn/ns/datapools#"}]

# (state, action) → (next state, side)
MOVES: dict[tuple[str, str], tuple[str, str]] = {
    (N.REQUESTED, "agree"): (N.CONFIRMING, "steward"),
    (N.REQUESTED, "offer"): (N.OFFERED, "steward"),
    (N.REQUESTED, "terminate"): (N.TERMINATED, "either"),
    (N.OFFERED, "accept"): (N.CONFIRMING, "consumer"),
    (N.OFFERED, "request"): (N.REQUESTED, "consumer"),
    (N.OFFERED, "terminate"): (N.TERMINATED, "either"),
    (N.CONFIRMING, "confirm"): (N.AGREED, "department"),
    (N.CONFIRMING, "refuse"): (N.TERMINATED, "department"),
    (N.CONFIRMING, "terminate"): (N.TERMINATED, "either"),
    (N.AGREED, "verify"): (N.VERIFIED, "consumer"),
    (N.AGREED, "terminate"): (N.TERMINATED, "either"),
}


def acting_person(principal: Principal) -> User:
    """The person answerable for a move: the signed-in person, or for an organisation API
    key (another zone's connector) the person who issued the key."""
    if principal.key_organisation is not None and principal.token is not None:
        return principal.token.created_by
    return require_person(principal)


def policy(
    *,
    kind: str,
    pool: Pool,
    consumer: Organisation,
    purpose: str,
    access_mode: str,
    duration_days: int,
    spatial: str,
    at: datetime,
    fee: Decimal | None = None,
) -> dict[str, Any]:
    """An ODRL policy (Set for a request, Offer, Agreement): use of the pool's data for the
    purpose, in the place, until the end date, by the access mode; re-identification
    prohibited; attribution due."""
    ends = (at + timedelta(days=duration_days)).replace(microsecond=0)
    return {
        "@context": ODRL_CONTEXT,
        "@type": kind,
        "uid": f"urn:nomadcloud:policy:{pool.public_id}:{consumer.public_id}:{at.timestamp():.0f}",
        "target": f"urn:nomadcloud:pool:{pool.public_id}",
        "assigner": (assigner := f"urn:nomadcloud:org:{pool.steward.public_id}"),
        "assignee": f"urn:nomadcloud:org:{consumer.public_id}",
        "nc:accessMode": access_mode,
        "nc:durationDays": duration_days,
        "permission": [
            {
                "action": "use",
                "constraint": [
                    {"leftOperand": "purpose", "operator": "isA", "rightOperand": purpose},
                    {"leftOperand": "spatial", "operator": "eq", "rightOperand": spatial},
                    {
                        "leftOperand": "dateTime",
                        "operator": "lteq",
                        "rightOperand": ends.isoformat(),
                    },
                ],
                "duty": [{"action": "attribute"}, *fees.compensate_duty(fee, assigner)],
            }
        ],
        "prohibition": [{"action": "nc:reidentify"}],
    }


def _refuse(field: str, constraint: str) -> Exception:
    return invalid_field(
        field,
        _("The policy cannot be granted: constraint %(constraint)s failed.")
        % {"constraint": constraint},
        code="constraint_failed",
    )


def evaluate(
    pool: Pool, consumer: Organisation, purpose: str, access_mode: str, days: int, spatial: str
) -> None:
    """The automatic check of a request against the charter; the first failed constraint is
    named, e.g. ``'spatial' eq 'CN'``."""
    charter = current_charter(pool)
    if purpose not in charter.purposes:
        raise _refuse("purpose", f"'purpose' isA {charter.purposes} (asked: {purpose})")
    if access_mode not in charter.access_modes:
        raise _refuse(
            "access_mode", f"'accessMode' isAnyOf {charter.access_modes} (asked: {access_mode})"
        )
    if not 1 <= days <= MAX_DAYS:
        raise _refuse("duration_days", f"'elapsedTime' lteq P{MAX_DAYS}D (asked: P{days}D)")
    if spatial != "CN":
        _require_entry(pool, consumer, purpose, spatial)
    if consumer.verification_status != Organisation.Verification.VERIFIED:
        raise _refuse("consumer", "'assignee' isA verified organisation")


def _require_entry(pool: Pool, consumer: Organisation, purpose: str, spatial: str) -> None:
    """A recipient outside China needs a valid whitelist entry of the steward covering the
    consumer, the purpose and the charter's categories, with room under its cap (checked at
    the request, the counter-offer and again at the agreement); refused naming why."""
    found = agreement_entry(
        exporter=pool.steward,
        recipient=consumer,
        country=spatial,
        purpose=purpose,
        data_categories=list(current_charter(pool).data_categories),
    )
    if isinstance(found, str):
        raise invalid_field(
            "spatial",
            _(
                "The policy cannot be granted: constraint 'spatial' eq 'CN' failed (asked: "
                "'%(country)s'; a transfer abroad needs a valid cross-border whitelist entry, "
                "and %(why)s)."
            )
            % {"country": spatial, "why": found},
            code="constraint_failed",
        )


def require_in_force(negotiation: Negotiation, now: datetime) -> None:
    """Every use of an agreement (aggregates, template runs, download links) starts here:
    agreed, verified or finalized, and not past its end."""
    if negotiation.state not in IN_FORCE or (
        negotiation.expires_at is not None and negotiation.expires_at <= now
    ):
        raise Conflict(_("There is no agreement in force for this."), code="no_agreement")


def transfer_abroad(
    *, principal: Principal, negotiation: Negotiation, version: DatasetVersion
) -> None:
    """Every use of an agreement whose ``spatial`` is outside China is a transfer abroad:
    logged against the steward's whitelist entry and counted (crossborder), inside the
    caller's transaction, before the answer is given; refused (``whitelist_entry_required``)
    when no valid entry covers it. Counted conservatively: every contributor of the version
    (all of them sensitive when the charter's grade or categories are), anonymised output
    included (docs/decisions/0052)."""
    spatial = terms(negotiation)["spatial"]
    if spatial == "CN":
        return
    charter = version.charter
    categories = list(charter.data_categories)
    people = 0 if charter.grade == Charter.Grade.NONE else version.contributor_count
    sensitive = (
        people
        if charter.grade == Charter.Grade.SENSITIVE or SENSITIVE_CATEGORIES & set(categories)
        else 0
    )
    log_agreement_transfer(
        principal=principal,
        exporter=negotiation.pool.steward,
        recipient=negotiation.consumer,
        country=spatial,
        purpose=terms(negotiation)["purpose"],
        data_categories=categories,
        pi_count=people,
        sensitive_count=sensitive,
        source=f"datapools:{negotiation.public_id}",
    )


def _consumer_editor(principal: Principal, consumer: Organisation) -> None:
    require_write(principal)
    if role_in(principal, consumer) not in access.EDITORS:
        raise Forbidden(
            _("Only the requesting enterprise (%(org)s) can do this.") % {"org": consumer},
            code="consumer_only",
        )


def _event(negotiation: Negotiation, principal: Principal | None, action: str) -> None:
    NegotiationEvent.objects.create(
        negotiation=negotiation,
        actor=principal.user if principal else None,
        action=action,
        to_state=negotiation.state,
        policy=negotiation.policy,
        reason=negotiation.reason,
    )
    audit.record(
        actor=principal.user if principal else None,
        action=f"datapools.negotiation.{action}",
        obj=negotiation,
        after={"state": negotiation.state, "reason": negotiation.reason[:200]},
        token=principal.token if principal else None,
    )


@transaction.atomic
def request_access(
    *,
    principal: Principal,
    pool: Pool,
    consumer: Organisation,
    purpose: str,
    access_mode: str,
    duration_days: int,
    spatial: str = "CN",
    consumer_pid: str = "",
    callback_address: str = "",
) -> Negotiation:
    user = acting_person(principal)
    _consumer_editor(principal, consumer)
    if pool.status != Pool.Status.OPEN:
        raise Conflict(_("This pool does not take access requests now."), code="pool_not_open")
    evaluate(pool, consumer, purpose, access_mode, duration_days, spatial.strip().upper())
    now = timezone.now()
    negotiation = Negotiation.objects.create(
        pool=pool,
        consumer=consumer,
        requested_by=user,
        state=N.REQUESTED,
        policy=policy(
            kind="Set",
            pool=pool,
            consumer=consumer,
            purpose=purpose,
            access_mode=access_mode,
            duration_days=duration_days,
            spatial=spatial.strip().upper(),
            at=now,
        ),
        deadline=now + timedelta(days=ANSWER_DAYS),
        consumer_pid=consumer_pid,
        callback_address=callback_address,
    )
    _event(negotiation, principal, "request")
    return negotiation


def terms(negotiation: Negotiation) -> dict[str, Any]:
    constraints = {
        c["leftOperand"]: c["rightOperand"]
        for c in negotiation.policy["permission"][0]["constraint"]
    }
    return {
        "purpose": constraints["purpose"],
        "spatial": constraints["spatial"],
        "access_mode": negotiation.policy["nc:accessMode"],
        "duration_days": negotiation.policy["nc:durationDays"],
        "fee": fees.fee_of(negotiation.policy),
    }


# The states that wait for someone's answer, each with a deadline (ANSWER_DAYS).
WAITING = (N.REQUESTED, N.OFFERED, N.CONFIRMING)


def _expire(negotiation: Negotiation, now: datetime) -> bool:
    if negotiation.state in WAITING and negotiation.deadline and (negotiation.deadline <= now):
        if negotiation.state == N.CONFIRMING:
            waiting = str(negotiation.pool.lead_department)
        elif negotiation.state == N.REQUESTED:
            waiting = _("the steward")
        else:
            waiting = _("the enterprise")
        negotiation.state = N.TERMINATED
        negotiation.reason = _("Timed out: no answer from %(side)s by %(deadline)s.") % {
            "side": waiting,
            "deadline": negotiation.deadline.isoformat(timespec="minutes"),
        }
        negotiation.deadline = None
        negotiation.save(update_fields=["state", "reason", "deadline"])
        _event(negotiation, None, "timeout")
        dsp_callbacks.negotiation_changed(negotiation, None)
        return True
    return False


def rule_version(negotiation: Negotiation) -> str:
    """The rule a 核定 applies: the pool's charter version at the time."""
    return f"charter v{current_charter(negotiation.pool).version}"


@transaction.atomic
def move(
    *,
    principal: Principal,
    negotiation: Negotiation,
    action: str,
    reason: str = "",
    access_mode: str | None = None,
    duration_days: int | None = None,
    fee: Decimal | None = None,
) -> Negotiation:
    negotiation = (
        Negotiation.objects.select_for_update()
        .select_related("pool__steward", "pool__lead_department", "consumer")
        .get(pk=negotiation.pk)
    )
    now = timezone.now()
    if _expire(negotiation, now):
        return negotiation
    row = MOVES.get((negotiation.state, action))
    if row is None:
        raise Conflict(
            _("A negotiation that is “%(state)s” cannot take this move.")
            % {"state": N(negotiation.state).label},
            code="transition_not_allowed",
        )
    target, side = row
    if principal.key_organisation is None or side == "steward":
        require_person(principal)
    is_steward = access.is_steward(principal, negotiation.pool)
    is_consumer = principal.can_write and role_in(principal, negotiation.consumer) in access.EDITORS
    if side == "steward":
        access.require_side(principal, negotiation.pool, Side.STEWARD)
    elif side == "department":
        access.require_side(principal, negotiation.pool, Side.DEPARTMENT)
    elif side == "consumer":
        _consumer_editor(principal, negotiation.consumer)
    elif not (is_steward or is_consumer):
        access.require_side(principal, negotiation.pool, Side.STEWARD)
    reason = reason.strip()
    if len(reason) > 500:
        raise invalid_field("reason", _("At most 500 characters."))
    if action == "terminate" and not reason:
        raise invalid_field("reason", _("Say why the negotiation ends."))
    if action == "refuse" and not reason:
        raise invalid_field("reason", _("Say why the department refuses the agreement."))
    current = terms(negotiation)
    if action == "request":
        days = current["duration_days"] if duration_days is None else duration_days
        mode = access_mode or current["access_mode"]
        evaluate(
            negotiation.pool,
            negotiation.consumer,
            current["purpose"],
            mode,
            days,
            current["spatial"],
        )
        negotiation.policy = policy(
            kind="Set",
            pool=negotiation.pool,
            consumer=negotiation.consumer,
            purpose=current["purpose"],
            access_mode=mode,
            duration_days=days,
            spatial=current["spatial"],
            at=now,
            fee=current["fee"] if fee is None else fee,
        )
        negotiation.deadline = now + timedelta(days=ANSWER_DAYS)
    elif action == "verify":
        negotiation.deadline = None
    elif action == "offer":
        days = current["duration_days"] if duration_days is None else duration_days
        mode = access_mode or current["access_mode"]
        if days > current["duration_days"]:
            raise invalid_field(
                "duration_days", _("A counter-offer may only shorten the duration.")
            )
        evaluate(
            negotiation.pool,
            negotiation.consumer,
            current["purpose"],
            mode,
            days,
            current["spatial"],
        )
        negotiation.policy = policy(
            kind="Offer",
            pool=negotiation.pool,
            consumer=negotiation.consumer,
            purpose=current["purpose"],
            access_mode=mode,
            duration_days=days,
            spatial=current["spatial"],
            at=now,
            fee=current["fee"] if fee is None else fee,
        )
        negotiation.deadline = now + timedelta(days=ANSWER_DAYS)
    elif target == N.CONFIRMING:  # both sides agree: the department's 核定 is awaited
        if current["spatial"] != "CN":
            _require_entry(
                negotiation.pool, negotiation.consumer, current["purpose"], current["spatial"]
            )
        negotiation.deadline = now + timedelta(days=ANSWER_DAYS)
    elif action == "refuse":
        _confirmation(negotiation, principal, AgreementConfirmation.Outcome.REFUSED, reason, now)
        reason = _("Refused by %(department)s at its confirmation (核定): %(note)s") % {
            "department": negotiation.pool.lead_department,
            "note": reason,
        }
        negotiation.deadline = None
    elif target == N.AGREED:
        if current["spatial"] != "CN":
            _require_entry(
                negotiation.pool, negotiation.consumer, current["purpose"], current["spatial"]
            )
        _confirmation(negotiation, principal, AgreementConfirmation.Outcome.CONFIRMED, reason, now)
        reason = ""
        negotiation.policy = {
            **policy(
                kind="Agreement",
                pool=negotiation.pool,
                consumer=negotiation.consumer,
                at=now,
                **current,
            ),
            "dateTime": now.replace(microsecond=0).isoformat(),
        }
        negotiation.agreed_at = now
        negotiation.expires_at = now + timedelta(days=current["duration_days"])
        negotiation.deadline = None
    else:
        negotiation.deadline = None
    negotiation.state = target
    negotiation.reason = reason
    negotiation.save()
    _event(negotiation, principal, action)
    if target == N.TERMINATED:  # an ended agreement revokes its download links (0058)
        DownloadLink.revoke_live(negotiation, principal.user, "ended")
    if target == N.VERIFIED:  # the platform finalizes at once: access is granted
        negotiation.state = N.FINALIZED
        negotiation.save(update_fields=["state"])
        _event(negotiation, None, "finalize")
    dsp_callbacks.negotiation_changed(negotiation, principal)
    return negotiation


def _confirmation(
    negotiation: Negotiation,
    principal: Principal,
    outcome: str,
    note: str,
    now: datetime,
) -> None:
    """The department's recorded decision: who, when, the note, the charter version."""
    AgreementConfirmation.objects.create(
        negotiation=negotiation,
        department=negotiation.pool.lead_department,
        decided_by=require_person(principal),
        decided_at=now,
        outcome=outcome,
        note=note,
        rule_version=rule_version(negotiation),
    )


def expire_overdue(now: datetime | None = None) -> int:
    """End every negotiation waiting past its deadline (the periodic job); how many."""
    now = now or timezone.now()
    ended = 0
    overdue = Negotiation.objects.filter(state__in=WAITING, deadline__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(overdue):
        with transaction.atomic():
            negotiation = (
                Negotiation.objects.select_for_update()
                .select_related("pool__lead_department", "pool__steward", "consumer")
                .get(pk=pk)
            )
            ended += _expire(negotiation, now)
    return ended


def sides_of(principal: Principal, negotiation: Negotiation) -> set[str]:
    """Which sides of the negotiation the asker may act for: ``steward``, ``consumer``,
    ``department`` (the lead department's deciding members)."""
    sides: set[str] = set()
    if principal.user is None or not principal.can_write:
        return sides
    if access.is_steward(principal, negotiation.pool):
        sides.add("steward")
    if access.decides_for(principal, negotiation.pool):
        sides.add("department")
    if role_in(principal, negotiation.consumer) in access.EDITORS:
        sides.add("consumer")
    return sides
