"""Externally registered public keys are screened: the Wycheproof group keys (honest keys)
are accepted; the 8 small-order points, non-canonical encodings, off-curve points and
mixed-order keys are refused with a localized reason naming the problem, through the API,
the operator's page and the command; registration is the operator's and is audited."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, InvalidInput
from nomadcloud.core.models import AuditEvent
from nomadcloud.proofs import services
from nomadcloud.proofs.core import ed25519, note
from nomadcloud.proofs.models import ExternalKey
from tests.conftest import World, client_for
from tests.helpers import assert_error, shared_data
from tests.test_proofs_core import _torsion_points

# The 8 small-order Ed25519 points as libsodium's blocklist (ed25519_ref10.c) writes them;
# checked below against the points computed as [L]P.
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",  # order 1
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
]
P = 2**255 - 19
NON_CANONICAL = [
    (P + 1).to_bytes(32, "little").hex(),  # y = p + 1 (the identity, unreduced)
    (2**255 - 1).to_bytes(32, "little").hex(),  # y = 2^255 - 1
    (1 | (1 << 255)).to_bytes(32, "little").hex(),  # "negative zero": x = 0, sign bit set
]


def wycheproof_keys() -> list[str]:
    data = json.loads(shared_data("vectors", "ed25519", "ed25519_test.json").read_text())
    return sorted({g["publicKey"]["pk"] for g in data["testGroups"]})


def operator(w: World) -> Principal:
    return Principal.for_user(w.oscar)


def register(w: World, name: str, key: str, purpose: str = "witness") -> ExternalKey:
    return services.register_external_key(
        principal=operator(w), name=name, purpose=purpose, public_key=key
    )


def test_the_listed_small_order_points_are_the_torsion_points() -> None:
    assert {bytes.fromhex(k) for k in SMALL_ORDER} == _torsion_points()


def test_honest_wycheproof_keys_are_accepted_in_every_notation(world: World) -> None:
    keys = wycheproof_keys()
    assert len(keys) > 50
    for i, hex_key in enumerate(keys):
        raw = bytes.fromhex(hex_key)
        notation = [hex_key, ed25519.multikey_encode_public(raw)][i % 2]
        registered = register(world, f"wycheproof-{i}", notation)
        assert ed25519.multikey_decode_public(registered.public_multikey) == raw
        verifier = note.Verifier.parse(registered.note_verifier)
        assert verifier.public_key == raw and verifier.name == f"wycheproof-{i}"
    assert ExternalKey.objects.count() == len(keys)
    assert AuditEvent.objects.filter(action="proofs.external_key.register").count() == len(keys)


@pytest.mark.parametrize("hex_key", SMALL_ORDER)
def test_small_order_keys_are_refused(world: World, hex_key: str) -> None:
    notations = (hex_key, ed25519.multikey_encode_public(bytes.fromhex(hex_key)))
    languages = (("en", "small-order"), ("zh-hans", "小阶"))
    for notation, (language, named) in zip(notations, languages, strict=True):
        with translation.override(language), pytest.raises(InvalidInput) as refused:
            register(world, "evil", notation)
        assert refused.value.code == "key_small_order"
        assert named in refused.value.fields["public_key"][0]
    assert not ExternalKey.objects.exists()


@pytest.mark.parametrize(
    ("key", "code"),
    [
        *[(k, "key_non_canonical") for k in NON_CANONICAL],
        ((2).to_bytes(32, "little").hex(), "key_not_on_curve"),
        ("ab" * 31, "key_length"),
        ("not a key at all", "key_encoding"),
        ("z6Mk", "key_encoding"),
        ("witness+00000000+AQ==", "key_invalid_key"),
    ],
)
def test_malformed_keys_are_refused_naming_the_problem(world: World, key: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        register(world, "bad", key)
    assert refused.value.code == code


def mixed_order_key() -> str:
    pub = ed25519.public_key_from_seed(bytes(range(32)))
    point = ed25519._add(ed25519._decode_point(pub), ed25519._decode_point(b"\x00" * 32))
    x, y, z, _t = point
    zi = pow(z, P - 2, P)
    ax, ay = x * zi % P, y * zi % P
    return (ay | ((ax & 1) << 255)).to_bytes(32, "little").hex()


def test_a_mixed_order_key_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        register(world, "mixed", mixed_order_key())
    assert refused.value.code == "key_mixed_order"


def test_a_signed_note_verifier_key_keeps_its_name(world: World) -> None:
    _skey, vkey = note.generate_signer_key("witness.example.org")
    registered = register(world, "witness.example.org", vkey)
    assert registered.note_verifier == vkey
    with pytest.raises(InvalidInput) as refused:
        register(world, "another-name", note.generate_signer_key("x.example")[1])
    assert refused.value.fields["name"]


def test_names_and_duplicates(world: World) -> None:
    key = ed25519.multikey_encode_public(ed25519.public_key_from_seed(bytes(32)))
    for bad in ("", "has space", "a+b", "x" * 101):
        with pytest.raises(InvalidInput):
            register(world, bad, key)
    with pytest.raises(InvalidInput):
        register(world, "ok", key, purpose="emperor")
    register(world, "ok", key)
    from nomadcloud.core.errors import Conflict

    with pytest.raises(Conflict):
        register(world, "other", key)


def test_only_the_operator_registers(world: World) -> None:
    key = ed25519.multikey_encode_public(ed25519.public_key_from_seed(bytes(32)))
    for user in (world.olivia, world.rita, world.wendy):
        with pytest.raises(Forbidden):
            services.register_external_key(
                principal=Principal.for_user(user), name="k", purpose="witness", public_key=key
            )
    assert not ExternalKey.objects.exists()


def test_the_api_refuses_a_small_order_key_in_the_readers_language(world: World) -> None:
    for language, expected in (("en", "small-order"), ("zh-hans", "小阶")):
        client = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE=language)
        response = client.post(
            "/api/v1/proofs/keys",
            {"name": "evil", "purpose": "witness", "public_key": SMALL_ORDER[4]},
            content_type="application/json",
        )
        body = assert_error(response, "key_small_order", status=422)
        assert expected in body["fields"]["public_key"][0], body
    good = ed25519.multikey_encode_public(ed25519.public_key_from_seed(bytes(32)))
    created = client_for(world.oscar).post(
        "/api/v1/proofs/keys",
        {"name": "partner.example", "purpose": "cosigner", "public_key": good},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["public_multikey"] == good
    listed = client_for(world.oscar).get("/api/v1/proofs/keys").json()
    assert [k["name"] for k in listed] == ["partner.example"]
    assert_error(client_for(world.olivia).get("/api/v1/proofs/keys"), "operator_only")


def test_the_operator_page_shows_the_refusal(world: World) -> None:
    client = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en")
    evil = {"name": "evil", "purpose": "witness", "public_key": SMALL_ORDER[6]}
    response = client.get("/proofs/operator/keys", evil)  # the page's form asks first
    assert response.status_code == 422
    assert b"small-order" in response.content
    response = client.post("/proofs/operator/keys", {**evil, "confirm": "yes"})
    assert response.status_code == 422 and b"small-order" in response.content
    good = ed25519.multikey_encode_public(ed25519.public_key_from_seed(bytes(32)))
    form = {"name": "w1", "purpose": "witness", "public_key": good}
    page = client.get("/proofs/operator/keys", form).content.decode()
    assert 'name="confirm" value="yes"' in page and good in page
    refused = client.post("/proofs/operator/keys", form)
    assert refused.status_code == 302  # refused: not confirmed, nothing registered
    assert not ExternalKey.objects.filter(name="w1").exists()
    response = client.post("/proofs/operator/keys", {**form, "confirm": "yes"})
    assert response.status_code == 302
    assert b"w1" in client.get("/proofs/operator/").content
    again = client.get("/proofs/operator/keys", form)  # a duplicate is refused on the form
    assert again.status_code == 422 and b"already registered" in again.content


def test_the_command_registers_and_refuses(world: World, tmp_path: Path) -> None:
    out = StringIO()
    good = ed25519.multikey_encode_public(ed25519.public_key_from_seed(bytes(32)))
    call_command(
        "proofs", "register-key", "partner.example", good, "--purpose", "issuer", stdout=out
    )
    assert out.getvalue().startswith("partner.example+")
    assert ExternalKey.objects.get().purpose == "issuer"
    with pytest.raises(CommandError) as refused:
        call_command("proofs", "register-key", "evil", SMALL_ORDER[1], stdout=StringIO())
    assert "small-order" in str(refused.value) or "小阶" in str(refused.value)


def test_a_witness_cosigns_a_checkpoint(world: World, settings: Any) -> None:
    from tests.builders.proofs import claims

    services.issue_credentials(world.rita, [claims("w")])
    cp = services.publish_checkpoint()
    skey, vkey = note.generate_signer_key("witness.example.org")
    register(world, "witness.example.org", vkey)
    opened = note.open_note(cp.note, [services.checkpoint_verifier()])
    cosigned = note.sign_note(opened.text, [note.Signer.parse(skey)], existing=opened.verified)
    assert services.cosigners(cosigned) == ["witness.example.org"]
    assert services.cosigners(cp.note) == []
