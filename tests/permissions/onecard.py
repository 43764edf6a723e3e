"""Permission cases for the one card (builders: tests/builders/onecard.py).

Rita (read-only at Acme, here simply a person) applies for the maker-space qualification
KGX-ZZ-023 of 科工信局, the world's department, where Wendy is a reviewer (so a window
officer, reviewer and approver for the one card). Oscar, the zone operator, sees every
application but acts on none; Charlie and Olivia have no part. The catalogue is public."""

from __future__ import annotations

from nomadcloud.onecard import qr
from nomadcloud.onecard.models import MaterialFile
from tests.builders.onecard import (
    matrix_item,
    rita_draft,
    rita_issued,
    rita_ready,
    rita_submitted,
)
from tests.conftest import World
from tests.permissions import AUTHENTICATED, EVERYONE, SIGNED_IN, Case, expect

S = "/api/v1/services"
CODE = "KGX-ZZ-023"
SEEN = ("readonly", "reviewer", "operator")  # who sees Rita's application


def _code(w: World) -> str:
    matrix_item(w)
    return CODE


def _file(w: World) -> str:
    app = rita_ready(w)
    pk = MaterialFile.objects.filter(application=app).values_list("pk", flat=True).first()
    return f"/services/applications/{app.public_id}/files/{pk}/"


def _draft_body(w: World) -> dict[str, object]:
    item = matrix_item(w)
    version = item.current_version
    assert version is not None
    return {
        "content": {k: version.content[k] for k in ("name", "summary", "legal_basis")},
        "statutory_days": version.statutory_days,
        "promised_days": version.promised_days,
        "materials": version.materials,
        "form_schema": version.form_schema,
    }


API_CASES = [
    Case("api list service items", "GET", lambda w: f"{S}/items", EVERYONE, api=True),
    Case(
        "api get service item",
        "GET",
        lambda w: f"{S}/items/{_code(w)}",
        EVERYONE,
        api=True,
        route=f"{S}/items/{{code}}",
    ),
    Case(
        "api check eligibility",
        "POST",
        lambda w: f"{S}/items/{_code(w)}/eligibility",
        EVERYONE,
        lambda w: {"answers": {}},
        api=True,
        route=f"{S}/items/{{code}}/eligibility",
        changes=False,
    ),
    Case(
        "api issue QR code",
        "POST",
        lambda w: f"{S}/qr",
        AUTHENTICATED,
        lambda w: {"purpose": "window"},
        api=True,
        changes=False,
    ),
    Case(
        "api scan QR code",
        "POST",
        lambda w: f"{S}/qr/scans",
        expect("reviewer"),
        lambda w: {"token": qr.issue_token(w.rita, "window").token},
        api=True,
        route=f"{S}/qr/scans",
    ),
    Case("api my applications", "GET", lambda w: f"{S}/applications", AUTHENTICATED, api=True),
    Case(
        "api start application",
        "POST",
        lambda w: f"{S}/applications",
        AUTHENTICATED,
        lambda w: {"item": _code(w)},
        api=True,
    ),
    Case(
        "api get application",
        "GET",
        lambda w: f"{S}/applications/{rita_submitted(w).public_id}",
        expect(*SEEN),
        api=True,
        route=f"{S}/applications/{{application_id}}",
    ),
    Case(
        "api save answers",
        "PUT",
        lambda w: f"{S}/applications/{rita_draft(w).public_id}/answers",
        expect("readonly", sees=("reviewer", "operator"), because="role_not_allowed"),
        lambda w: {"answers": {"area_m2": 400}},
        api=True,
        route=f"{S}/applications/{{application_id}}/answers",
    ),
    Case(
        "api submit application",
        "POST",
        lambda w: f"{S}/applications/{rita_ready(w).public_id}/submit",
        expect("readonly", sees=("reviewer", "operator"), because="role_not_allowed"),
        api=True,
        route=f"{S}/applications/{{application_id}}/submit",
    ),
    Case(
        "api receive application",
        "POST",
        lambda w: f"{S}/applications/{rita_submitted(w).public_id}/moves",
        expect("reviewer", sees=("readonly", "operator"), because="role_not_allowed"),
        lambda w: {"action": "receive"},
        api=True,
        route=f"{S}/applications/{{application_id}}/moves",
    ),
    Case(
        "api rate application",
        "POST",
        lambda w: f"{S}/applications/{rita_issued(w).public_id}/rating",
        expect("readonly", sees=("reviewer", "operator"), because="not_applicant"),
        lambda w: {"level": 5},
        api=True,
        route=f"{S}/applications/{{application_id}}/rating",
    ),
    Case(
        "api item versions",
        "GET",
        lambda w: f"{S}/items/{_code(w)}/versions",
        expect("operator", sees=SIGNED_IN[:4], because="not_editor"),
        api=True,
        route=f"{S}/items/{{code}}/versions",
    ),
    Case(
        "api save item draft",
        "PUT",
        lambda w: f"{S}/items/{_code(w)}/draft",
        expect("operator", sees=SIGNED_IN[:4], because="not_editor"),
        _draft_body,
        api=True,
        route=f"{S}/items/{{code}}/draft",
    ),
    Case(
        "api move item",
        "POST",
        lambda w: f"{S}/items/{_code(w)}/moves",
        expect("operator", sees=SIGNED_IN[:4], because="not_editor"),
        lambda w: {"action": "suspend"},
        api=True,
        route=f"{S}/items/{{code}}/moves",
    ),
    Case(
        "api department queue",
        "GET",
        lambda w: f"{S}/departments/{w.department.public_id}/queue",
        expect("reviewer", "operator"),
        api=True,
    ),
]

PAGE_CASES = [
    Case("my one card", "GET", lambda w: "/services/card/", AUTHENTICATED, url_name="onecard:card"),
    Case(
        "my service applications",
        "GET",
        lambda w: "/services/mine/",
        AUTHENTICATED,
        url_name="onecard:mine",
    ),
    Case(
        "scan page",
        "GET",
        lambda w: "/services/scan/",
        expect("reviewer", "operator"),
        url_name="onecard:scan",
    ),
    Case(
        "manage catalogue",
        "GET",
        lambda w: "/services/manage/",
        expect("operator"),
        url_name="onecard:manage",
    ),
    Case(
        "edit item",
        "GET",
        lambda w: f"/services/manage/{_code(w)}/edit/",
        expect("operator", sees=SIGNED_IN[:4]),
        url_name="onecard:edit_item",
    ),
    Case(
        "suspend item",
        "POST",
        lambda w: f"/services/manage/{_code(w)}/suspend/",
        expect("operator", sees=SIGNED_IN[:4]),
        url_name="onecard:move_item",
    ),
    Case(
        "department queue",
        "GET",
        lambda w: f"/services/departments/{w.department.public_id}/queue/",
        expect("reviewer", "operator"),
        url_name="onecard:queue",
    ),
    Case(
        "application page",
        "GET",
        lambda w: f"/services/applications/{rita_submitted(w).public_id}/",
        expect(*SEEN),
        url_name="onecard:application",
    ),
    Case(
        "signed result",
        "GET",
        lambda w: f"/services/applications/{rita_issued(w).public_id}/result.json",
        expect(*SEEN),
        url_name="onecard:result",
    ),
    Case(
        "material file",
        "GET",
        _file,
        expect(*SEEN),
        url_name="onecard:material_file",
    ),
    Case(
        "receive at the window",
        "POST",
        lambda w: f"/services/applications/{rita_submitted(w).public_id}/receive/",
        expect("reviewer", sees=("readonly", "operator")),
        url_name="onecard:act",
    ),
    Case(
        "start an application",
        "POST",
        lambda w: f"/services/{_code(w)}/apply/",
        AUTHENTICATED,
        url_name="onecard:start",
    ),
]

PUBLIC_PAGES = {
    "onecard:catalogue",
    "onecard:catalogue_jsonld",
    "onecard:journey",
    "onecard:item_jsonld",
    "onecard:item",
}
PUBLIC_API: set[tuple[str, str]] = set()

# The tables these requests write: applications and their events, files and QR scans; the
# audit log; the clocks in core.
APPS = ("onecard", "core.Clock")
