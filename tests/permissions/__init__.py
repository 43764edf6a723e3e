"""The permission matrix, one module per app: each defines API_CASES, PAGE_CASES (with the
URL name each page case covers), PUBLIC_PAGES, PUBLIC_API and APPS (the apps whose tables the
module's requests may write: the database fingerprint covers only those and the audit log).
tests/test_permissions.py runs them all and fails for any page or API operation that no module
covers.

Every case states, per persona, the exact answer (docs/decisions/0011):

- ``ALLOW``: it succeeds (2xx, or a redirect that is not to the login page).
- ``UNAUTHENTICATED``: anonymous; API 401 ``not_authenticated``, pages 302 to the login page.
- ``NOT_FOUND``: an object the caller may not see; API 404 ``not_found``, pages 404.
- ``FORBIDDEN``: a visible object (or a function) the caller may not use; API 403 with the
  code (``forbidden`` unless given), pages 403.
- ``CONFLICT(code)`` / ``INVALID(code)``: a deliberate business refusal; API 409 / 422 with
  the code, pages the same status.
- ``BOUNCED``: pages only, a refusal shown as a message on the way back (302, not to login).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.builders.world import PERSONAS, World


@dataclass(frozen=True)
class Outcome:
    name: str
    status: int = 0
    code: str = ""

    def __repr__(self) -> str:
        return f"{self.name}({self.code})" if self.code else self.name

    def because(self, code: str) -> Outcome:
        """The same refusal with a specific envelope code (e.g. ``operator_only``)."""
        return Outcome(self.name, self.status, code)


ALLOW = Outcome("ALLOW")
UNAUTHENTICATED = Outcome("UNAUTHENTICATED", 401, "not_authenticated")
NOT_FOUND = Outcome("NOT_FOUND", 404, "not_found")
FORBIDDEN = Outcome("FORBIDDEN", 403, "forbidden")
BOUNCED = Outcome("BOUNCED", 302)


def CONFLICT(code: str = "conflict") -> Outcome:
    return Outcome("CONFLICT", 409, code)


def INVALID(code: str = "invalid_input") -> Outcome:
    return Outcome("INVALID", 422, code)


Expect = dict[str, Outcome]


def expect(
    *allowed: str,
    sees: Iterable[str] = (),
    because: str = "forbidden",
    anonymous: Outcome = UNAUTHENTICATED,
    **answers: Outcome,
) -> Expect:
    """Each persona's answer: ``allowed`` ones succeed; those who ``sees`` the object but may
    not do this get FORBIDDEN (with the code ``because``); anonymous gets UNAUTHENTICATED;
    everyone else NOT_FOUND. Keyword arguments state a persona's answer outright."""
    refused = FORBIDDEN.because(because)
    table = {
        persona: ALLOW if persona in allowed else refused if persona in sees else NOT_FOUND
        for persona in PERSONAS
    }
    table["anonymous"] = ALLOW if "anonymous" in allowed else anonymous
    unknown = set(answers) - set(PERSONAS)
    assert not unknown, unknown
    return table | answers


SIGNED_IN = ("outsider", "readonly", "owner", "reviewer", "operator")
# Acme's members among the personas (Olivia owner, Rita read-only).
ACME = ("readonly", "owner")
AUTHENTICATED = expect(*SIGNED_IN)
EVERYONE = expect("anonymous", *SIGNED_IN)
# A function only some may use, with no object to hide: the others are refused outright.
OPERATOR_ONLY = expect("operator", sees=SIGNED_IN, because="operator_only")
REVIEWER_ONLY = expect("reviewer", sees=SIGNED_IN)
# Acme itself and what it owns: members and the zone operator see it, only the owner changes.
MEMBERS_AND_OPERATOR = expect(*ACME, "operator")
OWNER_ONLY = expect("owner", sees=("readonly", "operator"))


@dataclass
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expect: Expect
    body: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    api: bool = False
    # Pages: the URL name this case covers. API: the OpenAPI path template, when the path
    # cannot be derived by substituting placeholders (see test_permissions._sample_path).
    url_name: str = ""
    route: str = ""
    # False for a POST that only computes (a preview): allowed, it must still change nothing.
    changes: bool = True
    # Apps this case writes beyond its module's APPS (set by test_permissions from the module).
    apps: tuple[str, ...] = ()


def org(w: World) -> str:
    return str(w.acme.public_id)
