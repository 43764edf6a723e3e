"""Permission cases for the risk engine's review queue (zone operator only; everyone else is
told there is no such thing) and for contact verification (each person their own)."""

from __future__ import annotations

from tests.builders.risk import held_issuance
from tests.permissions import AUTHENTICATED, CONFLICT, SIGNED_IN, Case, expect

API = "/api/v1/risk/held-issuances"
OPERATOR = expect("operator")

API_CASES = [
    Case("api held issuances", "GET", lambda w: API, OPERATOR, api=True),
    Case(
        "api held issuance",
        "GET",
        lambda w: f"{API}/{held_issuance(w).public_id}",
        OPERATOR,
        api=True,
        route=f"{API}/{{held_id}}",
    ),
    Case(
        "api decide a held issuance",
        "POST",
        lambda w: f"{API}/{held_issuance(w).public_id}/decision",
        OPERATOR,
        body=lambda w: {"release": False, "reason": "Not real work."},
        api=True,
        route=f"{API}/{{held_id}}/decision",
    ),
    Case(
        "api send a contact code",
        "POST",
        lambda w: "/api/v1/me/contact-verification",
        AUTHENTICATED,
        body=lambda w: {"channel": "email"},
        api=True,
    ),
    Case(
        "api confirm a contact code",
        "POST",
        lambda w: "/api/v1/me/contact-verification/confirm",
        expect(**{p: CONFLICT("code_expired") for p in SIGNED_IN}),
        body=lambda w: {"code": "123456"},
        api=True,
    ),
]

PAGE_CASES = [
    Case("held queue page", "GET", lambda w: "/risk/held/", OPERATOR, url_name="risk:queue"),
    Case(
        "held issuance page",
        "GET",
        lambda w: f"/risk/held/{held_issuance(w).public_id}/",
        OPERATOR,
        url_name="risk:held",
    ),
    Case(
        "verify contact page",
        "GET",
        lambda w: "/accounts/verify-contact/",
        AUTHENTICATED,
        url_name="accounts:verify_contact",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

# Deciding revokes the credential (proofs) and credits nothing; sending a code writes a code.
APPS = ("risk", "accounts", "proofs", "points.Transfer", "points.WorkUnitCredit")
