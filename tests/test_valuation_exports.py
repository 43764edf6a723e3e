"""Valuation exports and revenue (decision 0063): an issued snapshot as a PDF in the reader's
language that carries the same figures as its JSON (parsed with pypdf); the fee of a pool
agreement as an ``odrl:compensate`` duty set in a counter-offer; the revenue of the pool's
agreements in force read into the valuation's platform facts, its information sources and
the income approach's proposed cash flows."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import InvalidInput
from nomadcloud.datapools import fees
from nomadcloud.datapools import negotiation as n
from nomadcloud.datapools.models import Negotiation
from nomadcloud.valuation import pdf, platform, snapshots
from nomadcloud.valuation.models import Valuation
from tests.builders import datapools as dp
from tests.builders import valuation as b
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import api_get, api_post, assert_error

API = "/api/v1/valuation"
S = Valuation.State


def _text(data: bytes) -> str:
    """The PDF's text with all white space removed (a cell may wrap anywhere)."""
    reader = PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def _figures(content: dict[str, Any]) -> list[str]:
    """Every figure of the snapshot the PDF must show."""
    results = content["results"]
    found = [content["final_value"], content["asset"]["dcat_uri"]]
    found += [results[m]["value"] for m in results]
    found += [line["amount"] for line in content["collected"]["cost_lines"]]
    found += results["income"]["attributable"] + content["inputs"]["income"]["cash_flows"]
    found += [cell["value"] for cell in results["income"]["sensitivity"]]
    found += [c["adjusted"] for c in results["market"]["comparables"]]
    found += [p["value"] for p in content["disclosures"]["key_parameters"]]
    signatures = content["disclosures"]["signatures"]
    found += [signatures["valuer"], signatures["reviewer"], content["valuation"]]
    return found


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ["Finalvalue", "Sensitivity", "Licensedvaluer", "DCATURI", "Assumptions"]),
        ("zh-hans", ["评估结论", "敏感性", "执业资产评估师", "DCAT", "评估假设"]),
    ],
)
def test_the_snapshot_pdf_carries_the_figures_of_its_json_in_the_readers_language(
    world: World, language: str, labels: list[str]
) -> None:
    made = b.valuation(world, S.ISSUED)
    client = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE=language)
    answer = api_get(client, f"{API}/valuations/{made.public_id}/snapshot")
    assert answer.status_code == 200
    content = answer.json()["content"]
    assert snapshots.recompute_matches(content)  # recomputation = snapshot
    response = client.get(reverse("valuation:snapshot_pdf", args=[made.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Language"] == language
    text = _text(response.content)
    for figure in _figures(content):
        assert "".join(str(figure).split()) in text, figure
    for label in labels:
        assert label in text, label
    assert answer.json()["sha256"] in text
    # the API gives the same document
    api = client.get(f"{API}/valuations/{made.public_id}/snapshot.pdf")
    assert api.status_code == 200 and _text(api.content) == text


def test_the_pdf_is_printed_from_the_snapshot_not_the_live_valuation(world: World) -> None:
    made = b.valuation(world, S.ISSUED)
    content = made.snapshot.content
    before = _text(pdf.render(content, made.snapshot.sha256, "en"))
    Valuation.objects.filter(pk=made.pk).update(final_value=Decimal("1.00"))
    again = _text(pdf.render(made.snapshot.content, made.snapshot.sha256, "en"))
    assert again == before and "89509.09" in again
    # the sensitivity grid holds every cell of the snapshot's table
    grid = pdf.sensitivity_grid(content["results"]["income"]["sensitivity"])
    cells = {value for row in grid[1:] for value in row[1:]}
    assert {c["value"] for c in content["results"]["income"]["sensitivity"]} <= cells


def test_a_pdf_before_issue_or_for_an_outsider_is_refused(world: World) -> None:
    made = b.valuation(world, S.RECONCILED)
    client = client_for(world.olivia)
    assert client.get(f"{API}/valuations/{made.public_id}/snapshot.pdf").status_code == 404
    issued = b.valuation(world, S.ISSUED)
    stranger = client_for(world.pending.memberships.get().user)
    assert (
        stranger.get(reverse("valuation:snapshot_pdf", args=[issued.public_id])).status_code == 404
    )
    assert stranger.get(f"{API}/valuations/{issued.public_id}/snapshot.pdf").status_code == 404


# --- the fee of an agreement ------------------------------------------------------------


def _offer(world: World, fee: str | None, **extra: Any) -> Any:
    made = dp.negotiation(world)
    client = client_for(world.olivia)
    body: dict[str, Any] = {"action": "offer", "reason": "priced", **extra}
    if fee is not None:
        body["fee"] = fee
    return made, api_post(client, f"/api/v1/datapools/negotiations/{made.public_id}/moves", body)


def test_a_counter_offer_sets_a_fee_carried_as_an_odrl_compensate_duty_into_the_agreement(
    world: World,
) -> None:
    made, answer = _offer(world, "12000.50")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["fee"] == "12000.50"
    duty = answer.json()["policy"]["permission"][0]["duty"][1]
    assert duty["action"][0]["rdf:value"] == {"@id": "odrl:compensate"}
    assert duty["action"][0]["refinement"][0]["rightOperand"]["@value"] == "12000.50"
    assert duty["action"][0]["refinement"][0]["unit"] == fees.CNY_UNIT
    assert duty["compensatedParty"] == answer.json()["policy"]["assigner"]
    # the consumer's counter-request keeps the price unless it names another
    charlie = Principal.for_user(world.charlie)
    made = n.move(principal=charlie, negotiation=made, action="request", duration_days=30)
    assert n.terms(made)["fee"] == Decimal("12000.50")
    made = n.move(
        principal=Principal.for_user(world.olivia), negotiation=made, action="offer", fee=None
    )
    made = n.move(principal=charlie, negotiation=made, action="accept")
    assert made.state == Negotiation.State.CONFIRMING  # the lead department's 核定 is awaited
    assert fees.fee_of(made.policy) == Decimal("12000.50")
    made = n.move(principal=Principal.for_user(world.wendy), negotiation=made, action="confirm")
    assert made.state == Negotiation.State.AGREED
    assert made.policy["@type"] == "Agreement"
    assert fees.fee_of(made.policy) == Decimal("12000.50")


@pytest.mark.parametrize(
    ("fee", "code"),
    [(1.5, "invalid_input"), ("-1.00", "invalid_input"), ("1.005", "invalid_input")],
)
def test_a_bad_fee_is_refused_on_its_field_and_nothing_changes(
    world: World, fee: Any, code: str
) -> None:
    dp.negotiation(world)
    before = database_fingerprint(["datapools"])
    _made, answer = _offer(world, fee)
    assert_error(answer, code, field="fee", status=422)
    assert database_fingerprint(["datapools"]) == before


def test_a_fee_of_zero_is_no_duty_and_the_page_form_takes_a_fee(world: World) -> None:
    made, answer = _offer(world, "0")
    assert answer.status_code == 200 and answer.json()["fee"] is None
    client = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    made = Negotiation.objects.get(pk=made.pk)
    made.state = Negotiation.State.REQUESTED
    made.save(update_fields=["state"])
    page = client.post(
        reverse("datapools:negotiation-move", args=[made.public_id, "offer"]), {"fee": "800.00"}
    )
    assert page.status_code == 302
    made.refresh_from_db()
    assert fees.fee_of(made.policy) == Decimal("800.00")
    shown = client.get(reverse("datapools:negotiation", args=[made.public_id]))
    assert "800.00" in shown.content.decode()
    with pytest.raises(InvalidInput):
        fees.compensate_duty(Decimal("-1"), "urn:x")


# --- revenue into the valuation ---------------------------------------------------------


AGREED_ON = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # before the builder's valuation date


def _priced_agreement(world: World, fee: str) -> Negotiation:
    """Globex's agreement on Acme's busy pool at ``fee``, agreed on 1 June 2026; Acme's
    valued asset is that pool."""
    made = dp.negotiation(world)
    made = n.move(
        principal=Principal.for_user(world.olivia),
        negotiation=made,
        action="offer",
        fee=Decimal(fee),
    )
    made = n.move(principal=Principal.for_user(world.charlie), negotiation=made, action="accept")
    made = n.move(principal=Principal.for_user(world.wendy), negotiation=made, action="confirm")
    Negotiation.objects.filter(pk=made.pk).update(agreed_at=AGREED_ON)
    made.refresh_from_db()
    asset = b.asset(world)
    asset.pool = made.pool
    asset.save(update_fields=["pool"])
    return made


def test_the_revenue_of_agreements_in_force_reaches_the_valuations_platform_facts(
    world: World,
) -> None:
    agreed = _priced_agreement(world, "24000.00")
    revenue = platform.agreement_revenue(agreed.pool, b.VALUATION_DATE)
    assert revenue["total"] == "24000.00" and revenue["trailing_year"] == "24000.00"
    assert revenue["by_year"] == {"2026": "24000.00"}
    assert revenue["agreements"][0]["agreement"] == str(agreed.public_id)
    assert revenue["agreements"][0]["fee"] == "24000.00"
    # an agreement after the valuation date does not count
    assert platform.agreement_revenue(agreed.pool, date(2026, 5, 31))["total"] == "0.00"
    made = b.valuation(world, S.DATA_COLLECTED)
    facts = made.collected["platform"]["revenue"]
    assert facts["total"] == "24000.00" and facts["currency"] == "CNY"
    assert facts["contributor_share_percent"] == 30  # the busy pool's charter
    proposed = platform.proposed_income(made)
    assert proposed["income-cash_flows"] == "24000.00, 24000.00, 24000.00"
    assert proposed["income-attribution"] == "incremental"
    assert proposed["income-share"] == "0.7000"
    # an agreement that ended is no longer in force: no revenue
    n.move(
        principal=Principal.for_user(world.olivia),
        negotiation=agreed,
        action="terminate",
        reason="ended",
    )
    assert platform.agreement_revenue(agreed.pool, b.VALUATION_DATE)["total"] == "0.00"


def test_the_compute_form_proposes_the_revenue_and_the_snapshot_names_each_agreement(
    world: World,
) -> None:
    agreed = _priced_agreement(world, "36000.00")
    made = b.valuation(world, S.QUALITY_ASSESSED)
    client = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(reverse("valuation:step", args=[made.public_id, "compute"]))
    assert page.status_code == 200
    assert "36000.00, 36000.00, 36000.00" in page.content.decode()
    issued = b.valuation(world, S.ISSUED)
    sources = issued.snapshot.content["disclosures"]["information_sources"]
    assert any(str(agreed.public_id) in s and "36000.00" in s for s in sources)
