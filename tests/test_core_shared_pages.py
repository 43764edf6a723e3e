"""The pages of core's shared modules: the public 公示 list, a notice with its objection form,
the decision page (only whom the owning app names), the zone operator's holiday calendar."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import timezone

from nomadcloud.core import publicity, workdays
from nomadcloud.core.models import Holiday, HolidayYear, Objection, PublicNotice
from tests.conftest import World, client_for

KIND = "tests.listing"


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    publicity.register_subject(
        KIND,
        may_decide=lambda user, notice: user.email.startswith("oscar"),
        url=lambda subject_id: f"/somewhere/{subject_id}/",
    )
    yield
    publicity._SUBJECTS.pop(KIND, None)


def _notice(w: World) -> PublicNotice:
    # Whatever today is, the notice's few working days are inside loaded years.
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        workdays.declare_year_loaded(year, actor=None)
    return publicity.open_notice(
        subject_kind=KIND,
        subject_id="L-7",
        title={"zh-Hans": "拟评选结果公示", "en": "Proposed winners"},
        body={"zh-Hans": "如有异议请提出。", "en": "Object if you disagree."},
        working_days=5,
        actor=w.oscar,
    )


def test_the_public_list_and_a_notice_need_no_sign_in(world: World) -> None:
    n = _notice(world)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/publicity/").content.decode()
    assert "Proposed winners" in page and f"/publicity/{n.pk}/" in page
    detail = Client().get(f"/publicity/{n.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "拟评选结果公示" in text and "/somewhere/L-7/" in text
    assert "/accounts/login/" in text  # a visitor is asked to sign in to object
    assert 'data-testid="objection-form"' not in text


def test_filing_and_deciding_an_objection_through_the_pages(world: World) -> None:
    n = _notice(world)
    charlie = client_for(world.charlie)
    refused = charlie.post(f"/publicity/{n.pk}/", {"grounds": " ", "evidence": ""})
    assert refused.status_code == 422
    filed = charlie.post(f"/publicity/{n.pk}/", {"grounds": "The winner did not enter."})
    assert filed.status_code == 302
    objection = Objection.objects.get(notice=n)
    assert objection.filed_by == world.charlie
    assert "The winner did not enter." in charlie.get(f"/publicity/{n.pk}/").content.decode()

    # Only the decider named by the owning app sees or decides it.
    assert charlie.get(f"/publicity/objections/{objection.pk}/").status_code == 404
    assert client_for(world.olivia).get(f"/publicity/objections/{objection.pk}/").status_code == 404
    oscar = client_for(world.oscar)
    assert (
        f"/publicity/objections/{objection.pk}/"
        in oscar.get(f"/publicity/{n.pk}/").content.decode()
    )
    assert (
        oscar.post(f"/publicity/objections/{objection.pk}/", {"upheld": "yes"}).status_code == 422
    )
    decided = oscar.post(
        f"/publicity/objections/{objection.pk}/", {"upheld": "no", "reason": "Entry form found."}
    )
    assert decided.status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.reason) == ("dismissed", "Entry form found.")
    assert "Entry form found." in Client().get(f"/publicity/{n.pk}/").content.decode()


def test_the_holiday_calendar_is_the_zone_operators(world: World) -> None:
    assert Client().get("/holidays/").status_code == 302  # to sign in
    assert client_for(world.olivia).get("/holidays/?year=2026").status_code == 404
    oscar = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en")
    page = oscar.get("/holidays/?year=2026").content.decode()
    assert "2026-02-14" in page and "Spring Festival" in page

    saved = oscar.post(
        "/holidays/",
        {
            "form": "day",
            "date": "2031-01-01",
            "is_working_day": "no",
            "name_zh": "元旦",
            "name_en": "New Year's Day",
        },
    )
    assert saved.status_code == 302
    assert Holiday.objects.get(date="2031-01-01").source == "operator"
    assert not HolidayYear.objects.filter(year=2031).exists()
    assert 'data-testid="year-not-loaded"' in oscar.get("/holidays/?year=2031").content.decode()
    assert oscar.post("/holidays/", {"form": "year", "year": "2031"}).status_code == 302
    assert HolidayYear.objects.get(year=2031).source == "operator"
    assert oscar.post("/holidays/", {"form": "remove", "date": "2031-01-01"}).status_code == 302
    assert not Holiday.objects.filter(date="2031-01-01").exists()
    assert oscar.post("/holidays/", {"form": "year", "year": "1990"}).status_code == 422
