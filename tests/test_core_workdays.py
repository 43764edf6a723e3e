"""Working days with 调休 and the clocks counting them (core/workdays.py, cross-cutting §3.2).

Spring Festival 2026 as the State Council published it (and chinese-calendar 1.11 holds it):
rest from Sunday 15 to Monday 23 February, Saturdays 14 and 28 February worked instead.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from nomadcloud.core.errors import DomainError
from nomadcloud.core.models import AuditEvent, Clock, Holiday, HolidayYear
from nomadcloud.core.workdays import (
    CalendarNotLoaded,
    add_working_days,
    calendar_changed,
    clock_state,
    is_working_day,
    last_loaded_year,
    load_year,
    pause_clock,
    resume_clock,
    start_clock,
    stop_clock,
    working_days_between,
)

pytestmark = pytest.mark.django_db

D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_the_migration_seeds_the_package_years() -> None:
    assert HolidayYear.objects.filter(year=2026).exists()
    assert last_loaded_year() == 2026
    festival = Holiday.objects.get(date=D(2026, 2, 17))
    assert (festival.is_working_day, festival.name_zh, festival.name_en) == (
        False,
        "春节",
        "Spring Festival",
    )


def test_the_spring_festival_tiaoxiu_weekend() -> None:
    assert is_working_day(D(2026, 2, 13))  # Friday
    assert is_working_day(D(2026, 2, 14))  # Saturday worked (调休)
    assert not is_working_day(D(2026, 2, 16))  # Monday of the holiday
    assert not is_working_day(D(2026, 2, 21))  # Saturday inside the holiday
    assert not is_working_day(D(2026, 2, 23))  # Monday, last day off
    assert is_working_day(D(2026, 2, 28))  # Saturday worked (调休)
    assert not is_working_day(D(2026, 3, 1))  # an ordinary Sunday

    start = D(2026, 2, 12)  # Thursday
    assert [add_working_days(start, n) for n in range(9)] == [
        D(2026, 2, 12),
        D(2026, 2, 13),
        D(2026, 2, 14),
        D(2026, 2, 24),
        D(2026, 2, 25),
        D(2026, 2, 26),
        D(2026, 2, 27),
        D(2026, 2, 28),
        D(2026, 3, 2),
    ]
    assert working_days_between(start, D(2026, 3, 2)) == 8
    assert working_days_between(D(2026, 3, 2), start) == -8
    assert working_days_between(D(2026, 2, 15), D(2026, 2, 23)) == 0


def test_a_deadline_past_the_last_loaded_year_is_refused() -> None:
    with pytest.raises(CalendarNotLoaded) as refused:
        add_working_days(D(2026, 12, 20), 15)
    assert refused.value.code == "calendar_not_loaded"
    assert "2027" in refused.value.message
    with pytest.raises(CalendarNotLoaded):
        is_working_day(D(2027, 1, 4))
    with pytest.raises(CalendarNotLoaded):
        start_clock("tests.thing", "T1", limit=15, at=at(D(2026, 12, 20)))
    assert not Clock.objects.exists()
    # Inside the year it still works.
    assert add_working_days(D(2026, 12, 20), 5) == D(2026, 12, 25)


def test_an_edited_day_counts_and_loading_again_keeps_the_edit() -> None:
    day = D(2026, 3, 2)  # a Monday
    Holiday.objects.create(
        date=day, is_working_day=False, name_zh="停电", name_en="Outage", source="operator"
    )
    calendar_changed()
    assert not is_working_day(day)
    load_year(2026)
    assert Holiday.objects.get(date=day).source == "operator"
    assert not is_working_day(day)
    load_year(2026, replace_operator_edits=False)
    assert Holiday.objects.filter(date=D(2026, 2, 14), is_working_day=True).exists()


def test_the_command_refuses_a_year_the_package_does_not_know() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2027"):
        call_command("load_holidays", "2027")
    call_command("load_holidays", "2026")


def test_a_clock_counts_working_days_across_the_festival() -> None:
    clock = start_clock("tests.thing", "T1", limit=15, at=at(D(2026, 2, 10)))
    # 11, 12, 13, 14 (调休), 24, 25, 26, 27, 28 (调休), 2, 3, 4, 5, 6, 9 March
    assert timezone.localtime(clock.due_at).date() == D(2026, 3, 9)
    assert timezone.localtime(clock.due_at).time() == dt.time(23, 59, 59)
    state = clock_state(clock, at(D(2026, 2, 24)))
    assert state.used_fraction == pytest.approx(5 / 15)
    assert (state.colour, state.overdue, state.remaining) == ("green", False, 10)


def test_colours_turn_yellow_at_80_percent_and_red_when_overdue() -> None:
    clock = start_clock("tests.thing", "T2", limit=5, at=at(D(2026, 3, 2)))
    assert timezone.localdate(clock.due_at) == D(2026, 3, 9)
    assert clock_state(clock, at(D(2026, 3, 4))).colour == "green"
    assert clock_state(clock, at(D(2026, 3, 6))).colour == "yellow"  # 4 of 5
    assert clock_state(clock, at(D(2026, 3, 9), 23)).colour == "yellow"
    late = clock_state(clock, at(D(2026, 3, 10)))
    assert (late.colour, late.overdue, late.remaining) == ("red", True, -1)


def test_pausing_moves_the_due_date_by_the_working_days_paused() -> None:
    clock = start_clock("tests.thing", "T3", limit=15, at=at(D(2026, 2, 10)))
    pause_clock(clock, at=at(D(2026, 2, 12)))  # waiting for the applicant's 补正
    frozen = clock_state(clock, at(D(2026, 2, 27)))
    assert frozen.paused and frozen.used_fraction == pytest.approx(2 / 15)
    # 13, 14 (调休) and 24 February went by while paused: three working days.
    resume_clock(clock, at=at(D(2026, 2, 24)))
    clock.refresh_from_db()
    assert clock.paused_days == 3 and clock.paused_at is None
    assert timezone.localdate(clock.due_at) == D(2026, 3, 12)
    assert clock_state(clock, at(D(2026, 2, 25))).used_fraction == pytest.approx(3 / 15)


def test_a_pause_within_one_day_moves_nothing() -> None:
    clock = start_clock("tests.thing", "T4", limit=3, at=at(D(2026, 3, 2)))
    due = clock.due_at
    pause_clock(clock, at=at(D(2026, 3, 3), 9))
    resume_clock(clock, at=at(D(2026, 3, 3), 17))
    assert clock.due_at == due and clock.paused_days == 0


def test_pause_and_resume_refuse_the_wrong_state() -> None:
    clock = start_clock("tests.thing", "T5", limit=3, at=at(D(2026, 3, 2)))
    with pytest.raises(Exception) as not_paused:
        resume_clock(clock, at=at(D(2026, 3, 3)))
    assert getattr(not_paused.value, "code", "") == "clock_not_paused"
    pause_clock(clock, at=at(D(2026, 3, 3)))
    with pytest.raises(Exception) as twice:
        pause_clock(clock, at=at(D(2026, 3, 3)))
    assert getattr(twice.value, "code", "") == "clock_paused"
    stop_clock(clock, at=at(D(2026, 3, 20)))
    assert clock.stopped_at == at(D(2026, 3, 3))  # stopped where it was paused
    state = clock_state(clock, at(D(2026, 4, 1)))
    assert state.stopped and not state.overdue and not state.paused
    with pytest.raises(Exception) as stopped:
        pause_clock(clock)
    assert getattr(stopped.value, "code", "") == "clock_stopped"


def test_an_hours_clock_runs_on_wall_time_and_pauses_by_the_time_paused() -> None:
    start = at(D(2026, 2, 16), 9)  # a holiday: hours clocks do not care
    clock = start_clock("tests.stay", "S1", limit=24, unit="hours", at=start)
    assert clock.due_at == start + dt.timedelta(hours=24)
    pause_clock(clock, at=start + dt.timedelta(hours=2))
    resume_clock(clock, at=start + dt.timedelta(hours=5))
    assert clock.due_at == start + dt.timedelta(hours=27)
    state = clock_state(clock, start + dt.timedelta(hours=23))
    assert state.used_fraction == pytest.approx(20 / 24) and state.colour == "yellow"
    assert clock_state(clock, start + dt.timedelta(hours=28)).colour == "red"


def test_bad_limits_are_refused() -> None:
    with pytest.raises(Exception) as zero:
        start_clock("tests.thing", "T6", limit=0, at=at(D(2026, 3, 2)))
    assert getattr(zero.value, "code", "") == "invalid_input"
    with pytest.raises(Exception) as unit:
        start_clock("tests.thing", "T6", limit=1, unit="weeks", at=at(D(2026, 3, 2)))  # type: ignore[arg-type]
    assert getattr(unit.value, "code", "") == "invalid_input"


def test_the_operator_enters_a_year_the_package_does_not_know() -> None:
    from nomadcloud.core.workdays import declare_year_loaded, remove_day, set_day

    set_day(
        D(2027, 1, 1), is_working_day=False, name_zh="元旦", name_en="New Year's Day", actor=None
    )
    with pytest.raises(CalendarNotLoaded):
        is_working_day(D(2027, 1, 4))  # entering days does not load the year by itself
    declare_year_loaded(2027, actor=None)
    assert last_loaded_year() == 2027
    assert not is_working_day(D(2027, 1, 1))
    assert is_working_day(D(2027, 1, 4))
    assert add_working_days(D(2026, 12, 30), 2) == D(2027, 1, 4)  # 31 Dec, (1 Jan off), 4 Jan
    remove_day(D(2027, 1, 1), actor=None)
    assert is_working_day(D(2027, 1, 1))
    assert list(
        AuditEvent.objects.filter(action__startswith="holiday.").values_list("action", flat=True)
    ) == ["holiday.remove", "holiday.year_loaded", "holiday.set"]
    with pytest.raises(DomainError) as unnamed:
        set_day(D(2027, 2, 6), is_working_day=False, name_zh="春节", name_en=" ", actor=None)
    assert "name_en" in unnamed.value.fields


def test_a_clock_overdue_into_a_year_not_loaded_still_shows_red() -> None:
    clock = start_clock("tests.thing", "T7", limit=3, at=at(D(2026, 12, 21)))
    state = clock_state(clock, at(D(2027, 1, 11)))
    assert state.overdue and state.colour == "red"


def test_the_clock_tag_shows_colour_due_date_and_what_is_left() -> None:
    from django.template import Context, Template
    from django.utils import translation

    clock = start_clock("tests.thing", "T8", limit=5, at=at(D(2026, 3, 2)))
    template = Template("{% load nc %}{% clock c now %}")
    with translation.override("en"):
        html = template.render(Context({"c": clock, "now": at(D(2026, 3, 6))}))
        assert 'data-colour="yellow"' in html
        assert "due 2026-03-09 23:59" in html and "(1 working day left)" in html
        late = template.render(Context({"c": clock, "now": at(D(2026, 3, 11))}))
        assert 'data-colour="red"' in late and "Overdue" in late
        assert template.render(Context({"c": None, "now": None})).strip() == ""
    with translation.override("zh-hans"):
        html = template.render(Context({"c": clock, "now": at(D(2026, 3, 3))}))
        assert "还剩 4 个工作日" in html and "截止 2026-03-09 23:59" in html
