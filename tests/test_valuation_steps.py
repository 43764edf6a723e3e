"""The page forms of the valuation's data steps (docs/valuation.md): the same drafts as the
API, each refusal shown on the field it names in the reader's language with nothing changed,
and a confirmation page before the steps that cannot be undone."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation

from nomadcloud.valuation.models import Valuation
from tests.builders import valuation as b
from tests.conftest import World, client_for, database_fingerprint

S = Valuation.State


def _flat_collect() -> dict[str, str]:
    data: dict[str, str] = {"notes": b.COLLECT["notes"]}
    for i, line in enumerate(b.COLLECT["cost_lines"]):
        data.update({f"cost_lines-{i}-{k}": v for k, v in line.items()})
    return data


def _flat_quality() -> dict[str, str]:
    data: dict[str, str] = {}
    for d in b.QUALITY["dimensions"]:
        for k in ("score", "weight", "evidence"):
            data[f"dimensions-{d['dimension']}-{k}"] = d[k]
    return data


def _flat_compute() -> dict[str, str]:
    data: dict[str, str] = {
        "use_cost": "on",
        "cost-basis": "historical",
        "cost-return_rate": "0.1",
        "use_income": "on",
        "income-attribution": "royalty_split",
        "income-cash_flows": "100000.00, 110000.00，121000.00",
        "income-share": "0.3",
        "income-discount_rate": "0.1",
        **{k: b.COMPUTE[k] for k in ("assumptions", "limitations", "method_choice")},
    }
    for i, c in enumerate(b.COMPUTE["market"]["comparables"]):
        data.update(
            {f"market-comparables-{i}-{k}": v for k, v in c.items() if k != "related_party"}
        )
    return data


def _step(world: World, made: Valuation, slug: str, data: dict[str, Any]) -> Any:
    url = reverse("valuation:step", args=[made.public_id, slug])
    return client_for(world.charlie).post(url, data)


def test_the_data_steps_by_page_reach_the_same_value_as_the_api(world: World) -> None:
    made = b.valuation(world)
    url = reverse("valuation:step", args=[made.public_id, "collect"])
    assert client_for(world.charlie).get(url).status_code == 200
    assert client_for(world.olivia).get(url).status_code == 403  # the holder does not value
    assert _step(world, made, "collect", _flat_collect()).status_code == 302
    # the legal gate is confirmed first; the confirmation tells the outcome
    legal = {
        "rights-resource_holding-evidence": "登记证书 HN-2026-0031",
        "rights-processing_use-evidence": "Contributor consent records",
        "rights-processing_use-expires_on": "2031-12-31",
        "consent_scope_covers_purpose": "on",
    }
    page = _step(world, made, "legal-gate", legal)
    assert page.status_code == 200 and b'data-testid="confirm"' in page.content
    made.refresh_from_db()
    assert made.state == S.DATA_COLLECTED
    assert _step(world, made, "legal-gate", {**legal, "confirm": "yes"}).status_code == 302
    assert _step(world, made, "quality", {**_flat_quality(), "confirm": "yes"}).status_code == 302
    assert _step(world, made, "compute", _flat_compute()).status_code == 302
    weights = {"weights-cost": "0.2", "weights-income": "0.5", "weights-market": "0.3"}
    reconcile = {**weights, "rationale": "Contracted revenue is the best evidence."}
    assert _step(world, made, "reconcile", reconcile).status_code == 302
    made.refresh_from_db()
    assert made.state == S.RECONCILED and str(made.final_value) == b.FINAL


def test_a_refused_step_names_the_field_in_the_readers_language(world: World) -> None:
    made = b.valuation(world)
    before = database_fingerprint(["valuation"])
    bad = {**_flat_collect(), "cost_lines-1-amount": "-5", "cost_lines-2-amount": "1.5e3"}
    with translation.override("zh-hans"):
        page = _step(world, made, "collect", {**bad, "cost_lines-0-amount": "12.345"})
    assert page.status_code == 422
    form = page.context["form"]
    assert set(form.errors) == {"cost_lines-0-amount", "cost_lines-1-amount", "cost_lines-2-amount"}
    assert database_fingerprint(["valuation"]) == before
    # a blank row between filled ones: the error still lands on the row it came from
    made = b.valuation(world, S.QUALITY_ASSESSED)
    compute = _flat_compute()
    compute["market-comparables-3-reference"] = compute.pop("market-comparables-2-reference")
    compute["market-comparables-3-price"] = "-1"
    page = _step(world, made, "compute", compute)
    assert page.status_code == 422
    assert "market-comparables-3-price" in page.context["form"].errors
    weights = {"weights-cost": "0.5", "weights-income": "0.6"}
    made = b.valuation(world, S.COMPUTED)
    page = _step(world, made, "reconcile", {**weights, "rationale": "x"})
    assert page.status_code == 422 and "weights-cost" in page.context["form"].errors


def test_issuing_and_withdrawing_by_page_are_confirmed_first(world: World) -> None:
    made = b.valuation(world, S.REVIEWED)
    url = reverse("valuation:act", args=[made.public_id, "issue"])
    page = client_for(world.charlie).post(url)
    assert page.status_code == 200 and b'data-testid="confirm"' in page.content
    made.refresh_from_db()
    assert made.state == S.REVIEWED
    assert client_for(world.charlie).post(url, {"confirm": "yes"}).status_code == 302
    made.refresh_from_db()
    assert made.state == S.ISSUED


def test_the_collect_form_proposes_the_labour_the_holders_ledgers_paid(world: World) -> None:
    from django.utils import timezone

    from nomadcloud.accounts.principal import Principal
    from nomadcloud.core.inputs import parse_draft
    from nomadcloud.datatasks.models import AcceptedWork
    from nomadcloud.valuation import ledgers, services
    from nomadcloud.valuation.inputs import RequestDraft
    from tests.builders import datatasks, orders

    order = orders.accepted_order(world)  # Acme's order, both milestones accepted
    batch = datatasks.open_batch(world)
    AcceptedWork.objects.create(batch=batch, worker=world.charlie, items_accepted=40,
                                pay_per_item="3.00", amount="120.00",
                                accepted_at=timezone.now())  # fmt: skip
    fields = b.request_fields(world, valuation_date=timezone.localdate().isoformat())
    made = services.request_valuation(
        principal=Principal.for_user(world.olivia), draft=parse_draft(RequestDraft, fields)
    )
    lines = ledgers.proposed_costs(made)
    milestones = sum(m.amount for m in order.milestones.all())
    assert [(line["amount"], line["source"].split(" · ")[0]) for line in lines] == [
        (str(milestones), f"order {order.public_id}"),
        ("120.00", f"datatasks batch {batch.public_id}"),
    ]
    page = client_for(world.charlie).get(
        reverse("valuation:step", args=[made.public_id, "collect"])
    )
    assert page.context["form"].initial["cost_lines-1-amount"] == "120.00"
    assert f"datatasks batch {batch.public_id}".encode() in page.content
    # more lines than rows: the last row sums the rest and names them
    many = [{"category": "labour", "amount": "1.00", "source": f"order {i} · x"} for i in range(7)]
    rows = ledgers.initial_rows(many, 5)
    assert rows["cost_lines-4-amount"] == "3.00" and rows["cost_lines-4-source"].count("order") == 3
    # what is collected keeps the ledgers' lines as evidence beside the valuer's
    made = services.collect(principal=Principal.for_user(world.charlie), valuation=made,
                            draft=parse_draft(b.CollectDraft, b.COLLECT))  # fmt: skip
    assert len(made.collected["platform"]["ledger_costs"]) == 2
