"""The one card's pages end to end through the HTML forms (the browser journeys' path
without a browser): a foreign nomad in English applies for the visa-facilitation letter,
the window asks for a supplement, the nomad corrects, the department approves with four
eyes, the signed result is downloaded and verified, and the nomad rates the service; the
Chinese pages of the department show the queue."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nomadcloud.onecard.models import Application
from nomadcloud.onecard.services.results import verify_result
from nomadcloud.proofs.services import did_document
from tests.builders.onecard import PDF, onecard_zone
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db


def _post(client, path: str, data: dict[str, object]) -> str:  # type: ignore[no-untyped-def]
    response = client.post(path, data, follow=True)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def test_a_foreign_nomad_applies_in_english_and_gets_a_signed_result(world: World) -> None:
    zone = onecard_zone(world)
    nomad = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en")
    page = nomad.get("/services/KGX-GF-002/?stay_months=8").content.decode()
    assert 'data-testid="criterion-foreign" data-met="yes"' in page
    assert 'data-testid="criterion-certified" data-met="yes"' in page
    body = _post(nomad, "/services/KGX-GF-002/apply/", {})
    app = Application.objects.get(applicant=world.bob)
    base = f"/services/applications/{app.public_id}"
    assert "Your answers are saved on the server" in body
    body = _post(nomad, f"{base}/prefill/", {"field": ["passport_number"]})
    assert 'data-testid="prefilled-passport_number"' in body
    _post(
        nomad,
        f"{base}/save/",
        {
            "passport_number": "C01X00T47",
            "stay_from": "2027-01-10",
            "stay_until": "2027-09-10",
            "stay_months": "8",
            "purpose": "Remote software work",
        },
    )
    _post(nomad, f"{base}/material/", {"code": "passport", "use_held": "1"})
    _post(nomad, f"{base}/material/", {"code": "certificate", "use_held": "1"})
    _post(
        nomad,
        f"{base}/material/",
        {"code": "income", "file": SimpleUploadedFile("income.pdf", PDF)},
    )
    body = _post(nomad, f"{base}/submit/", {"submit_key": "page-key-1"})
    assert 'data-status="submitted"' in body

    officer = client_for(zone.officer, HTTP_ACCEPT_LANGUAGE="zh-hans")
    queue = officer.get(f"/services/departments/{zone.kegongxin.public_id}/queue/")
    assert app.reference in queue.content.decode() and "办件" in queue.content.decode()
    body = _post(officer, f"{base}/receive/", {})
    assert 'data-testid="clock-promised"' in body
    body = _post(
        officer,
        f"{base}/request_supplement/",
        {"items": ["income"], "text_income": "Bank statement unreadable", "other": "Sign page 2"},
    )
    assert 'data-status="supplement_requested"' in body

    body = nomad.get(f"{base}/").content.decode()
    assert "Bank statement unreadable" in body and "Sign page 2" in body
    assert "paused: waiting for you" in body
    _post(
        nomad,
        f"{base}/material/",
        {"code": "income", "file": SimpleUploadedFile("statement.pdf", PDF)},
    )
    body = _post(nomad, f"{base}/resubmit/", {})
    assert 'data-status="received"' in body

    reviewer = client_for(zone.reviewer, HTTP_ACCEPT_LANGUAGE="zh-hans")
    _post(reviewer, f"{base}/review/", {})
    assert 'data-testid="four-eyes"' in reviewer.get(f"{base}/").content.decode()
    approver = client_for(zone.approver, HTTP_ACCEPT_LANGUAGE="zh-hans")
    _post(
        approver,
        f"{base}/decide/",
        {"outcome": "approve", "reasons": "条件均已核实", "rule_version": "KGX-GF-002-v1"},
    )
    body = _post(approver, f"{base}/issue/", {})
    assert 'data-status="result_issued"' in body

    result = nomad.get(f"{base}/result.json")
    assert result.status_code == 200
    assert verify_result(result.json(), did_document())
    body = _post(nomad, f"{base}/rate/", {"level": "5", "comment": "Fast"})
    assert 'data-status="closed"' in body
    # The journey page shows the steps done so far.
    journey = nomad.get("/services/journeys/arriving-foreign/").content.decode()
    assert re.search(r'data-testid="step-2" data-state="done"', journey)


def test_a_refused_submit_names_the_problem_and_changes_nothing(world: World) -> None:
    onecard_zone(world)
    nomad = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en")
    _post(nomad, "/services/KGX-GF-002/apply/", {})
    app = Application.objects.get(applicant=world.bob)
    body = _post(nomad, f"/services/applications/{app.public_id}/submit/", {})
    assert "Some answers are not accepted" in body
    app.refresh_from_db()
    assert app.status == "draft"
