"""Selection with reasons and 公示, then the task book (任务书): generated from the selected
proposal, revised as versioned diffs, signed by the team lead and the department."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, transitions
from nomadcloud.bounties.models import (
    Application,
    Challenge,
    Milestone,
    SelectionCosign,
    TaskBook,
)
from nomadcloud.bounties.schemas import CosignDraft, SelectionDraft, TaskBookDraft
from nomadcloud.bounties.services import money
from nomadcloud.bounties.services._common import SUBJECT, context, lock, move
from nomadcloud.core import audit, publicity
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.teams.models import TeamMember

S = Challenge.Status
A = Application.Status


@transaction.atomic
def select(*, principal: Principal, challenge: Challenge, draft: SelectionDraft) -> Challenge:
    """The department selects (or selects none, and the challenge fails) with reasons; the
    selection is shown in 公示 for the challenge's working days."""
    user = access.require_role(principal, challenge, transitions.DEPARTMENT)
    challenge = lock(challenge)
    if challenge.status == S.EVALUATION:
        raise Conflict(_("Selection waits until every score sheet is in."), code="evaluation_open")
    chosen = list(
        Application.objects.filter(
            challenge=challenge, public_id__in=draft.applications, status=A.SCORED
        )
    )
    if len(chosen) != len(draft.applications):
        raise invalid_field(
            "applications", _("Select among the scored applications."), code="not_scored"
        )
    ctx = transitions.Context(now=timezone.now(), reason=draft.reason, selecting=bool(chosen))
    challenge = move(
        challenge,
        "select",
        access.roles_in(principal, challenge),
        ctx,
        actor=user,
        extra={"selection_reason": draft.reason},
    )
    for app in challenge.applications.filter(status=A.SCORED):
        app.status = A.SELECTED if app in chosen else A.NOT_SELECTED
        app.save(update_fields=["status"])
    if not chosen:
        money.release_rest(challenge, actor=user, reason=draft.reason)
    if chosen:
        winner = chosen[0]
        publicity.open_notice(
            subject_kind=SUBJECT,
            subject_id=str(challenge.public_id),
            title={
                "zh-Hans": f"揭榜挂帅评审结果公示：{challenge.title.get('zh-Hans', '')}",
                "en": f"Selection notice: {challenge.title.get('en', '')}",
            },
            body={
                "zh-Hans": f"拟揭榜团队：{winner.team.name}。理由：{draft.reason}",
                "en": f"Selected team: {winner.team.name}. Reasons: {draft.reason}",
            },
            working_days=challenge.publicity_days,
            actor=user,
        )
    return challenge


def selected(challenge: Challenge) -> Application:
    app = challenge.applications.filter(status__in=(A.SELECTED, A.SIGNED)).first()
    if app is None:
        raise Conflict(_("No application is selected."), code="none_selected")
    return app


@transaction.atomic
def cosign_selection(
    *, principal: Principal, challenge: Challenge, draft: CosignDraft
) -> SelectionCosign:
    """The issuer co-signs the department's selection (the selection is the issuer's and the
    department's decision), during or after the 公示 and before the task book: who, when,
    the evidence and the challenge's rule version are recorded."""
    user = access.require_role(principal, challenge, transitions.ISSUER)
    challenge = lock(challenge)
    if challenge.status != S.PUBLICITY:
        raise Conflict(
            _("The issuer co-signs the selection while it is in its public notice (公示)."),
            code="not_in_publicity",
        )
    app = selected(challenge)
    if SelectionCosign.objects.filter(application=app).exists():
        raise Conflict(_("The selection is already co-signed."), code="already_cosigned")
    item = SelectionCosign.objects.create(
        application=app,
        organisation=challenge.issuer,
        signed_by=user,
        evidence=draft.evidence,
        rule_version=challenge.rule_version,
    )
    audit.record(
        actor=user,
        action="bounties.selection.cosign",
        obj=challenge,
        organisation=challenge.issuer,
        after={"application": str(app.public_id), "rule_version": item.rule_version},
    )
    return item


def start_signing(*, challenge: Challenge, actor: User, roles: set[str]) -> Challenge:
    """Called by ``challenges.act`` under the row lock: 公示 must be over with no pending or
    upheld objection, and the issuer must have co-signed the selection; the first task book
    is generated from the selected proposal."""
    if challenge.status == S.PUBLICITY and transitions.DEPARTMENT in roles:
        publicity.assert_may_advance(SUBJECT, str(challenge.public_id))
        if not SelectionCosign.objects.filter(application=selected(challenge)).exists():
            raise Conflict(
                _("The issuer has not co-signed the selection yet."), code="cosign_missing"
            )
    challenge = move(challenge, "start_signing", roles, context(challenge), actor=actor)
    app = selected(challenge)
    TaskBook.objects.create(
        challenge=challenge,
        application=app,
        version=1,
        milestones=app.plan,
        note=_("Generated from the selected proposal."),
        created_by=actor,
    )
    return challenge


def _diff(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    for i in range(max(len(before), len(after))):
        old = before[i] if i < len(before) else None
        new = after[i] if i < len(after) else None
        if old is None:
            changes.append({"position": i + 1, "op": "add", "to": new})
        elif new is None:
            changes.append({"position": i + 1, "op": "remove", "from": old})
        else:
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    changes.append(
                        {
                            "position": i + 1,
                            "op": "change",
                            "field": key,
                            "from": old.get(key),
                            "to": new.get(key),
                        }
                    )
    return changes


def _party(principal: Principal, challenge: Challenge, app: Application) -> tuple[User, str]:
    user = principal.user
    if user is None or principal.key_organisation is not None or not principal.can_write:
        raise Forbidden(_("Only the team lead, the issuer or the department may do this."))
    if app.team.lead_id == user.pk:
        return user, "lead"
    roles = access.roles_in(principal, challenge)
    if transitions.DEPARTMENT in roles:
        return user, "department"
    if transitions.ISSUER in roles:
        return user, "issuer"
    raise Forbidden(_("Only the team lead, the issuer or the department may do this."))


def _signing(challenge: Challenge) -> None:
    if challenge.status != S.SIGNING:
        raise Conflict(
            _(
                "The task book is signed only after the public notice is over, while the "
                "challenge is “Signing”; it is now “%(state)s”."
            )
            % {"state": S(challenge.status).label},
            code="not_signing",
        )


@transaction.atomic
def revise_task_book(
    *, principal: Principal, challenge: Challenge, draft: TaskBookDraft
) -> TaskBook:
    """A new version (the diff from the last is kept); signatures start over. The milestone
    amounts must sum to the award."""
    challenge = lock(challenge)
    _signing(challenge)
    app = selected(challenge)
    user, _side = _party(principal, challenge, app)
    milestones = [m.model_dump(mode="json") for m in draft.milestones]
    total = sum((m.amount for m in draft.milestones), Decimal("0"))
    if total != app.amount:
        raise invalid_field(
            "milestones",
            _("The milestone amounts sum to %(total)s; the award is %(award)s.")
            % {"total": total, "award": app.amount},
            code="milestones_not_award",
        )
    last = challenge.task_books.order_by("-version").first()
    assert last is not None
    book = TaskBook.objects.create(
        challenge=challenge,
        application=app,
        version=last.version + 1,
        milestones=milestones,
        changes=_diff(list(last.milestones), milestones),
        note=draft.note,
        created_by=user,
    )
    audit.record(actor=user, action="bounties.task_book", obj=challenge, after={"v": book.version})
    return book


@transaction.atomic
def sign_task_book(*, principal: Principal, challenge: Challenge, version: int) -> TaskBook:
    """The lead (the team's commitment, 军令状) or the department signs the latest version;
    when both have, the milestones are set and the work starts."""
    challenge = lock(challenge)
    _signing(challenge)
    app = selected(challenge)
    user, side = _party(principal, challenge, app)
    book = challenge.task_books.select_for_update().order_by("-version").first()
    assert book is not None
    if book.version != version:
        raise Conflict(
            _("Version %(v)d is the latest; read it before signing.") % {"v": book.version},
            code="stale_version",
        )
    if side == "issuer":
        raise Forbidden(_("The team lead and the department sign the task book."))
    now = timezone.now()
    if side == "lead":
        shares = [
            m.share
            for m in TeamMember.objects.filter(team=app.team, status=TeamMember.Status.ACCEPTED)
        ]
        if sum(shares, Decimal("0")) != Decimal("100"):
            raise InvalidInput(
                _("Record the team members' shares (summing to 100) before signing."),
                code="shares_not_100",
                fields={"shares": [_("The shares must sum to 100.")]},
            )
        book.lead_signed_by, book.lead_signed_at = user, now
    else:
        book.department_signed_by, book.department_signed_at = user, now
    book.save()
    audit.record(actor=user, action=f"bounties.sign.{side}", obj=challenge)
    if book.lead_signed_at and book.department_signed_at:
        for i, item in enumerate(book.milestones, start=1):
            Milestone.objects.create(
                challenge=challenge,
                position=i,
                title=item["title"],
                criteria=item.get("criteria", ""),
                amount=Decimal(str(item["amount"])),
                due_on=item["due_on"],
                started_at=now,
            )
        app.status = A.SIGNED
        app.save(update_fields=["status"])
        money.release_above_award(challenge, app.amount, actor=user)
        ctx = transitions.Context(now=now, all_signed=True)
        move(challenge, "signed", {transitions.SYSTEM}, ctx, actor=user)
    return book
