"""Decisions and certificates: deciding an application, issuing and revoking a
certificate."""

from __future__ import annotations

import calendar
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    require_person,
    require_write,
)
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.talent import evaluator
from nomadcloud.talent.events import send_profile_changed
from nomadcloud.talent.models import (
    Application,
    Certificate,
    CertificationDecision,
    Profile,
)
from nomadcloud.talent.services._common import record
from nomadcloud.talent.services.applying import Answers, facts_for

# --- decisions and certificates --------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_verification_code() -> str:
    """Random and unguessable: 144 bits, URL-safe."""
    return secrets.token_urlsafe(18)


def _answers_of(application: Application) -> Answers:
    a = application.answers
    return Answers(
        remote_income_cny_12m=Decimal(a.get("remote_income_cny_12m", "0")),
        contract_value_cny_12m=Decimal(a.get("contract_value_cny_12m", "0")),
        clients_outside_city=int(a.get("clients_outside_city", 0)),
        planned_stay_days=int(a.get("planned_stay_days", 0)),
        permit_months=a.get("permit_months"),
    )


@transaction.atomic
def decide_certification(
    *,
    principal: Principal,
    application: Application,
    department: Organisation,
    approve: bool,
    reason: str,
    checks: dict[str, bool] | None = None,
) -> CertificationDecision:
    """Record the department's decision (who, when, on what evidence, under which rule
    version, with the reviewer's ``checks``); on approval, issue the certificate."""
    user = require_person(principal)
    require_write(principal)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != Application.Status.SUBMITTED:
        raise Conflict(_("This application is not awaiting review."), code="not_pending")
    reason = reason.strip()
    if not reason:
        raise invalid_field("reason", _("Please give the reason for the decision."))
    if locked.applicant_id == user.pk:
        raise Forbidden(_("You cannot decide your own application."), code="own_application")
    rule_set = locked.rule_set
    answers = _answers_of(locked)
    facts = facts_for(locked.applicant, answers)
    evaluation = evaluator.evaluate(rule_set.criteria, facts)
    decision = CertificationDecision.objects.create(
        application=locked,
        approved=approve,
        reason=reason[:5000],
        evidence={
            "answers": locked.answers,
            "evaluation": evaluation.as_dict(),
            "verified_skills": facts.verified_skills,
            "files": [
                {"kind": f.kind, "name": f.original_name, "size": f.size, "sha256": f.sha256}
                for f in locked.evidence_files.all()
            ],
            **(checks or {}),
        },
        rule_version=rule_set.label,
        decided_by=user,
        decided_for=department,
    )
    locked.status = Application.Status.APPROVED if approve else Application.Status.REJECTED
    locked.save(update_fields=["status"])
    application.status = locked.status
    certificate = None
    if approve:
        today = timezone.localdate()
        start = today
        if locked.renews is not None and locked.renews.valid_until >= today:
            start = locked.renews.valid_until + timedelta(days=1)  # renewal continues
        months = evaluator.validity_months(rule_set.criteria, facts)
        certificate = Certificate.objects.create(
            verification_code=new_verification_code(),
            holder=locked.applicant,
            application=locked,
            track=locked.track,
            rule_version=rule_set.label,
            issued_by=department,
            valid_from=start,
            valid_until=add_months(start, months) - timedelta(days=1),
        )
    record(
        principal,
        "talent.application.decide",
        locked,
        {
            "approved": approve,
            "rule_version": rule_set.label,
            "decision": decision.pk,
            "certificate": certificate.pk if certificate else None,
        },
        organisation=department,
    )
    if certificate is not None:  # being certified counts in matching; a refusal changes nothing
        send_profile_changed(_profiles_of(certificate.holder_id))
    return decision


@transaction.atomic
def revoke_certificate(
    *, principal: Principal, certificate: Certificate, reason: str
) -> Certificate:
    user = require_person(principal)
    require_write(principal)
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."), code="already_revoked")
    reason = reason.strip()
    if not reason:
        raise invalid_field("reason", _("Please give the reason for the revocation."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = user
    locked.revocation_reason = reason[:5000]
    locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    record(
        principal,
        "talent.certificate.revoke",
        locked,
        {"revoked": True, "reason": locked.revocation_reason},
        organisation=locked.issued_by,
    )
    send_profile_changed(_profiles_of(locked.holder_id))
    certificate.revoked_at = locked.revoked_at
    certificate.revocation_reason = locked.revocation_reason
    return locked


def _profiles_of(user_id: int) -> list[int]:
    """The profile of a certificate's holder, when they have one (a certificate needs none)."""
    return list(Profile.objects.filter(user_id=user_id).values_list("pk", flat=True))
