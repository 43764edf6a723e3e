"""Valuation (docs/valuation.md): the workflow from request to issued snapshot with the
legal gate first, the four-eyes signatures, a snapshot whose recomputation equals it, the
bad inputs of the specification (error code and field, nothing changed), the bubble watch's
alerts to the department with their evidence, and the pages."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.notifications.models import Notification
from nomadcloud.valuation import psy, services, snapshots, watch
from nomadcloud.valuation.models import Alert, PriceObservation, Valuation, ValuationEvent
from tests.builders import valuation as b
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import api_get, api_post, assert_error

API = "/api/v1/valuation"
S = Valuation.State


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_a_valuation_is_issued_with_its_disclosures_and_recomputes_to_the_cent(
    world: World,
) -> None:
    made = b.valuation(world, S.ISSUED)
    assert made.state == S.ISSUED
    assert made.final_value == Decimal(b.FINAL)
    assert made.results["cost"]["value"] == "82500.00"
    assert made.results["income"]["value"] == "81818.18"
    assert made.results["market"]["value"] == "107000.00"
    content = made.snapshot.content
    disclosures = content["disclosures"]
    for name in snapshots.DISCLOSURES:
        assert disclosures[name], name
    assert "contract CG-2025-014" in disclosures["information_sources"]
    assert {p["name"] for p in disclosures["key_parameters"]} >= {"TC", "R", "U", "i", "n"}
    assert snapshots.recompute_matches(content)
    # the platform's own facts about the pool were collected as evidence
    assert content["collected"]["platform"]["pool"] == str(made.asset.pool.public_id)
    # the value joined the asset's price series; every move is in the history
    assert PriceObservation.objects.filter(asset=made.asset, kind="valuation").exists()
    actions = list(made.events.values_list("action", flat=True))
    assert actions[0] == "request" and actions[-1] == "issue"
    assert set(made.events.values_list("rule_version", flat=True)) == {"cas-2023-17/v1"}
    # a snapshot is never changed
    with pytest.raises(RuntimeError):
        made.snapshot.save()
    # a second issued valuation of the asset supersedes the first
    second = b.valuation(world, S.ISSUED)
    made.refresh_from_db()
    assert made.state == S.SUPERSEDED and made.superseded_by == second


def test_issuing_needs_both_signatures_by_two_persons(world: World) -> None:
    made = b.valuation(world, S.RECONCILED)
    charlie = Principal.for_user(world.charlie)
    made = services.sign(principal=charlie, valuation=made)
    before = database_fingerprint(["valuation"])
    with pytest.raises(Conflict) as caught:
        services.issue(principal=charlie, valuation=made)
    assert caught.value.code == "second_reviewer_missing"
    assert database_fingerprint(["valuation"]) == before
    with pytest.raises(Forbidden) as refused:
        services.review(principal=charlie, valuation=made)
    assert refused.value.code == "department_only"
    made = services.review(principal=Principal.for_user(world.wendy), valuation=made)
    assert made.state == S.REVIEWED
    # once reviewed, nothing is recomputed under the signatures
    from nomadcloud.core.inputs import parse_draft
    from nomadcloud.valuation.inputs import ComputeDraft

    with pytest.raises(Conflict):
        services.compute_values(
            principal=charlie, valuation=made, draft=parse_draft(ComputeDraft, b.COMPUTE)
        )


def test_no_legal_basis_makes_it_not_recognisable_and_it_stops(world: World) -> None:
    made = b.valuation(world, S.DATA_COLLECTED)
    legal = {**b.LEGAL, "consent_scope_covers_purpose": False}
    response = api_post(world.charlie, f"{API}/valuations/{made.public_id}/legal-gate", legal)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == S.NOT_RECOGNISABLE
    event = ValuationEvent.objects.filter(valuation=made).last()
    assert event is not None and event.evidence["failures"] == ["consent_scope"] and event.reason
    response = api_post(world.charlie, f"{API}/valuations/{made.public_id}/quality", b.QUALITY)
    assert_error(response, "transition_not_allowed")


def _step(world: World, state: str, path: str, body: dict[str, Any], code: str, field: str) -> None:
    made = b.valuation(world, state)
    before = database_fingerprint(["valuation"])
    response = api_post(world.charlie, f"{API}/valuations/{made.public_id}/{path}", body)
    assert_error(response, code, field)
    assert database_fingerprint(["valuation"]) == before


def _compute(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(b.COMPUTE)
    for key, value in changes.items():
        part, name = key.split("__")
        body[part][name] = value
    return body


BAD_COMPUTE = [
    ("float amount", _compute(income__cash_flows=[100000.5, 1, 1]), "income.cash_flows.0"),
    ("negative amount", _compute(income__cash_flows=["-1.00", "1", "1"]), "income.cash_flows.0"),
    ("n of zero", _compute(income__cash_flows=[]), "income.cash_flows"),
    ("i of zero", _compute(income__discount_rate="0"), "income"),
    ("i at g", _compute(income__discount_rate="0.05", income__terminal_growth="0.05"), "income"),
    ("currency", _compute(income__currency="USD"), "income.currency"),
    ("two comparables", _compute(market__comparables=b.COMPUTE["market"]["comparables"][:2]),
     "market.comparables"),
    ("unflagged related party", _compute(market__comparables=[
        {**b.comparable("x", "1.00"), "related_party": True}, b.comparable("y", "1.00"),
        b.comparable("z", "1.00")]), "market.comparables.0"),
    ("related party not stated", _compute(market__comparables=[
        {k: v for k, v in b.comparable("x", "1.00").items() if k != "related_party"},
        b.comparable("y", "1.00"), b.comparable("z", "1.00")]),
     "market.comparables.0.related_party"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "field"), BAD_COMPUTE, ids=[c[0] for c in BAD_COMPUTE])
def test_bad_approach_inputs_are_refused_with_their_field(
    world: World, case: str, body: dict[str, Any], field: str
) -> None:
    _step(world, S.QUALITY_ASSESSED, "compute", body, "invalid_input", field)


def test_years_beyond_the_rights_expiry_are_refused(world: World) -> None:
    flows = ["1000.00"] * 6  # 2026-11-30 + 6 years is past 2031-12-31
    body = _compute(income__cash_flows=flows)
    _step(world, S.QUALITY_ASSESSED, "compute", body, "beyond_rights_expiry", "income.cash_flows")
    growth = _compute(income__terminal_growth="0.02")
    _step(
        world, S.QUALITY_ASSESSED, "compute", growth, "beyond_rights_expiry",
        "income.terminal_growth",
    )  # fmt: skip


def test_quality_weights_must_sum_to_one_and_rights_need_evidence(world: World) -> None:
    quality = copy.deepcopy(b.QUALITY)
    quality["dimensions"][0]["weight"] = "0.25"
    _step(world, S.LEGAL_PASSED, "quality", quality, "invalid_input", "dimensions")
    legal = {**b.LEGAL, "rights": []}
    _step(world, S.DATA_COLLECTED, "legal-gate", legal, "rights_evidence_missing", "rights")
    no_evidence = {**b.LEGAL, "rights": [{"right": "resource_holding", "evidence": ""}]}
    _step(world, S.DATA_COLLECTED, "legal-gate", no_evidence, "invalid_input", "rights.0.evidence")
    float_cost = {"cost_lines": [{"category": "labour", "amount": 12.5, "source": "x"}]}
    _step(world, S.DRAFT, "collect", float_cost, "invalid_input", "cost_lines.0.amount")


def test_a_valuation_date_before_the_data_existed_is_refused(world: World) -> None:
    b.asset(world)
    before = database_fingerprint(["valuation"])
    body = b.request_fields(world, valuation_date="2024-12-31")
    response = api_post(world.olivia, f"{API}/valuations", body)
    assert_error(response, "before_data_existed", "valuation_date")
    own = b.request_fields(world, valuer=str(world.acme.public_id))
    assert_error(
        api_post(world.olivia, f"{API}/valuations", own), "valuer_not_independent", "valuer"
    )
    assert database_fingerprint(["valuation"]) == before


def _monthly_prices(world: World, series: list[float]) -> None:
    asset = b.asset(world)
    for month, price in enumerate(series):
        PriceObservation.objects.create(
            asset=asset,
            kind="transaction",
            observed_on=date(2018 + month // 12, 1 + month % 12, 15),
            price=Decimal(str(round(price, 2))),
            source="exchange feed",
        )


def test_the_watch_alerts_the_department_with_the_psy_evidence(world: World) -> None:
    config = b.monitor(world)
    _monthly_prices(world, list(psy.simulated_bubble(100, start=40, end=60, seed=0)))
    raised = watch.run_watch(category="traffic", on=date(2026, 12, 31))
    explosive = [a for a in raised if a.kind == Alert.Kind.EXPLOSIVE]
    assert len(explosive) == 1
    alert = explosive[0]
    assert alert.department == world.department and alert.rule_version == config.rule_version
    evidence = alert.evidence
    assert evidence["statistic"] > evidence["critical_value"]
    assert evidence["episodes"][0]["start"] in ("2021-05", "2021-06", "2021-07", "2021-08")
    assert Notification.objects.filter(recipient=world.wendy, kind="valuation.alert").exists()
    # run again: the open alert is not raised twice
    assert watch.run_watch(category="traffic", on=date(2026, 12, 31)) == []
    # the department moves it; a resolution needs its reason
    page = client_for(world.wendy).get(reverse("valuation:alert", args=[alert.public_id]))
    assert page.status_code == 200 and b'data-chart="chart-bsadf"' in page.content
    path = f"{API}/alerts/{alert.public_id}/moves"
    assert api_post(world.wendy, path, {"action": "acknowledge"}).status_code == 200
    assert_error(api_post(world.wendy, path, {"action": "resolve"}), "invalid_input", "resolution")
    done = api_post(
        world.wendy, path,
        {"action": "resolve", "resolution": "valuation_review", "reason": "Review ordered."},
    )  # fmt: skip
    assert done.json()["state"] == "resolved"
    assert list(alert.events.values_list("action", flat=True)) == [
        "raise",
        "acknowledge",
        "resolve",
    ]


def test_the_price_to_fundamental_check_and_a_short_series(world: World) -> None:
    b.monitor(world)
    made = b.valuation(world, S.ISSUED)
    response = api_post(
        world.olivia,
        f"{API}/prices",
        {"asset": str(made.asset.public_id), "kind": "transaction", "observed_on": "2026-12-01",
         "price": "400000.00", "source": "exchange trade 991"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    raised = watch.run_watch(category="traffic", on=date(2026, 12, 31))
    rho = [a for a in raised if a.kind == Alert.Kind.PRICE_TO_FUNDAMENTAL]
    assert len(rho) == 1 and rho[0].evidence["rho"] == str(
        (Decimal("400000.00") / Decimal("82500.00")).quantize(Decimal("0.01"))
    )
    config = watch.config_for("traffic", date(2026, 12, 31))
    assert config is not None
    from nomadcloud.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        watch.explosive_check("traffic", date(2026, 12, 31), config)
    assert caught.value.code == "series_too_short" and "series" in caught.value.fields


def test_pages_show_the_valuation_and_its_moves(world: World) -> None:
    made = b.valuation(world, S.RECONCILED)
    olivia = client_for(world.olivia)
    assert olivia.get(reverse("valuation:list")).status_code == 200
    page = client_for(world.charlie).get(reverse("valuation:detail", args=[made.public_id]))
    assert page.status_code == 200
    assert (
        b'data-testid="move-sign"' in page.content and b'data-testid="sensitivity"' in page.content
    )
    wendy = client_for(world.wendy)
    assert (
        b'data-testid="move-review"'
        in wendy.get(reverse("valuation:detail", args=[made.public_id])).content
    )
    client_for(world.charlie).post(reverse("valuation:act", args=[made.public_id, "sign"]))
    wendy.post(reverse("valuation:act", args=[made.public_id, "review"]))
    client_for(world.charlie).post(
        reverse("valuation:act", args=[made.public_id, "issue"]), {"confirm": "yes"}
    )
    made.refresh_from_db()
    assert made.state == S.ISSUED
    snapshot = olivia.get(reverse("valuation:snapshot", args=[made.public_id]))
    assert snapshot.status_code == 200 and b'"sha256"' in snapshot.content
    assert api_get(world.olivia, f"{API}/valuations/{made.public_id}/snapshot").status_code == 200
    assert math.isfinite(float(made.final_value or 0))
