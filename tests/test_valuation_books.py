"""入表 roll-forward tables (财会〔2023〕11号, decision 0063): the month-by-month books are
exact (amortisation to the cent, the carrying amount reaching exactly zero at the end of the
useful life), one period's closing is the next one's opening, intangible assets and
inventory are kept apart; the holder recognises an issued valuation's cost lines at cost and
records impairments and disposals (bad input refused on the field, nothing changed); the
table, its CSV/XLSX exports and the API agree; the page and who may see it."""

from __future__ import annotations

import csv
import io
import itertools
import random
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict
from nomadcloud.core.inputs import parse_draft
from nomadcloud.valuation import books, rollforward
from nomadcloud.valuation.inputs import MovementDraft, RecognitionDraft
from nomadcloud.valuation.models import BookEntry, Valuation
from nomadcloud.valuation.rollforward import Entry
from tests.builders import valuation as b
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import api_get, api_post, assert_error

API = "/api/v1/valuation"
S = Valuation.State
D = Decimal


def _chained(rows: list[rollforward.Row]) -> None:
    for row in rows:
        moved = (
            row.opening
            + row.additions_purchased
            + row.additions_developed
            - row.amortisation
            - row.impairment
            - row.disposals
        )
        assert moved == row.closing, row
    for before, after in itertools.pairwise(rows):
        assert before.closing == after.opening, (before.period, after.period)


# --- the books, month by month (no database) ---------------------------------------------


def test_an_intangible_asset_is_amortised_to_exactly_zero_over_its_life() -> None:
    entries = [Entry(date(2026, 1, 15), "addition", D("100000.00"), D("60000.00"), 3)]
    months = rollforward.months(entries, "intangible", date(2026, 6, 30))
    assert [m.amortisation for m in months[:3]] == [D("33333.33"), D("33333.34"), D("33333.33")]
    assert months[2].closing == 0 and months[-1].closing == 0
    rows = rollforward.periods(months, "quarter")
    assert [r.period for r in rows] == ["2026-Q1", "2026-Q2"]
    assert rows[0].additions_purchased == D("60000.00")
    assert rows[0].additions_developed == D("40000.00")
    assert rows[0].amortisation == D("100000.00")
    _chained(rows)


def test_an_impairment_or_a_later_addition_is_spread_over_the_life_that_remains() -> None:
    entries = [
        Entry(date(2026, 1, 1), "addition", D("1200.00"), useful_life_months=12),
        Entry(date(2026, 3, 31), "impairment", D("300.00")),
        Entry(date(2026, 7, 10), "addition", D("600.00")),
    ]
    months = rollforward.months(entries, "intangible", date(2026, 12, 31))
    assert [m.amortisation for m in months[:3]] == [D("100.00")] * 3
    assert months[2].closing == D("600.00")  # 1200 − 300 amortised − 300 impaired
    assert months[3].amortisation == D("66.67")  # 600 over the 9 months left
    assert months[-1].closing == 0
    total = sum((m.amortisation for m in months), D(0))
    assert total == D("1500.00")  # all that was added less the impairment
    _chained(rollforward.periods(months, "month"))


def test_inventory_is_not_amortised_and_a_sale_or_write_down_beyond_it_is_refused() -> None:
    entries = [
        Entry(date(2026, 2, 1), "addition", D("5000.00"), D("5000.00")),
        Entry(date(2026, 5, 1), "impairment", D("500.00")),
        Entry(date(2026, 8, 1), "disposal", D("4500.00")),
    ]
    rows = rollforward.periods(rollforward.months(entries, "inventory", date(2027, 3, 1)), "year")
    assert [(r.period, r.amortisation, r.closing) for r in rows] == [
        ("2026", D(0), D(0)),
        ("2027", D(0), D(0)),
    ]
    assert rows[0].impairment == D("500.00") and rows[0].disposals == D("4500.00")
    too_much = [*entries[:2], Entry(date(2026, 8, 1), "disposal", D("4500.01"))]
    with pytest.raises(rollforward.NegativeCarryingAmount) as caught:
        rollforward.months(too_much, "inventory", date(2026, 8, 31))
    assert caught.value.available == D("4500.00")


@pytest.mark.parametrize("period", rollforward.PERIODS)
def test_on_random_books_every_closing_is_the_next_opening_and_totals_add_up(period: str) -> None:
    generator = random.Random(20231)
    for _case in range(40):
        books_ = []
        for n in range(generator.randint(1, 4)):
            treatment = generator.choice(rollforward.TREATMENTS)
            day = date(2025, generator.randint(1, 12), generator.randint(1, 28))
            life = generator.randint(1, 60) if treatment == "intangible" else None
            amount = D(generator.randint(1, 10_000_000)) / 100
            entries = [Entry(day, "addition", amount, (amount / 3).quantize(D("0.01")), life)]
            for _ in range(generator.randint(0, 4)):
                day = date(day.year + (day.month == 12), day.month % 12 + 1, day.day)
                kind = generator.choice(["addition", "impairment", "disposal"])
                try:
                    left = rollforward.carrying_amount(entries, treatment, day)
                except rollforward.NegativeCarryingAmount:
                    break
                if kind == "addition":
                    part = D(generator.randint(1, 1_000_000)) / 100
                else:
                    part = (left * D(generator.randint(0, 100)) / 100).quantize(D("0.01"))
                    if part <= 0:
                        continue
                entries.append(Entry(day, kind, part))
            books_.append((f"asset {n}", treatment, entries))
        found = rollforward.table(books_, period=period, until=date(2027, 6, 30))
        for treatment, total in found.totals.items():
            _chained(total)
            for asset in found.assets[treatment]:
                _chained(asset.rows)
            for i, row in enumerate(total):
                for name in rollforward.FIGURES:
                    parts = sum((getattr(a.rows[i], name) for a in found.assets[treatment]), D(0))
                    assert getattr(row, name) == parts


# --- recognising and recording ----------------------------------------------------------


def _recognise(w: World, made: Valuation, **fields: Any) -> BookEntry:
    data = {"treatment": "intangible", "recognised_on": "2026-12-01", **fields}
    if data["treatment"] == "intangible" and "useful_life_months" not in fields:
        data["useful_life_months"] = 60
    return books.recognise(
        principal=Principal.for_user(w.olivia),
        valuation=made,
        draft=parse_draft(RecognitionDraft, data),
    )


def test_the_holder_recognises_an_issued_valuations_cost_lines_at_cost(world: World) -> None:
    made = b.valuation(world, S.ISSUED)
    client = client_for(world.olivia)
    answer = api_post(
        client,
        f"{API}/valuations/{made.public_id}/recognise",
        {"treatment": "intangible", "recognised_on": "2026-12-01", "useful_life_months": 60},
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["amount"] == "100000.00" and body["purchased"] == "60000.00"
    assert [line["source"] for line in body["lines"]] == [
        line["source"] for line in b.COLLECT["cost_lines"]
    ]
    # once per valuation; a later valuation with the same source documents adds nothing
    later = b.valuation(world, S.ISSUED)
    before = database_fingerprint(["valuation"])
    again = api_post(
        client,
        f"{API}/valuations/{made.public_id}/recognise",
        {"treatment": "intangible", "recognised_on": "2026-12-02"},
    )
    assert_error(again, "already_recognised")
    with pytest.raises(Conflict) as caught:
        _recognise(world, later, useful_life_months=None, recognised_on="2026-12-02")
    assert caught.value.code == "already_recognised"
    assert database_fingerprint(["valuation"]) == before


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"treatment": "intangible", "useful_life_months": None}, "useful_life_required",
         "useful_life_months"),
        ({"treatment": "inventory", "useful_life_months": 12}, "invalid_input",
         "useful_life_months"),
        ({"recognised_on": "2026-11-29"}, "before_valuation_date", "recognised_on"),
        ({"recognised_on": "2999-01-01"}, "in_future", "recognised_on"),
        ({"treatment": "goodwill"}, "invalid_input", "treatment"),
        ({"useful_life_months": 0}, "invalid_input", "useful_life_months"),
    ],
)  # fmt: skip
def test_a_bad_recognition_is_refused_on_its_field_and_nothing_changes(
    world: World, fields: dict[str, Any], code: str, field: str
) -> None:
    made = b.valuation(world, S.ISSUED)
    body = {"treatment": "intangible", "recognised_on": "2026-12-01", "useful_life_months": 60}
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not None}
    before = database_fingerprint(["valuation"])
    answer = api_post(
        client_for(world.olivia), f"{API}/valuations/{made.public_id}/recognise", body
    )
    assert_error(answer, code, field=field)
    assert database_fingerprint(["valuation"]) == before


def test_a_valuation_not_yet_issued_cannot_be_recognised(world: World) -> None:
    made = b.valuation(world, S.RECONCILED)
    answer = api_post(
        client_for(world.olivia),
        f"{API}/valuations/{made.public_id}/recognise",
        {"treatment": "inventory", "recognised_on": "2026-12-01"},
    )
    assert_error(answer, "not_issued")


def test_impairments_and_disposals_are_checked_against_the_carrying_amount(world: World) -> None:
    made = b.valuation(world, S.ISSUED)
    entry = _recognise(world, made, treatment="inventory")
    asset = entry.asset
    client = client_for(world.olivia)
    url = f"{API}/assets/{asset.public_id}/book-entries"
    ok = api_post(
        client, url, {"kind": "impairment", "on": "2026-12-03", "amount": "2500.00",
                      "reason": "net realisable value"}
    )  # fmt: skip
    assert ok.status_code == 201, ok.json()
    before = database_fingerprint(["valuation"])
    for body, code, field in [
        ({"amount": "97500.01"}, "exceeds_carrying_amount", "amount"),
        ({"on": "2026-12-02"}, "before_last_entry", "on"),
        ({"on": "2999-12-31"}, "in_future", "on"),
        ({"amount": 10.5}, "invalid_input", "amount"),
        ({"amount": "0"}, "invalid_input", "amount"),
        ({"currency": "USD"}, "invalid_input", "currency"),
        ({"reason": ""}, "invalid_input", "reason"),
    ]:
        full = {"kind": "disposal", "on": "2026-12-04", "amount": "1.00", "reason": "sold"}
        answer = api_post(client, url, {**full, **body})
        assert_error(answer, code, field=field)
    assert database_fingerprint(["valuation"]) == before
    sold = api_post(
        client, url, {"kind": "disposal", "on": "2026-12-04", "amount": "97500.00",
                      "reason": "sold to Globex"}
    )  # fmt: skip
    assert sold.status_code == 201
    listed = api_get(client, url).json()
    assert [e["kind"] for e in listed] == ["addition", "impairment", "disposal"]
    # the treatment is fixed by the first recognition
    later = b.valuation(world, S.ISSUED)
    with pytest.raises(Exception) as caught:
        _recognise(world, later, treatment="intangible", recognised_on="2026-12-05")
    assert getattr(caught.value, "code", "") == "treatment_fixed"


# --- the table, its exports and the page --------------------------------------------------


def _books(world: World) -> Any:
    made = b.valuation(world, S.ISSUED)
    entry = _recognise(world, made, useful_life_months=4)
    books.record_movement(
        principal=Principal.for_user(world.olivia),
        asset=entry.asset,
        draft=parse_draft(
            MovementDraft,
            {"kind": "impairment", "on": "2026-12-05", "amount": "1000.00", "reason": "test"},
        ),
    )
    return entry.asset


def test_the_roll_forward_api_and_its_exports_agree(world: World) -> None:
    asset = _books(world)
    client = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    url = f"{API}/holders/{world.acme.public_id}/rollforward"
    answer = api_get(client, f"{url}?period=month&until=2027-05-31")
    assert answer.status_code == 200, answer.json()
    (section,) = answer.json()["treatments"]
    assert section["treatment"] == "intangible"
    rows = section["total"]
    assert [r["period"] for r in rows] == ["2026-12", "2027-01", "2027-02", "2027-03",
                                           "2027-04", "2027-05"]  # fmt: skip
    assert rows[0]["additions_purchased"] == "60000.00"
    assert rows[0]["additions_developed"] == "40000.00"
    assert rows[0]["amortisation"] == "25000.00" and rows[0]["impairment"] == "1000.00"
    assert rows[0]["closing"] == "74000.00"
    assert rows[1]["opening"] == "74000.00" and rows[1]["amortisation"] == "24666.67"
    assert rows[3]["closing"] == "0.00" and rows[5]["closing"] == "0.00"
    for before, after in itertools.pairwise(rows):
        assert before["closing"] == after["opening"]
    assert section["assets"][0]["asset"] == str(asset.public_id)
    # CSV and XLSX hold the same figures
    exported = client.get(f"{url}/export?period=month&until=2027-05-31&format=csv")
    assert exported.status_code == 200
    table = list(csv.reader(io.StringIO(exported.content.decode())))
    assert table[0][:3] == ["Treatment", "Period", "Data asset"]
    totals = [r for r in table[1:] if r[2] == "Total"]
    assert [r[3:] for r in totals] == [[r[name] for name in rollforward.FIGURES] for r in rows]
    xlsx = client.get(
        reverse("valuation:books_export", args=[world.acme.public_id, "xlsx"])
        + "?period=month&until=2027-05-31"
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [
        [D(str(v)).quantize(D("0.01")) for v in r[3:]] for r in cells[1:] if r[2] == "Total"
    ] == [[D(r[name]) for name in rollforward.FIGURES] for r in rows]


def test_the_books_page_shows_the_tables_and_records_a_movement(world: World) -> None:
    asset = _books(world)
    client = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.get(reverse("valuation:books", args=[world.acme.public_id]) + "?period=quarter")
    assert page.status_code == 200
    text = page.content.decode()
    assert "rollforward-intangible" in text and "2026-Q4" in text and "无形资产" in text
    bad = client.post(
        reverse("valuation:books_entry", args=[world.acme.public_id]),
        {"asset": str(asset.public_id), "kind": "disposal", "on": "2026-12-06",
         "amount": "99999999.00", "reason": "sold"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "账面价值" in bad.content.decode()
    good = client.post(
        reverse("valuation:books_entry", args=[world.acme.public_id]),
        {"asset": str(asset.public_id), "kind": "disposal", "on": "2026-12-06",
         "amount": "100.00", "reason": "sold"},
    )  # fmt: skip
    assert good.status_code == 302
    assert BookEntry.objects.filter(asset=asset, kind="disposal").count() == 1


def test_the_recognise_page_adds_the_costs(world: World) -> None:
    made = b.valuation(world, S.ISSUED)
    client = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    detail = client.get(reverse("valuation:detail", args=[made.public_id])).content.decode()
    assert 'data-testid="recognise"' in detail and 'data-testid="snapshot-pdf"' in detail
    url = reverse("valuation:recognise", args=[made.public_id])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"treatment": "intangible", "recognised_on": "2026-12-01"})
    assert refused.status_code == 422
    assert "useful life" in refused.content.decode()
    done = client.post(
        url, {"treatment": "intangible", "recognised_on": "2026-12-01", "useful_life_months": "36"}
    )
    assert done.status_code == 302
    assert BookEntry.objects.get(valuation=made).amount == D("100000.00")


def test_only_the_holder_and_the_zone_operator_see_the_books(world: World) -> None:
    asset = _books(world)
    url = f"{API}/holders/{world.acme.public_id}/rollforward"
    page = reverse("valuation:books", args=[world.acme.public_id])
    for user in (world.charlie, world.wendy):  # the valuation firm, the department
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).get(page).status_code == 404
    assert client_for(world.oscar).get(url).status_code == 200
    rita = client_for(world.rita)  # read-only member: sees, cannot record
    assert rita.get(page).status_code == 200
    answer = api_post(
        rita, f"{API}/assets/{asset.public_id}/book-entries",
        {"kind": "impairment", "on": "2026-12-06", "amount": "1.00", "reason": "x"},
    )  # fmt: skip
    assert answer.status_code == 403
