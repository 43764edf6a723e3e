"""Applications (办件): one function per use case, each in one transaction on the locked
row, checked against the table in ``transitions.py``, writing an ``ApplicationEvent`` and an
audit record. Clocks are ``core.workdays`` clocks (working days, 调休 included): the
promised (承诺) and statutory (法定) limits start at 受理, pause while the applicant is asked
for something (补正, 中止) and stop at the decision."""

from __future__ import annotations

from nomadcloud.onecard.services.applications.applicant import (
    attach_material,
    rate,
    resubmit,
    save_answers,
    start,
    submit,
    use_prefill,
    withdraw,
)
from nomadcloud.onecard.services.applications.common import (
    DATE_PAIRS,
    MATERIAL_TYPES,
    RECTIFY_DAYS,
    SUBJECT,
    S,
    answer_problems,
    clocks,
    held_sources,
    missing_materials,
)
from nomadcloud.onecard.services.applications.department import (
    accept_with_gaps,
    decide,
    issue_result,
    receive,
    rectify,
    refuse,
    request_supplement,
    resume,
    start_review,
    suspend,
    terminate,
)

__all__ = [
    "DATE_PAIRS",
    "MATERIAL_TYPES",
    "RECTIFY_DAYS",
    "SUBJECT",
    "S",
    "accept_with_gaps",
    "answer_problems",
    "attach_material",
    "clocks",
    "decide",
    "held_sources",
    "issue_result",
    "missing_materials",
    "rate",
    "receive",
    "rectify",
    "refuse",
    "request_supplement",
    "resubmit",
    "resume",
    "save_answers",
    "start",
    "start_review",
    "submit",
    "suspend",
    "terminate",
    "use_prefill",
    "withdraw",
]
