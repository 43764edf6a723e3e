"""What the parts of the accounts use cases share: the rule versions and limits, the check
that a person acts on their own account, and ``_apply`` (change fields, audit the difference)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    require_person,
    require_write,
)
from nomadcloud.accounts.models import (
    Organisation,
    User,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Forbidden

M = TypeVar("M", bound=models.Model)

# The privacy notice a person consents to at registration (templates/accounts/privacy.html).
PRIVACY_NOTICE_VERSION = "2026-11"
ORG_VERIFICATION_RULE_VERSION = "org-verification/2026.1"
INVITATION_DAYS = 14
MAX_TOKEN_DAYS = 366
# Which department reviews which kind of organisation (department codes from the demo data
# and the plan: 市科工信局, 市旅文局, 市人社局). Departments and operators are not verified
# through this flow: the zone operator registers them.
VERIFYING_DEPARTMENT_CODE = {
    Organisation.Kind.ENTERPRISE: "kegongxin",
    Organisation.Kind.MERCHANT: "lvwen",
    Organisation.Kind.COMMUNITY: "renshe",
}
SELF_SERVICE_KINDS = frozenset(
    {Organisation.Kind.ENTERPRISE, Organisation.Kind.MERCHANT, Organisation.Kind.COMMUNITY}
)


def _require_self(principal: Principal, user: User, *, write: bool = True) -> None:
    actor = require_person(principal)
    if write:
        require_write(principal)
    if actor.pk != user.pk:
        raise Forbidden(_("You can only change your own account."))


def _apply(
    principal: Principal,
    obj: M,
    new: dict[str, Any],
    action: str,
    organisation: Organisation | None = None,
) -> M:
    before, after = audit.changes(obj, new)
    if not after:
        return obj
    for field, value in after.items():
        setattr(obj, field, value)
    obj.save(update_fields=list(after))
    audit.record(
        actor=principal.user,
        action=action,
        obj=obj,
        organisation=organisation,
        before=before,
        after=after,
        token=principal.token,
    )
    return obj
