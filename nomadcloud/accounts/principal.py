"""Who is acting: a signed-in person, a person through a personal token, or an organisation
through its API key. Access checks and the audit log take a Principal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nomadcloud.accounts.models import ApiToken, Organisation, User


@dataclass(frozen=True)
class Principal:
    user: User | None
    token: ApiToken | None = None

    @classmethod
    def of(cls, request: Any) -> Principal:
        token = getattr(request, "api_token", None)
        if token is not None:
            return cls(user=token.user, token=token)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return cls(user=user)
        return cls(user=None)

    @classmethod
    def for_user(cls, user: User) -> Principal:
        return cls(user=user)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None or self.token is not None

    @property
    def key_organisation(self) -> Organisation | None:
        """The organisation an organisation API key acts for."""
        if self.token is not None and self.token.kind == "organisation":
            return self.token.organisation
        return None

    @property
    def can_write(self) -> bool:
        return self.token is None or self.token.scope == "write"
