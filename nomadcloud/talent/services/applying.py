"""Checking and applying for certification: answers, eligibility, evidence files and
withdrawing an application."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    require_person,
    require_write,
)
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.money import to_cny
from nomadcloud.talent import evaluator
from nomadcloud.talent.access import CERTIFYING_DEPARTMENT_CODE
from nomadcloud.talent.models import (
    Application,
    Certificate,
    EvidenceFile,
    ProfileSkill,
    RuleSet,
    SkillEvidence,
    Track,
)
from nomadcloud.talent.services._common import MAX_EVIDENCE_FILES, UPLOAD_TYPES, record
from nomadcloud.talent.services.rules import current_rule_set

# --- checking and applying -------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    remote_income_cny_12m: Decimal = Decimal(0)
    contract_value_cny_12m: Decimal = Decimal(0)
    clients_outside_city: int = 0
    planned_stay_days: int = 0
    permit_months: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "remote_income_cny_12m": str(self.remote_income_cny_12m),
            "contract_value_cny_12m": str(self.contract_value_cny_12m),
            "clients_outside_city": self.clients_outside_city,
            "planned_stay_days": self.planned_stay_days,
            "permit_months": self.permit_months,
        }


def clean_answers(
    *,
    remote_income_cny_12m: Decimal | str | int = 0,
    contract_value_cny_12m: Decimal | str | int = 0,
    clients_outside_city: int = 0,
    planned_stay_days: int = 0,
    permit_months: int | None = None,
) -> Answers:
    amounts = {}
    for field, value in (
        ("remote_income_cny_12m", remote_income_cny_12m),
        ("contract_value_cny_12m", contract_value_cny_12m),
    ):
        try:
            amount = to_cny(value if value not in (None, "") else 0)
        except ValueError:
            raise invalid_field(
                field, _("Enter an amount in yuan with at most two decimals.")
            ) from None
        if amount < 0 or amount >= Decimal("10000000000000"):
            raise invalid_field(field, _("Enter an amount of 0 or more."))
        amounts[field] = amount
    for field, number, limit in (
        ("clients_outside_city", clients_outside_city, 1000),
        ("planned_stay_days", planned_stay_days, 3660),
    ):
        if not 0 <= number <= limit:
            raise invalid_field(field, _("Enter a number from 0 to %(n)d.") % {"n": limit})
    if permit_months is not None and not 1 <= permit_months <= 60:
        raise invalid_field("permit_months", _("Enter a number of months from 1 to 60."))
    return Answers(
        remote_income_cny_12m=amounts["remote_income_cny_12m"],
        contract_value_cny_12m=amounts["contract_value_cny_12m"],
        clients_outside_city=clients_outside_city,
        planned_stay_days=planned_stay_days,
        permit_months=permit_months,
    )


def verified_skill_count(user: User) -> int:
    return (
        ProfileSkill.objects.filter(
            profile__user=user,
            evidence__kind__in=[SkillEvidence.Kind.CERTIFIED, SkillEvidence.Kind.VERIFIED_WORK],
        )
        .distinct()
        .count()
    )


def facts_for(user: User, answers: Answers) -> evaluator.Facts:
    return evaluator.Facts(
        is_foreign=user.is_foreign,
        remote_income_cny_12m=answers.remote_income_cny_12m,
        contract_value_cny_12m=answers.contract_value_cny_12m,
        clients_outside_city=answers.clients_outside_city,
        verified_skills=verified_skill_count(user),
        planned_stay_days=answers.planned_stay_days,
        permit_months=answers.permit_months,
    )


def _rule_set_for(track: str) -> RuleSet:
    if track not in Track.values:
        raise invalid_field("track", _("Choose a track."))
    rule_set = current_rule_set(track)
    if rule_set is None:
        raise Conflict(
            _("No certification rules are in force for this track yet."), code="no_rules"
        )
    return rule_set


def check_eligibility(
    *, principal: Principal, track: str, answers: Answers
) -> tuple[RuleSet, evaluator.Evaluation]:
    """ "Check whether you qualify": every criterion of the rules in force, met or not, with
    the reason. Changes nothing."""
    user = require_person(principal)
    rule_set = _rule_set_for(track)
    return rule_set, evaluator.evaluate(rule_set.criteria, facts_for(user, answers))


@dataclass(frozen=True)
class Upload:
    kind: str
    file: UploadedFile[Any]


def _check_upload(upload: Upload) -> tuple[str, str]:
    """Refuse a file of the wrong type or size, naming the field. Returns (extension, type)."""
    if upload.kind not in EvidenceFile.Kind.values:
        raise invalid_field("evidence_kind", _("Choose what the file shows."))
    name = upload.file.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    limit = settings.TALENT_EVIDENCE_MAX_BYTES
    if upload.file.size is None or upload.file.size > limit:
        raise invalid_field(
            "evidence",
            _("%(name)s is too large: at most %(mb)s MB per file.")
            % {"name": name, "mb": f"{limit / 1_048_576:g}"},
            code="file_too_large",
        )
    if upload.file.size == 0:
        raise invalid_field("evidence", _("%(name)s is empty.") % {"name": name})
    allowed = UPLOAD_TYPES.get(extension)
    upload.file.seek(0)
    head = upload.file.read(16)
    upload.file.seek(0)
    if allowed is None or not any(head.startswith(magic) for magic in allowed[1]):
        raise invalid_field(
            "evidence",
            _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": name},
            code="file_type",
        )
    return extension, allowed[0]


def _store(
    application: Application, upload: Upload, extension: str, content_type: str
) -> EvidenceFile:
    digest = hashlib.sha256()
    for chunk in upload.file.chunks():
        digest.update(chunk)
    upload.file.seek(0)
    evidence = EvidenceFile(
        application=application,
        kind=upload.kind,
        original_name=(upload.file.name or "")[-255:],
        content_type=content_type,
        size=upload.file.size or 0,
        sha256=digest.hexdigest(),
    )
    # A random stored name: the original name is kept in the row, never in the path.
    evidence.file.save(f"{secrets.token_hex(16)}.{extension}", upload.file, save=False)
    evidence.save()
    return evidence


def certifying_department() -> Organisation | None:
    return Organisation.objects.filter(
        kind=Organisation.Kind.DEPARTMENT, code=CERTIFYING_DEPARTMENT_CODE
    ).first()


def apply_for_certification(
    *,
    principal: Principal,
    track: str,
    answers: Answers,
    uploads: list[Upload] | None = None,
    renews: Certificate | None = None,
) -> Application:
    """Submit an application under the rules in force, with its evidence files. Every file
    is checked before anything is written; a refusal leaves no row and no stored file."""
    user = require_person(principal)
    require_write(principal)
    uploads = uploads or []
    if len(uploads) > MAX_EVIDENCE_FILES:
        raise invalid_field(
            "evidence", _("At most %(n)d files, please.") % {"n": MAX_EVIDENCE_FILES}
        )
    checked = [(upload, *_check_upload(upload)) for upload in uploads]
    rule_set = _rule_set_for(track)
    if renews is not None:
        if renews.holder_id != user.pk or renews.track != track:
            raise invalid_field("renews", _("You can only renew your own certificate."))
        if renews.revoked_at is not None:
            raise Conflict(_("A revoked certificate cannot be renewed."), code="revoked")
    department = certifying_department()
    if department is None:
        raise Conflict(
            _("No department is set up to review certification yet."),
            code="no_reviewing_department",
        )
    evaluation = evaluator.evaluate(rule_set.criteria, facts_for(user, answers))
    stored: list[EvidenceFile] = []
    try:
        with transaction.atomic():
            if Application.objects.filter(
                applicant=user, track=track, status=Application.Status.SUBMITTED
            ).exists():
                raise Conflict(
                    _("You already have an application awaiting review on this track."),
                    code="already_applied",
                )
            application = Application.objects.create(
                applicant=user,
                track=track,
                rule_set=rule_set,
                answers=answers.as_json(),
                evaluation=evaluation.as_dict(),
                reviewing_department=department,
                renews=renews,
            )
            for upload, extension, content_type in checked:
                stored.append(_store(application, upload, extension, content_type))
            record(
                principal,
                "talent.application.submit",
                application,
                {
                    "track": track,
                    "rule_version": rule_set.label,
                    "files": len(stored),
                    "renews": renews.pk if renews else None,
                },
                organisation=department,
            )
    except Exception:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return application


def add_evidence(*, principal: Principal, application: Application, upload: Upload) -> EvidenceFile:
    """Add a file to one's own application while it awaits review."""
    require_write(principal)
    extension, content_type = _check_upload(upload)
    evidence: EvidenceFile | None = None
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if locked.status != Application.Status.SUBMITTED:
                raise Conflict(_("This application is no longer open."), code="not_pending")
            if locked.evidence_files.count() >= MAX_EVIDENCE_FILES:
                raise invalid_field(
                    "evidence", _("At most %(n)d files, please.") % {"n": MAX_EVIDENCE_FILES}
                )
            evidence = _store(locked, upload, extension, content_type)
            record(
                principal,
                "talent.application.add_evidence",
                evidence,
                {"kind": upload.kind, "size": evidence.size},
                organisation=locked.reviewing_department,
            )
    except Exception:
        if evidence is not None:
            evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def withdraw_application(*, principal: Principal, application: Application) -> Application:
    require_write(principal)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != Application.Status.SUBMITTED:
        raise Conflict(_("This application is no longer open."), code="not_pending")
    locked.status = Application.Status.WITHDRAWN
    locked.save(update_fields=["status"])
    record(
        principal,
        "talent.application.withdraw",
        locked,
        {"status": locked.status},
        organisation=locked.reviewing_department,
    )
    return locked
