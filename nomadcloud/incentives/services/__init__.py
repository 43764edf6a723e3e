"""Use cases of incentives, one module per part: ``decisions`` (rules, parameters, stored
decisions and their reproduction), ``entitlements`` (政策找企业), ``introductions``, ``claims``
(经核定 item by item), ``approval`` (公示, approval, payouts), ``appeals`` (appeals and
clawbacks), ``scope`` (what an asker sees), ``records`` (what every move shares). The
recalculation diff and the simulation are ``incentives/recalculation.py``.

Import from here (``from nomadcloud.incentives import services``); the names below are the
public surface."""

from __future__ import annotations

from nomadcloud.incentives.services.appeals import (
    claw_back,
    decide_appeal,
    file_appeal,
)
from nomadcloud.incentives.services.approval import (
    approve_claim,
    budget_for,
    open_publicity,
    record_payout_change,
)
from nomadcloud.incentives.services.claims import (
    AUTOMATIC_DECLARATION,
    answer_supplement,
    check_claimable,
    claim_automatically,
    claim_window,
    complete_verification,
    counted_inputs,
    reject_claim,
    request_supplement,
    start_claim,
    submit_claim,
    verify_item,
    withdraw_claim,
)
from nomadcloud.incentives.services.decisions import (
    decide,
    decision_record,
    keep_snapshot,
    parameters,
    reproduce,
    snapshot_of,
    snapshot_parameters,
    trace,
)
from nomadcloud.incentives.services.entitlements import (
    claim_automatic_entitlements,
    compute_entitlements,
    platform_policies,
)
from nomadcloud.incentives.services.introductions import (
    record_introduction,
)
from nomadcloud.incentives.services.recorded import (
    conferences_of,
    investments_of,
    record_conference,
    record_investment,
)
from nomadcloud.incentives.services.records import (
    MAX_TEXT,
    NOTICE_KIND,
    UNPAID,
    S,
    programme_code,
)
from nomadcloud.incentives.services.scope import (
    claims_for_publicity,
    departments_or_operator,
    parameters_of,
    policy_in_force,
    visible_claims,
)

__all__ = [
    "AUTOMATIC_DECLARATION",
    "MAX_TEXT",
    "NOTICE_KIND",
    "UNPAID",
    "S",
    "answer_supplement",
    "approve_claim",
    "budget_for",
    "check_claimable",
    "claim_automatic_entitlements",
    "claim_automatically",
    "claim_window",
    "claims_for_publicity",
    "claw_back",
    "complete_verification",
    "compute_entitlements",
    "conferences_of",
    "counted_inputs",
    "decide",
    "decide_appeal",
    "decision_record",
    "departments_or_operator",
    "file_appeal",
    "investments_of",
    "keep_snapshot",
    "open_publicity",
    "parameters",
    "parameters_of",
    "platform_policies",
    "policy_in_force",
    "programme_code",
    "record_conference",
    "record_introduction",
    "record_investment",
    "record_payout_change",
    "reject_claim",
    "reproduce",
    "request_supplement",
    "snapshot_of",
    "snapshot_parameters",
    "start_claim",
    "submit_claim",
    "trace",
    "verify_item",
    "visible_claims",
    "withdraw_claim",
]
