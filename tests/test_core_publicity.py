"""公示 and 异议 (core/publicity.py, cross-cutting §3.6): a subject advances only after its
notice has ended with no objection pending or upheld; who decides is the owning app's say."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from nomadcloud.core import publicity
from nomadcloud.core.errors import DomainError
from nomadcloud.core.models import AuditEvent, Objection, PublicNotice
from nomadcloud.core.publicity import (
    ObjectionDecided,
    assert_may_advance,
    decide_objection,
    file_objection,
    notice_for,
    open_notice,
    register_subject,
)
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

KIND = "tests.community"
TITLE = {"zh-Hans": "拟认定社区公示", "en": "Proposed community designation"}
BODY = {"zh-Hans": "公示期内可提出异议。", "en": "Objections may be filed while it is open."}


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


OPENED = at(dt.date(2026, 2, 12))  # Thursday before the Spring Festival


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    return {
        "operator": make_person("Operator", "operator@example.com"),
        "neighbour": make_person("Neighbour", "neighbour@example.com"),
        "stranger": make_person("Stranger", "stranger@example.com"),
    }


@pytest.fixture(autouse=True)
def registered() -> Iterator[list[ObjectionDecided]]:
    decided: list[ObjectionDecided] = []
    register_subject(
        KIND,
        may_decide=lambda user, notice: user.email == "operator@example.com",
        url=lambda subject_id: f"/communities/{subject_id}/",
    )
    publicity.objection_decided.connect(decided.append, uid="tests")
    yield decided
    publicity.objection_decided.disconnect("tests")
    publicity._SUBJECTS.pop(KIND, None)


def notice(people: dict[str, Any], days: int = 3) -> PublicNotice:
    return open_notice(
        subject_kind=KIND,
        subject_id="C-1",
        title=TITLE,
        body=BODY,
        working_days=days,
        actor=people["operator"],
        at=OPENED,
    )


def code_of(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return exc.value.code


def test_a_notice_runs_for_working_days_across_the_festival(people: dict[str, Any]) -> None:
    n = notice(people)
    # 13 and 14 (调休) February, then 24 February after the holiday.
    assert timezone.localtime(n.ends_at) == at(dt.date(2026, 2, 24), 23).replace(
        minute=59, second=59
    )
    assert n.status == PublicNotice.Status.OPEN
    assert notice_for(KIND, "C-1") == n
    assert publicity.subject_url(n) == "/communities/C-1/"
    assert AuditEvent.objects.filter(action="publicity.open", object_id=str(n.pk)).exists()


def test_the_subject_may_not_advance_while_the_notice_is_open(people: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as missing:
        assert_may_advance(KIND, "C-1", now=OPENED)
    assert code_of(missing) == "publicity_missing"
    assert_may_advance(KIND, "C-1", required=False, now=OPENED)
    notice(people)
    with pytest.raises(DomainError) as still_open:
        assert_may_advance(KIND, "C-1", now=at(dt.date(2026, 2, 24)))
    assert code_of(still_open) == "publicity_open"
    assert_may_advance(KIND, "C-1", now=at(dt.date(2026, 2, 25)))
    with pytest.raises(DomainError) as twice:
        notice(people)
    assert code_of(twice) == "publicity_open"


def test_a_pending_objection_blocks_until_dismissed(
    people: dict[str, Any], registered: list[ObjectionDecided]
) -> None:
    n = notice(people)
    objection = file_objection(
        n,
        actor=people["neighbour"],
        grounds="The community has no fire exit.",
        evidence="Photo taken on 2026-02-10.",
        at=at(dt.date(2026, 2, 20)),
    )
    after = at(dt.date(2026, 3, 2))
    with pytest.raises(DomainError) as pending:
        assert_may_advance(KIND, "C-1", now=after)
    assert code_of(pending) == "objection_pending"

    decide_objection(
        objection, actor=people["operator"], upheld=False, reason="A fire exit was inspected."
    )
    assert objection.status == Objection.Status.DISMISSED
    assert objection.decided_by == people["operator"]
    assert registered == [
        ObjectionDecided(
            notice_id=n.pk,
            subject_kind=KIND,
            subject_id="C-1",
            objection_id=objection.pk,
            upheld=False,
        )
    ]
    assert_may_advance(KIND, "C-1", now=after)


def test_an_upheld_objection_keeps_blocking(people: dict[str, Any]) -> None:
    n = notice(people)
    objection = file_objection(n, actor=people["neighbour"], grounds="Wrong address.", at=OPENED)
    decide_objection(objection, actor=people["operator"], upheld=True, reason="Confirmed.")
    with pytest.raises(DomainError) as upheld:
        assert_may_advance(KIND, "C-1", now=at(dt.date(2026, 3, 2)))
    assert code_of(upheld) == "objection_upheld"


def test_only_whom_the_owning_app_names_decides(people: dict[str, Any]) -> None:
    n = notice(people)
    objection = file_objection(n, actor=people["neighbour"], grounds="Noise.", at=OPENED)
    for who in (people["stranger"], people["neighbour"]):
        with pytest.raises(DomainError) as refused:
            decide_objection(objection, actor=who, upheld=True, reason="Because.")
        assert refused.value.status == 403
    with pytest.raises(DomainError) as no_reason:
        decide_objection(objection, actor=people["operator"], upheld=True, reason="  ")
    assert no_reason.value.fields == {"reason": [no_reason.value.message]}
    decide_objection(objection, actor=people["operator"], upheld=False, reason="Checked.")
    with pytest.raises(DomainError) as again:
        decide_objection(objection, actor=people["operator"], upheld=True, reason="Changed.")
    assert code_of(again) == "objection_decided"


def test_an_operator_who_objects_does_not_decide_their_own_objection(
    people: dict[str, Any],
) -> None:
    n = notice(people)
    own = file_objection(n, actor=people["operator"], grounds="Typo in title.", at=OPENED)
    with pytest.raises(DomainError) as refused:
        decide_objection(own, actor=people["operator"], upheld=True, reason="Yes.")
    assert refused.value.status == 403


def test_objections_close_with_the_notice_and_need_grounds(people: dict[str, Any]) -> None:
    n = notice(people)
    with pytest.raises(DomainError) as empty:
        file_objection(n, actor=people["neighbour"], grounds=" ", at=OPENED)
    assert "grounds" in empty.value.fields
    with pytest.raises(DomainError) as late:
        file_objection(n, actor=people["neighbour"], grounds="Late.", at=at(dt.date(2026, 2, 25)))
    assert code_of(late) == "publicity_closed"
    assert publicity.close_ended_notices(at(dt.date(2026, 2, 25))) == 1
    n.refresh_from_db()
    assert n.status == PublicNotice.Status.CLOSED


def test_notices_need_both_languages_and_a_known_kind(people: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as chinese_only:
        open_notice(
            subject_kind=KIND,
            subject_id="C-2",
            title={"zh-Hans": "只有中文"},
            body=BODY,
            working_days=3,
            actor=people["operator"],
            at=OPENED,
        )
    assert "title" in chinese_only.value.fields
    with pytest.raises(DomainError) as unknown:
        open_notice(
            subject_kind="tests.unknown",
            subject_id="X",
            title=TITLE,
            body=BODY,
            working_days=3,
            actor=people["operator"],
            at=OPENED,
        )
    assert code_of(unknown) == "unknown_subject"
    with pytest.raises(DomainError) as past_calendar:
        open_notice(
            subject_kind=KIND,
            subject_id="C-3",
            title=TITLE,
            body=BODY,
            working_days=10,
            actor=people["operator"],
            at=at(dt.date(2026, 12, 28)),
        )
    assert code_of(past_calendar) == "calendar_not_loaded"


def test_the_objectors_export_lists_their_objections(people: dict[str, Any]) -> None:
    from nomadcloud.core import personal_data

    n = notice(people)
    file_objection(n, actor=people["neighbour"], grounds="Noise at night.", at=OPENED)
    exported = personal_data.export(people["neighbour"])["objections"]
    assert [(o["grounds"], o["status"]) for o in exported] == [("Noise at night.", "pending")]
    assert personal_data.export(people["stranger"])["objections"] == []
