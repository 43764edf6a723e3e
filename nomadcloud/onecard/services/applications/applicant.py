"""The applicant's use cases: start, answer (and prefill), attach materials, submit, resubmit
after a supplement request, withdraw, rate."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.consent.services import give_consent
from nomadcloud.core import audit, uploads, workdays
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput, invalid_field
from nomadcloud.onecard import access, content, eligibility, transitions
from nomadcloud.onecard.models import (
    AgentAuthorisation,
    Application,
    ItemVersion,
    MaterialFile,
    Rating,
    Rectification,
    ServiceItem,
)
from nomadcloud.onecard.services.applications.common import (
    MATERIAL_TYPES,
    RECTIFY_DAYS,
    S,
    _check_answers,
    _lock,
    _move,
    _new_reference,
    _resume,
    _stop,
    _sync,
    held_sources,
    missing_materials,
)
from nomadcloud.onecard.transitions import Role

# --- the applicant ---------------------------------------------------------------------------


@transaction.atomic
def start(*, actor: User, item: ServiceItem, applicant: User | None = None) -> Application:
    """A draft for the item's current version, by the applicant or an authorised agent."""
    if item.status != ServiceItem.Status.PUBLISHED or item.current_version is None:
        raise DomainError(
            _("This service is not open for applications (it is “%(status)s”).")
            % {"status": item.get_status_display()},
            code="item_not_open",
        )
    if item.handler == ServiceItem.Handler.DEEP_LINK:
        raise DomainError(
            _("Apply for this service where the platform handles it, not here."),
            code="deep_link_item",
        )
    if item.handler == ServiceItem.Handler.EXTERNAL and not item.current_version.form_schema:
        raise DomainError(
            _("Apply for this service on the external site."), code="external_link_item"
        )
    principal_user = applicant or actor
    authorisation: AgentAuthorisation | None = None
    if principal_user.pk != actor.pk:
        authorisation = access.valid_authorisation(
            actor, principal_user, item, timezone.localdate()
        )
        if authorisation is None:
            raise Forbidden(
                _("You hold no valid authorisation to act for this person on this item."),
                code="agent_not_authorised",
            )
    application = Application.objects.create(
        reference=_new_reference(),
        item=item,
        version=item.current_version,
        department=item.department,
        applicant=principal_user,
        agent=actor if authorisation else None,
        authorisation=authorisation,
        language=translation.get_language() or principal_user.preferred_language,
    )
    application.events.create(
        actor=actor, action="start", from_status="", to_status=S.DRAFT, at=timezone.now()
    )
    audit.record(actor=actor, action="onecard.application.start", obj=application)
    return application


@transaction.atomic
def save_answers(
    application: Application, *, actor: User, roles: set[Role], answers: dict[str, Any]
) -> Application:
    """Save a draft's answers server-side (partial answers allowed, wrong ones not)."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "save", roles)
    merged = {**row.answers, **{k: v for k, v in answers.items() if v not in ("", None)}}
    for key, value in answers.items():
        if value in ("", None):
            merged.pop(key, None)
    _check_answers(row.version, merged, partial=True)
    row.answers = merged
    row.save(update_fields=["answers", "updated_at"])
    return _sync(application, row)


PREFILL_CATEGORIES = {"passport": ["pd:Passport", "pd:Nationality"], "certificate": ["pd:Skill"]}
PREFILL_NOTICE = "onecard-prefill-2026-12"


@transaction.atomic
def use_prefill(
    application: Application,
    *,
    actor: User,
    roles: set[Role],
    fields: list[str],
    method: str = "web_form",
) -> Application:
    """Copy answers the platform holds (once-only) into the draft. The applicant chooses
    which; that choice is recorded as a consent (consent app, ISO/IEC TS 27560 with DPV
    terms) for providing this service, naming the data categories and the department that
    receives them, and each answer keeps its source and the consent's id."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "save", roles)
    if actor.pk != row.applicant_id:
        raise Forbidden(
            _("Only the applicant consents to reusing what the platform holds about them."),
            code="consent_by_applicant",
        )
    offered = {
        p.field: p for p in eligibility.prefill_sources(row.applicant, row.version.form_schema)
    }
    chosen = [offered[f] for f in fields if f in offered]
    if not chosen:
        raise DomainError(_("Choose at least one answer to reuse."), code="nothing_chosen")
    categories = sorted({c for p in chosen for c in PREFILL_CATEGORIES.get(p.source, [])})
    record = give_consent(
        row.applicant,
        purpose="dpv:ServiceProvision",
        data_categories=categories or ["pd:Name"],
        recipients=[row.department.name_zh or row.department.name_en],
        notice_version=PREFILL_NOTICE,
        method=method,
        purpose_description=f"{row.item.code} {row.reference}",
    )
    for prefill in chosen:
        row.answers[prefill.field] = prefill.value
        row.prefilled[prefill.field] = {
            "source": prefill.source,
            "provenance": prefill.provenance,
            "consent": str(record.public_id),
            "consented_at": record.given_at.isoformat(),
        }
    row.save(update_fields=["answers", "prefilled", "updated_at"])
    audit.record(
        actor=actor,
        action="onecard.application.prefill",
        obj=row,
        after={"fields": [p.field for p in chosen]},
    )
    return _sync(application, row)


def _material(version: ItemVersion, code: str) -> dict[str, Any]:
    found: dict[str, Any] | None = next(
        (m for m in version.materials if m.get("code") == code), None
    )
    if found is None:
        raise invalid_field("material", _("This item asks for no such material."))
    return found


def _check_material_file(material: dict[str, Any], file: UploadedFile[Any]) -> uploads.CheckedFile:
    checked = uploads.check_file(file, field="file")
    if checked.content_type not in material.get("formats", list(MATERIAL_TYPES)):
        raise invalid_field(
            "file",
            _("%(name)s is not accepted here: send a PDF, JPEG or PNG file.")
            % {"name": checked.name},
            code="file_type",
        )
    if checked.size > int(material.get("max_mb", 10)) * 1_048_576:
        raise invalid_field(
            "file", _("%(name)s is too large.") % {"name": checked.name}, code="file_too_large"
        )
    if checked.content_type == "application/pdf":
        file.seek(0)
        head = file.read(4 * 1_048_576)
        file.seek(0)
        if b"/Encrypt" in head:
            raise invalid_field(
                "file",
                _("%(name)s is encrypted or password-protected: send it without a password.")
                % {"name": checked.name},
                code="file_encrypted",
            )
    return checked


def attach_material(
    application: Application,
    *,
    actor: User,
    roles: set[Role],
    code: str,
    file: UploadedFile[Any] | None = None,
    use_held: bool = False,
) -> Application:
    """Attach a material as a file, or (once-only) point at what the platform holds."""
    stored: list[MaterialFile] = []
    try:
        with transaction.atomic():
            row = _lock(application)
            if row.status not in (S.DRAFT, S.SUPPLEMENT_REQUESTED, S.RECEIVED):
                transitions.check(transitions.APPLICATION, row.status, "save", roles)
            if Role.APPLICANT not in roles:
                raise Forbidden(
                    _("Only the applicant or their agent adds materials."), code="role_not_allowed"
                )
            if row.status == S.RECEIVED and code not in row.gaps:
                raise Conflict(
                    _("Materials are added now only for what was accepted as a gap."),
                    code="not_a_gap",
                )
            material = _material(row.version, code)
            if use_held:
                source = str(material.get("source") or "")
                if not source or source not in held_sources(row.applicant):
                    raise invalid_field(
                        "material", _("The platform holds nothing for this material; attach it.")
                    )
                entry: dict[str, Any] = {"code": code, "source": source}
            else:
                if file is None:
                    raise invalid_field("file", _("Choose a file."))
                checked = _check_material_file(material, file)
                mf = MaterialFile(application=row, material=code)
                uploads.store(mf, checked)
                stored.append(mf)
                mf.save()
                entry = {"code": code, "source": "upload", "file": mf.pk}
            row.materials = [m for m in row.materials if m.get("code") != code] + [entry]
            if row.status == S.RECEIVED:
                row.gaps = [g for g in row.gaps if g != code]
            row.save(update_fields=["materials", "gaps", "updated_at"])
    except Exception:
        uploads.delete_stored(stored)  # type: ignore[arg-type]
        raise
    return _sync(application, row)


@transaction.atomic
def submit(
    application: Application, *, actor: User, roles: set[Role], key: str = ""
) -> Application:
    """Submit once: the same key again answers the submitted application unchanged; the
    answers must pass the form, the person the criteria, and every mandatory material be
    there."""
    key = (key or "").strip()[:64]
    row = _lock(application)
    if key and row.submit_key == key:
        return _sync(application, row)
    if key and Application.objects.filter(submit_key=key).exclude(pk=row.pk).exists():
        raise Conflict(_("This submission key was already used."), code="duplicate_submit")
    transitions.check(transitions.APPLICATION, row.status, "submit", roles)
    if row.item.status != ServiceItem.Status.PUBLISHED:
        raise DomainError(
            _("This service is “%(status)s”: applications are not taken now.")
            % {"status": row.item.get_status_display()},
            code="item_not_open",
        )
    _check_answers(row.version, row.answers, partial=False)
    outcome = eligibility.evaluate(row.version.conditions, row.applicant, row.answers)
    if outcome.refused:
        failed = [c.text for c in outcome.criteria if c.met is False]
        raise DomainError(
            _("You do not meet: %(criteria)s") % {"criteria": "; ".join(failed)},
            code="not_eligible",
        )
    missing = missing_materials(row)
    if missing:
        raise InvalidInput(
            _("Add the mandatory materials: %(names)s")
            % {"names": ", ".join(content.text(m["name"]) for m in missing)},
            fields={"materials": [content.text(m["name"]) for m in missing]},
            code="materials_missing",
        )
    row.submit_key = key or None
    row.submitted_at = timezone.now()
    _move(row, "submit", actor=actor, roles=roles)
    return _sync(application, row)


@transaction.atomic
def resubmit(application: Application, *, actor: User, roles: set[Role]) -> Application:
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "resubmit", roles)
    _check_answers(row.version, row.answers, partial=False)
    missing = missing_materials(row)
    if missing:
        raise InvalidInput(
            _("Add the mandatory materials: %(names)s")
            % {"names": ", ".join(content.text(m["name"]) for m in missing)},
            fields={"materials": [content.text(m["name"]) for m in missing]},
            code="materials_missing",
        )
    now = timezone.now()
    row.notices.filter(answered_at__isnull=True).update(answered_at=now)
    _resume(row, now)
    _move(row, "resubmit", actor=actor, roles=roles)
    return _sync(application, row)


@transaction.atomic
def withdraw(
    application: Application, *, actor: User, roles: set[Role], reason: str = ""
) -> Application:
    row = _lock(application)
    if row.status in (S.APPROVED, S.REJECTED, S.RESULT_ISSUED, S.CLOSED):
        raise Conflict(_("A decided application cannot be withdrawn."), code="already_decided")
    now = timezone.now()
    _move(row, "withdraw", actor=actor, roles=roles, reason=reason)
    _stop(row, now)
    return _sync(application, row)


@transaction.atomic
def rate(
    application: Application, *, actor: User, roles: set[Role], level: int, comment: str = ""
) -> Rating:
    """好差评: the applicant rates once; 不满意 or worse opens a 15-working-day rectification."""
    row = _lock(application)
    if actor.pk != row.applicant_id:
        raise Forbidden(_("Only the applicant rates an application."), code="not_applicant")
    if Rating.objects.filter(application=row).exists():
        raise Conflict(_("This application has been rated already."), code="already_rated")
    if level not in Rating.Level.values:
        raise invalid_field("level", _("Choose one of the five levels."))
    transitions.check(transitions.APPLICATION, row.status, "rate", roles)
    rating = Rating.objects.create(
        application=row, level=level, comment=comment[:2000], at=timezone.now()
    )
    if level <= Rating.Level.DISSATISFIED:
        Rectification.objects.create(
            rating=rating, due=workdays.add_working_days(timezone.localdate(), RECTIFY_DAYS)
        )
    row.closed_at = timezone.now()
    _move(row, "rate", actor=actor, roles=roles, reason=str(level))
    _sync(application, row)
    return rating
