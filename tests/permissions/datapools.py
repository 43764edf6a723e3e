"""Permission cases for data pools. In the test world Acme (Olivia owner, Rita read-only)
stewards a traffic pool under 市科工信局 (Wendy decides); Globex (Charlie, the outsider)
stewards the consumption pool. Open pools are public; a proposed pool is seen by the
steward's members, the department and the zone operator; each move belongs to one side."""

from __future__ import annotations

from typing import Any

from nomadcloud.datapools.models import Pool
from tests.builders import datapools as b
from tests.builders.world import World
from tests.permissions import (
    AUTHENTICATED,
    EVERYONE,
    INVALID,
    NOT_FOUND,
    OWNER_ONLY,
    SIGNED_IN,
    Case,
    expect,
)

API = "/api/v1/datapools"
STEWARD_ONLY = expect(
    "owner", sees=("outsider", "readonly", "reviewer", "operator"), because="steward_only"
)
PROPOSED_SEEN = ("readonly", "owner", "reviewer", "operator")


def _open(w: World) -> str:
    return str(b.traffic_pool(w).public_id)


def _proposed(w: World) -> str:
    return str(b.traffic_pool(w, Pool.Status.PROPOSED).public_id)


def _with_contribution(w: World) -> str:
    return str(b.pool_with_contribution(w).public_id)


def _proposal(w: World) -> dict[str, Any]:
    return {
        **b.pool_fields(),
        "steward": str(w.acme.public_id),
        "lead_department": str(w.department.public_id),
    }


def _contribution(w: World) -> dict[str, Any]:
    return {"csv": b.GOOD_CSV.decode(), "consent_notice_version": b.NOTICE, "consent": True}


API_CASES = [
    Case("api data pools", "GET", lambda w: f"{API}/pools", EVERYONE, api=True),
    Case(
        "api propose a data pool",
        "POST",
        lambda w: f"{API}/pools",
        expect("owner", sees=("readonly",), because="steward_only"),
        body=_proposal,
        api=True,
    ),
    Case(
        "api a proposed data pool",
        "GET",
        lambda w: f"{API}/pools/{_proposed(w)}",
        expect(*PROPOSED_SEEN, anonymous=NOT_FOUND),
        api=True,
        route=f"{API}/pools/{{pool_id}}",
    ),
    Case(
        "api approve a data pool",
        "POST",
        lambda w: f"{API}/pools/{_proposed(w)}/moves",
        expect("reviewer", sees=("readonly", "owner", "operator"), because="department_only"),
        body=lambda w: {"action": "approve"},
        api=True,
        route=f"{API}/pools/{{pool_id}}/moves",
    ),
    Case(
        "api revise a pool charter",
        "POST",
        lambda w: f"{API}/pools/{_open(w)}/charters",
        STEWARD_ONLY,
        body=lambda w: b.pool_fields()["charter"],
        api=True,
        route=f"{API}/pools/{{pool_id}}/charters",
    ),
    Case(
        "api contribute to a pool",
        "POST",
        lambda w: f"{API}/pools/{_open(w)}/contributions",
        AUTHENTICATED,
        body=_contribution,
        api=True,
        route=f"{API}/pools/{{pool_id}}/contributions",
    ),
    Case(
        "api import points payments into a pool",
        "POST",
        lambda w: f"{API}/pools/{b.consumption_pool(w).public_id}/connector/points-payments",
        expect(
            "outsider", sees=("readonly", "owner", "reviewer", "operator"), because="steward_only"
        ),
        api=True,
        route=f"{API}/pools/{{pool_id}}/connector/points-payments",
    ),
    Case(
        "api import accepted labelling work into a pool",
        "POST",
        lambda w: f"{API}/pools/{b.labelled_pool(w).public_id}/connector/datatasks",
        STEWARD_ONLY,
        api=True,
        route=f"{API}/pools/{{pool_id}}/connector/datatasks",
    ),
    Case(
        "api release an accepted data batch to a pool",
        "POST",
        lambda w: f"{API}/pools/{b.labelled_pool(w).public_id}/batch-releases",
        OWNER_ONLY,
        body=lambda w: {"batch": str(b.accepted_batch(w).public_id)},
        api=True,
        route=f"{API}/pools/{{pool_id}}/batch-releases",
    ),
    Case(
        "api release a dataset version",
        "POST",
        lambda w: f"{API}/pools/{_with_contribution(w)}/versions",
        STEWARD_ONLY,
        api=True,
        route=f"{API}/pools/{{pool_id}}/versions",
    ),
    Case("api my contributions", "GET", lambda w: f"{API}/contributions", AUTHENTICATED, api=True),
]


def _busy(w: World) -> str:
    from tests.builders.world import verify_org

    verify_org(w.globex)
    return str(b.busy_pool(w).public_id)


NOT_YOURS = INVALID()
API_CASES += [
    Case(
        "api request access to a pool",
        "POST",
        lambda w: f"{API}/pools/{_busy(w)}/negotiations",
        expect(
            "outsider", readonly=NOT_YOURS, owner=NOT_YOURS, reviewer=NOT_YOURS, operator=NOT_YOURS
        ),
        body=lambda w: {
            "consumer": str(w.globex.public_id),
            "purpose": "dpv:ResearchAndDevelopment",
            "access_mode": "aggregate",
            "duration_days": 30,
        },
        api=True,
        route=f"{API}/pools/{{pool_id}}/negotiations",
    ),
    Case("api negotiations", "GET", lambda w: f"{API}/negotiations", AUTHENTICATED, api=True),
    Case(
        "api agree a negotiation",
        "POST",
        lambda w: f"{API}/negotiations/{b.negotiation(w).public_id}/moves",
        # The lead department sees the negotiations of its pools (it confirms, 核定).
        expect(
            "owner",
            sees=("outsider", "readonly", "reviewer", "operator"),
            because="steward_only",
        ),
        body=lambda w: {"action": "agree"},
        api=True,
        route=f"{API}/negotiations/{{negotiation_id}}/moves",
    ),
    Case(
        "api confirm an agreement (核定)",
        "POST",
        lambda w: f"{API}/negotiations/{b.negotiation(w, 'confirming').public_id}/moves",
        expect(
            "reviewer",
            sees=("outsider", "readonly", "owner", "operator"),
            because="department_only",
        ),
        body=lambda w: {"action": "confirm", "reason": "fits the charter"},
        api=True,
        route=f"{API}/negotiations/{{negotiation_id}}/moves",
    ),
    Case(
        "api data contract (ODCS)",
        "GET",
        lambda w: f"{API}/pools/{b.busy_pool(w).public_id}/versions/1/contract",
        EVERYONE,
        api=True,
        route=f"{API}/pools/{{pool_id}}/versions/{{number}}/contract",
    ),
    Case(
        "api aggregate under an agreement",
        "POST",
        lambda w: f"{API}/negotiations/{b.negotiation(w, 'agreed').public_id}/aggregate",
        # The busy pool has a group of two rows: the consumer is refused, nothing logged.
        expect(outsider=INVALID("group_below_k")),
        body=lambda w: {"group_by": ["area"]},
        api=True,
        route=f"{API}/negotiations/{{negotiation_id}}/aggregate",
    ),
]

API_CASES += [
    Case(
        "api run a pool's rewards",
        "POST",
        lambda w: f"{API}/pools/{b.used_last_month(w).pool.public_id}/distributions",
        STEWARD_ONLY,
        body=lambda w: {"period": b.last_month()},
        api=True,
        route=f"{API}/pools/{{pool_id}}/distributions",
    ),
    Case("api my rewards", "GET", lambda w: f"{API}/rewards", AUTHENTICATED, api=True),
]

PAGE_CASES = [
    Case("data pools page", "GET", lambda w: "/datapools/", EVERYONE, url_name="datapools:list"),
    Case(
        "my contributions page",
        "GET",
        lambda w: "/datapools/mine/",
        AUTHENTICATED,
        url_name="datapools:mine",
    ),
    Case(
        "data pool page",
        "GET",
        lambda w: f"/datapools/{_proposed(w)}/",
        expect(*PROPOSED_SEEN, anonymous=NOT_FOUND),
        url_name="datapools:pool",
    ),
    Case(
        "contribute to a pool page",
        "GET",
        lambda w: f"/datapools/{_open(w)}/contribute/",
        expect(*SIGNED_IN),
        url_name="datapools:contribute",
    ),
    Case(
        "release a dataset version page",
        "POST",
        lambda w: f"/datapools/{_with_contribution(w)}/release/",
        STEWARD_ONLY,
        url_name="datapools:act",
    ),
]


def _requested(w: World) -> str:
    return str(b.negotiation(w).public_id)


def _agreed_and_used(w: World) -> str:
    return str(b.used_last_month(w).public_id)


# Proposing a pool, access negotiations and aggregates (the pages of the API above).
PAGE_CASES += [
    Case(
        "propose a data pool page",
        "GET",
        lambda w: "/datapools/propose/",
        expect("outsider", "owner", sees=("readonly", "reviewer", "operator")),
        url_name="datapools:propose",
    ),
    Case(
        "request access to a pool page",
        "GET",
        lambda w: f"/datapools/{_open(w)}/request/",
        expect("outsider", "owner", sees=("readonly", "reviewer", "operator")),
        url_name="datapools:request",
    ),
    Case(
        "access negotiations page",
        "GET",
        lambda w: "/datapools/negotiations/",
        AUTHENTICATED,
        url_name="datapools:negotiations",
    ),
    Case(
        "access negotiation page",
        "GET",
        lambda w: f"/datapools/negotiations/{_requested(w)}/",
        expect("outsider", "readonly", "owner", "reviewer", "operator"),
        url_name="datapools:negotiation",
    ),
    Case(
        "agree to an access request (page)",
        "POST",
        lambda w: f"/datapools/negotiations/{_requested(w)}/agree/",
        expect("owner", sees=("outsider", "readonly", "reviewer", "operator")),
        url_name="datapools:negotiation-move",
    ),
    Case(
        "confirm an agreement (page, 核定)",
        "POST",
        lambda w: f"/datapools/negotiations/{b.negotiation(w, 'confirming').public_id}/confirm/",
        expect("reviewer", sees=("outsider", "readonly", "owner", "operator")),
        url_name="datapools:negotiation-move",
    ),
    Case(
        "run an aggregate (page)",
        "POST",
        lambda w: f"/datapools/negotiations/{_agreed_and_used(w)}/aggregate/",
        expect("outsider"),
        body=lambda w: {"group_by": ["area"]},
        url_name="datapools:aggregate",
    ),
]

# The interoperable catalogue: public, read only (CKAN Action API, DCAT-AP).
PAGE_CASES += [
    Case(
        "ckan package_list",
        "GET",
        lambda w: "/api/3/action/package_list",
        EVERYONE,
        url_name="catalogue:ckan",
    ),
    Case(
        "ckan package_search (unversioned)",
        "GET",
        lambda w: "/api/action/package_search",
        EVERYONE,
        url_name="catalogue:ckan_unversioned",
    ),
    Case("dcat catalogue", "GET", lambda w: "/catalog.ttl", EVERYONE, url_name="catalogue:catalog"),
    Case(
        "dcat dataset",
        "GET",
        lambda w: f"/dataset/{_open(w)}.jsonld",
        EVERYONE,
        url_name="catalogue:dataset",
    ),
    Case(
        "odcs data contract",
        "GET",
        lambda w: f"/dataset/{b.busy_pool(w).public_id}/v1/contract.yaml",
        EVERYONE,
        url_name="catalogue:contract",
    ),
]


# The registration query code and the scenario library (应用场景库).
def _scenario_body(w: World) -> dict[str, Any]:
    pool = b.negotiation(w, "agreed").pool
    text = {"zh-Hans": "通勤路线优化", "en": "Commuter routes"}
    return {
        "title": text,
        "summary": text,
        "outcome": text,
        "enterprise": str(w.globex.public_id),
        "pools": [str(pool.public_id)],
    }


def _a_scenario(w: World) -> str:
    from nomadcloud.accounts.principal import Principal
    from nomadcloud.core.inputs import parse_draft
    from nomadcloud.datapools import scenarios
    from nomadcloud.datapools.inputs import ScenarioDraft
    from nomadcloud.datapools.models import ApplicationScenario

    found = ApplicationScenario.objects.first()
    if found is None:
        found = scenarios.add_scenario(
            principal=Principal.for_user(w.charlie),
            draft=parse_draft(ScenarioDraft, _scenario_body(w)),
        )
    return str(found.public_id)


API_CASES += [
    Case(
        "api register a data product",
        "POST",
        lambda w: f"{API}/pools/{_busy(w)}/registration",
        STEWARD_ONLY,
        body=lambda w: {"code": "460000-2026-DP000123"},
        api=True,
        route=f"{API}/pools/{{pool_id}}/registration",
    ),
    Case("api scenario library", "GET", lambda w: f"{API}/scenarios", EVERYONE, api=True),
    Case(
        "api a scenario",
        "GET",
        lambda w: f"{API}/scenarios/{_a_scenario(w)}",
        EVERYONE,
        api=True,
        route=f"{API}/scenarios/{{scenario_id}}",
    ),
    Case(
        "api add a scenario",
        "POST",
        lambda w: f"{API}/scenarios",
        expect(
            "outsider", readonly=NOT_YOURS, owner=NOT_YOURS, reviewer=NOT_YOURS, operator=NOT_YOURS
        ),
        body=_scenario_body,
        api=True,
    ),
]
PAGE_CASES += [
    Case(
        "write a new charter version (page)",
        "GET",
        lambda w: f"/datapools/{_open(w)}/charter/",
        STEWARD_ONLY,
        url_name="datapools:charter",
    ),
    Case(
        "scenario library",
        "GET",
        lambda w: "/datapools/scenarios/",
        EVERYONE,
        url_name="datapools:scenarios",
    ),
    Case(
        "a scenario",
        "GET",
        lambda w: f"/datapools/scenarios/{_a_scenario(w)}/",
        EVERYONE,
        url_name="datapools:scenario",
    ),
    Case(
        "add a scenario (page)",
        "GET",
        lambda w: (b.negotiation(w, "agreed"), "/datapools/scenarios/new/")[1],
        expect(
            "outsider", sees=("readonly", "owner", "reviewer", "operator"), because="consumer_only"
        ),
        url_name="datapools:scenario-add",
    ),
]

# The Dataspace Protocol endpoints are for other zones' connectors: no session, each request
# carries a verified organisation's API key (401 / 403 / 404 in the protocol's error shapes;
# tested in tests/test_datapools_dsp.py).
PUBLIC_PAGES: set[str] = {
    "dsp:version",
    "dsp:catalog",
    "dsp:dataset",
    "dsp:negotiation-request",
    "dsp:negotiation",
    "dsp:negotiation-counter",
    "dsp:negotiation-event",
    "dsp:negotiation-verification",
    "dsp:negotiation-termination",
    "dsp:transfer-request",
    "dsp:transfer",
    "dsp:transfer-message",
}
PUBLIC_API: set[tuple[str, str]] = set()

APPS = ("datapools", "consent", "points")


# Query templates, differential privacy and downloads (decision 0048). Globex (Charlie, the
# outsider) holds the agreements; the steward's members see drafts, only its editors write.
def _template_body(w: World) -> dict[str, Any]:
    return {
        "title": {"zh-Hans": "模板", "en": "Template"},
        "sql": b.TEMPLATE_SQL,
        "parameters": b.TEMPLATE_PARAMETERS,
    }


def _run_body(w: World) -> dict[str, Any]:
    return {
        "template": str(b.template(w).public_id),
        "parameters": {"mode": "car", "since": "2026-11-01"},
    }


def _download_url(w: World) -> str:
    from nomadcloud.accounts.principal import Principal
    from nomadcloud.datapools import downloads

    agreed = b.agreement_for(w, "download")
    return str(
        downloads.issue_link(principal=Principal.for_user(w.charlie), negotiation=agreed)["url"]
    )


CONSUMER_ONLY = expect("outsider")
API_CASES += [
    Case(
        "api a pool's query templates",
        "GET",
        lambda w: f"{API}/pools/{_open(w)}/templates",
        AUTHENTICATED,
        api=True,
        route=f"{API}/pools/{{pool_id}}/templates",
    ),
    Case(
        "api write a query template",
        "POST",
        lambda w: f"{API}/pools/{_busy(w)}/templates",
        STEWARD_ONLY,
        body=_template_body,
        api=True,
        route=f"{API}/pools/{{pool_id}}/templates",
    ),
    Case(
        "api approve a query template",
        "POST",
        lambda w: f"{API}/templates/{b.template(w, 'draft').public_id}/decisions",
        expect("owner", sees=("readonly", "operator"), because="steward_only"),
        body=lambda w: {"action": "approve"},
        api=True,
        route=f"{API}/templates/{{template_id}}/decisions",
    ),
    Case(
        "api run a query template",
        "POST",
        lambda w: (
            f"{API}/negotiations/{b.agreement_for(w, 'query_template').public_id}/template-runs"
        ),
        CONSUMER_ONLY,
        body=_run_body,
        api=True,
        route=f"{API}/negotiations/{{negotiation_id}}/template-runs",
    ),
    Case(
        "api a download link",
        "POST",
        lambda w: f"{API}/negotiations/{b.agreement_for(w, 'download').public_id}/downloads",
        CONSUMER_ONLY,
        api=True,
        route=f"{API}/negotiations/{{negotiation_id}}/downloads",
    ),
]
PAGE_CASES += [
    Case(
        "query templates page",
        "GET",
        lambda w: f"/datapools/{_open(w)}/templates/",
        AUTHENTICATED,
        url_name="datapools:templates",
    ),
    Case(
        "approve a query template (page)",
        "POST",
        lambda w: f"/datapools/templates/{b.template(w, 'draft').public_id}/approve/",
        expect("owner", sees=("readonly", "operator")),
        url_name="datapools:template-decision",
    ),
    Case(
        "run query templates page",
        "GET",
        lambda w: (
            f"/datapools/negotiations/{b.agreement_for(w, 'query_template').public_id}/templates/"
        ),
        CONSUMER_ONLY,
        url_name="datapools:template-runs",
    ),
    Case(
        "a download link (page)",
        "POST",
        lambda w: f"/datapools/negotiations/{b.agreement_for(w, 'download').public_id}/download/",
        CONSUMER_ONLY,
        url_name="datapools:issue-download",
    ),
    Case(
        "download an extract",
        "GET",
        _download_url,
        CONSUMER_ONLY,
        url_name="datapools:download",
    ),
]


# Presigned uploads and revocable download links (decision 0058). A slot belongs to the
# person who opened it (Charlie, the outsider): anyone else's completion is not found.
def _upload_body(w: World) -> dict[str, Any]:
    import hashlib

    return {
        "size": len(b.GOOD_CSV),
        "sha256": hashlib.sha256(b.GOOD_CSV).hexdigest(),
        "content_type": "text/csv",
        "consent_notice_version": b.NOTICE,
        "give_consent": True,
    }


def _uploaded_slot(w: World) -> str:
    """Charlie's slot with the file already stored (through the local signed PUT)."""
    import io

    from nomadcloud.accounts.principal import Principal
    from nomadcloud.datapools import uploads

    slot = uploads.open_slot(
        principal=Principal.for_user(w.charlie),
        pool=b.traffic_pool(w),
        draft=uploads.UploadSlotDraft(**_upload_body(w)),
    )
    token = slot["parts"][0]["url"].rstrip("/").split("/")[-2]
    uploads.receive_local(token=token, body=io.BytesIO(b.GOOD_CSV), length=len(b.GOOD_CSV))
    return str(slot["id"])


# The lead department sees the negotiations of its pools (decision 0062).
REVOKER = expect(
    "owner", sees=("outsider", "readonly", "reviewer", "operator"), because="steward_only"
)
API_CASES += [
    Case(
        "api open an upload slot",
        "POST",
        lambda w: f"{API}/pools/{_open(w)}/upload-slots",
        AUTHENTICATED,
        body=_upload_body,
        api=True,
        route=f"{API}/pools/{{pool_id}}/upload-slots",
    ),
    Case(
        "api complete an upload",
        "POST",
        lambda w: f"{API}/upload-slots/{_uploaded_slot(w)}/completion",
        CONSUMER_ONLY,
        api=True,
        route=f"{API}/upload-slots/{{slot_id}}/completion",
    ),
    Case(
        "api revoke download links",
        "POST",
        lambda w: (
            f"{API}/negotiations/{b.agreement_for(w, 'download').public_id}/download-revocations"
        ),
        REVOKER,
        api=True,
        route=f"{API}/negotiations/{{negotiation_id}}/download-revocations",
    ),
]
PAGE_CASES += [
    Case(
        "open an upload slot (page)",
        "POST",
        lambda w: f"/datapools/{_open(w)}/upload-slots/",
        AUTHENTICATED,
        body=lambda w: {**_upload_body(w), "consent": "on"},
        url_name="datapools:upload-slot",
    ),
    Case(
        "complete an upload (page)",
        "POST",
        lambda w: f"/datapools/upload-slots/{_uploaded_slot(w)}/complete/",
        CONSUMER_ONLY,
        url_name="datapools:upload-complete",
    ),
    Case(
        "revoke download links (page)",
        "POST",
        lambda w: (
            f"/datapools/negotiations/{b.agreement_for(w, 'download').public_id}/download/revoke/"
        ),
        REVOKER,
        url_name="datapools:revoke-downloads",
    ),
]
# The local signed PUT: the signed URL is the credential, as a presigned S3 URL is.
PUBLIC_PAGES.add("datapools:upload-put")

# Revoking one download link (decision 0064): the steward's editors or the person it was
# issued to (Charlie, Globex); the steward's read-only member sees it and is refused; anyone
# else does not see it. A fresh link per request.


def _link(w: World) -> str:
    from nomadcloud.accounts.principal import Principal
    from nomadcloud.datapools import downloads

    agreed = b.agreement_for(w, "download")
    issued = downloads.issue_link(principal=Principal.for_user(w.charlie), negotiation=agreed)
    return str(issued["id"])


LINK_REVOKER = expect("outsider", "owner", sees=("readonly",), because="not_link_holder")
API_CASES += [
    Case(
        "api download links of an agreement",
        "GET",
        lambda w: f"{API}/negotiations/{b.agreement_for(w, 'download').public_id}/download-links",
        # the lead department (reviewer), which confirmed the agreement, sees its links too
        expect("outsider", "readonly", "owner", "operator", "reviewer"),
        api=True,
        route=f"{API}/negotiations/{{negotiation_id}}/download-links",
    ),
    Case(
        "api revoke one download link",
        "POST",
        lambda w: f"{API}/download-links/{_link(w)}/revocation",
        LINK_REVOKER,
        body=lambda w: {"reason": "Sent to the wrong team", "confirm": True},
        api=True,
        route=f"{API}/download-links/{{link_id}}/revocation",
    ),
]
PAGE_CASES += [
    Case(
        "revoke one download link (page)",
        "POST",
        lambda w: f"/datapools/download-links/{_link(w)}/revoke/",
        LINK_REVOKER,
        body=lambda w: {"reason": "Sent to the wrong team", "confirm": "yes"},
        url_name="datapools:revoke-link",
    ),
]
