"""Supervision's demo data: plan 004's fifteen tasks (the 具体任务 section shipped beside
this file), imported as drafts. Tasks 5, 9 and 14 are assigned, each with three milestones
(序时进度 targets 30 %, 70 % and 100 % on the due date); task 5 is acknowledged by its lead
and one responsible unit, reported on, its first milestone done, and has a sub-task; task 9
is acknowledged and reported on, linked to the visits indicator for automatic progress;
task 14 waits for every unit's 签收. Idempotent."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core.errors import Conflict
from nomadcloud.core.workdays import CalendarNotLoaded
from nomadcloud.supervision import importer, services
from nomadcloud.supervision.models import Plan, Task
from nomadcloud.supervision.schemas import (
    MilestoneDoneDraft,
    MilestoneDraft,
    ReportDraft,
    SubTaskDraft,
)

PLAN_TEXT = Path(__file__).with_name("plan_004_tasks.txt")
TITLE = "儋州市数字游民示范区建设方案（试行）"
MILESTONES = [
    ({"zh-Hans": "工作方案印发", "en": "Plan of work issued"}, Decimal("30")),
    ({"zh-Hans": "平台试运行", "en": "Platform in trial operation"}, Decimal("70")),
    ({"zh-Hans": "验收并办结", "en": "Accepted and completed"}, Decimal("100")),
]


def _member(unit: Organisation | None) -> User | None:
    return User.objects.filter(memberships__organisation=unit).order_by("pk").first()


def _milestones(task: Task, operator: User, today: dt.date, due: dt.date) -> None:
    span = (due - today).days
    for n, (title, target) in enumerate(MILESTONES, start=1):
        day = due if n == len(MILESTONES) else today + dt.timedelta(days=span * n // 3)
        services.add_milestone(
            task,
            actor=operator,
            draft=MilestoneDraft(title=title, due=day, weight=n, target=target),
        )


def seed() -> dict[str, int]:
    if Plan.objects.filter(code="004").exists():
        return {"supervision_tasks": 0}
    operator = User.objects.filter(
        memberships__organisation__kind=Organisation.Kind.OPERATOR
    ).first()
    tasks = importer.import_plan(
        PLAN_TEXT.read_text(encoding="utf-8"), plan_code="004", title=TITLE, actor=operator
    )
    if operator is None:
        return {"supervision_tasks": len(tasks)}
    today = timezone.localdate()
    due = dt.date(today.year, 12, 31) if today.month < 12 else today + dt.timedelta(days=60)
    with contextlib.suppress(CalendarNotLoaded):  # the holidays ahead are not loaded yet
        _assign(operator, today, due)
    return {"supervision_tasks": len(tasks)}


def _assign(operator: User, today: dt.date, due: dt.date) -> None:
    for number in (5, 9, 14):
        task = Task.objects.get(code=f"004-{number}")
        if number == 9:
            task.indicators = [{"code": "communities.visits", "target": "50000"}]
            task.save(update_fields=["indicators"])
        _milestones(task, operator, today, due)
        services.assign(task, actor=operator, due=due, today=today)
        member = _member(task.leads.first())
        if number == 14 or member is None:
            continue
        services.acknowledge(task, actor=member)
        services.report(
            task,
            actor=member,
            draft=ReportDraft(
                progress=Decimal("25"),
                note="已完成方案编制 The plan of work is drafted",
                evidence="工作方案.pdf",
            ),
            today=today,
        )
        if number != 5:
            continue
        helper = _member(task.responsibles.exclude(supervision_leads=task).order_by("pk").first())
        if helper is not None and helper != member:
            with contextlib.suppress(Conflict):  # a member of both units signed for both
                services.acknowledge(task, actor=helper)
        first = task.milestones.order_by("due").first()
        if first is not None:
            services.complete_milestone(
                first,
                actor=member,
                draft=MilestoneDoneDraft(done_on=today, evidence="市政府办公室印发通知 No. 12"),
                today=today,
            )
        services.create_subtask(
            task,
            actor=operator,
            draft=SubTaskDraft(
                title="云控服务平台一期上线",
                leads=["市科工信局"],
                responsibles=["洋浦国际"],
            ),
        )
