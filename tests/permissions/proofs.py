"""Permission cases for proofs of work: verifying (also through a verification link), the
DID document, the status lists, the checkpoint, log proofs and revocation records are
public; a person sees and downloads (JSON bundle, Open Badges 3.0, printable page) only
their own credentials; only the zone operator revokes, publishes checkpoints on demand and
registers external keys."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from tests.builders.proofs import (
    logged,
    revoked_credential,
    rita_credential,
    witness_key,
)
from tests.permissions import (
    AUTHENTICATED,
    EVERYONE,
    OPERATOR_ONLY,
    Case,
    expect,
)

API = "/api/v1/proofs"


API_CASES = [
    Case(
        "api verify",
        "POST",
        lambda w: f"{API}/verify",
        EVERYONE,
        body=lambda w: rita_credential(w).document,
        api=True,
        changes=False,
    ),
    Case(
        "api verify a batch",
        "POST",
        lambda w: f"{API}/verify/batch",
        EVERYONE,
        body=lambda w: {"credentials": [rita_credential(w).document, {"id": "x"}]},
        api=True,
        changes=False,
    ),
    Case(
        "api checkpoint",
        "GET",
        lambda w: logged(w) + f"{API}/checkpoint",
        EVERYONE,
        api=True,
        route=f"{API}/checkpoint",
    ),
    Case(
        "api inclusion",
        "GET",
        lambda w: logged(w) + f"{API}/inclusion?index=0&size=1",
        EVERYONE,
        api=True,
        route=f"{API}/inclusion",
    ),
    Case(
        "api consistency",
        "GET",
        lambda w: logged(w) + f"{API}/consistency?first=1&second=1",
        EVERYONE,
        api=True,
        route=f"{API}/consistency",
    ),
    Case(
        "api revocation record",
        "GET",
        lambda w: f"{API}/credentials/{revoked_credential(w).public_id}/revocation",
        EVERYONE,
        api=True,
        route=f"{API}/credentials/{{credential_id}}/revocation",
    ),
    Case("api my credentials", "GET", lambda w: f"{API}/credentials", AUTHENTICATED, api=True),
    Case(
        "api my open badge",
        "GET",
        lambda w: f"{API}/credentials/{rita_credential(w).public_id}/openbadge",
        expect("readonly"),
        api=True,
        route=f"{API}/credentials/{{credential_id}}/openbadge",
    ),
    Case(
        "api publish checkpoint",
        "POST",
        lambda w: f"{API}/checkpoints",
        expect("operator", sees=("outsider", "readonly", "owner", "reviewer")),
        api=True,
    ),
    Case("api external keys", "GET", lambda w: f"{API}/keys", OPERATOR_ONLY, api=True),
    Case(
        "api register external key",
        "POST",
        lambda w: f"{API}/keys",
        expect("operator", sees=("outsider", "readonly", "owner", "reviewer")),
        body=lambda w: witness_key(),
        api=True,
    ),
    Case(
        "api revoke",
        "POST",
        lambda w: f"{API}/credentials/{rita_credential(w).public_id}/revoke",
        expect("operator", sees=("outsider", "readonly", "owner", "reviewer")),
        body=lambda w: {"reason": "issued in error"},
        api=True,
        route=f"{API}/credentials/{{credential_id}}/revoke",
    ),
]

PAGE_CASES = [
    Case("verify page", "GET", lambda w: "/proofs/verify/", EVERYONE, url_name="proofs:verify"),
    Case(
        "verify a pasted credential",
        "POST",
        lambda w: "/proofs/verify/",
        EVERYONE,
        body=lambda w: {"credential": json.dumps(rita_credential(w).document)},
        url_name="proofs:verify",
        changes=False,
    ),
    Case(
        "verify through a verification link",
        "GET",
        lambda w: f"/proofs/verify/?credential={rita_credential(w).public_id}",
        EVERYONE,
        url_name="proofs:verify",
    ),
    Case("did document", "GET", lambda w: "/.well-known/did.json", EVERYONE, url_name="did_json"),
    Case(
        "status list", "GET", lambda w: "/proofs/status/1", EVERYONE, url_name="proofs:status_list"
    ),
    Case(
        "checkpoint note",
        "GET",
        lambda w: logged(w) + "/proofs/checkpoint",
        EVERYONE,
        url_name="proofs:checkpoint",
    ),
    Case("my credentials", "GET", lambda w: "/proofs/mine/", AUTHENTICATED, url_name="proofs:mine"),
    Case(
        "download a credential",
        "GET",
        lambda w: f"/proofs/mine/{rita_credential(w).public_id}.json",
        expect("readonly"),
        url_name="proofs:download",
    ),
    Case(
        "download the open badge",
        "GET",
        lambda w: f"/proofs/mine/{rita_credential(w).public_id}/openbadge.json",
        expect("readonly"),
        url_name="proofs:openbadge",
    ),
    Case(
        "printable page",
        "GET",
        lambda w: f"/proofs/mine/{rita_credential(w).public_id}/print/",
        expect("readonly"),
        url_name="proofs:print",
    ),
    Case(
        "operator page",
        "GET",
        lambda w: f"/proofs/operator/?credential={rita_credential(w).public_id}",
        OPERATOR_ONLY,
        url_name="proofs:operator",
    ),
    Case(
        "operator publishes a checkpoint",
        "POST",
        lambda w: "/proofs/operator/checkpoint",
        OPERATOR_ONLY,
        url_name="proofs:operator_checkpoint",
    ),
    Case(
        "operator registers a key",
        "POST",
        lambda w: "/proofs/operator/keys",
        OPERATOR_ONLY,
        body=lambda w: {**witness_key(), "confirm": "yes"},
        url_name="proofs:operator_keys",
    ),
    Case(
        "operator key confirmation page",
        "GET",
        lambda w: "/proofs/operator/keys?" + urlencode(witness_key()),
        OPERATOR_ONLY,
        url_name="proofs:operator_keys",
    ),
    Case(
        "operator revoke confirmation page",
        "GET",
        lambda w: (
            f"/proofs/operator/credentials/{rita_credential(w).public_id}/revoke"
            "?reason=issued+in+error"
        ),
        OPERATOR_ONLY,
        url_name="proofs:operator_revoke",
    ),
    Case(
        "operator revokes",
        "POST",
        lambda w: f"/proofs/operator/credentials/{rita_credential(w).public_id}/revoke",
        OPERATOR_ONLY,
        body=lambda w: {"reason": "issued in error", "confirm": "yes"},
        url_name="proofs:operator_revoke",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

# The tables these requests write (credentials, the log and keys; revoking takes back what is
# left of the credited points: points.Transfer, points.WorkUnitCredit): the fingerprint covers
# them and the audit log.
APPS = ("proofs", "points.Transfer", "points.WorkUnitCredit")
