"""Proofs of work on the database: issuing, the log and its proofs, checkpoints,
verification (online and offline), revocation and key rotation."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.core.models import AuditEvent
from nomadcloud.proofs import services
from nomadcloud.proofs.core import dataintegrity, ed25519, merkle, note
from nomadcloud.proofs.models import Credential, LogEntry, LogNode
from tests.builders.proofs import claims, trust_the_zone
from tests.conftest import World, client_for
from tests.helpers import assert_error


def codes(result: services.Verification) -> dict[str, str]:
    return {c.name: c.code for c in result.checks}


def issue(w: World, n: int = 1, user: Any = None) -> list[Credential]:
    user = user or w.rita
    return services.issue_credentials(user, [claims(f"src-{user.pk}-{i}") for i in range(n)])


def test_issue_builds_a_signed_vc(world: World) -> None:
    (credential,) = issue(world)
    doc = credential.document
    assert doc["@context"] == [services.VC_CONTEXT]
    assert "VerifiableCredential" in doc["type"]
    assert doc["issuer"] == services.issuer_did()
    assert doc["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    subject = doc["credentialSubject"]
    assert subject["id"].startswith("urn:nomadcloud:subject:")
    # pseudonymous: nothing personal in the whole document
    text = json.dumps(doc, ensure_ascii=False)
    for personal in ("Rita", "rita@example.com", str(world.rita.public_id)):
        assert personal not in text
    work = subject["work"]
    assert work["workUnits"] == "12.50" and work["quantity"]["items"] == 125
    assert work["skills"][0]["label"] == {"zh": "数据标注", "en": "data labelling"}
    key = services.key_from_method(doc["proof"]["verificationMethod"])
    assert key is not None and dataintegrity.verify_proof(doc, key).verified
    # the subject id is stable across credentials
    (again,) = services.issue_credentials(world.rita, [claims("another")])
    assert again.subject == credential.subject


def test_same_source_is_issued_once(world: World) -> None:
    assert len(issue(world)) == 1
    assert issue(world) == []


def test_log_matches_reference_tree_and_proofs_verify(world: World) -> None:
    issued = issue(world, 13)
    issued += issue(world, 6, user=world.bob)
    entries = list(LogEntry.objects.order_by("index"))
    assert [e.index for e in entries] == list(range(19))
    reference = merkle.MemoryTree(bytes(e.leaf_hash) for e in entries)
    for e, c in zip(entries, issued, strict=True):
        assert bytes(e.leaf_hash) == services.leaf_hash(c.document)
    cp = services.publish_checkpoint()
    assert cp.size == 19 and bytes(cp.root) == reference.root()
    for size in (1, 2, 7, 8, 13, 19):
        root = reference.root(size)
        for index in range(size):
            proof = services.inclusion_proof(index, size)
            assert proof == reference.inclusion_proof(index, size)
            assert merkle.verify_inclusion(
                bytes(entries[index].leaf_hash), index, size, proof, root
            )
        for first in range(1, size + 1):
            proof = services.consistency_proof(first, size)
            assert merkle.verify_consistency(first, size, reference.root(first), root, proof)
    # only O(log n) complete subtrees are stored per leaf: 2n - popcount(n)
    assert LogNode.objects.count() == 2 * 19 - bin(19).count("1")


def test_proof_arguments_out_of_range_are_refused(world: World) -> None:
    issue(world, 3)
    from nomadcloud.core.errors import InvalidInput

    for args in ((3, 3), (0, 4), (-1, 2)):
        with pytest.raises(InvalidInput):
            services.inclusion_proof(*args)
    for args in ((0, 2), (2, 1), (1, 4)):
        with pytest.raises(InvalidInput):
            services.consistency_proof(*args)


def test_checkpoint_is_a_signed_note(world: World) -> None:
    issue(world, 5)
    cp = services.publish_checkpoint()
    opened = note.open_note(cp.note, [services.checkpoint_verifier()])
    parsed = note.parse_checkpoint(opened.text, origin=services.log_origin())
    assert parsed.size == 5 and parsed.root_hash == bytes(cp.root)
    assert services.publish_checkpoint().pk == cp.pk  # unchanged log: same checkpoint


def test_verify_online(world: World) -> None:
    (credential,) = issue(world)
    result = services.verify(credential.document)
    assert codes(result)["log"] == "pending" and result.valid
    services.publish_checkpoint()
    result = services.verify(copy.deepcopy(credential.document))
    assert result.valid
    assert codes(result) == {
        "format": "ok",
        "issuer_key": "ok",
        "signature": "ok",
        "status": "ok",
        "log": "ok",
        "data_model": "ok",
    }


@pytest.mark.parametrize(
    ("mutate", "check", "code"),
    [
        (
            lambda d: d["credentialSubject"]["work"].update(workUnits="99.00"),
            "signature",
            "signature",
        ),
        (lambda d: d.update(issuer="did:web:evil.example"), "issuer_key", "wrong_issuer"),
        (
            lambda d: d.update(id="urn:uuid:00000000-0000-0000-0000-000000000000"),
            "status",
            "unknown_credential",
        ),
        (lambda d: d["proof"].update(proofValue="x0OIl"), "signature", "proof_value"),
    ],
)
def test_verify_reports_the_failed_check(world: World, mutate: Any, check: str, code: str) -> None:
    (credential,) = issue(world)
    services.publish_checkpoint()
    doc = copy.deepcopy(credential.document)
    mutate(doc)
    result = services.verify(doc)
    assert not result.valid and codes(result)[check] == code


def test_verify_unknown_key(world: World) -> None:
    (credential,) = issue(world)
    doc = {k: v for k, v in credential.document.items() if k != "proof"}
    seed = ed25519.generate_seed()
    other = ed25519.multikey_encode_public(ed25519.public_key_from_seed(seed))
    forged = dataintegrity.add_proof(
        doc,
        seed,
        verification_method=f"{services.issuer_did()}#{other}",
        created="2026-01-01T00:00:00Z",
    )
    result = services.verify(forged)
    assert codes(result)["issuer_key"] == "unknown_key"
    assert codes(result)["signature"] == "ok"  # self-consistent, but not our key
    assert codes(result)["log"] == "not_logged"


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"42", b'{"a": 1}', b"\xff\xfe"])
def test_malformed_input_never_crashes(world: World, raw: bytes) -> None:
    result = services.verify(services.parse(raw))
    assert not result.valid and result.checks[0].name == "format"


def test_revoke_is_operator_only_audited_and_fails_verification(world: World) -> None:
    (credential,) = issue(world)
    services.publish_checkpoint()
    with pytest.raises(Forbidden):
        services.revoke(
            principal=Principal.for_user(world.olivia), credential=credential, reason="x"
        )
    services.revoke(
        principal=Principal.for_user(world.oscar), credential=credential, reason="fraud"
    )
    with pytest.raises(Conflict):
        services.revoke(
            principal=Principal.for_user(world.oscar), credential=credential, reason="again"
        )
    assert AuditEvent.objects.filter(action="proofs.revoke", object_id=str(credential.pk)).exists()
    result = services.verify(credential.document)
    assert not result.valid and codes(result)["status"] == "revoked"
    assert result.revoked_reason == "fraud"
    # the log keeps the revoked credential
    assert LogEntry.objects.filter(credential=credential).exists()
    # the status list has the bit set
    status = services.status_list_credential()
    import gzip

    bits = gzip.decompress(
        base64.urlsafe_b64decode(status["credentialSubject"]["encodedList"][1:] + "==")
    )
    index = int(credential.document["credentialStatus"]["statusListIndex"])
    assert bits[index // 8] & (0x80 >> (index % 8))


def test_key_rotation_keeps_old_credentials_verifiable(world: World) -> None:
    (old,) = issue(world)
    services.rotate_key()
    (new,) = services.issue_credentials(world.rita, [claims("after-rotation")])
    services.publish_checkpoint()
    assert (
        old.document["proof"]["verificationMethod"] != new.document["proof"]["verificationMethod"]
    )
    assert services.verify(old.document).valid and services.verify(new.document).valid
    did = services.did_document()
    assert len(did["verificationMethod"]) == 2 and len(did["assertionMethod"]) == 1


def test_pages_and_api(world: World, client: Client) -> None:
    (credential,) = issue(world)
    services.publish_checkpoint()
    did = client.get("/.well-known/did.json").json()
    assert did["id"] == services.issuer_did()
    response = client.post(
        "/api/v1/proofs/verify", credential.document, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["valid"] is True
    response = client.post("/api/v1/proofs/verify", "{nope", content_type="application/json")
    assert_error(response, "invalid_input", field="body")
    page = client.post("/proofs/verify/", {"credential": json.dumps(credential.document)})
    assert b'data-valid="true"' in page.content
    zh = client.post("/proofs/verify/", {"credential": "{"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert b'data-valid="false"' in zh.content
    cp = client.get("/api/v1/proofs/checkpoint").json()
    assert cp["size"] == 1
    proof = client.get("/api/v1/proofs/inclusion?index=0&size=1").json()
    assert proof == {"proof": []}
    bad = client.get("/api/v1/proofs/inclusion?index=5&size=1")
    assert_error(bad, "out_of_range", field="index", status=422)


def _write(tmp: Path, name: str, value: Any) -> str:
    path = tmp / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return str(path)


def _offline(*args: str) -> dict[str, Any]:
    import io

    out = io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("proofs", "verify", *args, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_offline_command(
    world: World, tmp_path: Path, django_assert_num_queries: Any, settings: Any
) -> None:
    creds = issue(world, 5)
    services.publish_checkpoint()
    trust_the_zone(settings, tmp_path)
    bundle = services.bundle(creds[3])
    path = _write(tmp_path, "c.json", bundle)
    with django_assert_num_queries(0):  # no database
        result = _offline(path)
    assert result["valid"] is True
    assert {c["name"]: c["code"] for c in result["checks"]}["log"] == "ok"
    # checkpoint from a file
    cp_path = _write(tmp_path, "cp.txt", bundle["log"]["checkpoint"])
    bare = _write(
        tmp_path,
        "bare.json",
        {
            "credential": bundle["credential"],
            "log": {k: v for k, v in bundle["log"].items() if k != "checkpoint"},
        },
    )
    assert _offline(bare, "--checkpoint", cp_path)["valid"] is True
    # a bare credential without checkpoint: log not checked
    only = _write(tmp_path, "only.json", bundle["credential"])
    assert {c["name"]: c["code"] for c in _offline(only)["checks"]}["log"] == "no_checkpoint"
    # a changed byte
    tampered = copy.deepcopy(bundle)
    tampered["credential"]["credentialSubject"]["work"]["workUnits"] = "1000"
    result = _offline(_write(tmp_path, "t.json", tampered))
    assert result["valid"] is False
    assert {c["name"]: c["code"] for c in result["checks"]}["signature"] == "signature"
    # proof for a bigger tree than the checkpoint
    issue(world, 3, user=world.bob)
    older = bundle["log"]["checkpoint"]
    services.publish_checkpoint()
    bigger = services.bundle(creds[3])
    assert bigger["log"]["treeSize"] == 8
    result = _offline(
        _write(tmp_path, "b.json", bigger), "--checkpoint", _write(tmp_path, "old.txt", older)
    )
    assert {c["name"]: c["code"] for c in result["checks"]}["log"] == "bigger_tree"
    # a proof from another log
    other = copy.deepcopy(bundle)
    other["log"]["origin"] = "other.example/log"
    result = _offline(_write(tmp_path, "o.json", other))
    assert {c["name"]: c["code"] for c in result["checks"]}["log"] == "other_log"
    # malformed JSON
    result = _offline(_write(tmp_path, "m.json", "{not json"))
    assert result["valid"] is False and result["checks"][0]["code"] == "malformed"


def test_accepting_a_batch_issues_credentials(world: World) -> None:
    from nomadcloud.datatasks import services as datatasks
    from tests.builders.datatasks import answer_all, joined, open_batch

    batch = open_batch(world, pay_per_item="0.35")
    for user in (world.charlie, world.wendy):
        joined(world, user, batch)
        answer_all(world, user, batch)
    batch = datatasks.change_status(
        principal=Principal.for_user(world.olivia), batch=batch, status="closed"
    )
    datatasks.accept_batch(principal=Principal.for_user(world.olivia), batch=batch)
    issued = list(Credential.objects.filter(kind="data").order_by("id"))
    assert [c.user for c in issued] == [world.charlie, world.wendy]
    work = issued[0].document["credentialSubject"]["work"]
    assert work["workUnits"] == "2.80" and work["quantity"]["items"] == 8
    assert work["quality"]["accuracy"] == 1.0
    assert work["skills"][0]["id"] == "nc.data-annotation"
    services.publish_checkpoint()
    assert all(services.verify(c.document).valid for c in issued)


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_get_distinct_indexes() -> None:
    """Several workers issuing at once: the log-head lock serialises appends, so indexes are
    0..n-1 without gaps and the stored tree equals the reference tree."""
    import threading

    from django.db import connection

    from nomadcloud.accounts import services as accounts

    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency runs on PostgreSQL (NOMADCLOUD_TEST_DB=postgres)")
    users = [
        accounts.register_person(
            display_name=f"Worker {i}",
            email=f"w{i}@example.com",
            password="x-Pass-12345",
            consent=True,
        )
        for i in range(4)
    ]
    services.current_key()
    errors: list[BaseException] = []

    def run(user: Any) -> None:
        try:
            for i in range(5):
                services.issue_credentials(user, [claims(f"c-{user.pk}-{i}-{j}") for j in range(3)])
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    entries = list(LogEntry.objects.order_by("index"))
    assert [e.index for e in entries] == list(range(60))
    reference = merkle.MemoryTree(bytes(e.leaf_hash) for e in entries)
    assert bytes(services.publish_checkpoint().root) == reference.root()


def test_a_batch_is_verified_with_a_fixed_number_of_queries(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    issued = services.issue_credentials(world.rita, [claims(f"batch-q-{i}") for i in range(30)])
    services.publish_checkpoint()
    tampered = {**issued[1].document, "validFrom": "2000-01-01T00:00:00Z"}
    with CaptureQueriesContext(connection) as few:
        services.verify_many([issued[0].document])
    with CaptureQueriesContext(connection) as many:
        results = services.verify_many([c.document for c in issued] + [None])
    assert len(many.captured_queries) == len(few.captured_queries)
    results += services.verify_many([tampered])  # reads the logged copy's claims: one more
    assert [r.valid for r in results] == [True] * 30 + [False, False]
    assert results[31].work == issued[1].document["credentialSubject"]["work"]
    assert results[30].checks[0].code == "malformed"
    assert results[31].checks[2].code == "signature"
    response = client_for(None).post(
        "/api/v1/proofs/verify/batch",
        {"credentials": [issued[0].document, tampered]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert [r["valid"] for r in response.json()] == [True, False]
