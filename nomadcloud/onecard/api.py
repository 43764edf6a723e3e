"""The one card's part of /api/v1/: the public catalogue and eligibility check, the
person's QR codes and applications, the moves of applicants and officers, the window's QR
scan and a department's queue. Handlers only translate HTTP to service calls."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import NotFound, invalid_field
from nomadcloud.onecard import access, eligibility, qr, queries
from nomadcloud.onecard.models import Application
from nomadcloud.onecard.schemas import (
    AnswersIn,
    ApplicationOut,
    EligibilityIn,
    EligibilityOut,
    ItemMoveIn,
    ItemOut,
    MoveIn,
    QrIn,
    QrOut,
    RatingIn,
    ScanIn,
    ScanOut,
    StartIn,
    VersionIn,
    VersionOut,
)
from nomadcloud.onecard.services import applications as svc
from nomadcloud.onecard.services import catalogue, forwarding

router = Router(tags=["onecard"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def _writer(request: HttpRequest) -> tuple[Principal, User]:
    principal = Principal.of(request)
    user = require_person(principal)
    require_write(principal)
    return principal, user


@router.get("/items", **PUBLIC, response=_errors({200: list[ItemOut]}))
@paginate(CursorPagination)
def list_items(request: HttpRequest, **kwargs: Any) -> Any:
    """The published service items (the catalogue)."""
    return queries.published_items()


@router.get("/items/{code}", **PUBLIC, response=_errors({200: ItemOut}))
def get_item(request: HttpRequest, code: str) -> Any:
    return access.item_for(Principal.of(request), code)


@router.post("/items/{code}/eligibility", **PUBLIC, response=_errors({200: EligibilityOut}))
def check_eligibility(request: HttpRequest, code: str, payload: EligibilityIn) -> Any:
    """Each condition of the item, met or not or unknown, explained; anonymous callers get
    the answer checks only. Nothing is stored."""
    principal = Principal.of(request)
    item = access.item_for(principal, code)
    assert item.current_version is not None
    outcome = eligibility.evaluate(item.current_version.conditions, principal.user, payload.answers)
    return {
        "eligible": outcome.eligible,
        "refused": outcome.refused,
        "criteria": [c.__dict__ for c in outcome.criteria],
    }


@router.get("/items/{code}/versions", response=_errors({200: list[VersionOut]}))
def item_versions(request: HttpRequest, code: str) -> Any:
    """Every version of the item's guide, newest first, with the unpublished draft (for its
    catalogue editors: the department's owners and administrators, the zone operator)."""
    item = access.item_for(Principal.of(request), code, manage=True, reading=True)
    return list(item.versions.select_related("item").order_by("-number"))


@router.put("/items/{code}/draft", response=_errors({200: VersionOut}))
def save_item_draft(request: HttpRequest, code: str, payload: VersionIn) -> Any:
    """Save a changed guide as the item's draft version. A version applicants have seen
    never changes: the draft becomes current only when it is published."""
    principal, user = _writer(request)
    item = access.item_for(principal, code, manage=True)
    data = payload.model_dump()
    data["content"] = {k: v for k, v in data["content"].items() if v}
    version = catalogue.save_draft(
        item,
        actor=user,
        roles=access.item_roles(principal, item),
        draft=catalogue.VersionDraft(**data),
    )
    return version


@router.post("/items/{code}/moves", response=_errors({200: ItemOut}))
def move_catalogue_item(request: HttpRequest, code: str, payload: ItemMoveIn) -> Any:
    """An item's life: submit_review, publish, return, suspend, resume, retire, and
    publish_version (the draft version of a published item becomes the current one)."""
    principal, user = _writer(request)
    item = access.item_for(principal, code, manage=True)
    return catalogue.move_item(
        item, payload.action, actor=user, roles=access.item_roles(principal, item)
    )


@router.post("/qr", response=_errors({201: QrOut}))
def issue_qr(request: HttpRequest, payload: QrIn) -> Status[Any]:
    """A fresh personal QR token for one purpose, valid 60 seconds."""
    _principal, user = _writer(request)
    token = qr.issue_token(user, payload.purpose)
    return Status(
        201, {"token": token.token, "purpose": token.purpose, "expires_at": token.expires_at}
    )


@router.post("/qr/scans", response=_errors({200: ScanOut}))
def scan_qr(request: HttpRequest, payload: ScanIn) -> Any:
    """A window officer scans a holder's ``window`` code: the holder's applications with the
    officer's departments (the code, shown by the holder, is their consent for this look)."""
    _principal, user = _writer(request)
    departments = access.staff_departments(user)
    if not departments:
        raise NotFound(_("Only department staff scan one-card codes."))
    holder = qr.verify_scan(payload.token, "window")
    rows = (
        Application.objects.filter(applicant=holder, department__in=departments)
        .exclude(status=Application.Status.DRAFT)
        .select_related("item", "version", "applicant", "agent")
        .order_by("-id")[:50]
    )
    return {
        "holder": holder.public_id,
        "display_name": holder.display_name,
        "applications": list(rows),
    }


@router.get("/applications", response=_errors({200: list[ApplicationOut]}))
@paginate(CursorPagination)
def list_applications(request: HttpRequest, **kwargs: Any) -> Any:
    """Your applications, and those you handle as an agent."""
    user = require_person(Principal.of(request))
    return queries.mine(user).select_related("applicant", "agent")


@router.post("/applications", response=_errors({201: ApplicationOut}))
def start_application(request: HttpRequest, payload: StartIn) -> Status[Any]:
    """A draft for the item's current version (for yourself, or as an authorised agent)."""
    principal, user = _writer(request)
    item = access.item_for(principal, payload.item)
    applicant = None
    if payload.on_behalf_of is not None:
        applicant = User.objects.filter(public_id=payload.on_behalf_of, is_active=True).first()
        if applicant is None:
            raise invalid_field("on_behalf_of", _("No such person."))
    return Status(201, svc.start(actor=user, item=item, applicant=applicant))


@router.get("/applications/{application_id}", response=_errors({200: ApplicationOut}))
def get_application(request: HttpRequest, application_id: UUID) -> Any:
    application, _roles = access.application_for(Principal.of(request), application_id)
    return application


@router.put("/applications/{application_id}/answers", response=_errors({200: ApplicationOut}))
def save_answers(request: HttpRequest, application_id: UUID, payload: AnswersIn) -> Any:
    """Save a draft's answers (partial answers allowed; wrong ones refused by field)."""
    principal, user = _writer(request)
    application, roles = access.application_for(principal, application_id)
    return svc.save_answers(application, actor=user, roles=roles, answers=payload.answers)


@router.post("/applications/{application_id}/submit", response=_errors({200: ApplicationOut}))
def submit(request: HttpRequest, application_id: UUID) -> Any:
    """Submit the draft; the ``Idempotency-Key`` header makes a repeat harmless."""
    principal, user = _writer(request)
    application, roles = access.application_for(principal, application_id)
    key = str(request.headers.get("Idempotency-Key", ""))
    return svc.submit(application, actor=user, roles=roles, key=key)


@router.post("/applications/{application_id}/moves", response=_errors({200: ApplicationOut}))
def move(request: HttpRequest, application_id: UUID, payload: MoveIn) -> Any:
    """An officer's or the applicant's move, by name (the table in onecard/transitions.py)."""
    principal, user = _writer(request)
    application, roles = access.application_for(principal, application_id)
    a = payload.action
    if a == "receive":
        svc.receive(application, actor=user, roles=roles)
    elif a == "accept_with_gaps":
        if payload.due is None:
            raise invalid_field("due", _("Give a date as YYYY-MM-DD."))
        svc.accept_with_gaps(
            application,
            actor=user,
            roles=roles,
            gaps=payload.gaps,
            due=payload.due,
            reason=payload.reason,
        )
    elif a == "refuse":
        svc.refuse(
            application, actor=user, roles=roles, reason=payload.reason, appeal=payload.appeal
        )
    elif a == "request_supplement":
        svc.request_supplement(
            application,
            actor=user,
            roles=roles,
            items=payload.items,
            override_reason=payload.override_reason,
        )
    elif a == "resubmit":
        svc.resubmit(application, actor=user, roles=roles)
    elif a == "review":
        svc.start_review(application, actor=user, roles=roles)
    elif a == "decide":
        svc.decide(
            application,
            actor=user,
            roles=roles,
            approve=payload.approve,
            reasons=payload.reason,
            rule_version=payload.rule_version,
        )
    elif a == "issue":
        svc.issue_result(application, actor=user, roles=roles)
    elif a == "forward":
        forwarding.forward(application, actor=user, roles=roles)
    elif a == "withdraw":
        svc.withdraw(application, actor=user, roles=roles, reason=payload.reason)
    elif a == "suspend":
        svc.suspend(application, actor=user, roles=roles, reason=payload.reason)
    elif a == "resume":
        svc.resume(application, actor=user, roles=roles)
    else:
        svc.terminate(application, actor=user, roles=roles, reason=payload.reason)
    application.refresh_from_db()
    return application


@router.post("/applications/{application_id}/rating", response=_errors({200: ApplicationOut}))
def rate(request: HttpRequest, application_id: UUID, payload: RatingIn) -> Any:
    """好差评: the applicant rates a finished application once."""
    principal, user = _writer(request)
    application, roles = access.application_for(principal, application_id)
    svc.rate(application, actor=user, roles=roles, level=payload.level, comment=payload.comment)
    return application


@router.get("/departments/{org_id}/queue", response=_errors({200: list[ApplicationOut]}))
@paginate(CursorPagination)
def department_queue(request: HttpRequest, org_id: UUID, status: str = "", **kwargs: Any) -> Any:
    """The department's open applications (or those in ``status``)."""
    department = access.department_for(Principal.of(request), org_id)
    if status and status not in Application.Status.values:
        raise invalid_field("status", _("Unknown status."))
    return queries.queue(department, status=status).select_related("agent")
