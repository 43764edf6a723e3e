"""Plan task supervision (design §4.10): the importer on plan 004 gives exactly the fifteen
tasks and units of the specification's table (task 10 with two leads, task 14's 科工信局
resolved by alias), in both languages; an unknown unit refuses the import with suggestions;
the workflow follows transitions.py, with notices, extensions and closing after verification."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from nomadcloud.accounts.units import resolve_unit
from nomadcloud.core import workdays
from nomadcloud.core.errors import Conflict, DomainError, Forbidden
from nomadcloud.supervision import importer, services
from nomadcloud.supervision.models import Notice, Plan, Task
from nomadcloud.supervision.transitions import TRANSITIONS
from tests.builders.supervision import SMALL_PLAN, plan_units, small_plan
from tests.conftest import World
from tests.helpers import SHARED_DATA

PLAN_004 = SHARED_DATA.parent / "seeds" / "004_bdfd55fa1318577a.txt"

# The specification's table (10-supervision.md), as the plan spells the units.
TABLE = {
    1: ("市发展集团", "市发改委、市科工信局、洋浦国际"),
    2: ("洋浦投促局", "市委网信办、市发改委、市科工信局"),
    3: ("市科工信局", "市委人才发展局、市发改委、市人社局"),
    4: ("市府办金融科", "市委人才发展局、市发改委、市人社局"),
    5: ("市科工信局", "市发改委、市发展集团、洋浦国际"),
    6: ("市科工信局", "市发改委、洋浦交通港航局"),
    7: ("市旅文局", "市政府环湾办、洋浦国际"),
    8: ("市旅文局", "市委网信办、市科工信局、洋浦投促局、中行洋浦分行"),
    9: ("市政府环湾办", "市科工信局、洋浦国际"),
    10: ("市委网信办、市发改委", "市科工信局、洋浦国际"),
    11: ("市科工信局", "市委人才发展局、洋浦国际"),
    12: ("市科工信局", "市府办金融科、市发改委、市科协"),
    13: ("洋浦投促局", "市委人才发展局、市府办金融科、市科工信局、环湾投资"),
    14: ("科工信局", "市人社局、市公安局"),
    15: ("洋浦投促局", "市委网信办、市政府环湾办、市发改委、市科工信局、洋浦国际"),
}


def _codes(names: str) -> list[str | None]:
    return [resolve_unit(name).code for name in names.split("、")]


@pytest.fixture
def units(world: World) -> None:
    plan_units()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_plan_004_yields_the_fifteen_tasks_with_the_tables_units(
    units: None, language: str
) -> None:
    if not PLAN_004.exists():  # as tests.helpers.shared_data: a failure under CI
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{PLAN_004} is absent")
    out = StringIO()
    with translation.override(language):
        call_command("supervision", "import-plan", str(PLAN_004), "--dry-run", "--json", stdout=out)
    tasks = json.loads(out.getvalue())
    assert [t["number"] for t in tasks] == list(range(1, 16))
    for task in tasks:
        leads, responsibles = TABLE[task["number"]]
        assert task["code"] == f"004-{task['number']}"
        assert task["lead_codes"] == _codes(leads), task["number"]
        assert task["responsible_codes"] == _codes(responsibles), task["number"]
    assert len(tasks[9]["leads"]) == 2
    assert tasks[13]["lead_codes"] == ["kegongxin"]
    assert tasks[0]["title"] == "支持数字贸易一体化集栈平台建设"
    assert not Plan.objects.exists()  # a dry run changes nothing

    call_command("supervision", "import-plan", str(PLAN_004), stdout=StringIO())
    assert Task.objects.filter(plan__code="004", status="draft").count() == 15
    with pytest.raises(CommandError):
        call_command("supervision", "import-plan", str(PLAN_004), stdout=StringIO())


def test_an_unknown_unit_refuses_the_import_with_suggestions(units: None) -> None:
    text = SMALL_PLAN.replace("市人社局", "市科工局")
    with translation.override("en"), pytest.raises(importer.ImportRefused) as refused:
        importer.import_plan(text, plan_code="X", title="x", actor=None)
    (error,) = refused.value.errors
    assert "line 3, task 2" in error and "科工局" in error and "Did you mean" in error
    no_lead = "1.做点事。（牵头单位：；责任单位：市科工信局）"
    with pytest.raises(importer.ImportRefused):
        importer.read(no_lead)
    assert not Plan.objects.exists()


@pytest.fixture
def today() -> Iterator[dt.date]:
    for year in (2026, 2027):
        workdays.declare_year_loaded(year, actor=None)
    yield dt.date(2026, 3, 2)


def test_the_workflow_from_assignment_to_closing(world: World, today: dt.date) -> None:
    community, _foreign = small_plan(world.bob)
    office, lead, other = world.oscar, world.bob, world.charlie
    with pytest.raises(Forbidden):
        services.assign(community, actor=lead, due=dt.date(2026, 6, 30), today=today)
    services.assign(community, actor=office, due=dt.date(2026, 6, 30), today=today)
    with pytest.raises(Forbidden):
        services.acknowledge(community, actor=other)
    services.acknowledge(community, actor=lead)
    services.report(community, actor=lead, progress=Decimal("30"), note="选址完成", today=today)
    with pytest.raises(DomainError) as down:
        services.report(community, actor=lead, progress=Decimal("20"), note="x", today=today)
    assert down.value.fields == {"reason": [down.value.fields["reason"][0]]}

    # Behind 序时进度 → at risk (yellow); past due → overdue (red) to the lead unit.
    assert services.sweep(dt.date(2026, 6, 1))["at_risk"] == 1
    assert Notice.objects.get(task=community).colour == "yellow"
    with pytest.raises(DomainError) as late:
        services.request_extension(
            community,
            actor=lead,
            new_due=dt.date(2026, 9, 1),
            reason="r",
            today=dt.date(2026, 7, 1),
        )
    assert late.value.code == "past_due"
    counts = services.sweep(dt.date(2026, 7, 1))
    assert counts["overdue"] == 1
    red = Notice.objects.get(task=community, colour="red")
    assert red.unit.code == "huanwan" and red.respond_by == dt.date(2026, 7, 6)
    community.refresh_from_db()
    assert community.status == "overdue"
    with pytest.raises(Conflict):
        services.close(community, actor=office)

    services.report(
        community, actor=lead, progress=Decimal("90"), note="补齐", today=dt.date(2026, 7, 2)
    )
    red.refresh_from_db()
    assert red.responded_at is not None
    services.report_completion(community, actor=lead, note="完成", evidence="验收报告")
    services.return_task(community, actor=office, reason="缺照片")
    services.report_completion(community, actor=lead, note="完成", evidence="验收报告+照片")
    services.verify(community, actor=office)
    services.close(community, actor=office)
    community.refresh_from_db()
    assert community.status == "closed"
    assert list(community.events.values_list("action", flat=True)) == [
        "assign", "acknowledge", "report", "mark_at_risk", "mark_overdue", "report",
        "report_completion", "return", "report_completion", "verify", "close",
    ]  # fmt: skip
    assert set(community.events.values_list("action", flat=True)) <= set(TRANSITIONS)


def test_an_extension_before_the_due_date_moves_it(world: World, today: dt.date) -> None:
    community, _foreign = small_plan(world.bob)
    services.assign(community, actor=world.oscar, due=dt.date(2026, 6, 30), today=today)
    services.request_extension(
        community, actor=world.bob, new_due=dt.date(2026, 9, 30), reason="汛期", today=today
    )
    with pytest.raises(Conflict):
        services.request_extension(
            community, actor=world.bob, new_due=dt.date(2026, 10, 30), reason="x", today=today
        )
    services.decide_extension(community, actor=world.oscar, approve=True)
    community.refresh_from_db()
    assert community.due == dt.date(2026, 9, 30)
    instruction = services.instruct(community, actor=world.oscar, text="加快进度")
    services.close_instruction(instruction, actor=world.oscar, note="已落实")
