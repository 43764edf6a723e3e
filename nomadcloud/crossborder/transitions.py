"""The moves of an export request, by state, and who makes them (design §3.1)::

(assessed) ─▶ obligations_pending ─evidence…▶ evidence_submitted ─approve▶ whitelisted
              returned ◀─return── evidence_submitted
              returned ─evidence▶ evidence_submitted
(assessed) ─▶ blocked
whitelisted ─reassess▶ (a new request; this one superseded once the new one is whitelisted)
"""

from __future__ import annotations

from nomadcloud.crossborder.models import ExportRequest

R = ExportRequest.State
EXPORTER, REVIEWER = "exporter", "reviewer"

TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (R.OBLIGATIONS_PENDING, "evidence"): (R.EVIDENCE_SUBMITTED, EXPORTER),
    (R.RETURNED, "evidence"): (R.EVIDENCE_SUBMITTED, EXPORTER),
    (R.EVIDENCE_SUBMITTED, "approve"): (R.WHITELISTED, REVIEWER),
    (R.EVIDENCE_SUBMITTED, "return"): (R.RETURNED, REVIEWER),
    (R.WHITELISTED, "reassess"): (R.WHITELISTED, EXPORTER),
}


def moves(state: str, sides: set[str]) -> list[str]:
    """The moves the asker (on ``sides``) may make from ``state``."""
    return [
        action for (at, action), (_, side) in TRANSITIONS.items() if at == state and side in sides
    ]
