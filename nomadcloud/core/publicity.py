"""公示 (publicity) and 异议 (objections) (cross-cutting §3.6).

A subject (a community's designation, an incentive list, a bounty's winners …) is shown to
the public for N working days; anyone signed in may object while it is open; an objection
is decided, with a reason, by whom the owning app says. The subject may advance only when
its latest notice has ended and none of that notice's objections is pending or upheld:
``assert_may_advance`` is the one check every owning app calls.

Core imports no app: an owning app registers its subject kind in its ``AppConfig.ready``
with ``register_subject(kind, may_decide=…, url=…)``, and reacts to decisions through the
``objection_decided`` event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.core.events import Event
from nomadcloud.core.i18n import MultilingualError, validate_multilingual
from nomadcloud.core.models import Objection, PublicNotice
from nomadcloud.core.workdays import add_working_days, end_of_day

MaySide = Callable[[Any, PublicNotice], bool]
SubjectUrl = Callable[[str], str]


@dataclass(frozen=True)
class Subject:
    kind: str
    may_decide: MaySide
    url: SubjectUrl | None


_SUBJECTS: dict[str, Subject] = {}


def register_subject(kind: str, *, may_decide: MaySide, url: SubjectUrl | None = None) -> None:
    """Called by the owning app at start-up: ``may_decide(user, notice)`` says who decides
    objections; ``url(subject_id)`` is the subject's public page, linked from the notice."""
    _SUBJECTS[kind] = Subject(kind, may_decide, url)


def subject(kind: str) -> Subject | None:
    return _SUBJECTS.get(kind)


def subject_url(notice: PublicNotice) -> str:
    registered = _SUBJECTS.get(notice.subject_kind)
    return registered.url(notice.subject_id) if registered and registered.url else ""


def may_decide(user: Any, notice: PublicNotice) -> bool:
    registered = _SUBJECTS.get(notice.subject_kind)
    if registered is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(registered.may_decide(user, notice))


@dataclass(frozen=True)
class ObjectionDecided:
    notice_id: int
    subject_kind: str
    subject_id: str
    objection_id: int
    upheld: bool


objection_decided = Event[ObjectionDecided]("core.objection_decided")


def is_open(notice: PublicNotice, now: dt.datetime | None = None) -> bool:
    return notice.status == PublicNotice.Status.OPEN and (now or timezone.now()) < notice.ends_at


def close_ended_notices(now: dt.datetime | None = None) -> int:
    """Mark notices whose time is up as closed (the status the list pages filter on)."""
    return PublicNotice.objects.filter(
        status=PublicNotice.Status.OPEN, ends_at__lte=now or timezone.now()
    ).update(status=PublicNotice.Status.CLOSED)


def _text(field: str, value: Any) -> dict[str, Any]:
    try:
        return validate_multilingual(value)
    except MultilingualError as exc:
        raise invalid_field(field, str(exc)) from exc


@transaction.atomic
def open_notice(
    *,
    subject_kind: str,
    subject_id: str,
    title: dict[str, Any],
    body: dict[str, Any],
    working_days: int,
    actor: AbstractBaseUser | None,
    at: dt.datetime | None = None,
) -> PublicNotice:
    """Publish a notice for ``working_days`` working days from now: it ends at the end of the
    last of them. Refused while another notice of the subject is open."""
    if subject_kind not in _SUBJECTS:
        raise InvalidInput(_("Unknown subject kind for publicity."), code="unknown_subject")
    if working_days < 1:
        raise invalid_field("working_days", _("Publicity lasts at least one working day."))
    now = at or timezone.now()
    if any(
        is_open(n, now)
        for n in PublicNotice.objects.select_for_update().filter(
            subject_kind=subject_kind, subject_id=str(subject_id)
        )
    ):
        raise Conflict(_("A notice of this is already open."), code="publicity_open")
    notice = PublicNotice.objects.create(
        subject_kind=subject_kind,
        subject_id=str(subject_id),
        title=_text("title", title),
        body=_text("body", body),
        working_days=working_days,
        starts_at=now,
        ends_at=end_of_day(add_working_days(timezone.localdate(now), working_days)),
        opened_by=cast(Any, actor),
    )
    audit.record(
        actor=actor,
        action="publicity.open",
        obj=notice,
        after={"subject": f"{subject_kind}:{subject_id}", "working_days": working_days},
    )
    return notice


@transaction.atomic
def file_objection(
    notice: PublicNotice,
    *,
    actor: AbstractBaseUser,
    grounds: str,
    evidence: str = "",
    at: dt.datetime | None = None,
) -> Objection:
    if actor is None or not actor.is_authenticated:
        raise Forbidden(_("Sign in to file an objection."))
    locked = PublicNotice.objects.select_for_update().get(pk=notice.pk)
    if not is_open(locked, at):
        raise Conflict(_("This notice has ended; objections are closed."), code="publicity_closed")
    grounds = (grounds or "").strip()
    if not grounds:
        raise invalid_field("grounds", _("State the grounds of the objection."))
    if len(grounds) > 5000:
        raise invalid_field("grounds", _("Keep the grounds under 5000 characters."))
    evidence = (evidence or "").strip()
    if len(evidence) > 5000:
        raise invalid_field("evidence", _("Keep the evidence under 5000 characters."))
    objection = Objection.objects.create(
        notice=locked, filed_by=cast(Any, actor), grounds=grounds, evidence=evidence
    )
    audit.record(actor=actor, action="publicity.object", obj=objection, after={"notice": notice.pk})
    return objection


@transaction.atomic
def decide_objection(
    objection: Objection, *, actor: AbstractBaseUser, upheld: bool, reason: str
) -> Objection:
    """Uphold or dismiss a pending objection, with a reason the objector and the public see.
    Only whom the owning app's ``may_decide`` allows; the objector never decides their own."""
    row = Objection.objects.select_for_update().select_related("notice").get(pk=objection.pk)
    if not may_decide(actor, row.notice) or row.filed_by_id == actor.pk:
        raise Forbidden(_("You may not decide this objection."))
    if row.status != Objection.Status.PENDING:
        raise Conflict(_("This objection is already decided."), code="objection_decided")
    reason = (reason or "").strip()
    if not reason:
        raise invalid_field("reason", _("Give the reason for the decision."))
    row.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    row.decided_by = cast(Any, actor)
    row.decided_at = timezone.now()
    row.reason = reason
    row.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit.record(
        actor=actor,
        action="publicity.decide",
        obj=row,
        before={"status": Objection.Status.PENDING},
        after={"status": row.status},
    )
    objection_decided.send(
        ObjectionDecided(
            notice_id=row.notice_id,
            subject_kind=row.notice.subject_kind,
            subject_id=row.notice.subject_id,
            objection_id=row.pk,
            upheld=upheld,
        )
    )
    for field in ("status", "decided_by", "decided_at", "reason"):
        setattr(objection, field, getattr(row, field))
    return objection


def notice_for(subject_kind: str, subject_id: str) -> PublicNotice | None:
    """The subject's latest notice, or None."""
    return (
        PublicNotice.objects.filter(subject_kind=subject_kind, subject_id=str(subject_id))
        .order_by("-starts_at", "-id")
        .first()
    )


def assert_may_advance(
    subject_kind: str,
    subject_id: str,
    *,
    required: bool = True,
    now: dt.datetime | None = None,
) -> None:
    """Refuse to let the subject advance: ``publicity_missing`` (no notice, when
    ``required``), ``publicity_open`` (its notice has not ended), ``objection_pending``,
    ``objection_upheld`` (the owning app must decide what an upheld objection means, e.g.
    reject, or open a new notice after correcting the subject)."""
    notice = notice_for(subject_kind, subject_id)
    if notice is None:
        if required:
            raise Conflict(
                _("This must be publicly announced (公示) before it can go further."),
                code="publicity_missing",
            )
        return
    if is_open(notice, now):
        raise Conflict(
            _("The public notice is open until %(end)s.")
            % {"end": timezone.localtime(notice.ends_at).strftime("%Y-%m-%d %H:%M")},
            code="publicity_open",
        )
    statuses = set(notice.objections.values_list("status", flat=True))
    if Objection.Status.PENDING in statuses:
        raise Conflict(
            _("An objection to the public notice is waiting for a decision."),
            code="objection_pending",
        )
    if Objection.Status.UPHELD in statuses:
        raise Conflict(_("An objection to the public notice was upheld."), code="objection_upheld")


def open_notices(now: dt.datetime | None = None) -> Any:
    """Notices the public sees now, soonest ending first."""
    return PublicNotice.objects.filter(
        status=PublicNotice.Status.OPEN, ends_at__gt=now or timezone.now()
    ).order_by("ends_at", "id")
