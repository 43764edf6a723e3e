"""Demo maker competitions (plan 004 task 15): the demo enterprise organises a published
"cross-border e-commerce smart selection" challenge with two tracks, a metric round open now
(a hidden answer set of 30 items) and a jury final, five nomads entered with scored
submissions on the public leaderboard; and a draft for the organiser's pages. Windows are
relative to the day of seeding. Idempotent: nothing is added once the organiser has one."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from nomadcloud.accounts.models import Membership, User
from nomadcloud.competitions import services
from nomadcloud.competitions.models import Competition
from nomadcloud.competitions.schemas import (
    CompetitionDraft,
    CompetitionEntryDraft,
    CompetitionRoundDraft,
    CompetitionSubmissionDraft,
    CompetitionTrackDraft,
)

LABELS = ("beauty", "electronics", "home", "outdoor", "toys")
ANSWERS = {f"sku-{n:03d}": LABELS[(n * 7) % len(LABELS)] for n in range(1, 31)}


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh-Hans": zh, "en": en}


def seed() -> dict[str, int]:
    owner = (
        Membership.objects.filter(user__email="enterprise@demo.nomadcloud.cn", role="owner")
        .select_related("organisation", "user")
        .first()
    )
    if owner is None or Competition.objects.filter(organiser=owner.organisation).exists():
        return {"competitions": 0}
    org, actor, now = owner.organisation, owner.user, timezone.now()
    item = services.create_competition(
        organiser=org,
        actor=actor,
        draft=CompetitionDraft(
            organisation=org.public_id,
            title=_t("跨境电商智能选品挑战赛", "Cross-border e-commerce smart selection challenge"),
            description=_t(
                "数字创客赛事：用数据为跨境电商选品，获奖项目对接企业与产业园。",
                "A maker competition: pick products for cross-border e-commerce with data; "
                "winning projects are introduced to enterprises and parks.",
            ),
            entry_opens_at=now - timedelta(days=3),
            entry_closes_at=now + timedelta(days=20),
        ),
    )
    services.add_track(
        item,
        actor=actor,
        draft=CompetitionTrackDraft(code="selection", title=_t("智能选品", "Selection")),
    )
    services.add_track(
        item,
        actor=actor,
        draft=CompetitionTrackDraft(
            code="data-services", title=_t("数据加工增值服务", "Data services")
        ),
    )
    services.add_round(
        item,
        actor=actor,
        draft=CompetitionRoundDraft(
            title=_t("初赛（自动评分）", "Preliminary (scored automatically)"),
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=14),
            max_per_day=5,
            max_total=20,
            final_count=2,
            scoring="metric",
            answers=ANSWERS,
        ),
    )
    services.add_round(
        item,
        actor=actor,
        draft=CompetitionRoundDraft(
            title=_t("决赛（路演，评委评审）", "Final (pitch, jury)"),
            opens_at=now + timedelta(days=21),
            closes_at=now + timedelta(days=28),
            max_per_day=1,
            max_total=1,
            scoring="jury",
        ),
    )
    item = services.move(item, actor=actor, action="publish")
    nomads = list(User.objects.filter(is_nomad=True).order_by("id")[:5])
    for n, nomad in enumerate(nomads):
        entry = services.enter(
            item,
            actor=nomad,
            draft=CompetitionEntryDraft(track="selection", name=f"{nomad.display_name} · 选品模型"),
        )
        right = 12 + 4 * n
        lines = [
            f"{sku},{label if i < right else 'toys'}"
            for i, (sku, label) in enumerate(ANSWERS.items())
        ]
        services.submit(
            entry, actor=nomad, draft=CompetitionSubmissionDraft(round=1, content="\n".join(lines))
        )
    services.create_competition(
        organiser=org,
        actor=actor,
        draft=CompetitionDraft(
            organisation=org.public_id,
            title=_t("一带一路数据应用创客赛", "Belt and Road data application maker contest"),
            entry_opens_at=now + timedelta(days=30),
            entry_closes_at=now + timedelta(days=60),
        ),
    )
    return {"competitions": 2, "competition_entries": len(nomads)}
