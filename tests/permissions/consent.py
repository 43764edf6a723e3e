"""Permission cases for consent records: each person sees, exports and withdraws their own
only; anyone else's record is no such consent (404)."""

from __future__ import annotations

from tests.builders.consent import prefill_consent
from tests.permissions import AUTHENTICATED, Case, expect

API = "/api/v1/consent/records"
OWN = expect("owner")

API_CASES = [
    Case("api consent records", "GET", lambda w: API, AUTHENTICATED, api=True),
    Case("api consent export", "GET", lambda w: f"{API}.jsonld", AUTHENTICATED, api=True),
    Case(
        "api withdraw a consent",
        "POST",
        lambda w: f"{API}/{prefill_consent(w.olivia).public_id}/withdraw",
        OWN,
        api=True,
        route=f"{API}/{{record_id}}/withdraw",
    ),
]

PAGE_CASES = [
    Case("consents page", "GET", lambda w: "/consent/", AUTHENTICATED, url_name="consent:mine"),
    Case(
        "consent export",
        "GET",
        lambda w: "/consent/records.jsonld",
        AUTHENTICATED,
        url_name="consent:export",
    ),
    Case(
        "withdraw a consent page",
        "GET",
        lambda w: f"/consent/{prefill_consent(w.olivia).public_id}/withdraw/",
        OWN,
        url_name="consent:withdraw",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

APPS = ("consent",)
