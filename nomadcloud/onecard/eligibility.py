"""Eligibility explained criterion by criterion, before any upload (GOV.UK "check a
service is suitable"), and the once-only sources a form may be prefilled from.

A criterion reads the person (``profile`` checks) or an answer (``answer`` checks). Each
result says whether it is met, not met, or not known yet (an answer not given), in the
reader's language; anonymous visitors get the answer checks and "sign in to check" for the
profile ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core.crypto import decrypt_text
from nomadcloud.onecard import content
from nomadcloud.talent.models import Certificate


@dataclass(frozen=True)
class Criterion:
    code: str
    text: str
    met: bool | None
    detail: str


@dataclass(frozen=True)
class Outcome:
    criteria: tuple[Criterion, ...]

    @property
    def eligible(self) -> bool:
        return all(c.met is True for c in self.criteria)

    @property
    def refused(self) -> bool:
        return any(c.met is False for c in self.criteria)

    @property
    def unknown(self) -> bool:
        return not self.refused and any(c.met is None for c in self.criteria)


def valid_certificate(user: User, on: date | None = None) -> Certificate | None:
    day = on or timezone.localdate()
    for cert in Certificate.objects.filter(holder=user, revoked_at__isnull=True).order_by("-id"):
        if cert.state_on(day) == Certificate.State.VALID:
            return cert
    return None


def _profile(check: str, user: User | None) -> tuple[bool | None, str]:
    if user is None:
        return None, _("Sign in to check this against your profile.")
    if check == "foreign":
        return (
            (True, _("Your profile gives a foreign nationality."))
            if user.is_foreign
            else (False, _("Your profile gives Chinese nationality or none."))
        )
    if check == "domestic":
        return (
            (True, _("Your profile gives Chinese nationality."))
            if not user.is_foreign
            else (False, _("Your profile gives a foreign nationality."))
        )
    if check == "certified":
        cert = valid_certificate(user)
        if cert is None:
            return False, _("You hold no valid digital nomad certificate.")
        return True, _("Certificate %(code)s is valid until %(until)s.") % {
            "code": cert.verification_code,
            "until": cert.valid_until.isoformat(),
        }
    if check == "nomad":
        return (
            (True, _("You are registered as a digital nomad."))
            if user.is_nomad
            else (False, _("You are not registered as a digital nomad."))
        )
    return None, _("This condition is checked by the department.")


def _answer(rule: dict[str, Any], answers: dict[str, Any]) -> tuple[bool | None, str]:
    value = answers.get(rule.get("field", ""))
    if value in (None, ""):
        return None, _("Answer the question to check this.")
    op, expected = rule.get("op"), rule.get("value")
    number: Any = value
    try:
        if op == "between":
            low, high = expected or (0, 0)
            met = int(low) <= int(number) <= int(high)
        elif op == "gte":
            met = int(number) >= int(expected or 0)
        elif op == "lte":
            met = int(number) <= int(expected or 0)
        else:
            met = value == expected
    except (TypeError, ValueError):
        return False, _("The answer is not a number.")
    return met, (
        _("Your answer %(value)s meets this.") if met else _("Your answer %(value)s does not.")
    ) % {"value": str(value)[:40]}


def evaluate(
    conditions: list[dict[str, Any]], user: User | None, answers: dict[str, Any]
) -> Outcome:
    results = []
    for rule in conditions:
        if rule.get("kind") == "profile":
            met, detail = _profile(str(rule.get("check")), user)
        else:
            met, detail = _answer(rule, answers)
        results.append(
            Criterion(str(rule.get("code")), content.text(rule.get("text")), met, detail)
        )
    return Outcome(tuple(results))


@dataclass(frozen=True)
class Prefill:
    """One answer the platform already holds, with where it comes from."""

    field: str
    value: Any
    source: str  # "passport" | "certificate" | "profile"
    provenance: str


def prefill_sources(user: User, schema: dict[str, Any]) -> list[Prefill]:
    """What the form asks that the platform already holds about the person (once-only)."""
    fields = (schema or {}).get("properties", {})
    found: list[Prefill] = []
    if "passport_number" in fields and user.passport_number_encrypted:
        number = decrypt_text(user.passport_number_encrypted)
        if number:
            found.append(
                Prefill(
                    "passport_number",
                    number,
                    "passport",
                    _("from the passport in your profile (%(country)s)")
                    % {"country": str(user.nationality.code or "")},
                )
            )
    cert = valid_certificate(user) if "certificate_code" in fields else None
    if cert is not None:
        found.append(
            Prefill(
                "certificate_code",
                cert.verification_code,
                "certificate",
                _("from your certificate %(code)s issued %(date)s")
                % {"code": cert.verification_code, "date": cert.valid_from.isoformat()},
            )
        )
    return found
