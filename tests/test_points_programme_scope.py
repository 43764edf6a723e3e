"""A programme's API key credits only accounts of its own programme (issue 15, item 3):
people's accounts and its own account in the assets it is authorised for — never another
organisation's (merchant) account or a system account, whether the account exists or not;
each refusal names the account, in the reader's language, and nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from nomadcloud.accounts import services as accounts
from nomadcloud.accounts.principal import Principal
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.programme import services as programme
from tests.conftest import World
from tests.helpers import api_post

API = "/api/v1/points"
ZP = book.ZONE_POINTS


@pytest.fixture
def programme_key(world: World) -> str:
    """Globex, authorised for ZP, with a write API key."""
    programme.authorise_programme(
        principal=Principal.for_user(world.oscar), organisation=world.globex, asset_code=ZP
    )
    _key, secret = accounts.create_organisation_key(
        principal=Principal.for_user(world.charlie),
        organisation=world.globex,
        name="programme",
        scope="write",
    )
    return secret


def _transfer(id: str, debit: str, credit: str, amount: int) -> dict[str, Any]:
    return {
        "id": id,
        "kind": "transfer",
        "debit_account": debit,
        "credit_account": credit,
        "amount": amount,
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_programme_credits_no_other_organisation_and_no_system_account(
    world: World, programme_key: str, language: str
) -> None:
    rita = book.person_account(world.rita, ZP)
    own = book.organisation_account(world.globex, ZP)
    acme = book.organisation_account(world.acme, ZP)  # another organisation's account
    exchange = "exchange:ZP:0"
    targets = [
        acme,
        exchange,
        "issuance:ZP:1",
        f"o:{'0' * 32}:ZP",  # an organisation account that does not exist: refused alike
        "u:abc:ZP:extra",
    ]
    body = {
        "transfers": [
            _transfer("ok", "issuance:ZP:2", rita, 5),
            *(_transfer(f"x{i}", "issuance:ZP:2", t, 7) for i, t in enumerate(targets)),
            _transfer("own", own, acme, 1),  # from its own account: still not to Acme
        ]
    }
    before = dict(m.Account.objects.values_list("id", "credits_posted"))
    client = Client(HTTP_ACCEPT_LANGUAGE=language, HTTP_AUTHORIZATION=f"Bearer {programme_key}")
    response = api_post(client, f"{API}/transfers/batch", body)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0]["status"] == "created"
    for result, target in zip(results[1:], [*targets, acme], strict=True):
        assert (result["status"], result["reason"], result["field"]) == (
            "refused",
            "not_authorised",
            "credit_account",
        ), result
        assert target in result["message"]
        if language == "en":
            assert result["message"].startswith("You may not credit the account")
        else:
            assert result["message"].startswith("您无权向账户")
    after = dict(m.Account.objects.values_list("id", "credits_posted"))
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {rita}
    assert after[rita] - before.get(rita, 0) == 5


def test_the_zone_operator_still_credits_any_account(world: World, programme_key: str) -> None:
    acme = book.organisation_account(world.acme, ZP)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.oscar)
    response = api_post(
        client, f"{API}/transfers/batch", {"transfers": [_transfer("a", "issuance:ZP:0", acme, 3)]}
    )
    assert response.json()["results"][0]["status"] == "created", response.content
