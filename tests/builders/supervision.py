"""Builders for supervision: plan 004's units with their aliases (as the demo seeds them),
and a small plan of two tasks for the workflow tests."""

from __future__ import annotations

from nomadcloud.accounts import demo as accounts_demo
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.supervision import importer
from nomadcloud.supervision.models import Milestone, Task

SMALL_PLAN = """二、具体任务
1.支持数字游民社区示范点建设。打造一批社区。（牵头单位：市政府环湾办；责任单位：市科工信局）
2.提升对外籍数字游民的服务管理水平。一卡通办。（牵头单位：科工信局；责任单位：市人社局、市公安局）
"""


def plan_units() -> dict[str, Organisation]:
    """Every unit plan 004 names, by code (the world's 市科工信局 is kept as kegongxin)."""
    for code, zh, en in accounts_demo.DEPARTMENTS:
        Organisation.objects.get_or_create(
            code=code,
            defaults={"kind": Organisation.Kind.DEPARTMENT, "name_zh": zh, "name_en": en},
        )
    accounts_demo.seed_units()
    return {unit.code or "": unit for unit in Organisation.objects.exclude(code=None)}


def small_plan(member_of_huanwan: User) -> list[Task]:
    """Two draft tasks of plan "T"; ``member_of_huanwan`` reports for 市政府环湾办."""
    units = plan_units()
    Membership.objects.get_or_create(
        user=member_of_huanwan, organisation=units["huanwan"], defaults={"role": "member"}
    )
    if not Task.objects.filter(plan__code="T").exists():
        importer.import_plan(SMALL_PLAN, plan_code="T", title="test plan", actor=None)
    return list(Task.objects.filter(plan__code="T").order_by("number"))


def assigned_plan(member_of_huanwan: User, *, opened: bool = False) -> list[Task]:
    """The small plan's two tasks assigned by the zone operator, due in three months; with
    ``opened`` their lead units have acknowledged (T-1: 市政府环湾办 through
    ``member_of_huanwan``; T-2: 市科工信局 through any of its members)."""
    import datetime as dt

    from django.utils import timezone

    from nomadcloud.core import workdays
    from nomadcloud.core.models import HolidayYear
    from nomadcloud.supervision import services

    tasks = small_plan(member_of_huanwan)
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        if not HolidayYear.objects.filter(year=year).exists():
            workdays.declare_year_loaded(year, actor=None)
    office = User.objects.filter(memberships__organisation__kind=Organisation.Kind.OPERATOR).first()
    assert office is not None
    for task in tasks:
        if task.status == Task.Status.DRAFT:
            services.assign(task, actor=office, due=today + dt.timedelta(days=90))
    tasks = [Task.objects.get(pk=t.pk) for t in tasks]
    if opened:
        for task in tasks:
            lead = task.leads.get()
            member = User.objects.filter(memberships__organisation=lead).order_by("pk").first()
            if task.status == Task.Status.ASSIGNED and member is not None:
                services.acknowledge(task, actor=member)
        tasks = [Task.objects.get(pk=t.pk) for t in tasks]
    return tasks


def milestone_on(task: Task) -> Milestone:
    """A milestone of ``task`` due in a month (30 % expected), made once."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    found = Milestone.objects.filter(task=task).first()
    if found is not None:
        return found
    return Milestone.objects.create(
        task=task,
        title={"zh-Hans": "选址", "en": "Site chosen"},
        due=timezone.localdate() + dt.timedelta(days=30),
        target=Decimal("30"),
    )
