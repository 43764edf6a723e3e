"""Pictures (issue 14 item 9): the JSON data islands that charts.js draws carry the figures
of the tables beside them, and the payer's code status answers only the payer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from nomadcloud.points import models as m
from nomadcloud.points.merchants.services import payments
from nomadcloud.points.programme import queries as programme_queries
from nomadcloud.points.templatetags.points_charts import forecast_data
from tests.builders.points_merchants import acme_merchant, as_, fund, held_payment, zp
from tests.conftest import World, client_for


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def island(html: str, element_id: str) -> dict[str, Any]:
    found = re.search(
        rf'<script id="{re.escape(element_id)}" type="application/json">(.*?)</script>',
        html,
        re.DOTALL,
    )
    assert found, f"no data island {element_id}"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_operator_page_charts_the_liability_and_the_forecast(world: World) -> None:
    acme_merchant(world)
    fund(world.wendy, 1000)
    html = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en").get("/points/operator/")
    text = html.content.decode()
    assert 'data-chart="chart-liability"' in text
    assert "vendor/echarts.min.js" in text and "nomadcloud/charts.js" in text
    liability = island(text, "chart-liability")
    rows = {r.asset.code: r for r in programme_queries.liability()}
    index = next(i for i, c in enumerate(liability["categories"]) if c.endswith("(ZP)"))
    spendable = liability["series"][0]
    assert spendable["name"] == "Spendable by persons"
    scale = rows["ZP"].asset.scale
    assert spendable["data"][index] == 1000 / 10**scale if scale else 1000
    total = sum(series["data"][index] for series in liability["series"])
    assert total == pytest.approx(rows["ZP"].outstanding / 10**scale)
    for row in programme_queries.forecast():
        data = island(text, f"chart-forecast-{row.asset.code}")
        assert data == json.loads(json.dumps(forecast_data(row)))
        assert len(data["categories"]) == 12 + (1 if row.overdue else 0)
        # The table (now the text alternative) is still on the page.
        assert f'data-testid="forecast-{row.asset.code}"' in text


def test_the_wallet_charts_the_balance_after_each_line(world: World) -> None:
    payment = held_payment(world, amount=120, funds=1000)
    payments.confirm_payment(principal=as_(world.olivia), payment=payment)
    text = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en").get("/points/").content.decode()
    data = island(text, "chart-wallet")
    assert data["kind"] == "line"
    series = {s["name"]: s["data"] for s in data["series"]}
    scale = zp().scale
    unit = 10**scale if scale else 1
    # Oldest first: funded 1000, then paid 120.
    assert series["ZP"][-2:] == [1000 / unit if scale else 1000, 880 / unit if scale else 880]
    assert len(data["categories"]) == len(series["ZP"])


def test_the_payers_code_status_follows_the_payment(world: World) -> None:
    acme_merchant(world)
    fund(world.wendy, 500)
    issued = payments.issue_code(principal=as_(world.wendy), asset=zp())
    url = f"/points/pay/codes/{issued.row.pk}/status/"
    wendy = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en")
    page = wendy.post("/points/pay/", {"asset": "ZP"}).content.decode()
    assert "data-pay-status=" in page and "points/pay-status.js" in page
    # The page made a new code; follow the first one, taken by the cashier below.
    waiting = wendy.get(url)
    assert waiting.status_code == 200
    assert waiting["Cache-Control"] == "no-store"
    assert waiting.json()["state"] == "replaced"
    issued = payments.issue_code(principal=as_(world.wendy), asset=zp())
    url = f"/points/pay/codes/{issued.row.pk}/status/"
    assert wendy.get(url).json() == {
        "state": "waiting",
        "payment": None,
        "final": False,
        "message": "Waiting for the cashier to scan the code…",
    }
    payment = payments.start_payment(
        principal=as_(world.olivia), merchant=acme_merchant(world), code=issued.code, amount=50
    )
    taken = wendy.get(url).json()
    assert taken["state"] == "taken" and taken["final"] is False
    assert taken["payment"]["status"] == "held"
    assert taken["payment"]["id"] == str(payment.public_id)
    assert "waiting for the cashier to confirm" in taken["message"]
    payments.confirm_payment(principal=as_(world.olivia), payment=payment)
    done = wendy.get(url).json()
    assert done["payment"]["status"] == "confirmed" and done["final"] is True
    assert done["message"].startswith("Paid:")
    # Only the payer: the cashier, anyone else and anonymous get nothing.
    for other in (world.olivia, world.charlie, world.oscar):
        assert client_for(other).get(url).status_code == 404
    from django.test import Client

    assert Client().get(url).status_code == 302
    assert wendy.get("/points/pay/codes/999999/status/").status_code == 404
    assert m.PaymentCode.objects.filter(person=world.wendy).exists()


# --- verification outcomes and the footer link -----------------------------------------------


def test_valid_revoked_and_invalid_verifications_look_different(world: World) -> None:
    import copy

    from nomadcloud.accounts.principal import Principal
    from nomadcloud.proofs import services as proofs
    from tests.builders.proofs import claims

    credential = proofs.issue_credential(world.rita, claims("p1"))
    assert credential is not None
    proofs.publish_checkpoint()
    client = client_for(None, HTTP_ACCEPT_LANGUAGE="en")

    def outcome_of(text: str) -> str:
        found = re.search(r'data-outcome="(\w+)"', text)
        assert found
        return found.group(1)

    valid = client.get(f"/proofs/verify/?credential={credential.public_id}").content.decode()
    assert outcome_of(valid) == "valid"
    assert "verification-valid" in valid and "icons.svg#check" in valid
    tampered = copy.deepcopy(credential.document)
    tampered["credentialSubject"]["tampered"] = True
    invalid = client.post("/proofs/verify/", {"credential": json.dumps(tampered)})
    text = invalid.content.decode()
    assert outcome_of(text) == "invalid" and "icons.svg#x" in text
    assert "The credential is not valid." in text
    proofs.revoke(principal=Principal.for_user(world.oscar), credential=credential, reason="r1")
    revoked = client.get(f"/proofs/verify/?credential={credential.public_id}").content.decode()
    assert outcome_of(revoked) == "revoked" and "icons.svg#ban" in revoked
    assert "The credential was revoked." in revoked
    # No emoji marks left on the page.
    assert "✓" not in revoked and "✗" not in revoked


def test_the_footer_links_the_verify_page(world: World) -> None:
    text = client_for(None, HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert 'data-testid="footer-verify"' in text and 'href="/proofs/verify/"' in text


def test_the_review_queue_is_charted_by_waiting_time(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from nomadcloud.accounts.models import Organisation

    Organisation.objects.filter(pk=world.pending.pk).update(
        created_at=timezone.now() - timedelta(days=5)
    )
    text = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en").get("/accounts/reviews/")
    html = text.content.decode()
    data = island(html, "chart-queue")
    assert data["categories"] == [
        "under 1 day",
        "1–3 days",
        "3–7 days",
        "1–2 weeks",
        "over 2 weeks",
    ]
    waiting = data["series"][0]["data"]
    assert sum(waiting) == html.count('data-testid="waiting-since"')
    assert waiting[2] >= 1  # the pending organisation, 5 days old


def test_the_enterprise_sees_its_demand_funnel(world: World) -> None:
    from nomadcloud.demands.funnel import funnel_counts

    html = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en").get(
        f"/demands/organisations/{world.acme.public_id}/"
    )
    assert html.status_code == 200
    data = island(html.content.decode(), "chart-funnel")
    stages = funnel_counts(world.acme)
    assert data["kind"] == "funnel"
    assert data["categories"] == [name for name, n in stages if n is not None]
    assert data["series"][0]["data"] == [n for _name, n in stages if n is not None]
    assert "not recorded yet" in html.content.decode()  # views: no counter yet


def test_the_funnel_counts_applications_and_shortlisting(world: World) -> None:
    from nomadcloud.demands.funnel import funnel_counts
    from tests.builders.conversations import conversation

    before = dict(funnel_counts(world.acme))
    conversation(world)  # Charlie applies to Acme's demand and Olivia shortlists him
    after = dict(funnel_counts(world.acme))
    assert after["Applications and invitations"] == before["Applications and invitations"] + 1
    assert after["Shortlisted"] == before["Shortlisted"] + 1
    assert after["Orders"] == before["Orders"]
