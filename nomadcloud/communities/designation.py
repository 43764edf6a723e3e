"""The designation of demonstration communities (示范点认定), with its public notice (公示):

draft → submitted (the community's owner or admin) → under_review (环湾办: a member of a
designation authority) → publicity (a notice of ``PUBLICITY_WORKING_DAYS`` working days is
opened through ``core/publicity.py``; anyone signed in may object) → designated (only once
the notice has ended with no objection pending or upheld; valid ``VALID_YEARS`` years) →
suspended | revoked | expired. A department user returns it to draft with a reason."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import access
from nomadcloud.communities import transitions as t
from nomadcloud.communities.models import Authority, Community, DesignationEvent
from nomadcloud.communities.text import tr
from nomadcloud.core import audit, publicity
from nomadcloud.core.models import PublicNotice

SUBJECT = "communities.community"
PUBLICITY_WORKING_DAYS = 5
VALID_YEARS = 3


def may_decide(user: Any, notice: Any) -> bool:
    """Objections to a designation notice are decided by the designation authority."""
    return bool(
        Authority.objects.filter(
            role=Authority.Role.DESIGNATION, organisation__memberships__user=user
        ).exists()
    )


def subject_url(subject_id: str) -> str:
    return reverse("communities:detail", args=[subject_id])


def register() -> None:
    publicity.register_subject(SUBJECT, may_decide=may_decide, url=subject_url)


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def move(
    *,
    principal: Principal,
    community: Community,
    action: str,
    reason: str = "",
    now: datetime | None = None,
) -> Community:
    now = now or timezone.now()
    locked = (
        Community.objects.select_for_update().select_related("organisation").get(pk=community.pk)
    )
    roles = access.community_roles(principal, locked)
    if action == "designate":
        publicity.assert_may_advance(SUBJECT, str(locked.public_id), now=now)
    ctx = t.Context(now=now, reason=reason)
    step = t.check(t.DESIGNATION, locked, locked.designation, action, roles, ctx)
    source = locked.designation
    if action == "propose":
        name = {"zh-Hans": tr(locked.name, "zh-hans"), "en": tr(locked.name, "en")}
        publicity.open_notice(
            subject_kind=SUBJECT,
            subject_id=str(locked.public_id),
            title={
                "zh-Hans": f"数字游民社区示范点认定公示：{name['zh-Hans']}",
                "en": f"Public notice: designation of {name['en']} as a demonstration community",
            },
            body={
                "zh-Hans": f"拟认定“{name['zh-Hans']}”（{locked.address}）为数字游民社区示范点。"
                "如有异议，请在公示期内提出并说明理由。",
                "en": f"{name['en']} ({locked.address}) is proposed as a digital nomad "
                "demonstration community. Objections may be filed, with grounds, while the "
                "notice is open.",
            },
            working_days=PUBLICITY_WORKING_DAYS,
            actor=principal.user,
            at=now,
        )
    if action == "designate":
        today = timezone.localdate(now)
        locked.designated_from, locked.designated_until = today, _years_later(today, VALID_YEARS)
    locked.designation = step.target
    locked.save()
    DesignationEvent.objects.create(
        community=locked,
        action=action,
        source=source,
        target=step.target,
        actor=principal.user,
        reason=reason,
    )
    audit.record(
        actor=principal.user,
        action=f"communities.designation.{action}",
        obj=locked,
        organisation=locked.organisation,
        before={"designation": source},
        after={"designation": step.target, **({"reason": reason} if reason else {})},
        token=principal.token,
    )
    return locked


def expire(*, today: date | None = None) -> int:
    """Designations past their end date become expired (the job)."""
    today = today or timezone.localdate()
    done = 0
    for community in Community.objects.filter(
        designation=Community.Designation.DESIGNATED, designated_until__lt=today
    ):
        with transaction.atomic():
            community.designation = Community.Designation.EXPIRED
            community.save(update_fields=["designation"])
            DesignationEvent.objects.create(
                community=community, action="expire", source="designated", target="expired"
            )
            done += 1
    return done


def moves(principal: Principal, community: Community) -> set[str]:
    return t.moves_for(
        t.DESIGNATION, community.designation, access.community_roles(principal, community)
    )


def notice(community: Community) -> PublicNotice | None:
    return publicity.notice_for(SUBJECT, str(community.public_id))
