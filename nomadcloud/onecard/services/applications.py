"""Applications (办件): one function per use case, each in one transaction on the locked
row, checked against the table in ``transitions.py``, writing an ``ApplicationEvent`` and an
audit record. Clocks are ``core.workdays`` clocks (working days, 调休 included): the
promised (承诺) and statutory (法定) limits start at 受理, pause while the applicant is asked
for something (补正, 中止) and stop at the decision."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker

from nomadcloud.accounts.models import User
from nomadcloud.consent.services import give_consent
from nomadcloud.core import audit, uploads, workdays
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput, invalid_field
from nomadcloud.core.models import Clock
from nomadcloud.onecard import access, content, eligibility, transitions
from nomadcloud.onecard.models import (
    AgentAuthorisation,
    Application,
    ItemVersion,
    MaterialFile,
    Rating,
    Rectification,
    ServiceItem,
    SupplementNotice,
)
from nomadcloud.onecard.services import escalation
from nomadcloud.onecard.services.results import sign_result
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


# --- the department --------------------------------------------------------------------------


def _start_clocks(row: Application, at: datetime) -> None:
    version = row.version
    promised = workdays.start_clock(
        SUBJECT, str(row.public_id), limit=version.promised_days, at=at, name="promised"
    )
    workdays.start_clock(
        SUBJECT, str(row.public_id), limit=version.statutory_days, at=at, name="statutory"
    )
    row.received_at = at
    row.due_at = promised.due_at


@transaction.atomic
def receive(application: Application, *, actor: User, roles: set[Role]) -> Application:
    """受理: the promised and statutory clocks start (refused past the loaded calendar)."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "receive", roles)
    _start_clocks(row, timezone.now())
    _move(row, "receive", actor=actor, roles=roles)
    return _sync(application, row)


@transaction.atomic
def accept_with_gaps(
    application: Application,
    *,
    actor: User,
    roles: set[Role],
    gaps: list[str],
    due: date,
    reason: str,
) -> Application:
    """容缺受理: received now, the named materials to follow by ``due``."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "accept_with_gaps", roles)
    if not row.version.allows_gaps:
        raise DomainError(
            _("This item does not allow acceptance with gaps."), code="gaps_not_allowed"
        )
    codes = {m["code"] for m in row.version.materials}
    unknown = [g for g in gaps if g not in codes]
    if not gaps or unknown:
        raise invalid_field("gaps", _("Name the materials to follow, from this item's list."))
    if due <= timezone.localdate():
        raise invalid_field("due", _("Give a date after today."))
    reason = _reason(reason)
    now = timezone.now()
    _start_clocks(row, now)
    row.gaps = sorted(set(gaps))
    row.gaps_due = due
    _move(row, "accept_with_gaps", actor=actor, roles=roles, reason=reason)
    return _sync(application, row)


@transaction.atomic
def refuse(
    application: Application, *, actor: User, roles: set[Role], reason: str, appeal: str
) -> Application:
    """不予受理, with the reasons and where to appeal."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "refuse", roles)
    text = _reason(reason)
    route = _reason(appeal, "appeal")
    row.decision_reasons = text
    _move(row, "refuse", actor=actor, roles=roles, reason=f"{text}\n{route}")
    return _sync(application, row)


@transaction.atomic
def request_supplement(
    application: Application,
    *,
    actor: User,
    roles: set[Role],
    items: list[dict[str, str]],
    override_reason: str = "",
) -> SupplementNotice:
    """一次性告知: one notice naming every missing or incorrect item; a second notice only
    with a supervisor's override and its reason. The clocks pause."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "request_supplement", roles)
    cleaned = [
        {"code": str(i.get("code", ""))[:40], "text": str(i.get("text", "")).strip()[:1000]}
        for i in items
        if str(i.get("text", "")).strip()
    ]
    if not cleaned:
        raise invalid_field("items", _("List every missing or incorrect item in one notice."))
    override = override_reason.strip()
    if row.notices.exists():
        if not access.is_supervisor(actor, row.department):
            raise Conflict(
                _("One notice lists everything (一次性告知): a second one needs a supervisor."),
                code="second_notice",
            )
        if not override:
            raise invalid_field(
                "override_reason",
                _("Give the reason for a second notice."),
                code="second_notice",
            )
    now = timezone.now()
    notice = SupplementNotice.objects.create(
        application=row,
        items=cleaned,
        issued_by=actor,
        issued_at=now,
        override_by=actor if override and row.notices.exists() else None,
        override_reason=override,
    )
    row.supplements += 1
    # The items named as materials must be given again.
    named = {i["code"] for i in cleaned}
    row.materials = [m for m in row.materials if m.get("code") not in named]
    if row.received_at is not None:
        _pause(row, now)
    _move(
        row,
        "request_supplement",
        actor=actor,
        roles=roles,
        reason="; ".join(i["text"] for i in cleaned),
    )
    return notice


@transaction.atomic
def start_review(application: Application, *, actor: User, roles: set[Role]) -> Application:
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "review", roles)
    row.reviewed_by = actor
    _move(row, "review", actor=actor, roles=roles)
    return _sync(application, row)


@transaction.atomic
def decide(
    application: Application,
    *,
    actor: User,
    roles: set[Role],
    approve: bool,
    reasons: str,
    rule_version: str,
) -> Application:
    """Approve or reject, with reasons and the rule version; where the item asks for
    four eyes, the approver is not the reviewer. The clocks stop."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "decide", roles)
    text = _reason(reasons, "reasons")
    version_text = (rule_version or "").strip()[:40]
    if not version_text:
        raise invalid_field("rule_version", _("Name the rule version the decision applies."))
    if row.version.four_eyes and row.reviewed_by_id == actor.pk:
        raise Forbidden(
            _("This item needs four eyes: the approver must not be the reviewer."),
            code="four_eyes",
        )
    now = timezone.now()
    row.decided_by = actor
    row.decided_at = now
    row.decision_reasons = text
    row.rule_version = version_text
    _stop(row, now)
    _move(
        row,
        "decide",
        actor=actor,
        roles=roles,
        reason=text,
        target=S.APPROVED if approve else S.REJECTED,
    )
    return _sync(application, row)


@transaction.atomic
def issue_result(application: Application, *, actor: User | None, roles: set[Role]) -> Application:
    """出件: the result as a signed document, verifiable offline."""
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "issue", roles)
    row.result = sign_result(row)
    _move(row, "issue", actor=actor, roles=roles)
    return _sync(application, row)


@transaction.atomic
def suspend(application: Application, *, actor: User, roles: set[Role], reason: str) -> Application:
    row = _lock(application)
    text = _reason(reason)
    now = timezone.now()
    _move(row, "suspend", actor=actor, roles=roles, reason=text)
    _pause(row, now)
    return _sync(application, row)


@transaction.atomic
def resume(application: Application, *, actor: User, roles: set[Role]) -> Application:
    row = _lock(application)
    transitions.check(transitions.APPLICATION, row.status, "resume", roles)
    _resume(row, timezone.now())
    _move(row, "resume", actor=actor, roles=roles)
    return _sync(application, row)


@transaction.atomic
def terminate(
    application: Application, *, actor: User, roles: set[Role], reason: str
) -> Application:
    row = _lock(application)
    text = _reason(reason)
    now = timezone.now()
    _move(row, "terminate", actor=actor, roles=roles, reason=text)
    _stop(row, now)
    return _sync(application, row)


@transaction.atomic
def rectify(
    rectification: Rectification, *, actor: User, measures: str, callback_note: str
) -> Rectification:
    """The department records what it changed and the call-back to the applicant."""
    row = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating__application")
        .get(pk=rectification.pk)
    )
    application = row.rating.application
    if Role.OFFICER not in access.staff_roles(
        access.department_role(actor, application.department)
    ):
        raise Forbidden(_("Only the competent department rectifies."), code="role_not_allowed")
    if row.done_at is not None:
        raise Conflict(_("This rectification is recorded already."), code="already_rectified")
    row.measures = _reason(measures, "measures")
    row.callback_note = _reason(callback_note, "callback_note")
    row.done_at = timezone.now()
    row.done_by = actor
    row.save()
    audit.record(
        actor=actor,
        action="onecard.rectification.done",
        obj=row,
        organisation=application.department,
    )
    return row
