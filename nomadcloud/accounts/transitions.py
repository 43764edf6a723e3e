"""An organisation's verification: ONE table of the moves (from state, to state, role). The
services ask it before a write; the pages ask ``verification_moves`` and the templates test
``{% if "pending" in verification_moves %}``, never a status.

    unverified ─▶ pending ─▶ verified
        ▲            │
        └─ rejected ◀┘      (any state ─▶ unverified when the identifiers change)
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from nomadcloud.accounts.models import Organisation

V = Organisation.Verification


class Role(StrEnum):
    MANAGER = "manager"  # an owner or administrator of the organisation
    REVIEWER = "reviewer"  # a member of the department that verifies its kind


M, R = Role.MANAGER, Role.REVIEWER

TABLE: tuple[tuple[str, str, Role], ...] = (
    (V.UNVERIFIED, V.PENDING, M),  # ask for verification
    (V.REJECTED, V.PENDING, M),  # ask again after a rejection
    (V.PENDING, V.VERIFIED, R),
    (V.PENDING, V.REJECTED, R),
)


def verification_moves(status: str, roles: Iterable[Role]) -> list[str]:
    """The states the holder of ``roles`` may move an organisation's verification to."""
    held = set(roles)
    return [target for source, target, role in TABLE if source == status and role in held]


def may_request(status: str) -> bool:
    return V.PENDING in verification_moves(status, [M])


def may_decide(status: str) -> bool:
    return V.VERIFIED in verification_moves(status, [R])
