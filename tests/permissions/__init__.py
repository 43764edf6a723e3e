"""The permission matrix, one module per app: each defines API_CASES, PAGE_CASES (with the
URL name each page case covers), PUBLIC_PAGES and PUBLIC_API. tests/test_permissions.py runs
them all and fails for any page or API operation that no module covers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import PERSONAS, World

ALLOW, DENY = "allow", "deny"
AUTHENTICATED = dict.fromkeys(PERSONAS, ALLOW) | {"anonymous": DENY}
OWNER_ONLY = dict.fromkeys(PERSONAS, DENY) | {"owner": ALLOW}
MEMBERS_AND_OPERATOR = dict.fromkeys(PERSONAS, DENY) | {
    "readonly": ALLOW,
    "owner": ALLOW,
    "operator": ALLOW,
}
REVIEWER_ONLY = dict.fromkeys(PERSONAS, DENY) | {"reviewer": ALLOW}
OPERATOR_ONLY = dict.fromkeys(PERSONAS, DENY) | {"operator": ALLOW}
# Erasure is refused to sole owners (Olivia, Charlie, Oscar) until they hand over.
ERASE = {
    "anonymous": DENY,
    "outsider": DENY,
    "readonly": ALLOW,
    "owner": DENY,
    "reviewer": ALLOW,
    "operator": DENY,
}
# Anyone signed in who holds the link may accept; existing members may not join twice.
ACCEPT = AUTHENTICATED | {"readonly": DENY, "owner": DENY}


@dataclass
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expect: dict[str, str]
    body: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    api: bool = False
    # Pages: the URL name this case covers. API: the OpenAPI path template, when the path
    # cannot be derived by substituting placeholders (see test_permissions._sample_path).
    url_name: str = ""
    route: str = ""
    # False for a POST that only computes (a preview): allowed, it must still change nothing.
    changes: bool = True


def org(w: World) -> str:
    return str(w.acme.public_id)
