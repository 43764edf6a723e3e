"""The Open Badges 3.0 shape of a credential: its structure, its signature, and that it
verifies like the credential it restates (online, through the API and offline with the
credential's bundle), and fails the same way once revoked."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from nomadcloud.accounts.principal import Principal
from nomadcloud.proofs import badges, services
from nomadcloud.proofs.core import dataintegrity
from nomadcloud.proofs.models import Credential
from nomadcloud.proofs.services import identity
from tests.builders.proofs import claims, trust_the_zone
from tests.conftest import World, client_for
from tests.helpers import assert_error


def codes(result: services.Verification) -> dict[str, str]:
    return {c.name: c.code for c in result.checks}


@pytest.fixture
def credential(world: World) -> Credential:
    issued = services.issue_credential(world.rita, claims("badge-src"))
    assert issued is not None
    services.publish_checkpoint()
    return issued


def test_the_badge_has_the_open_badges_3_shape(credential: Credential) -> None:
    badge = services.openbadge(credential)
    vc = credential.document
    assert badge["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == badges.badge_id(vc["id"]) != vc["id"]
    assert badge["issuer"]["id"] == vc["issuer"] and badge["issuer"]["type"] == ["Profile"]
    assert badge["validFrom"] == vc["validFrom"]
    subject = badge["credentialSubject"]
    assert subject["id"] == vc["credentialSubject"]["id"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Assignment"
    assert achievement["name"] == "图像标注 / Image labelling" == badge["name"]
    assert "125 items accepted" in achievement["description"]
    assert "12.50 work units" in achievement["description"]
    assert "工作量单位 12.50" in achievement["description"]
    assert vc["id"] in achievement["criteria"]["narrative"]
    assert achievement["alignment"][0]["targetCode"] == "nc.data-labelling"
    assert achievement["alignment"][0]["targetType"] == "ceasn:Competency"
    assert badge["credentialStatus"] == vc["credentialStatus"]
    assert badge["evidence"][0]["id"] == vc["id"]
    assert badge["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert badge["proof"]["@context"] == badge["@context"]
    key = services.key_from_method(badge["proof"]["verificationMethod"])
    assert key is not None and dataintegrity.verify_proof(badge, key).verified
    assert services.openbadge(credential) == badge  # signed on demand, deterministic


def test_the_badge_verifies_like_the_credential(world: World, credential: Credential) -> None:
    badge = services.openbadge(credential)
    result = services.verify(copy.deepcopy(badge))
    assert result.valid and result.shape == "openbadge", codes(result)
    assert codes(result)["log"] == "ok"
    assert result.work == credential.document["credentialSubject"]["work"]
    response = client_for(None).post(
        "/api/v1/proofs/verify", badge, content_type="application/json"
    )
    body = response.json()
    assert body["valid"] is True and body["shape"] == "openbadge"
    assert body["work"]["workUnits"] == "12.50"
    page = client_for(None).post("/proofs/verify/", {"credential": json.dumps(badge)})
    assert b'data-valid="true"' in page.content
    services.revoke(
        principal=Principal.for_user(world.oscar), credential=credential, reason="duplicate"
    )
    result = services.verify(badge)
    assert not result.valid and codes(result)["status"] == "revoked"
    assert result.revoked_reason == "duplicate"


def test_a_badge_that_does_not_restate_the_logged_credential_fails(
    credential: Credential,
) -> None:
    unsigned = badges.openbadge(credential.document)
    unsigned["credentialSubject"]["achievement"]["name"] = "Senior architect"
    key = services.current_key()
    forged = dataintegrity.add_proof(  # even signed with the zone's own key
        unsigned,
        identity.signing_seed(key),
        verification_method=services.verification_method(key),
        created=unsigned["validFrom"],
    )
    result = services.verify(forged)
    assert codes(result)["signature"] == "ok" and codes(result)["log"] == "badge_mismatch"
    assert not result.valid
    tampered = services.openbadge(credential)
    tampered["name"] = "Changed"
    assert codes(services.verify(tampered))["signature"] == "signature"


def test_a_badge_naming_an_unknown_credential_is_unknown(credential: Credential) -> None:
    badge = services.openbadge(credential)
    badge["evidence"][0]["id"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    assert codes(services.verify(badge))["status"] == "unknown_credential"


def _offline(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("proofs", "verify", *args, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def _write(tmp: Path, name: str, value: Any) -> str:
    path = tmp / name
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def test_the_badge_verifies_offline_with_the_credentials_bundle(
    credential: Credential, tmp_path: Path, settings: Any
) -> None:
    trust_the_zone(settings, tmp_path)
    badge = _write(tmp_path, "badge.json", services.openbadge(credential))
    source = _write(tmp_path, "bundle.json", services.bundle(credential))
    result = _offline(badge, "--source", source)
    assert result["valid"] is True and result["shape"] == "openbadge"
    checks = {c["name"]: c["code"] for c in result["checks"]}
    assert checks == {
        "format": "ok",
        "issuer_key": "ok",
        "signature": "ok",
        "status": "unchecked",
        "log": "ok",
        "data_model": "ok",
    }
    # without the source the log cannot be checked
    alone = _offline(badge)
    assert alone["valid"] is False
    assert {c["name"]: c["code"] for c in alone["checks"]}["log"] == "no_source"
    # a source that is another credential
    other = services.issue_credential(credential.user, claims("other-src"))  # type: ignore[arg-type]
    assert other is not None
    services.publish_checkpoint()
    wrong = _write(tmp_path, "other.json", services.bundle(other))
    mismatch = _offline(badge, "--source", wrong)
    assert {c["name"]: c["code"] for c in mismatch["checks"]}["log"] == "badge_mismatch"


def test_downloads_of_the_badge(world: World, credential: Credential) -> None:
    rita = client_for(world.rita)
    page = rita.get(f"/proofs/mine/{credential.public_id}/openbadge.json")
    assert page.status_code == 200
    assert "openbadge-" in page["Content-Disposition"]
    downloaded = json.loads(page.content)
    assert services.verify(downloaded).valid
    api = rita.get(f"/api/v1/proofs/credentials/{credential.public_id}/openbadge")
    assert api.status_code == 200 and api.json() == downloaded
    other = client_for(world.bob).get(
        f"/api/v1/proofs/credentials/{credential.public_id}/openbadge"
    )
    assert_error(other, "not_found")
