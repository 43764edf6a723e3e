"""Permission cases for cross-border export. Acme (Olivia owner, Rita read-only) exports;
the zone's 网信办 (tests/builders/crossborder.py: Wendy reviews there) pre-checks; the zone
operator sees everything and changes nothing; anyone else gets 404."""

from __future__ import annotations

from typing import Any

from tests.builders import crossborder as b
from tests.builders.world import World
from tests.permissions import AUTHENTICATED, MEMBERS_AND_OPERATOR, OWNER_ONLY, Case, expect

API = "/api/v1/crossborder"
SEEN = ("readonly", "owner", "operator", "reviewer")
EXPORTER_ONLY = expect("owner", sees=("readonly", "operator", "reviewer"))
REVIEWER = expect("reviewer", sees=("readonly", "owner", "operator"))


def _new(w: World) -> str:
    b.cac(w)
    return str(w.acme.public_id)


def _pending(w: World) -> str:
    return str(b.assessed(w).public_id)


def _submitted(w: World) -> str:
    return str(b.submitted(w).public_id)


def _entry(w: World) -> str:
    return str(b.whitelisted(w).public_id)


def _transfer(w: World) -> dict[str, Any]:
    return {
        "pi_count": 10,
        "sensitive_count": 0,
        "purpose": b.PURPOSE,
        "data_categories": ["pd:Name"],
        "recipient_name": b.RECIPIENT,
    }


def _review(w: World) -> dict[str, Any]:
    return {"approve": True, "note": "ok"}


API_CASES = [
    Case("api export requests", "GET", lambda w: f"{API}/requests", AUTHENTICATED, api=True),
    Case(
        "api file an export request",
        "POST",
        lambda w: f"{API}/exporters/{_new(w)}/requests",
        OWNER_ONLY,
        body=lambda w: b.fields(),
        api=True,
        route=f"{API}/exporters/{{org_id}}/requests",
    ),
    Case(
        "api an export request",
        "GET",
        lambda w: f"{API}/requests/{_pending(w)}",
        expect(*SEEN),
        api=True,
        route=f"{API}/requests/{{request_id}}",
    ),
    Case(
        "api submit evidence",
        "POST",
        lambda w: f"{API}/requests/{_pending(w)}/evidence/impact_assessment",
        EXPORTER_ONLY,
        body=lambda w: {"reference": "PIA-1"},
        api=True,
        route=f"{API}/requests/{{request_id}}/evidence/{{kind}}",
    ),
    Case(
        "api pre-check an export request",
        "POST",
        lambda w: f"{API}/requests/{_submitted(w)}/review",
        REVIEWER,
        body=_review,
        api=True,
        route=f"{API}/requests/{{request_id}}/review",
    ),
    Case("api whitelist entries", "GET", lambda w: f"{API}/entries", AUTHENTICATED, api=True),
    Case(
        "api a whitelist entry",
        "GET",
        lambda w: f"{API}/entries/{_entry(w)}",
        expect(*SEEN),
        api=True,
        route=f"{API}/entries/{{entry_id}}",
    ),
    Case(
        "api log a transfer",
        "POST",
        lambda w: f"{API}/entries/{_entry(w)}/transfers",
        EXPORTER_ONLY,
        body=_transfer,
        api=True,
        route=f"{API}/entries/{{entry_id}}/transfers",
    ),
    Case(
        "api reassess an entry",
        "POST",
        lambda w: f"{API}/entries/{_entry(w)}/reassess",
        EXPORTER_ONLY,
        body=lambda w: b.fields(purpose="dpv:ResearchAndDevelopment"),
        api=True,
        route=f"{API}/entries/{{entry_id}}/reassess",
    ),
]

PAGE_CASES = [
    Case(
        # The one-card hub's data export whitelist (decision 0064): each signed-in person's
        # own enterprises, so everyone signed in may open it.
        "data export whitelist page",
        "GET",
        lambda w: "/crossborder/",
        AUTHENTICATED,
        url_name="crossborder:list",
    ),
    Case(
        "exporter's cross-border page",
        "GET",
        lambda w: f"/crossborder/org/{w.acme.public_id}/",
        MEMBERS_AND_OPERATOR,
        url_name="crossborder:exporter",
    ),
    Case(
        "new export request page",
        "GET",
        lambda w: f"/crossborder/org/{_new(w)}/new/",
        OWNER_ONLY,
        url_name="crossborder:new",
    ),
    Case(
        "export request page",
        "GET",
        lambda w: f"/crossborder/requests/{_pending(w)}/",
        expect(*SEEN),
        url_name="crossborder:request",
    ),
    Case(
        "submit evidence page",
        "POST",
        lambda w: f"/crossborder/requests/{_pending(w)}/evidence/",
        EXPORTER_ONLY,
        body=lambda w: {"kind": "impact_assessment", "reference": "PIA-1"},
        url_name="crossborder:evidence",
    ),
    Case(
        "pre-check page",
        "POST",
        lambda w: f"/crossborder/requests/{_submitted(w)}/decide/",
        REVIEWER,
        body=lambda w: {"approve": "1", "note": "ok"},
        url_name="crossborder:decide",
    ),
    Case(
        "cross-border pre-check queue",
        "GET",
        lambda w: f"/crossborder/review/{_new(w)[:0]}",
        expect("reviewer", "operator"),
        url_name="crossborder:review",
    ),
    Case(
        "whitelist entry page",
        "GET",
        lambda w: f"/crossborder/entries/{_entry(w)}/",
        expect(*SEEN),
        url_name="crossborder:entry",
    ),
    Case(
        "log a transfer page",
        "POST",
        lambda w: f"/crossborder/entries/{_entry(w)}/transfer/",
        EXPORTER_ONLY,
        body=_transfer,
        url_name="crossborder:transfer",
    ),
    Case(
        "reassess page",
        "GET",
        lambda w: f"/crossborder/entries/{_entry(w)}/reassess/",
        EXPORTER_ONLY,
        url_name="crossborder:reassess",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

APPS = ("crossborder",)
