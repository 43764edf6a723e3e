"""What the applicant's and the department's use cases share: the locked move with its event
and audit record, the clocks, and the checks of answers and materials."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker

from nomadcloud.accounts.models import User
from nomadcloud.core import audit, workdays
from nomadcloud.core.errors import InvalidInput, invalid_field
from nomadcloud.core.models import Clock
from nomadcloud.onecard import eligibility, transitions
from nomadcloud.onecard.models import (
    Application,
    ItemVersion,
)
from nomadcloud.onecard.services import escalation
from nomadcloud.onecard.transitions import Role

S = Application.Status
SUBJECT = "onecard.application"
RECTIFY_DAYS = 15
MATERIAL_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# Pairs of answers whose order is checked: the second may not come before the first.
DATE_PAIRS = (
    ("stay_from", "stay_until"),
    ("permit_from", "permit_until"),
    ("arrived_on", "leaving_on"),
)


# --- helpers ---------------------------------------------------------------------------------


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("item", "version", "department", "applicant")
        .get(pk=application.pk)
    )


def _move(
    row: Application,
    action: str,
    *,
    actor: User | None,
    roles: set[Role],
    reason: str = "",
    target: str | None = None,
) -> None:
    move = transitions.check(transitions.APPLICATION, row.status, action, roles)
    before = row.status
    row.status = target or move.target
    row.save()
    row.events.create(
        actor=actor,
        action=action,
        from_status=before,
        to_status=row.status,
        reason=reason[:4000],
        at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action=f"onecard.application.{action}",
        obj=row,
        organisation=row.department,
        before={"status": before},
        after={"status": row.status},
    )


def _sync(application: Application, row: Application) -> Application:
    for f in Application._meta.concrete_fields:
        setattr(application, f.attname, getattr(row, f.attname))
    return application


def _reason(reason: str, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise invalid_field(field, _("Give a reason."), code="reason_required")
    return text


def clocks(application: Application) -> list[Clock]:
    return workdays.clocks_for(SUBJECT, str(application.public_id))


def _promised(application: Application) -> Clock | None:
    return next((c for c in clocks(application) if c.name == "promised"), None)


def _pause(application: Application, at: datetime) -> None:
    for clock in clocks(application):
        if clock.paused_at is None and clock.stopped_at is None:
            workdays.pause_clock(clock, at=at)


def _resume(application: Application, at: datetime) -> None:
    for clock in clocks(application):
        if clock.paused_at is not None and clock.stopped_at is None:
            workdays.resume_clock(clock, at=at)
    promised = _promised(application)
    application.due_at = promised.due_at if promised else application.due_at


def _stop(application: Application, at: datetime) -> None:
    for clock in clocks(application):
        if clock.stopped_at is None:
            workdays.stop_clock(clock, at=at)
    escalation.resolve(application, at)


def _new_reference() -> str:
    return f"BJ{timezone.localdate():%Y%m%d}{secrets.token_hex(4).upper()}"


# --- answers and materials -------------------------------------------------------------------


def answer_problems(
    schema: dict[str, Any], answers: dict[str, Any], *, partial: bool
) -> dict[str, list[str]]:
    """The schema's refusals by field (a draft may leave required fields out)."""
    problems: dict[str, list[str]] = {}
    if not isinstance(answers, dict):
        return {"answers": [_("Answers must be an object.")]}
    validator = Draft202012Validator(schema or {"type": "object"}, format_checker=FormatChecker())
    for error in validator.iter_errors(answers):
        if partial and error.validator == "required":
            continue
        if error.validator == "additionalProperties":
            known = set((schema or {}).get("properties", {}))
            for name in sorted(set(answers) - known):
                problems.setdefault(str(name)[:40], []).append(
                    _("This question is not on the form.")
                )
            continue
        if error.validator == "required":
            missing = re.findall(r"'([^']+)' is a required property", error.message)
            for name in missing:
                problems.setdefault(name, []).append(_("Answer this question."))
            continue
        field = str(error.path[0]) if error.path else "answers"
        problems.setdefault(field, []).append(_describe(error.validator))
    for first, second in DATE_PAIRS:
        a, b = answers.get(first), answers.get(second)
        if (
            isinstance(a, str)
            and isinstance(b, str)
            and first not in problems
            and second not in problems
        ):
            try:
                if date.fromisoformat(b) < date.fromisoformat(a):
                    problems.setdefault(second, []).append(
                        _("This date comes before %(other)s.") % {"other": first}
                    )
            except ValueError:
                pass
    return problems


def _describe(validator: Any) -> str:
    return {
        "type": _("This answer has the wrong type."),
        "pattern": _("This answer does not have the expected form."),
        "format": _("Give a date as YYYY-MM-DD."),
        "minimum": _("This number is too small."),
        "maximum": _("This number is too large."),
        "minLength": _("Answer this question."),
        "maxLength": _("This answer is too long."),
        "enum": _("Choose one of the offered answers."),
    }.get(str(validator), _("This answer is not accepted."))


def _check_answers(version: ItemVersion, answers: dict[str, Any], *, partial: bool) -> None:
    problems = answer_problems(version.form_schema, answers, partial=partial)
    if problems:
        raise InvalidInput(_("Some answers are not accepted."), fields=problems)


def missing_materials(application: Application) -> list[dict[str, Any]]:
    """Mandatory materials neither attached, held by the platform, nor accepted as gaps."""
    provided = {m.get("code") for m in application.materials}
    return [
        m
        for m in application.version.materials
        if m.get("mandatory") and m["code"] not in provided and m["code"] not in application.gaps
    ]


def held_sources(user: User) -> set[str]:
    """The once-only sources the platform holds for this person."""
    held = set()
    if user.passport_number_encrypted:
        held.add("passport")
    if eligibility.valid_certificate(user) is not None:
        held.add("certificate")
    return held
