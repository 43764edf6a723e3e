"""The order and conversion pages: what each person is offered on an order's page, refusals
shown as messages, deliverable downloads, the conversion report and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.orders import conversions, services
from nomadcloud.orders.models import Conversion, Order
from tests.builders.demands import make_concepts
from tests.builders.orders import (
    BUILDERS,
    PDF,
    accepted_order,
    as_,
    delivered_order,
    disputed_order,
    in_progress_order,
    milestone_rows,
    open_order,
    with_deliverable,
)
from tests.conftest import World, client_for, credit_code, database_fingerprint
from tests.helpers import assert_page_refused


def in_english(user: Any) -> Any:
    """A signed-in client reading in English (the cookie overrides the saved choice)."""
    client = client_for(user)
    client.cookies["nomadcloud_language"] = "en"
    return client


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.fixture(autouse=True)
def _concepts(db: None) -> None:
    make_concepts()


def page(user: Any, path: str) -> str:
    client = client_for(user)
    client.cookies["nomadcloud_language"] = "en"
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("state", list(BUILDERS))
def test_every_state_renders_for_both_parties_and_the_operator(world: World, state: str) -> None:
    order = BUILDERS[state](world)
    for person in (world.olivia, world.oscar, world.rita):
        assert f'data-status="{state}"' in page(person, f"/orders/{order.public_id}/")
    if order.nomad is not None:
        assert f'data-status="{state}"' in page(world.wendy, f"/orders/{order.public_id}/")


def test_each_person_is_offered_only_their_moves(world: World) -> None:
    order = delivered_order(world)
    path = f"/orders/{order.public_id}/"
    owner = page(world.olivia, path)
    assert 'data-testid="action-accepted"' in owner
    assert 'data-testid="request-revision"' in owner and 'data-testid="open-dispute"' in owner
    nomad = page(world.wendy, path)
    assert 'data-testid="action-accepted"' not in nomad and 'data-testid="open-dispute"' in nomad
    readonly = page(world.rita, path)
    assert 'data-testid="action-' not in readonly and 'data-testid="open-dispute"' not in readonly
    assert "automatically 7 days after delivery" in owner


def test_the_market_shows_open_orders_and_offers_to_apply(world: World) -> None:
    order = open_order(world)
    market = page(world.charlie, "/orders/")
    assert "Data dashboard" in market
    assert 'data-testid="apply"' in page(world.charlie, f"/orders/{order.public_id}/")
    assert 'data-testid="apply"' not in page(world.olivia, f"/orders/{order.public_id}/")


def test_a_refused_move_comes_back_as_a_message(world: World) -> None:
    order = open_order(world)
    client = in_english(world.olivia)
    before = database_fingerprint()
    response = client.post(
        f"/orders/{order.public_id}/transition/",
        {"to": "settled", "confirm": "yes"},
        HTTP_REFERER=f"/orders/{order.public_id}/",
        follow=True,
    )
    assert "An order that is “Open” cannot become “Settled”." in response.content.decode()
    assert database_fingerprint() == before


def test_accepting_is_confirmed_milestone_by_milestone(world: World) -> None:
    """The enterprise sees what accepting a milestone does and its amount before it
    confirms; a POST without the confirmation changes nothing; the last milestone completes
    the order."""
    order = delivered_order(world)
    client = in_english(world.olivia)
    detail = f"/orders/{order.public_id}/"
    accept = f"/orders/{order.public_id}/milestones/1/accept/"
    assert accept in page(world.olivia, detail)
    confirm = client.get(accept).content.decode()
    assert "¥1,200.50" in confirm and "Wendy Reviewer" in confirm
    assert "The order goes back to work on the next milestone" in confirm
    assert 'name="confirm" value="yes"' in confirm
    before = database_fingerprint()
    for path, data in ((accept, {}), (f"{detail}transition/", {"to": "accepted"})):
        refused = client.post(path, data, HTTP_REFERER=detail, follow=True)
        assert "must be confirmed on its confirmation page" in refused.content.decode()
        assert database_fingerprint() == before
    early = client.post(
        f"/orders/{order.public_id}/milestones/2/accept/",
        {"confirm": "yes"},
        HTTP_REFERER=detail,
        follow=True,
    )
    assert "Milestone 2 “上线 Launch” cannot be accepted" in early.content.decode()
    assert database_fingerprint() == before
    assert client.post(accept, {"confirm": "yes"}).status_code == 302
    order = Order.objects.get(pk=order.pk)
    assert order.status == "in_progress"
    assert [m.status for m in order.milestones.all()] == ["accepted", "pending"]
    shown = page(world.olivia, detail)
    assert 'data-testid="milestone-1" data-status="accepted"' in shown

    services.add_deliverable(
        principal=as_(world.wendy), order=order, url="https://example.com/launch"
    )
    services.deliver(principal=as_(world.wendy), order=order)
    last = client.get(f"/orders/{order.public_id}/milestones/2/accept/").content.decode()
    assert "It is the last milestone: the order is complete" in last and "¥4,000.00" in last
    client.post(f"/orders/{order.public_id}/milestones/2/accept/", {"confirm": "yes"})
    assert Order.objects.get(pk=order.pk).status == "accepted"

    settle = f"/orders/{order.public_id}/settle/"
    assert settle in page(world.olivia, detail)
    assert "¥4,000.00" in client.get(settle).content.decode()
    before = database_fingerprint()
    client.post(settle, {}, HTTP_REFERER=detail)
    assert database_fingerprint() == before
    client.post(settle, {"confirm": "yes"})
    assert Order.objects.get(pk=order.pk).status == "settled"


def test_the_order_form_adds_up_the_milestones(world: World) -> None:
    client = in_english(world.olivia)
    due = timezone.localdate() + timedelta(days=9)
    response = client.post(
        f"/orders/organisations/{world.acme.public_id}/new/",
        {
            "title_zh": "海报",
            **milestone_rows(("初稿", "100.10", due), ("定稿", "200.20", due)),
            "skills": "nc.python 4",
        },
    )
    assert response.status_code == 302
    order = Order.objects.get(title_zh="海报")
    assert str(order.total) == "300.30"
    bad = client.post(
        f"/orders/organisations/{world.acme.public_id}/new/",
        {"title_zh": "海报", **milestone_rows(("x", "abc", "2026-13-01"))},
    )
    assert bad.status_code == 422
    assert not Order.objects.filter(title_zh="海报").exclude(pk=order.pk).exists()


def test_milestone_rows_are_added_without_javascript(world: World) -> None:
    """ "Add a milestone row" is a submit button: the page comes back with the rows typed so
    far and one more, nothing saved; the rows are then saved as the order's milestones."""
    client = in_english(world.olivia)
    path = f"/orders/organisations/{world.acme.public_id}/new/"
    due = timezone.localdate() + timedelta(days=9)
    empty = client.get(path).content.decode()
    assert (
        empty.count('data-testid="milestone-row"') == 1 and 'data-testid="add-milestone"' in empty
    )
    first = {"title_zh": "行", **milestone_rows(("初稿", "100.10", due))}
    more = client.post(path, {**first, "add_milestone": "1"})
    assert more.status_code == 200 and not Order.objects.filter(title_zh="行").exists()
    shown = more.content.decode()
    assert shown.count('data-testid="milestone-row"') == 2 and 'value="100.10"' in shown
    rows = milestone_rows(("初稿", "100.10", due), ("定稿", "200.20", due), ("", "", ""))
    assert client.post(path, {"title_zh": "行", **rows}).status_code == 302
    order = Order.objects.get(title_zh="行")
    assert [(m.title, str(m.amount)) for m in order.milestones.all()] == [
        ("初稿", "100.10"),
        ("定稿", "200.20"),
    ]
    edit = client.get(f"/orders/{order.public_id}/edit/").content.decode()
    assert edit.count('data-testid="milestone-row"') == 2 and 'value="定稿"' in edit


def test_deliverables_download_for_the_parties_only(world: World) -> None:
    order = with_deliverable(world, in_progress_order(world))
    deliverable = order.deliverables.get()
    path = f"/orders/{order.public_id}/deliverables/{deliverable.pk}/"
    response = client_for(world.olivia).get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    assert client_for(world.charlie).get(path).status_code == 404


def test_the_operator_decides_on_the_page(world: World) -> None:
    order = disputed_order(world)
    assert 'data-testid="resolve-form"' in page(world.oscar, f"/orders/{order.public_id}/")
    assert 'data-testid="resolve-form"' not in page(world.olivia, f"/orders/{order.public_id}/")
    queue = page(world.oscar, "/orders/disputes/")
    assert "Data dashboard" in queue
    client = in_english(world.oscar)
    bad = client.post(
        f"/orders/{order.public_id}/dispute/decision/",
        {"outcome": "split", "to_nomad": "1", "to_enterprise": "1", "reason": "x"},
    )
    assert_page_refused(bad, 422, "add up to ¥2.00")


class TestConversionPages:
    def _seed(self, world: World) -> None:
        order = accepted_order(world)
        record = conversions.record_conversion
        record(
            principal=as_(world.olivia),
            organisation=world.acme,
            nomad=world.wendy,
            kind="contract",
            starts_on=timezone.datetime(2026, 1, 5).date(),
            ends_on=None,
            order=order,
        )
        record(
            principal=as_(world.olivia),
            organisation=world.acme,
            nomad=world.wendy,
            kind="business",
            business_name='=HYPERLINK("x")',
            credit_code=credit_code("formula studio"),
            registered_on=timezone.datetime(2026, 5, 20).date(),
            order=order,
        )
        record(
            principal=as_(world.oscar),
            organisation=world.globex,
            nomad=world.bob,
            kind="flexible",
            starts_on=timezone.datetime(2026, 2, 1).date(),
        )

    def test_the_report_per_enterprise_and_month(self, world: World) -> None:
        self._seed(world)
        report = page(world.oscar, "/orders/conversions/report/?period=month&year=2026")
        assert "2026-01" in report and "2026-02" in report and "2026-05" in report
        assert "Acme" in report and "Globex" in report
        quarter = page(world.oscar, "/orders/conversions/report/?period=quarter&year=2026")
        assert "2026-Q1" in quarter and "2026-Q2" in quarter

    def test_the_csv_export(self, world: World) -> None:
        self._seed(world)
        response = client_for(world.oscar).get("/orders/conversions/export.csv?year=2026")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        assert [r["kind"] for r in rows] == ["contract", "flexible", "business"]
        contract = rows[0]
        assert (contract["one_year_or_more"], contract["ends_on"], contract["quarter"]) == (
            "yes",
            "",
            "2026-Q1",
        )
        assert rows[2]["business_name"].startswith("'=")  # no spreadsheet formulas
        assert "wendy@example.com" not in text

    def test_the_nomad_sees_their_conversion(self, world: World) -> None:
        self._seed(world)
        listed = page(world.wendy, "/orders/conversions/")
        assert "Employment contract" in listed and "Flexible employment" not in listed
        conversion = Conversion.objects.get(kind="contract")
        detail = page(world.wendy, f"/orders/conversions/{conversion.public_id}/")
        assert "open-ended" in detail and "one year or more" in detail
        assert (
            client_for(world.charlie)
            .get(f"/orders/conversions/{conversion.public_id}/")
            .status_code
            == 404
        )

    def test_recording_on_the_page(self, world: World) -> None:
        order = accepted_order(world)
        client = in_english(world.olivia)
        form = client.get(
            f"/orders/conversions/organisations/{world.acme.public_id}/new/?order={order.public_id}"
        ).content.decode()
        assert str(world.wendy.public_id) in form
        response = client.post(
            f"/orders/conversions/organisations/{world.acme.public_id}/new/",
            {
                "kind": "contract",
                "nomad": str(world.wendy.public_id),
                "starts_on": "2026-03-01",
                "ends_on": "2027-02-28",
                "order": str(order.public_id),
                "documents": [SimpleUploadedFile("contract.pdf", PDF)],
            },
        )
        assert response.status_code == 302
        conversion = Conversion.objects.get()
        assert conversion.one_year_or_more and conversion.term_months == 12
        bad = client.post(
            f"/orders/conversions/organisations/{world.acme.public_id}/new/",
            {
                "kind": "business",
                "nomad": str(world.wendy.public_id),
                "business_name": "x",
                "credit_code": "123",
                "registered_on": "2026-03-01",
            },
        )
        assert_page_refused(bad, 422, "18 characters")


@pytest.mark.parametrize("count", [3, 20])
def test_list_pages_use_a_fixed_number_of_queries(
    world: World, count: int, django_assert_max_num_queries: Any
) -> None:
    """The same number of queries for 3 rows as for 20 (today 11, 6, 5 and 6; the margin
    leaves room for the header's unread count)."""
    from nomadcloud.notifications.services import notify
    from tests.builders.training import published_scenario

    for _ in range(count):
        open_order(world)
        published_scenario(world)
        notify(world.charlie, "notifications.welcome", params={"name": "C"})
    conversions.record_conversion(
        principal=as_(world.oscar),
        organisation=world.acme,
        nomad=world.charlie,
        kind="flexible",
        starts_on=timezone.localdate(),
    )
    client = client_for(world.charlie)
    client.cookies["nomadcloud_language"] = "en"
    for path, limit in (
        ("/orders/", 13),
        ("/training/", 8),
        ("/notifications/", 7),
        ("/orders/conversions/", 8),
    ):
        with django_assert_max_num_queries(limit):
            assert client.get(path).status_code == 200


def test_the_admin_lists_orders_and_conversions_read_mostly(world: World) -> None:
    from nomadcloud.accounts.models import User

    order = accepted_order(world)
    admin = User.objects.create_superuser("ada@example.com", "x" * 20)
    client = client_for(admin)
    for path in (
        "/admin/orders/order/",
        f"/admin/orders/order/{order.pk}/change/",
        "/admin/orders/conversion/",
        "/admin/training/scenario/",
        "/admin/notifications/notification/",
    ):
        assert client.get(path).status_code == 200, path
