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

from nomadcloud.accounts.models import Membership
from nomadcloud.accounts.units import resolve_unit
from nomadcloud.core import workdays
from nomadcloud.core.errors import Conflict, DomainError, Forbidden
from nomadcloud.notifications.models import Notification
from nomadcloud.supervision import importer, services
from nomadcloud.supervision.models import Notice, Plan, Task
from nomadcloud.supervision.schemas import ExtensionDraft, ReportDraft
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
    services.report(
        community,
        actor=lead,
        draft=ReportDraft(progress=Decimal("30"), note="选址完成"),
        today=today,
    )
    with pytest.raises(DomainError) as down:
        services.report(
            community, actor=lead, draft=ReportDraft(progress=Decimal("20"), note="x"), today=today
        )
    assert down.value.fields == {"reason": [down.value.fields["reason"][0]]}

    # Behind 序时进度 → at risk (yellow); past due → overdue (red) to the lead unit.
    assert services.sweep(dt.date(2026, 6, 1))["at_risk"] == 1
    assert Notice.objects.get(task=community, cause="progress").colour == "yellow"
    # 市科工信局, a responsible unit, never acknowledged: a yellow notice of its own.
    late_ack = Notice.objects.get(task=community, cause="acknowledgement")
    assert late_ack.colour == "yellow" and late_ack.unit.code == "kegongxin"
    with pytest.raises(DomainError) as late:
        services.request_extension(
            community,
            actor=lead,
            draft=ExtensionDraft(new_due=dt.date(2026, 9, 1), reason="r"),
            today=dt.date(2026, 7, 1),
        )
    assert late.value.code == "past_due" and list(late.value.fields) == ["new_due"]
    counts = services.sweep(dt.date(2026, 7, 1))
    assert counts["overdue"] == 1
    red = Notice.objects.get(task=community, colour="red")
    assert red.unit.code == "huanwan" and red.respond_by == dt.date(2026, 7, 6)
    # Each member of the lead unit is told, with a link to the task.
    told = Notification.objects.filter(kind="supervision.notice_red")
    assert {n.recipient for n in told} == {
        m.user for m in Membership.objects.filter(organisation=red.unit)
    }
    assert lead in {n.recipient for n in told}
    assert {n.url for n in told} == {f"/supervision/tasks/{community.public_id}/"}
    assert told[0].params["respond_by"] == "2026-07-06"
    assert (
        Notification.objects.filter(kind="supervision.notice_yellow", recipient=lead).count() == 1
    )
    community.refresh_from_db()
    assert community.status == "overdue"
    with pytest.raises(Conflict):
        services.close(community, actor=office)

    services.report(
        community,
        actor=lead,
        draft=ReportDraft(progress=Decimal("90"), note="补齐"),
        today=dt.date(2026, 7, 2),
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
        community,
        actor=world.bob,
        draft=ExtensionDraft(new_due=dt.date(2026, 9, 30), reason="汛期"),
        today=today,
    )
    with pytest.raises(Conflict):
        services.request_extension(
            community,
            actor=world.bob,
            draft=ExtensionDraft(new_due=dt.date(2026, 10, 30), reason="x"),
            today=today,
        )
    services.decide_extension(community, actor=world.oscar, approve=True)
    community.refresh_from_db()
    assert community.due == dt.date(2026, 9, 30)
    services.acknowledge(community, actor=world.bob)
    services.report(
        community,
        actor=world.bob,
        draft=ReportDraft(progress=Decimal("99"), note="收尾"),
        today=today,
    )
    # Due in 2 working days: blue to the lead; 市科工信局 has not acknowledged: yellow to it.
    assert services.sweep(dt.date(2026, 9, 28))["notices"] == 2
    assert Notice.objects.get(task=community, cause="progress").colour == "blue"
    instruction = services.instruct(community, actor=world.oscar, text="加快进度")
    services.close_instruction(instruction, actor=world.oscar, note="已落实")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_quarterly_evaluation_exports_and_imports_in_one_format(
    world: World, today: dt.date, fmt: str
) -> None:
    from nomadcloud.supervision import evaluation
    from nomadcloud.supervision.models import Evaluation

    community, foreign = small_plan(world.bob)
    services.assign(community, actor=world.oscar, due=dt.date(2026, 12, 31), today=today)
    services.assign(foreign, actor=world.oscar, due=dt.date(2026, 5, 29), today=today)
    services.sweep(dt.date(2026, 6, 1))  # task 2 overdue: a red notice in Q2
    rows = evaluation.rows("2026-Q2")
    assert [r["TASK"] for r in rows] == ["T-1", "T-2"]
    # Red (overdue) and yellow (its lead, 市科工信局, never acknowledged): 100 − 25 − 10.
    assert rows[1]["RED_NOTICES"] == "1" and rows[1]["YELLOW_NOTICES"] == "1"
    assert rows[1]["TIMELINESS"] == "65" and rows[1]["MILESTONES_DUE"] == "0"
    rows[0]["QUALITY"] = "5"
    sheet = evaluation.export_xlsx(rows) if fmt == "xlsx" else evaluation.export_csv(rows).encode()
    assert evaluation.import_file(f"q2.{fmt}", sheet, actor=world.oscar) == 2
    stored = Evaluation.objects.get(task=community)
    assert stored.quality == 5
    again = evaluation.rows("2026-Q2")
    assert again[0]["QUALITY"] == "5" and Decimal(again[0]["SCORE"]) == stored.score
    assert evaluation.ranking(again)[0][1] >= evaluation.ranking(again)[-1][1]
    bad = evaluation.export_csv(again).replace(",5,", ",9,").encode()
    with translation.override("en"), pytest.raises(evaluation.EvaluationRefused) as refused:
        evaluation.import_file("bad.csv", bad, actor=world.oscar)
    assert refused.value.errors[0].startswith("line 2")
    with pytest.raises(Forbidden):
        evaluation.import_file("q2.csv", sheet, actor=world.bob)


def test_the_import_page_proposes_then_creates(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import client_for

    plan_units()
    client = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en")

    def post(confirm: bool) -> object:
        upload = SimpleUploadedFile("t.txt", SMALL_PLAN.encode(), content_type="text/plain")
        data = {"code": "T", "title": "test", "file": upload}
        return client.post("/supervision/import/", data | ({"confirm": "on"} if confirm else {}))

    preview = post(False)
    assert preview.status_code == 200 and "市政府环湾办" in preview.content.decode()  # type: ignore[attr-defined]
    assert not Plan.objects.exists()
    assert post(True).status_code == 302  # type: ignore[attr-defined]
    assert Task.objects.filter(plan__code="T").count() == 2
    page = client.get(f"/supervision/tasks/{Task.objects.get(code='T-1').public_id}/")
    assert page.status_code == 200 and "action-assign" in page.content.decode()
    assert client.get("/supervision/evaluation/?quarter=2026-Q2").status_code == 200
    assert client.get("/supervision/evaluation.csv?quarter=2026-Q2").status_code == 200
