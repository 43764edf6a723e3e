"""Supervision's demo data: plan 004's fifteen tasks (the 具体任务 section shipped beside
this file), imported as drafts; tasks 5, 9 and 14 assigned, acknowledged and reported on,
task 9 linked to the visits indicator for automatic progress. Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.supervision import importer, services
from nomadcloud.supervision.models import Plan, Task

PLAN_TEXT = Path(__file__).with_name("plan_004_tasks.txt")
TITLE = "儋州市数字游民示范区建设方案（试行）"


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
    for number in (5, 9, 14):
        task = Task.objects.get(code=f"004-{number}")
        if number == 9:
            task.indicators = [{"code": "communities.visits", "target": "50000"}]
            task.save(update_fields=["indicators"])
        services.assign(task, actor=operator, due=due, today=today)
        lead = task.leads.first()
        member = User.objects.filter(memberships__organisation=lead).first()
        if member is None:
            continue
        services.acknowledge(task, actor=member)
        services.report(
            task,
            actor=member,
            progress=Decimal("25"),
            note="已完成方案编制 The plan of work is drafted",
            evidence="工作方案.pdf",
            today=today,
        )
    return {"supervision_tasks": len(tasks)}
