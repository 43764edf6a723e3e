"""Revocation through Bitstring Status Lists: lists roll over when full (list size set small
here), verification reads the list a credential names, and the offline command checks a
downloaded status list; also offline checks after a key rotation and against a saved DID
document."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from nomadcloud.accounts.principal import Principal
from nomadcloud.proofs import services, statuslist
from nomadcloud.proofs.models import Credential
from tests.builders.proofs import claims, trust_the_zone
from tests.conftest import World


def codes(result: services.Verification) -> dict[str, str]:
    return {c.name: c.code for c in result.checks}


def bits_of(document: dict[str, Any]) -> bytes:
    return statuslist.decode(document["credentialSubject"]["encodedList"])


def revoke(w: World, credential: Credential, reason: str) -> None:
    services.revoke(principal=Principal.for_user(w.oscar), credential=credential, reason=reason)


@pytest.fixture
def small_lists(settings: Any) -> None:
    settings.PROOFS_STATUS_LIST_BITS = 16


def test_a_full_list_rolls_over_to_the_next(
    world: World, small_lists: None, client: Client
) -> None:
    issued = services.issue_credentials(world.rita, [claims(f"s{i}") for i in range(20)])
    positions = [(c.status_list, c.status_index) for c in issued]
    assert positions == [(1, i) for i in range(16)] + [(2, i) for i in range(4)]
    entry = issued[17].document["credentialStatus"]
    assert entry["statusListCredential"] == services.status_list_url(2)
    assert entry["statusListCredential"].endswith("/proofs/status/2")
    assert entry["statusListIndex"] == "1" and entry["id"].endswith("/proofs/status/2#1")
    # the next call continues on list 2
    [more] = services.issue_credentials(world.bob, [claims("s20")])
    assert (more.status_list, more.status_index) == (2, 4)
    services.publish_checkpoint()
    # revoke index 1 of list 2: list 2 has bit 1 set, list 1 has nothing set
    revoke(world, issued[17], "plagiarism")
    one = client.get("/proofs/status/1").json()
    two = client.get("/proofs/status/2").json()
    assert one["id"].endswith("/proofs/status/1") and two["id"].endswith("/proofs/status/2")
    assert not any(bits_of(one))
    assert statuslist.is_set(bits_of(two), 1) and sum(bin(b).count("1") for b in bits_of(two)) == 1
    assert two["credentialSubject"]["revocationReasons"] == {"1": "plagiarism"}
    assert len(bits_of(one)) == 2  # 16 entries
    # verification reads the list each credential names
    assert services.verify(issued[1].document).valid  # list 1, index 1
    result = services.verify(issued[17].document)  # list 2, index 1
    assert not result.valid and codes(result)["status"] == "revoked"
    assert "plagiarism" in result.checks[3].message
    for missing in ("/proofs/status/3", "/proofs/status/0"):
        assert client.get(missing).status_code == 404


def test_a_status_entry_that_is_not_the_credentials_place_fails(world: World) -> None:
    (credential,) = services.issue_credentials(world.rita, [claims("x")])
    doc = copy.deepcopy(credential.document)
    doc["credentialStatus"]["statusListCredential"] = services.status_list_url(2)
    assert codes(services.verify(doc))["status"] == "status_entry"


def test_status_list_encoding_round_trip_and_bad_input() -> None:
    encoded = statuslist.encode([0, 7, 8, 131071], 131072)
    raw = statuslist.decode(encoded)
    assert len(raw) == 16384
    assert [statuslist.is_set(raw, i) for i in (0, 1, 7, 8, 9, 131071)] == [
        True,
        False,
        True,
        True,
        False,
        True,
    ]
    for bad in ("", "zabc", "u!!!", "uAAAA", 42, None):
        with pytest.raises(statuslist.StatusListError):
            statuslist.decode(bad)
    with pytest.raises(statuslist.StatusListError):
        statuslist.is_set(raw, 131072)
    with pytest.raises(statuslist.StatusListError):
        statuslist.encode([16], 16)


def _write(tmp: Path, name: str, value: Any) -> str:
    path = tmp / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return str(path)


def _offline(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("proofs", "verify", *args, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def _codes(result: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["code"] for c in result["checks"]}


def test_offline_revocation_with_a_downloaded_status_list(
    world: World, small_lists: None, tmp_path: Path, client: Client, settings: Any
) -> None:
    issued = services.issue_credentials(world.rita, [claims(f"o{i}") for i in range(18)])
    services.publish_checkpoint()
    trust_the_zone(settings, tmp_path)
    target = issued[16]  # list 2, index 0
    bundle = _write(tmp_path, "bundle.json", services.bundle(target))
    list2_before = _write(tmp_path, "list2-before.json", client.get("/proofs/status/2").json())
    result = _offline(bundle, "--status-list", list2_before)
    assert result["valid"] is True and _codes(result)["status"] == "ok"
    revoke(world, target, "work was copied")
    list2 = client.get("/proofs/status/2").json()
    result = _offline(bundle, "--status-list", _write(tmp_path, "list2.json", list2))
    assert result["valid"] is False and _codes(result)["status"] == "revoked"
    assert result["revoked_reason"] == "work was copied"
    status = next(c for c in result["checks"] if c["name"] == "status")
    assert "work was copied" in status["message"] and status["performed"] is True
    # the wrong list, a changed list, an unreadable file
    list1 = _write(tmp_path, "list1.json", client.get("/proofs/status/1").json())
    assert _codes(_offline(bundle, "--status-list", list1))["status"] == "status_list_other"
    forged = copy.deepcopy(list2)
    forged["credentialSubject"]["encodedList"] = statuslist.encode([], 16)
    forged_path = _write(tmp_path, "forged.json", forged)
    assert _codes(_offline(bundle, "--status-list", forged_path))["status"] == (
        "status_list_signature"
    )
    garbage = _write(tmp_path, "garbage.json", "{not json")
    assert _codes(_offline(bundle, "--status-list", garbage))["status"] == ("status_list_malformed")
    # the human-readable output names revocation and the reason, exit status 1
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "proofs",
            "verify",
            bundle,
            "--status-list",
            _write(tmp_path, "l2.json", list2),
            stdout=out,
        )
    assert exited.value.code == 1
    assert "work was copied" in out.getvalue() and "[revoked]" in out.getvalue()


def test_offline_after_a_key_rotation_and_with_a_saved_did_document(
    world: World, tmp_path: Path, client: Client, settings: Any
) -> None:
    (old,) = services.issue_credentials(world.rita, [claims("before")])
    services.rotate_key()
    services.issue_credentials(world.rita, [claims("after")])
    services.publish_checkpoint()  # signed with the new key
    bundle = services.bundle(old)
    assert bundle["log"]["checkpointKey"] != old.document["proof"]["verificationMethod"]
    path = _write(tmp_path, "old.json", bundle)
    unverified = _offline(path)  # no trusted source for the key: not valid, says why
    assert unverified["valid"] is False
    assert _codes(unverified)["issuer_key"] == "key_unverified"
    trust_the_zone(settings, tmp_path)
    assert _offline(path)["valid"] is True
    settings.PROOFS_TRUST_STORE = ""
    did = _write(tmp_path, "did.json", client.get("/.well-known/did.json").json())
    result = _offline(path, "--did", did)
    assert result["valid"] is True and _codes(result)["issuer_key"] == "ok"
    other = {
        "verificationMethod": [
            {"publicKeyMultibase": "z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH"}
        ]
    }
    result = _offline(path, "--did", _write(tmp_path, "other.json", other))
    assert result["valid"] is False and _codes(result)["issuer_key"] == "unknown_key"
    assert _codes(result)["log"] == "checkpoint"


def test_a_revocation_is_appended_to_the_log_and_proved_like_an_issuance(
    world: World, client: Client
) -> None:
    import base64

    from nomadcloud.core.models import AuditEvent
    from nomadcloud.proofs.core import merkle
    from nomadcloud.proofs.core.jcs import canonicalize
    from nomadcloud.proofs.models import LogEntry, RevocationEntry

    first, second = services.issue_credentials(world.rita, [claims("r1"), claims("r2")])
    before = services.publish_checkpoint()
    assert before.size == 2
    not_yet = client.get(f"/api/v1/proofs/credentials/{first.public_id}/revocation")
    assert not_yet.status_code == 404 and not_yet.json()["code"] == "not_revoked"

    revoke(world, first, "duplicate submission")
    entry = RevocationEntry.objects.get(credential=first)
    assert entry.index == 2 and services.log_size() == 3  # the next leaf of the same log
    record = entry.record
    assert record["type"] == "CredentialRevocation"
    assert record["credential"] == f"urn:uuid:{first.public_id}"
    assert record["credentialLogIndex"] == first.log_entry.index
    assert base64.b64decode(record["credentialLeafHash"]) == bytes(first.log_entry.leaf_hash)
    assert record["statusListIndex"] == str(first.status_index)
    assert record["reason"] == "duplicate submission"
    assert bytes(entry.leaf_hash) == merkle.hash_leaf(canonicalize(record))
    event = AuditEvent.objects.filter(action="proofs.revoke").latest("id")
    assert event.summary["after"]["log_index"] == 2

    # Pending until a checkpoint covers it, then proved against the signed root.
    pending = client.get(f"/api/v1/proofs/credentials/{first.public_id}/revocation").json()
    assert pending["index"] == 2 and pending["inclusion_proof"] == []
    after = services.publish_checkpoint()
    proved = client.get(f"/api/v1/proofs/credentials/urn:uuid:{first.public_id}/revocation")
    body = proved.json()
    assert proved.status_code == 200 and body["tree_size"] == after.size == 3
    proof = [base64.b64decode(h) for h in body["inclusion_proof"]]
    leaf = merkle.hash_leaf(canonicalize(body["record"]))
    assert merkle.verify_inclusion(leaf, 2, 3, proof, bytes(after.root))
    assert body["checkpoint"] == after.note
    # The log only grew: the old checkpoint is consistent with the new one.
    consistency = services.consistency_proof(before.size, after.size)
    assert merkle.verify_consistency(
        before.size, after.size, bytes(before.root), bytes(after.root), consistency
    )
    # Verification names where the revocation was logged, and issuing goes on after it.
    result = services.verify(first.document)
    assert codes(result)["status"] == "revoked" and result.revocation_log_index == 2
    assert services.verify(second.document).revocation_log_index is None
    (third,) = services.issue_credentials(world.bob, [claims("r3")])
    assert third.log_entry.index == 3
    issued = LogEntry.objects.values_list("index", flat=True)
    indices = sorted([*issued, *RevocationEntry.objects.values_list("index", flat=True)])
    assert indices == [0, 1, 2, 3]
    services.publish_checkpoint()
    assert services.verify(third.document).valid


def test_the_verify_page_links_the_logged_revocation(world: World, client: Client) -> None:
    (credential,) = services.issue_credentials(world.rita, [claims("page")])
    services.publish_checkpoint()
    revoke(world, credential, "withdrawn by the enterprise")
    page = client.post(
        "/proofs/verify/",
        {"credential": json.dumps(credential.document)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = page.content.decode()
    assert 'data-testid="revocation-log"' in html and "at index 1" in html
    assert f"/api/v1/proofs/credentials/urn%3Auuid%3A{credential.public_id}/revocation" in html
