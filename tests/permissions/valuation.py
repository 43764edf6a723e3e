"""Permission cases for valuation. Acme (Olivia owner, Rita read-only) holds the data asset;
Globex (Charlie, here the licensed valuation firm) performs the valuation; 市科工信局 (Wendy)
reviews and receives the bubble watch's alerts; the zone operator sees all, read only. An
asset without a valuation is hidden from the firm and the department (404)."""

from __future__ import annotations

from typing import Any

from nomadcloud.valuation.models import Valuation
from tests.builders import valuation as b
from tests.builders.world import World
from tests.permissions import AUTHENTICATED, OPERATOR_ONLY, SIGNED_IN, Case, expect

API = "/api/v1/valuation"
S = Valuation.State
HOLDER_SEEN = ("readonly", "owner", "operator")
ALL_BUT = {
    "valuer": expect("outsider", sees=("readonly", "owner", "reviewer", "operator"),
                     because="valuer_only"),
    "department": expect("reviewer", sees=("outsider", "readonly", "owner", "operator"),
                         because="department_only"),
    "holder": expect("owner", sees=("outsider", "readonly", "reviewer", "operator"),
                     because="holder_only"),
}  # fmt: skip


def _at(state: str) -> Any:
    return lambda w: str(b.valuation(w, state).public_id)


def _asset_body(w: World) -> dict[str, Any]:
    from tests.builders import datapools

    return {
        "holder": str(w.acme.public_id),
        "title": {"zh-Hans": "出行数据", "en": "Trips"},
        "category": "traffic",
        "data_since": "2025-01-01",
        "pool": str(datapools.traffic_pool(w).public_id),
    }


def _recognised(w: World) -> str:
    """Acme's asset recognised in its books as inventory (decision 0063); its id."""
    from nomadcloud.accounts.principal import Principal
    from nomadcloud.core.inputs import parse_draft
    from nomadcloud.valuation import books
    from nomadcloud.valuation.inputs import RecognitionDraft

    made = b.valuation(w, S.ISSUED)
    draft = parse_draft(RecognitionDraft, {"treatment": "inventory", "recognised_on": "2026-12-01"})
    books.recognise(principal=Principal.for_user(w.olivia), valuation=made, draft=draft)
    return str(made.asset.public_id)


BOOKS_SEEN = ("readonly", "owner", "operator")


def _step(name: str, state: str, path: str, body: dict[str, Any]) -> Case:
    return Case(
        f"api valuation {name}",
        "POST",
        lambda w: f"{API}/valuations/{_at(state)(w)}/{path}",
        ALL_BUT["valuer"],
        body=lambda w: body,
        api=True,
        route=f"{API}/valuations/{{valuation_id}}/{path}",
    )


API_CASES = [
    Case(
        "api register a data asset",
        "POST",
        lambda w: f"{API}/assets",
        expect("owner", sees=("readonly",), because="holder_only"),
        body=_asset_body,
        api=True,
    ),
    Case(
        "api a data asset",
        "GET",
        lambda w: f"{API}/assets/{b.asset(w).public_id}",
        expect(*HOLDER_SEEN),
        api=True,
        route=f"{API}/assets/{{asset_id}}",
    ),
    Case("api valuations", "GET", lambda w: f"{API}/valuations", AUTHENTICATED, api=True),
    Case(
        "api request a valuation",
        "POST",
        lambda w: f"{API}/valuations",
        expect("owner", sees=("readonly", "operator"), because="holder_only"),
        body=b.request_fields,
        api=True,
    ),
    Case(
        "api a valuation",
        "GET",
        lambda w: f"{API}/valuations/{_at(S.DRAFT)(w)}",
        expect(*SIGNED_IN),
        api=True,
        route=f"{API}/valuations/{{valuation_id}}",
    ),
    _step("collect", S.DRAFT, "collect", b.COLLECT),
    _step("legal gate", S.DATA_COLLECTED, "legal-gate", b.LEGAL),
    _step("quality", S.LEGAL_PASSED, "quality", b.QUALITY),
    _step("compute", S.QUALITY_ASSESSED, "compute", b.COMPUTE),
    _step("reconcile", S.COMPUTED, "reconcile", b.RECONCILE),
    Case(
        "api valuer signs",
        "POST",
        lambda w: f"{API}/valuations/{_at(S.RECONCILED)(w)}/moves",
        ALL_BUT["valuer"],
        body=lambda w: {"action": "sign"},
        api=True,
        route=f"{API}/valuations/{{valuation_id}}/moves",
    ),
    Case(
        "api department reviewer signs",
        "POST",
        lambda w: f"{API}/valuations/{_at(S.RECONCILED)(w)}/moves",
        ALL_BUT["department"],
        body=lambda w: {"action": "review"},
        api=True,
        route=f"{API}/valuations/{{valuation_id}}/moves",
    ),
    Case(
        "api holder withdraws a valuation",
        "POST",
        lambda w: f"{API}/valuations/{_at(S.COMPUTED)(w)}/moves",
        ALL_BUT["holder"],
        body=lambda w: {"action": "withdraw", "reason": "No longer needed."},
        api=True,
        route=f"{API}/valuations/{{valuation_id}}/moves",
    ),
    Case(
        "api an issued snapshot",
        "GET",
        lambda w: f"{API}/valuations/{_at(S.ISSUED)(w)}/snapshot",
        expect(*SIGNED_IN),
        api=True,
        route=f"{API}/valuations/{{valuation_id}}/snapshot",
    ),
    Case(
        "api an issued snapshot as PDF",
        "GET",
        lambda w: f"{API}/valuations/{_at(S.ISSUED)(w)}/snapshot.pdf",
        expect(*SIGNED_IN),
        api=True,
        route=f"{API}/valuations/{{valuation_id}}/snapshot.pdf",
    ),
    Case(
        "api recognise a valuation in the books",
        "POST",
        lambda w: f"{API}/valuations/{_at(S.ISSUED)(w)}/recognise",
        ALL_BUT["holder"],
        body=lambda w: {"treatment": "inventory", "recognised_on": "2026-12-01"},
        api=True,
        route=f"{API}/valuations/{{valuation_id}}/recognise",
    ),
    Case(
        "api record an impairment",
        "POST",
        lambda w: f"{API}/assets/{_recognised(w)}/book-entries",
        ALL_BUT["holder"],
        body=lambda w: {
            "kind": "impairment",
            "on": "2026-12-02",
            "amount": "10.00",
            "reason": "write-down",
        },
        api=True,
        route=f"{API}/assets/{{asset_id}}/book-entries",
    ),
    Case(
        "api an asset's book entries",
        "GET",
        lambda w: f"{API}/assets/{_recognised(w)}/book-entries",
        expect(*BOOKS_SEEN),
        api=True,
        route=f"{API}/assets/{{asset_id}}/book-entries",
    ),
    Case(
        "api a holder's roll-forward",
        "GET",
        lambda w: f"{API}/holders/{w.acme.public_id}/rollforward",
        expect(*BOOKS_SEEN),
        api=True,
        route=f"{API}/holders/{{holder_id}}/rollforward",
    ),
    Case(
        "api a holder's roll-forward export",
        "GET",
        lambda w: f"{API}/holders/{w.acme.public_id}/rollforward/export?format=xlsx",
        expect(*BOOKS_SEEN),
        api=True,
        route=f"{API}/holders/{{holder_id}}/rollforward/export",
    ),
    Case(
        "api record a price",
        "POST",
        lambda w: f"{API}/prices",
        expect("owner", "operator", sees=("readonly",), because="holder_only"),
        body=lambda w: {
            "asset": str(b.asset(w).public_id),
            "kind": "transaction",
            "observed_on": "2026-12-01",
            "price": "1000.00",
            "source": "exchange trade 17",
        },
        api=True,
    ),
    Case("api bubble watch alerts", "GET", lambda w: f"{API}/alerts", AUTHENTICATED, api=True),
    Case(
        "api an alert",
        "GET",
        lambda w: f"{API}/alerts/{b.alert(w).public_id}",
        expect("readonly", "owner", "reviewer", "operator"),
        api=True,
        route=f"{API}/alerts/{{alert_id}}",
    ),
    Case(
        "api acknowledge an alert",
        "POST",
        lambda w: f"{API}/alerts/{b.alert(w).public_id}/moves",
        expect("reviewer", sees=HOLDER_SEEN, because="department_only"),
        body=lambda w: {"action": "acknowledge"},
        api=True,
        route=f"{API}/alerts/{{alert_id}}/moves",
    ),
    Case(
        "api run the bubble watch",
        "POST",
        lambda w: (b.monitor(w), f"{API}/watch/traffic")[1],
        OPERATOR_ONLY,
        body=lambda w: {"on": "2026-12-31"},
        api=True,
        route=f"{API}/watch/{{category}}",
    ),
]
PAGE_CASES = [
    Case("valuations page", "GET", lambda w: "/valuation/", AUTHENTICATED,
         url_name="valuation:list"),
    Case("bubble watch page", "GET", lambda w: "/valuation/alerts/", AUTHENTICATED,
         url_name="valuation:alerts"),
    Case(
        "an alert page",
        "GET",
        lambda w: f"/valuation/alerts/{b.alert(w).public_id}/",
        expect("readonly", "owner", "reviewer", "operator"),
        url_name="valuation:alert",
    ),
    Case(
        "acknowledge an alert page",
        "POST",
        lambda w: f"/valuation/alerts/{b.alert(w).public_id}/acknowledge/",
        expect("reviewer", sees=HOLDER_SEEN),
        url_name="valuation:alert_act",
    ),
    Case(
        "a valuation page",
        "GET",
        lambda w: f"/valuation/{_at(S.RECONCILED)(w)}/",
        expect(*SIGNED_IN),
        url_name="valuation:detail",
    ),
    Case(
        "an issued snapshot download",
        "GET",
        lambda w: f"/valuation/{_at(S.ISSUED)(w)}/snapshot.json",
        expect(*SIGNED_IN),
        url_name="valuation:snapshot",
    ),
    Case(
        "an issued snapshot as PDF",
        "GET",
        lambda w: f"/valuation/{_at(S.ISSUED)(w)}/snapshot.pdf",
        expect(*SIGNED_IN),
        url_name="valuation:snapshot_pdf",
    ),
    Case(
        "recognise in the books page",
        "GET",
        lambda w: f"/valuation/{_at(S.ISSUED)(w)}/recognise/",
        expect("owner", sees=("outsider", "readonly", "reviewer", "operator")),
        url_name="valuation:recognise",
    ),
    Case(
        "a holder's books page",
        "GET",
        lambda w: f"/valuation/books/{w.acme.public_id}/",
        expect(*BOOKS_SEEN),
        url_name="valuation:books",
    ),
    Case(
        "a holder's roll-forward download",
        "GET",
        lambda w: f"/valuation/books/{w.acme.public_id}/rollforward.csv",
        expect(*BOOKS_SEEN),
        url_name="valuation:books_export",
    ),
    Case(
        "record a disposal by page",
        "POST",
        lambda w: (_recognised(w), f"/valuation/books/{w.acme.public_id}/entries/")[1],
        expect("owner", sees=("readonly", "operator")),
        body=lambda w: {"asset": str(b.asset(w).public_id), "kind": "disposal",
                        "on": "2026-12-02", "amount": "10.00", "reason": "sold"},
        url_name="valuation:books_entry",
    ),
    Case(
        "a valuation step form",
        "GET",
        lambda w: f"/valuation/{_at(S.DRAFT)(w)}/steps/collect/",
        expect("outsider", sees=("readonly", "owner", "reviewer", "operator")),
        url_name="valuation:step",
    ),
    Case(
        "valuer collects by page",
        "POST",
        lambda w: f"/valuation/{_at(S.DRAFT)(w)}/steps/collect/",
        expect("outsider", sees=("readonly", "owner", "reviewer", "operator")),
        body=lambda w: {"cost_lines-0-category": "labour", "cost_lines-0-amount": "100.00",
                        "cost_lines-0-source": "datatasks batch 3"},
        url_name="valuation:step",
    ),
    Case(
        "valuer signs page",
        "POST",
        lambda w: f"/valuation/{_at(S.RECONCILED)(w)}/sign/",
        expect("outsider", sees=("readonly", "owner", "reviewer", "operator")),
        url_name="valuation:act",
    ),
]  # fmt: skip
PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()
APPS = ("valuation",)
