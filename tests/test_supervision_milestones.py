"""Supervision beyond the workflow (decision 0065): milestones shape 序时进度 and the sweep's
yellow notice and count in the quarterly evaluation; each unit acknowledges (签收) on its own
with a reminder and then a notice; sub-tasks without cycles; the iCalendar of milestones;
and the specification's bad inputs, each refused naming its field with nothing changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation
from icalendar import Calendar

from nomadcloud.core import workdays
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.notifications.models import Notification
from nomadcloud.supervision import evaluation, services
from nomadcloud.supervision.models import Acknowledgement, Milestone, Notice, Task
from nomadcloud.supervision.schemas import (
    ExtensionDraft,
    MilestoneDoneDraft,
    MilestoneDraft,
    ParentDraft,
    ReportDraft,
    SubTaskDraft,
)
from tests.builders.supervision import small_plan
from tests.conftest import World, client_for

MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def today() -> Iterator[dt.date]:
    for year in (2026, 2027):
        workdays.declare_year_loaded(year, actor=None)
    yield MONDAY


def _milestone(due: dt.date, target: str, weight: int = 1, name: str = "m") -> MilestoneDraft:
    return MilestoneDraft(
        title={"zh-Hans": f"里程碑{name}", "en": f"Milestone {name}"},
        due=due,
        weight=weight,
        target=Decimal(target),
    )


def _report(progress: str, note: str = "进展", **more: str) -> ReportDraft:
    return ReportDraft(progress=Decimal(progress), note=note, **more)


def test_milestones_set_the_expected_progress_and_the_sweep_follows_them(
    world: World, today: dt.date
) -> None:
    community, foreign = small_plan(world.bob)
    office = world.oscar
    # Set up while a draft, then assigned: 50 % expected by 1 April, 100 % on the due date.
    services.add_milestone(community, actor=office, draft=_milestone(dt.date(2026, 4, 1), "50"))
    services.assign(community, actor=office, due=dt.date(2026, 6, 30), today=today)
    services.assign(foreign, actor=office, due=dt.date(2026, 6, 30), today=today)
    community.refresh_from_db()
    foreign.refresh_from_db()
    assert services.expected_progress(community, dt.date(2026, 3, 17)) == Decimal("25.00")
    assert services.expected_progress(community, dt.date(2026, 4, 1)) == Decimal("50")
    assert services.expected_progress(community, dt.date(2026, 6, 30)) == Decimal("100")
    # Without milestones, the straight line from assignment to the due date (30 of 120 days).
    assert services.expected_progress(foreign, dt.date(2026, 4, 1)) == Decimal("25.00")

    services.acknowledge(community, actor=world.bob)
    services.report(community, actor=world.bob, draft=_report("35"), today=today)
    services.acknowledge(foreign, actor=world.wendy)
    services.report(foreign, actor=world.wendy, draft=_report("20"), today=today)
    # 35 % against 50 % from the milestone: at risk; 20 % against the straight 25 %: not.
    assert services.sweep(dt.date(2026, 4, 1))["at_risk"] == 1
    community.refresh_from_db()
    foreign.refresh_from_db()
    assert (community.status, foreign.status) == ("at_risk", "in_progress")
    yellow = Notice.objects.get(task=community, cause="progress")
    assert yellow.colour == "yellow" and "50" in yellow.reason


def test_bad_milestones_are_refused_naming_the_field(world: World, today: dt.date) -> None:
    community, _foreign = small_plan(world.bob)
    office = world.oscar
    services.assign(community, actor=office, due=dt.date(2026, 6, 30), today=today)
    services.add_milestone(community, actor=office, draft=_milestone(dt.date(2026, 4, 1), "50"))
    events = community.events.count()

    def refused(draft: MilestoneDraft, field: str) -> InvalidInput:
        with translation.override("en"), pytest.raises(InvalidInput) as error:
            services.add_milestone(community, actor=office, draft=draft)
        assert list(error.value.fields) == [field], error.value.fields
        return error.value

    after = refused(_milestone(dt.date(2026, 7, 1), "90"), "due")
    assert after.code == "after_task_due" and "2026-06-30" in after.message
    assert refused(_milestone(dt.date(2026, 5, 1), "40"), "target").code == "target_decreasing"
    assert refused(_milestone(dt.date(2026, 3, 15), "60"), "target").code == "target_decreasing"
    for field, value in (("weight", 0), ("weight", 101), ("target", "100.5"), ("target", -1)):
        data = {"title": {"zh-Hans": "x", "en": "x"}, "due": "2026-05-01", "weight": 1}
        with pytest.raises(InvalidInput) as error:
            parse_draft(MilestoneDraft, {"target": "60", **data, field: value})
        assert list(error.value.fields) == [field]
    with pytest.raises(InvalidInput) as untitled:
        parse_draft(MilestoneDraft, {"title": {"en": "x"}, "due": "2026-05-01", "target": 1})
    assert list(untitled.value.fields) == ["title"]
    assert Milestone.objects.filter(task=community).count() == 1
    assert community.events.count() == events

    # Past the due date until an extension moves it; then the milestone fits.
    services.request_extension(
        community,
        actor=world.bob,
        draft=ExtensionDraft(new_due=dt.date(2026, 9, 30), reason="汛期"),
        today=today,
    )
    services.decide_extension(community, actor=office, approve=True)
    community.refresh_from_db()
    late = services.add_milestone(
        community, actor=office, draft=_milestone(dt.date(2026, 7, 1), "90")
    )
    with pytest.raises(InvalidInput) as moved:
        services.edit_milestone(late, actor=office, draft=_milestone(dt.date(2026, 10, 1), "90"))
    assert list(moved.value.fields) == ["due"]
    services.edit_milestone(late, actor=office, draft=_milestone(dt.date(2026, 8, 1), "95"))
    with pytest.raises(Forbidden):
        services.edit_milestone(late, actor=world.bob, draft=_milestone(dt.date(2026, 8, 1), "95"))


def test_a_lead_reports_a_milestone_done_and_the_evaluation_counts_it(
    world: World, today: dt.date
) -> None:
    community, _foreign = small_plan(world.bob)
    office, lead = world.oscar, world.bob
    services.assign(community, actor=office, due=dt.date(2026, 12, 31), today=today)
    first = services.add_milestone(
        community, actor=office, draft=_milestone(dt.date(2026, 4, 1), "30", weight=1, name="1")
    )
    second = services.add_milestone(
        community, actor=office, draft=_milestone(dt.date(2026, 5, 1), "60", weight=3, name="2")
    )
    done = MilestoneDoneDraft(done_on=dt.date(2026, 3, 30), evidence="会议纪要")
    with pytest.raises(Conflict):  # not acknowledged yet: the task is not open
        services.complete_milestone(first, actor=lead, draft=done, today=dt.date(2026, 3, 31))
    services.acknowledge(community, actor=lead)
    with pytest.raises(Forbidden) as responsible:  # 市科工信局 is only responsible
        services.complete_milestone(first, actor=world.wendy, draft=done, today=today)
    assert responsible.value.code == "not_lead_unit"
    with pytest.raises(InvalidInput) as future:
        services.complete_milestone(first, actor=lead, draft=done, today=dt.date(2026, 3, 29))
    assert list(future.value.fields) == ["done_on"]
    services.complete_milestone(first, actor=lead, draft=done, today=dt.date(2026, 3, 31))
    with pytest.raises(Conflict) as again:
        services.complete_milestone(first, actor=lead, draft=done, today=dt.date(2026, 3, 31))
    assert again.value.code == "already_done"
    with pytest.raises(Conflict) as fixed:
        services.edit_milestone(first, actor=office, draft=_milestone(dt.date(2026, 4, 2), "30"))
    assert fixed.value.code == "milestone_done"
    services.complete_milestone(
        second,
        actor=lead,
        draft=MilestoneDoneDraft(done_on=dt.date(2026, 5, 6), evidence="上线截图"),
        today=dt.date(2026, 5, 6),
    )
    first.refresh_from_db()
    assert first.on_time and first.done_unit is not None and first.done_unit.code == "huanwan"

    # Q2: both due; the first (weight 1) on time, the second (weight 3) late → 25 %.
    (row,) = [r for r in evaluation.rows("2026-Q2") if r["TASK"] == "T-1"]
    assert (row["MILESTONES_DUE"], row["MILESTONES_ON_TIME"]) == ("2", "1")
    assert row["TIMELINESS"] == "25.0"
    # Q1: none due yet → 100.
    (row,) = [r for r in evaluation.rows("2026-Q1") if r["TASK"] == "T-1"]
    assert (row["MILESTONES_DUE"], row["TIMELINESS"]) == ("0", "100")
    sheet = evaluation.export_csv(evaluation.rows("2026-Q2"))
    assert sheet.splitlines()[0].split(",") == evaluation.COLUMNS
    assert evaluation.import_file("q2.csv", sheet.encode(), actor=office) == 1


def test_each_unit_acknowledges_on_its_own_with_a_reminder_then_a_notice(
    world: World, today: dt.date
) -> None:
    community, _foreign = small_plan(world.bob)
    services.assign(community, actor=world.oscar, due=dt.date(2026, 6, 30), today=today)
    rows = {a.unit.code: a for a in Acknowledgement.objects.filter(task=community)}
    assert {code: a.lead for code, a in rows.items()} == {"huanwan": True, "kegongxin": False}
    assert {a.due_by for a in rows.values()} == {dt.date(2026, 3, 5)}  # 3 working days

    with pytest.raises(Forbidden) as outsider:
        services.acknowledge(community, actor=world.charlie)
    assert outsider.value.code == "not_on_task"
    services.acknowledge(community, actor=world.wendy)  # the responsible unit first
    community.refresh_from_db()
    assert community.status == "assigned"  # the lead has not acknowledged yet
    with pytest.raises(Conflict) as twice:
        services.acknowledge(community, actor=world.wendy)
    assert twice.value.code == "already_acknowledged"

    assert services.sweep(dt.date(2026, 3, 3))["reminded"] == 0
    assert services.sweep(dt.date(2026, 3, 4))["reminded"] == 1  # due on the next working day
    assert services.sweep(dt.date(2026, 3, 5))["reminded"] == 0  # once
    reminded = Notification.objects.filter(kind="supervision.acknowledge_reminder")
    assert {n.recipient for n in reminded} == {world.bob}
    assert reminded[0].params["due"] == "2026-03-05"
    services.sweep(dt.date(2026, 3, 6))
    notice = Notice.objects.get(task=community, cause="acknowledgement")
    assert (notice.colour, notice.unit.code) == ("yellow", "huanwan")
    assert Notification.objects.filter(
        kind="supervision.notice_unacknowledged", recipient=world.bob
    ).exists()

    services.acknowledge(community, actor=world.bob)
    community.refresh_from_db()
    notice.refresh_from_db()
    assert community.status == "acknowledged" and notice.responded_at is not None
    acked = Acknowledgement.objects.get(task=community, unit__code="huanwan")
    assert acked.acknowledged_by == world.bob and acked.acknowledged_at is not None
    assert list(community.events.values_list("action", "unit__code")) == [
        ("assign", None),
        ("acknowledge", "kegongxin"),
        ("acknowledge", "huanwan"),
    ]


def test_subtasks_two_leads_and_no_cycles(world: World, today: dt.date) -> None:
    community, foreign = small_plan(world.bob)
    office = world.oscar
    services.assign(community, actor=office, due=dt.date(2026, 6, 30), today=today)

    with translation.override("en"), pytest.raises(InvalidInput) as unknown:
        services.create_subtask(
            community, actor=office, draft=SubTaskDraft(title="x", leads=["市科工局"])
        )
    assert list(unknown.value.fields) == ["leads"] and "Did you mean" in unknown.value.message
    with pytest.raises(InvalidInput) as no_lead:
        services.create_subtask(community, actor=office, draft=SubTaskDraft(title="x", leads=[]))
    assert list(no_lead.value.fields) == ["leads"]
    assert not community.children.exists()

    child = services.create_subtask(
        community,
        actor=office,
        draft=SubTaskDraft(
            title="选址", leads=["市政府环湾办", "科工信局"], responsibles=["市人社局"]
        ),
    )
    assert child.code == "T-1.1" and child.parent == community and child.status == "draft"
    with pytest.raises(InvalidInput) as after_parent:
        services.assign(child, actor=office, due=dt.date(2026, 7, 31), today=today)
    assert list(after_parent.value.fields) == ["due"]
    services.assign(child, actor=office, due=dt.date(2026, 5, 29), today=today)
    with pytest.raises(InvalidInput) as extension:
        services.request_extension(
            child,
            actor=world.bob,
            draft=ExtensionDraft(new_due=dt.date(2026, 7, 31), reason="r"),
            today=today,
        )
    assert list(extension.value.fields) == ["new_due"]

    # Two lead units: acknowledged only once both have.
    services.acknowledge(child, actor=world.bob)
    child.refresh_from_db()
    assert child.status == "assigned"
    services.acknowledge(child, actor=world.wendy)
    child.refresh_from_db()
    assert child.status == "acknowledged"

    for code in ("T-1", "T-1.1"):  # under itself, or under its own sub-task
        with pytest.raises(InvalidInput) as cycle:
            services.set_parent(community, actor=office, draft=ParentDraft(parent=code))
        assert cycle.value.code == "cycle" and list(cycle.value.fields) == ["parent"]
    grandchild = services.create_subtask(
        child, actor=office, draft=SubTaskDraft(title="征地", leads=["市政府环湾办"])
    )
    with pytest.raises(InvalidInput):
        services.set_parent(community, actor=office, draft=ParentDraft(parent=grandchild.code))
    services.set_parent(foreign, actor=office, draft=ParentDraft(parent="T-1"))
    foreign.refresh_from_db()
    assert foreign.parent == community
    services.set_parent(foreign, actor=office, draft=ParentDraft(parent=""))
    foreign.refresh_from_db()
    assert foreign.parent is None and community.parent is None


def test_the_reports_bad_inputs(world: World, today: dt.date) -> None:
    community, _foreign = small_plan(world.bob)
    services.assign(community, actor=world.oscar, due=dt.date(2026, 6, 30), today=today)
    services.acknowledge(community, actor=world.bob)
    services.report(community, actor=world.bob, draft=_report("40"), today=today)
    events = community.events.count()
    with pytest.raises(InvalidInput) as future:
        services.report(
            community, actor=world.bob, draft=_report("45", period="2026-04"), today=today
        )
    assert future.value.code == "future_period" and list(future.value.fields) == ["period"]
    with pytest.raises(InvalidInput) as down:
        services.report(community, actor=world.bob, draft=_report("30"), today=today)
    assert list(down.value.fields) == ["reason"]
    with pytest.raises(Forbidden) as stranger:
        services.report(community, actor=world.charlie, draft=_report("50"), today=today)
    assert stranger.value.code == "not_on_task"
    with pytest.raises(InvalidInput) as month:
        parse_draft(ReportDraft, {"progress": "50", "note": "x", "period": "2026-13"})
    assert list(month.value.fields) == ["period"]
    with pytest.raises(DomainError) as closing:
        services.close(community, actor=world.oscar)
    assert closing.value.code == "not_verified"
    assert community.events.count() == events

    # A responsible unit's first report is also its 签收; a past quarter is fine.
    services.report(
        community, actor=world.wendy, draft=_report("10", period="2026-Q1"), today=today
    )
    assert Acknowledgement.objects.get(task=community, unit__code="kegongxin").acknowledged_at
    assert community.events.last().period == "2026-Q1"  # type: ignore[union-attr]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_icalendar_of_milestones_per_task_and_per_unit(
    world: World, today: dt.date, language: str
) -> None:
    community, _foreign = small_plan(world.bob)
    services.add_milestone(
        community, actor=world.oscar, draft=_milestone(dt.date(2026, 4, 1), "50")
    )
    services.assign(community, actor=world.oscar, due=dt.date(2026, 6, 30), today=today)
    milestone = Milestone.objects.get(task=community)
    wendy = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE=language)

    path = f"/supervision/tasks/{community.public_id}/milestones.ics"
    answer = wendy.get(path)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(answer.content).walk("VEVENT")
    by_uid = {str(e["UID"]): e for e in events}
    entry = by_uid[f"milestone-{milestone.public_id}@nomadcloud.example"]
    assert entry.decoded("DTSTART") == dt.date(2026, 4, 1)  # an all-day date, not a time
    assert entry.decoded("DTEND") == dt.date(2026, 4, 2)
    expected = "Milestone m" if language == "en" else "里程碑m"
    assert expected in str(entry["SUMMARY"]) and "T-1" in str(entry["SUMMARY"])
    due = by_uid[f"task-due-{community.public_id}@nomadcloud.example"]
    assert due.decoded("DTSTART") == dt.date(2026, 6, 30)
    again = Calendar.from_ical(wendy.get(path).content).walk("VEVENT")
    assert {str(e["UID"]) for e in again} == set(by_uid)  # stable UIDs

    unit = Task.objects.get(code="T-1").responsibles.get(code="kegongxin")
    feed = wendy.get(f"/supervision/units/{unit.public_id}/calendar.ics")
    uids = {str(e["UID"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert f"milestone-{milestone.public_id}@nomadcloud.example" in uids

    outsider = client_for(world.charlie)
    assert outsider.get(path).status_code == 404
    assert outsider.get(f"/supervision/units/{unit.public_id}/calendar.ics").status_code == 404


def test_the_task_page_adds_a_milestone_and_shows_refusals_on_the_field(
    world: World, today: dt.date
) -> None:
    community, _foreign = small_plan(world.bob)
    services.assign(community, actor=world.oscar, due=dt.date(2026, 6, 30), today=today)
    office = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en")
    path = f"/supervision/tasks/{community.public_id}/"
    data = {
        "action": "add_milestone",
        "title_zh-Hans": "选址",
        "title_en": "Site chosen",
        "due": "2026-07-15",
        "weight": "2",
        "target": "40",
    }
    refused = office.post(path, data)
    assert refused.status_code == 422
    assert "after the task&#x27;s due date" in refused.content.decode()
    assert not Milestone.objects.exists()
    assert office.post(path, {**data, "due": "2026-04-15"}).status_code == 302
    milestone = Milestone.objects.get(task=community)
    assert milestone.title == {"zh-Hans": "选址", "en": "Site chosen"} and milestone.weight == 2
    page = office.get(path).content.decode()
    assert "Site chosen" in page and "Milestone added" in page
    edit = office.post(f"/supervision/milestones/{milestone.public_id}/", {**data, "target": "120"})
    assert edit.status_code == 422
    lead = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en")
    assert lead.post(f"/supervision/milestones/{milestone.public_id}/", data).status_code == 403
    assert lead.post(path, {"action": "acknowledge"}).status_code == 302
    done = {"action": "complete_milestone", "milestone": str(milestone.public_id)}
    answer = lead.post(path, {**done, "done_on": "2026-03-02", "evidence": "选址报告"})
    assert answer.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on is not None and milestone.evidence == "选址报告"
