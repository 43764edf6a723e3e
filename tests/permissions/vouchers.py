"""Permission cases for the data innovation vouchers. In the test world the programme is
市科工信局's (Wendy, the reviewer, decides), Globex (Charlie, the outsider) is the registered
provider and Acme (Olivia owner, Rita read-only) the enterprise. Programmes and registered
providers are public; a voucher is seen by the enterprise, the provider, the department and
the zone operator, and each move is made by one side only."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from nomadcloud.vouchers.models import Evidence
from tests.builders import vouchers as b
from tests.builders.world import World
from tests.permissions import ACME, AUTHENTICATED, EVERYONE, INVALID, Case, expect

API = "/api/v1/vouchers"
DEPARTMENT_ONLY = expect(
    "reviewer", sees=("outsider", "readonly", "owner", "operator"), because="department_only"
)
ENTERPRISE_ONLY = expect(
    "owner", sees=("outsider", "readonly", "reviewer", "operator"), because="enterprise_only"
)
PROVIDER_ONLY = expect(
    "outsider", sees=("readonly", "owner", "reviewer", "operator"), because="provider_only"
)
NOT_YOURS = INVALID("not_your_organisation")
OWNER_APPLIES = expect(
    "owner", readonly=NOT_YOURS, outsider=NOT_YOURS, reviewer=NOT_YOURS, operator=NOT_YOURS
)


def _json(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()}


def _programme(w: World) -> str:
    return str(b.programme(w).public_id)


def _issued(w: World) -> str:
    return str(b.issued_voucher(w).public_id)


def _applied(w: World) -> str:
    return str(b.applied_voucher(w).public_id)


def _redeeming(w: World) -> str:
    return str(b.redeeming_voucher(w).public_id)


def _evidence(w: World) -> str:
    voucher = b.redeeming_voucher(w)
    row = Evidence.objects.get(redemption__voucher=voucher)
    return f"/vouchers/v/{voucher.public_id}/files/{row.pk}/"


def _redemption_body(w: World) -> dict[str, Any]:
    content = base64.b64encode(b.PDF).decode()
    return {
        **_json(b.redemption_fields()),
        "evidence": [{"file_name": "acceptance.pdf", "content_base64": content}],
    }


API_CASES = [
    Case("api voucher programmes", "GET", lambda w: f"{API}/programmes", EVERYONE, api=True),
    Case(
        "api open a voucher programme",
        "POST",
        lambda w: f"{API}/programmes",
        DEPARTMENT_ONLY,
        body=lambda w: _json(
            b.programme_fields(code="perm-2026", department=str(w.department.public_id))
        ),
        api=True,
    ),
    Case(
        "api voucher programme",
        "GET",
        lambda w: f"{API}/programmes/{_programme(w)}",
        EVERYONE,
        api=True,
        route=API + "/programmes/{programme_id}",
    ),
    Case(
        "api programme providers",
        "GET",
        lambda w: f"{API}/programmes/{_programme(w)}/providers",
        EVERYONE,
        api=True,
        route=API + "/programmes/{programme_id}/providers",
    ),
    Case(
        "api register a voucher provider",
        "POST",
        lambda w: f"{API}/programmes/{_programme(w)}/providers",
        OWNER_APPLIES,
        body=lambda w: {**b.provider_fields(), "organisation": str(w.acme.public_id)},
        api=True,
        route=API + "/programmes/{programme_id}/providers",
    ),
    Case(
        "api apply for a voucher",
        "POST",
        lambda w: f"{API}/programmes/{_programme(w)}/vouchers",
        OWNER_APPLIES,
        body=lambda w: {**b.application_fields(w), "enterprise": str(w.acme.public_id)},
        api=True,
        route=API + "/programmes/{programme_id}/vouchers",
    ),
    Case(
        "api voucher provider",
        "GET",
        lambda w: f"{API}/providers/{b.registered_provider(w).public_id}",
        EVERYONE,
        api=True,
        route=API + "/providers/{provider_id}",
    ),
    Case(
        "api add a provider service",
        "POST",
        lambda w: f"{API}/providers/{b.registered_provider(w).public_id}/services",
        PROVIDER_ONLY,
        body=lambda w: {"kind": "data_annotation", "name_en": "Labels", "list_price": "900"},
        api=True,
        route=API + "/providers/{provider_id}/services",
    ),
    Case(
        "api decide a voucher provider",
        "POST",
        lambda w: f"{API}/providers/{b.applied_provider(w).public_id}/decision",
        expect("reviewer", sees=("outsider", "operator"), because="department_only"),
        body=lambda w: {"decision": "register"},
        api=True,
        route=API + "/providers/{provider_id}/decision",
    ),
    Case("api vouchers", "GET", lambda w: f"{API}/vouchers", AUTHENTICATED, api=True),
    Case(
        "api voucher",
        "GET",
        lambda w: f"{API}/vouchers/{_issued(w)}",
        AUTHENTICATED,
        api=True,
        route=API + "/vouchers/{voucher_id}",
    ),
    Case(
        "api decide a voucher application",
        "POST",
        lambda w: f"{API}/vouchers/{_applied(w)}/decision",
        DEPARTMENT_ONLY,
        body=lambda w: {"approve": True},
        api=True,
        route=API + "/vouchers/{voucher_id}/decision",
    ),
    Case(
        "api cancel a voucher application",
        "POST",
        lambda w: f"{API}/vouchers/{_applied(w)}/cancel",
        ENTERPRISE_ONLY,
        body=lambda w: {"reason": "changed plans"},
        api=True,
        route=API + "/vouchers/{voucher_id}/cancel",
    ),
    Case(
        "api revoke a voucher",
        "POST",
        lambda w: f"{API}/vouchers/{_issued(w)}/revoke",
        DEPARTMENT_ONLY,
        body=lambda w: {"reason": "forged contract"},
        api=True,
        route=API + "/vouchers/{voucher_id}/revoke",
    ),
    Case(
        "api redeem a voucher",
        "POST",
        lambda w: f"{API}/vouchers/{_issued(w)}/redemption",
        PROVIDER_ONLY,
        body=_redemption_body,
        api=True,
        route=API + "/vouchers/{voucher_id}/redemption",
    ),
    Case(
        "api confirm a voucher delivery",
        "POST",
        lambda w: f"{API}/vouchers/{_redeeming(w)}/redemption/confirm",
        ENTERPRISE_ONLY,
        api=True,
        route=API + "/vouchers/{voucher_id}/redemption/confirm",
    ),
    Case(
        "api dispute a voucher delivery",
        "POST",
        lambda w: f"{API}/vouchers/{_redeeming(w)}/redemption/dispute",
        ENTERPRISE_ONLY,
        body=lambda w: {"reason": "nothing delivered"},
        api=True,
        route=API + "/vouchers/{voucher_id}/redemption/dispute",
    ),
    Case(
        "api decide a voucher redemption",
        "POST",
        lambda w: f"{API}/vouchers/{b.submitted_voucher(w).public_id}/redemption/decision",
        DEPARTMENT_ONLY,
        body=lambda w: {"approve": True},
        api=True,
        route=API + "/vouchers/{voucher_id}/redemption/decision",
    ),
]

PAGE_CASES = [
    Case(
        "voucher programmes page", "GET", lambda w: "/vouchers/", EVERYONE, url_name="vouchers:list"
    ),
    Case(
        "new voucher programme page",
        "GET",
        lambda w: "/vouchers/new/",
        expect("reviewer"),
        url_name="vouchers:programme_new",
    ),
    Case(
        "voucher review page",
        "GET",
        lambda w: "/vouchers/review/",
        expect("reviewer", "operator"),
        url_name="vouchers:review",
    ),
    Case(
        "organisation vouchers page",
        "GET",
        lambda w: f"/vouchers/organisations/{w.acme.public_id}/",
        expect(*ACME, "operator"),
        url_name="vouchers:organisation",
    ),
    Case(
        "voucher programme page",
        "GET",
        lambda w: f"/vouchers/programmes/{_programme(w)}/",
        EVERYONE,
        url_name="vouchers:programme",
    ),
    Case(
        "register as a voucher provider page",
        "GET",
        lambda w: f"/vouchers/programmes/{_programme(w)}/register/",
        AUTHENTICATED,
        url_name="vouchers:register",
    ),
    Case(
        "apply for a voucher page",
        "GET",
        lambda w: f"/vouchers/programmes/{_programme(w)}/apply/",
        AUTHENTICATED,
        url_name="vouchers:apply",
    ),
    Case(
        "voucher provider page",
        "GET",
        lambda w: f"/vouchers/providers/{b.registered_provider(w).public_id}/",
        EVERYONE,
        url_name="vouchers:provider",
    ),
    Case(
        "decide a voucher provider page",
        "POST",
        lambda w: f"/vouchers/providers/{b.applied_provider(w).public_id}/decide/",
        expect("reviewer", sees=("outsider", "operator")),
        body=lambda w: {"decision": "register"},
        url_name="vouchers:provider_decide",
    ),
    Case(
        "voucher page",
        "GET",
        lambda w: f"/vouchers/v/{_issued(w)}/",
        AUTHENTICATED,
        url_name="vouchers:voucher",
    ),
    Case(
        "redeem a voucher page",
        "GET",
        lambda w: f"/vouchers/v/{_issued(w)}/redeem/",
        expect("outsider", sees=("readonly", "owner", "reviewer", "operator")),
        url_name="vouchers:redeem",
    ),
    Case(
        "voucher evidence file",
        "GET",
        _evidence,
        AUTHENTICATED,
        url_name="vouchers:evidence",
    ),
    Case(
        "confirm a voucher delivery page",
        "POST",
        lambda w: f"/vouchers/v/{_redeeming(w)}/confirm/",
        expect("owner", sees=("outsider", "readonly", "reviewer", "operator")),
        url_name="vouchers:act",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

APPS = ("vouchers", "payouts", "notifications")
