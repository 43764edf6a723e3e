"""Merchants, payments and settlement over HTTP: the API under /api/v1/points (codes, the
cashier, refunds, statements as JSON and CSV, the operator's registry and rates) and the
pages (Pay, the cashier page, the merchant's statements, the operator's merchants page),
with refusals in the reader's language and nothing applied."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from nomadcloud.points import models as m
from nomadcloud.points.merchants import queries as merchants_queries
from nomadcloud.points.merchants.services import payments, settlement
from tests.builders.points_merchants import (
    SCENARIO,
    acme_merchant,
    as_,
    code_for,
    dining,
    fund,
    merchant_org,
    scenario,
    tomorrow_morning,
)
from tests.conftest import World, client_for, make_person
from tests.helpers import api_post, assert_error, assert_page_refused

API = "/api/v1/points"


def test_pay_and_refund_through_the_api(world: World) -> None:
    merchant = acme_merchant(world)
    fund(world.wendy, 1000)
    wendy = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en")
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    org = world.acme.public_id

    response = api_post(wendy, f"{API}/pay/codes", {"asset": "ZP"})
    assert response.status_code == 201, response.content
    issued = response.json()
    assert len(issued["code"]) == 12 and issued["qr_svg"].startswith("<svg")
    assert issued["grouped"].replace(" ", "") == issued["code"]

    response = api_post(
        olivia, f"{API}/merchants/{org}/payments", {"code": issued["code"], "amount": 150}
    )
    assert response.status_code == 201, response.content
    held = response.json()
    assert (held["status"], held["person"], held["amount"], held["settled"]) == (
        "held",
        "W***y R******r",
        150,
        False,
    )
    payment_path = f"{API}/merchants/{org}/payments/{held['id']}"

    response = olivia.post(payment_path + "/confirm")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    response = olivia.post(payment_path + "/cancel")
    assert response.status_code == 409
    assert response.json()["code"] == "pending_already_posted"

    response = api_post(olivia, payment_path + "/refunds", {"amount": 50, "reason": "Cold coffee"})
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == 50 and not response.json()["after_settlement"]
    response = api_post(olivia, payment_path + "/refunds", {"amount": 101, "reason": "again"})
    assert assert_error(response, "reversal_exceeds_original", status=422)["fields"]["amount"] == [
        "At most 100 of this payment can still be refunded."
    ]

    listed = olivia.get(f"{API}/merchants/{org}/payments").json()
    assert [(p["id"], p["refunded"], p["refundable"]) for p in listed] == [(held["id"], 50, 100)]
    assert listed[0]["refunds"][0]["reason"] == "Cold coffee"
    assert olivia.get(f"{API}/merchants/{org}").json()["awaiting_settlement"] == 100
    assert merchants_queries.balance_of(merchant) == 100


def test_bad_codes_and_amounts_are_refused_in_the_readers_language(world: World) -> None:
    acme_merchant(world)
    fund(world.wendy, 100)
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="zh-hans")
    path = f"{API}/merchants/{world.acme.public_id}/payments"
    code = code_for(world.wendy)
    cases = [
        ({"code": payments.new_code(), "amount": 10}, "code_unknown", "code"),
        ({"code": code, "amount": 0}, "amount_not_positive", "amount"),
        ({"code": code, "amount": 101}, "insufficient_funds", "amount"),
    ]
    for body, reason, field in cases:
        response = api_post(olivia, path, body)
        assert response.status_code == 422, response.content
        envelope = response.json()
        assert envelope["code"] == reason and field in envelope["fields"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in envelope["message"])  # Chinese
    assert_error(api_post(olivia, path, {"code": code, "amount": 1.5}), "invalid_input", "amount")
    assert m.Payment.objects.count() == 0
    assert api_post(olivia, path, {"code": code, "amount": 100}).status_code == 201
    response = api_post(olivia, path, {"code": code, "amount": 1})
    assert response.json()["code"] == "code_used"


def test_statements_as_json_and_csv(world: World) -> None:
    acme_merchant(world)
    fund(world.wendy, 500)
    merchant = acme_merchant(world)
    payment = payments.start_payment(
        principal=as_(world.olivia), merchant=merchant, code=code_for(world.wendy), amount=200
    )
    payments.confirm_payment(principal=as_(world.olivia), payment=payment)
    statement = settlement.settle(now=tomorrow_morning()).statements[0]
    rita = client_for(world.rita)  # read-only members see statements
    base = f"{API}/merchants/{world.acme.public_id}/statements"
    listed = rita.get(base).json()
    assert [(s["accepted"], s["net"], s["payable_cny"], s["cny_per_point"]) for s in listed] == [
        (200, 200, "20.00", "0.1000")
    ]
    detail = rita.get(f"{base}/{statement.public_id}").json()
    assert [(line["kind"], line["points"]) for line in detail["lines"]] == [("payment", 200)]
    response = rita.get(f"{base}/{statement.public_id}/csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[-1]["line"] == "net" and rows[-1]["cny"] == "20.00"

    oscar = client_for(world.oscar)
    day = statement.day.isoformat()
    all_day = oscar.get(f"{API}/settlement/statements?day={day}").json()
    assert [s["merchant"] for s in all_day] == [str(world.acme.public_id)]
    text = oscar.get(f"{API}/settlement/statements/csv?day={day}").content.decode()
    assert text.startswith("\ufeffstatement,merchant,merchant_id,scenario,day")
    assert_error(client_for(world.olivia).get(f"{API}/settlement/statements"), "operator_only")


def test_the_operator_registers_merchants_and_publishes_rates_through_the_api(
    world: World,
) -> None:
    scenario()
    org = merchant_org(make_person("Hai Owner", "hai@example.com"), "Haihua Hotel")
    oscar = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en")
    response = api_post(
        oscar, f"{API}/merchants", {"organisation": str(org.public_id), "scenario": SCENARIO}
    )
    assert response.status_code == 201, response.content
    assert response.json()["asset"] == "ZP" and response.json()["category"] == "culture_tourism"
    response = api_post(
        oscar,
        f"{API}/merchants",
        {"organisation": str(world.globex.public_id), "scenario": SCENARIO},
    )
    assert response.status_code == 422 and response.json()["code"] == "not_a_merchant"
    response = oscar.patch(
        f"{API}/merchants/{org.public_id}",
        json.dumps({"scenario": dining().code, "active": False}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["active"] is False
    assert response.json()["scenario"] == "yangpu-dining"

    tomorrow = (settlement.today() + timedelta(days=1)).isoformat()
    response = api_post(
        oscar,
        f"{API}/settlement/rates",
        {"asset": "ZP", "effective_from": tomorrow, "cny_per_point": "0.0800"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["cny_per_point"] == "0.0800"
    response = api_post(
        oscar,
        f"{API}/settlement/rates",
        {"asset": "ZP", "effective_from": tomorrow, "cny_per_point": 0.1},
    )
    assert_error(response, "invalid_input", field="cny_per_point")
    rates = client_for(world.charlie).get(f"{API}/settlement/rates").json()
    assert [(r["asset"], r["effective_from"]) for r in rates] == [("ZP", tomorrow)]


# ---- pages -------------------------------------------------------------------------------


def test_the_pay_page_shows_a_code_once(world: World) -> None:
    scenario()
    fund(world.wendy, 300)
    wendy = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en")
    page = wendy.get("/points/pay/").content.decode()
    assert 'data-testid="pay-balance-ZP"' in page and "300 available" in page
    response = wendy.post("/points/pay/", {"asset": "ZP"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and 'data-testid="pay-code"' in page
    row = m.PaymentCode.objects.get(person=world.wendy)
    code = page.split('data-code="')[1][:12]
    assert row.digest == payments.digest(code)
    assert code not in wendy.get("/points/pay/").content.decode()  # never shown again


def test_the_cashier_page_takes_confirms_and_refunds_a_payment(world: World) -> None:
    acme_merchant(world)
    fund(world.wendy, 500)
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    base = f"/points/merchants/{world.acme.public_id}"
    assert olivia.get("/points/cashier/")["Location"] == f"{base}/cashier/"

    response = olivia.post(f"{base}/cashier/", {"code": "1234 5678 9012", "amount": "40"})
    assert_page_refused(response, 422, "This payment code is not valid.")
    code = code_for(world.wendy)
    response = olivia.post(f"{base}/cashier/", {"code": code, "amount": "0"})
    assert_page_refused(response, 422, "The amount must be greater than zero.")
    response = olivia.post(f"{base}/cashier/", {"code": code, "amount": "40.5"})
    assert_page_refused(response, 422, "whole number")

    response = olivia.post(f"{base}/cashier/", {"code": code, "amount": "40"})
    assert response.status_code == 302
    payment = m.Payment.objects.get()
    assert response["Location"] == f"{base}/payments/{payment.public_id}/"
    page = olivia.get(response["Location"]).content.decode()
    assert "W***y R******r" in page and 'data-testid="payment-confirm"' in page
    response = olivia.post(f"{base}/payments/{payment.public_id}/confirm/")
    assert response["Location"] == f"{base}/cashier/"
    assert "Payment of 40 confirmed." in olivia.get(f"{base}/cashier/").content.decode()

    refund = f"{base}/payments/{payment.public_id}/refund/"
    page = olivia.get(refund, {"amount": "15", "reason": "wrong size"}).content.decode()
    assert 'name="confirm" value="yes"' in page and "Refund 15" in page  # the page's form
    response = olivia.post(refund, {"amount": "15", "reason": "wrong size"})
    assert response.status_code == 302  # refused: not confirmed, nothing changed
    payment.refresh_from_db()
    assert payment.refunded == 0 and not m.Refund.objects.exists()
    response = olivia.post(refund, {"amount": "15", "reason": "wrong size", "confirm": "yes"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.refunded == 15
    response = olivia.post(
        refund,
        {"amount": "26", "reason": "too much", "confirm": "yes"},
        HTTP_REFERER=f"http://testserver{base}/payments/{payment.public_id}/",
    )
    page = olivia.get(response["Location"]).content.decode()
    assert "At most 25 of this payment can still be refunded." in page
    payment.refresh_from_db()
    assert payment.refunded == 15

    rita = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="en")
    page = rita.get(f"{base}/cashier/").content.decode()
    assert "Your role lets you see the payments, not take them." in page
    assert 'data-testid="cashier-form"' not in page


def test_cancelling_a_held_payment_is_confirmed_first(world: World) -> None:
    merchant = acme_merchant(world)
    fund(world.wendy, 100)
    payment = payments.start_payment(
        principal=as_(world.olivia), merchant=merchant, code=code_for(world.wendy), amount=40
    )
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    cancel = f"/points/merchants/{world.acme.public_id}/payments/{payment.public_id}/cancel/"
    page = olivia.get(cancel).content.decode()
    assert 'name="confirm" value="yes"' in page and "Cancel the payment (40)" in page
    assert olivia.post(cancel).status_code == 302  # refused: not confirmed
    assert merchants_queries.shown_status(m.Payment.objects.get(pk=payment.pk)) == "held"
    assert olivia.post(cancel, {"confirm": "yes"}).status_code == 302
    assert merchants_queries.shown_status(m.Payment.objects.get(pk=payment.pk)) != "held"


def test_the_merchant_page_lists_statements_with_csv_links(world: World) -> None:
    merchant = acme_merchant(world)
    fund(world.wendy, 100)
    payment = payments.start_payment(
        principal=as_(world.olivia), merchant=merchant, code=code_for(world.wendy), amount=90
    )
    payments.confirm_payment(principal=as_(world.olivia), payment=payment)
    statement = settlement.settle(now=tomorrow_morning()).statements[0]
    page = client_for(world.rita).get(f"/points/merchants/{world.acme.public_id}/").content.decode()
    day = statement.day.isoformat()
    assert f'data-testid="statement-csv-{day}"' in page and "¥9.00" in page
    page = client_for(world.oscar).get(f"/points/merchants/?day={day}").content.decode()
    assert "¥9.00" in page and str(world.acme) in page
