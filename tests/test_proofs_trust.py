"""Verification that trusts only what it should (issue 15 item 4): offline, the issuer's key
comes from a DID document, a pinned key file or the deployment's trust store, or the result
is "key unverified" and exit status 1; Ed25519 keys as RFC 8032 and the product's small-order
policy require; RFC 3339 dates; the VC Data Model 2.0 rules with a code and a localized
message each; Merkle verifiers that never raise. Vectors are read from the shared data
folder (Wycheproof / RFC 8032 and the W3C vc-di-eddsa example)."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from nomadcloud.proofs import services
from nomadcloud.proofs.core import dataintegrity, ed25519, merkle, rfc3339
from nomadcloud.proofs.services.datamodel import broken_rules
from nomadcloud.proofs.services.offline import TrustSources, verify_offline
from tests.builders.proofs import claims, trust_the_zone
from tests.conftest import World
from tests.helpers import shared_data

P = 2**255 - 19
IDENTITY = (1).to_bytes(32, "little")


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = 0
    with translation.override("en"):
        try:
            call_command("proofs", "verify", *args, stdout=out)
        except SystemExit as exited:
            code = int(exited.code or 0)
    return code, out.getvalue()


def _forged(document: dict[str, Any], seed: bytes) -> dict[str, Any]:
    """The document re-signed with another key, still naming the zone as its issuer."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    key = ed25519.multikey_encode_public(ed25519.public_key_from_seed(seed))
    return dataintegrity.add_proof(
        unsigned,
        seed,
        verification_method=f"{document['issuer']}#{key}",
        created=document["proof"]["created"],
    )


@pytest.fixture
def issued(world: World) -> dict[str, Any]:
    (credential,) = services.issue_credentials(world.rita, [claims("trust-1")])
    services.publish_checkpoint()
    return services.bundle(credential)


def test_a_credential_signed_by_another_key_fails_offline_and_the_zones_did_decides(
    issued: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    settings.PROOFS_TRUST_STORE = ""
    forged = _forged(issued["credential"], b"\x07" * 32)
    forged_path = tmp_path / "forged.json"
    forged_path.write_text(json.dumps(forged))
    genuine_path = tmp_path / "genuine.json"
    genuine_path.write_text(json.dumps(issued))

    # no trusted key source: not valid, exit 1, and it says why
    code, out = _run(str(forged_path))
    assert code == 1
    assert "[key_unverified]" in out and "not checked against a trusted source" in out
    assert "Issuer key (not performed)" in out and "Signature (performed)" in out
    assert "NOT valid" in out
    code, _out = _run(str(genuine_path))
    assert code == 1  # even the genuine one: its key is vouched for by nothing

    # with the zone's DID document: the forgery names an unknown key, the genuine one passes
    did = tmp_path / "did.json"
    did.write_text(json.dumps(services.did_document()))
    code, out = _run(str(forged_path), "--did", str(did))
    assert code == 1 and "[unknown_key]" in out
    code, out = _run(str(genuine_path), "--did", str(did))
    assert code == 0, out
    assert out.rstrip().endswith("valid")

    # a pinned key file, and the deployment's trust store, work the same way
    key = tmp_path / "zone.keys"
    key.write_text(
        "# the zone's key\n"
        + services.did_document()["verificationMethod"][0]["publicKeyMultibase"]
        + "\n"
    )
    assert _run(str(genuine_path), "--key", str(key))[0] == 0
    assert _run(str(forged_path), "--key", str(key))[0] == 1
    trust_the_zone(settings, tmp_path)
    assert _run(str(genuine_path))[0] == 0
    assert _run(str(forged_path))[0] == 1

    # a DID document of another issuer vouches for nothing here
    other = {**services.did_document(), "id": "did:web:other.example"}
    settings.PROOFS_TRUST_STORE = ""
    result = verify_offline(issued, trust=TrustSources(did_documents=[other]))
    assert {c.name: c.code for c in result.checks}["issuer_key"] == "unknown_key"


def test_the_json_output_says_whether_each_check_was_performed(
    issued: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    settings.PROOFS_TRUST_STORE = ""
    path = tmp_path / "c.json"
    path.write_text(json.dumps(issued["credential"]))
    out = io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("proofs", "verify", str(path), "--json", stdout=out)
    checks = {c["name"]: (c["code"], c["performed"]) for c in json.loads(out.getvalue())["checks"]}
    assert checks["issuer_key"] == ("key_unverified", False)
    assert checks["signature"] == ("ok", True)
    assert checks["status"] == ("unchecked", False)
    assert checks["log"] == ("no_checkpoint", False)
    assert checks["data_model"] == ("ok", True)


# --- Ed25519 keys -----------------------------------------------------------------------------


def test_the_identity_point_and_other_small_order_keys_verify_nothing() -> None:
    # With the identity as the key, R = identity and S = 0 verify every message in a
    # cofactorless check: the attack the finding described.
    universal = IDENTITY + bytes(32)
    for message in (b"", b"any message", b"\x00" * 100):
        assert ed25519.verify(IDENTITY, message, universal) is False
    for key in (
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    ):
        assert ed25519.key_acceptable(bytes.fromhex(key)) is False


def test_non_canonical_key_encodings_are_refused() -> None:
    seed = b"\x01" * 32
    good = ed25519.public_key_from_seed(seed)
    signature = ed25519.sign(seed, b"m")
    assert ed25519.verify(good, b"m", signature)
    for encoding in (
        (P + 1).to_bytes(32, "little"),  # y = p + 1: the identity, unreduced
        (P + 1 + (1 << 255)).to_bytes(32, "little"),
        IDENTITY[:31] + b"\x80",  # x = 0 with the sign bit: "negative zero"
        b"\xff" * 32,
    ):
        assert ed25519.key_acceptable(encoding) is False
        assert ed25519.verify(encoding, b"m", signature) is False
    assert ed25519.verify(None, b"m", signature) is False  # type: ignore[arg-type]


def test_the_rfc_8032_vectors_verify_with_the_key_policy() -> None:
    data = json.loads(shared_data("vectors", "ed25519", "ed25519_test.json").read_text())
    rfc = 0
    for group in data["testGroups"]:
        key = bytes.fromhex(group["publicKey"]["pk"])
        for test in group["tests"]:
            result = ed25519.verify(key, bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"]))
            assert result == (test["result"] == "valid"), test["tcId"]
            if 80 <= test["tcId"] <= 83:  # RFC 8032 section 7.1 TEST 1, 2, 3, 1024
                assert result is True
                rfc += 1
    assert rfc == 4


def test_the_w3c_example_credential_meets_the_data_model_and_verifies() -> None:
    folder = shared_data("vectors", "vc-di-eddsa")
    signed = json.loads((folder / "eddsa-jcs-2022" / "signedJCS.json").read_text())
    key = ed25519.multikey_decode_public(
        json.loads((folder / "keyPair.json").read_text())["publicKeyMultibase"]
    )
    assert dataintegrity.verify_proof(signed, key).verified
    assert broken_rules(signed) == []
    result = verify_offline(signed, trust=TrustSources(pinned_keys={key}))
    codes = {c.name: c.code for c in result.checks}
    assert codes["issuer_key"] == "ok" and codes["signature"] == "ok"
    assert codes["data_model"] == "ok"


# --- RFC 3339 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("2024-02-29T12:00:00Z", True),
        ("2024-02-30T12:00:00Z", False),
        ("2023-02-29T12:00:00Z", False),
        ("2024-13-01T00:00:00Z", False),
        ("2024-01-01T24:00:00Z", False),  # RFC 3339 time-hour is 00-23 (decision 0019)
        ("2024-01-01T23:59:59.123456789+08:00", True),
        ("2024-01-01t23:59:59z", True),
        ("2016-12-31T23:59:60Z", True),  # a leap second at the end of the UTC day
        ("2016-12-31T12:00:60Z", False),
        ("2017-01-01T07:59:60+08:00", True),  # 23:59:60 UTC
        ("2024-01-01T00:00:00+24:00", False),
        ("2024-01-01T00:00:00", False),
        ("2024-01-01 00:00:00Z", False),
        ("２０２４-01-01T00:00:00Z", False),
        ("+2024-01-01T00:00:00Z", False),
        (20240101, False),
    ],
)
def test_dates_are_rfc_3339(text: Any, accepted: bool) -> None:
    assert (rfc3339.parse(text) is not None) is accepted


def test_a_proof_created_on_february_30_is_refused() -> None:
    seed = b"\x02" * 32
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "a": 1}
    method = "did:key:x#" + ed25519.multikey_encode_public(ed25519.public_key_from_seed(seed))
    signed = dataintegrity.add_proof(
        doc, seed, verification_method=method, created="2024-02-28T00:00:00Z"
    )
    signed["proof"]["created"] = "2024-02-30T00:00:00Z"
    result = dataintegrity.verify_proof(signed, ed25519.public_key_from_seed(seed))
    assert result.reason == "created"


# --- VC Data Model 2.0 rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda d: d.pop("type"), "dm_type"),
        (lambda d: d.update(type=["ProofOfWorkCredential"]), "dm_type"),
        (lambda d: d.pop("@context"), "dm_context"),
        (
            lambda d: d.update({"@context": ["https://www.w3.org/2018/credentials/v1"]}),
            "dm_context",
        ),
        (lambda d: d.pop("credentialSubject"), "dm_subject"),
        (lambda d: d.update(credentialSubject={}), "dm_subject"),
        (lambda d: d.pop("issuer"), "dm_issuer"),
        (lambda d: d.update(issuer={"name": "x"}), "dm_issuer"),
        (lambda d: d.update(id="not a url"), "dm_id"),
        (lambda d: d.update(validFrom="2026-02-30T00:00:00Z"), "dm_validity"),
        (
            lambda d: d.update(validFrom="2026-01-02T00:00:00Z", validUntil="2026-01-01T00:00:00Z"),
            "dm_validity",
        ),
        (
            lambda d: d.update(validFrom="2019-01-01T00:00:00Z", validUntil="2020-01-01T00:00:00Z"),
            "dm_expired",
        ),
        (lambda d: d.update(validFrom="2999-01-01T00:00:00Z"), "dm_not_yet_valid"),
        (lambda d: d.update(credentialStatus={"id": "x y"}), "dm_status"),
        (lambda d: d.update(credentialStatus=[]), "dm_status"),
    ],
)
def test_each_broken_rule_has_a_code_and_a_message_in_both_languages(
    issued: dict[str, Any], change: Any, code: str
) -> None:
    document = copy.deepcopy(issued["credential"])
    change(document)
    assert code in broken_rules(document)
    with translation.override("en"):
        english = services.verify(document)
    with translation.override("zh-hans"):
        chinese = services.verify(document)
    assert not english.valid
    rule = next(c for c in english.checks if c.name == "data_model" and c.code == code)
    zh = next(c for c in chinese.checks if c.name == "data_model" and c.code == code)
    assert rule.message and zh.message and rule.message != zh.message


# --- Merkle verifiers never raise ----------------------------------------------------------

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.binary(max_size=40),
    st.text(max_size=5),
    st.lists(st.one_of(st.binary(min_size=32, max_size=32), st.none(), st.integers()), max_size=5),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junk, junk, junk, junk, junk)
def test_merkle_verifiers_answer_false_for_anything_malformed(
    a: Any, b: Any, c: Any, d: Any, e: Any
) -> None:
    assert merkle.verify_inclusion(a, b, c, d, e) in (True, False)
    assert merkle.verify_consistency(a, b, c, d, e) in (True, False)
    assert merkle.verify_inclusion(bytes(32), 0, 2, d, e) is False or isinstance(d, list)
