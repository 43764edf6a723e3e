"""Whose consent records a principal may see and withdraw: a person's own only (the zone
operator acts on written requests through the person's page in the admin, not here). An
organisation API key has no consents; anyone else's record is "no such consent" (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import parse_public_id, require_person, require_write
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.consent.models import ConsentRecord
from nomadcloud.core.errors import NotFound


def records_of(principal: Principal) -> QuerySet[ConsentRecord]:
    user = require_person(principal)
    return ConsentRecord.objects.filter(subject=user).select_related("subject")


def record_for(
    principal: Principal, raw_id: object, *, write: bool = False
) -> tuple[User, ConsentRecord]:
    user = require_person(principal)
    public_id = parse_public_id(raw_id, message=_("No such consent."))
    record = records_of(principal).filter(public_id=public_id).first()
    if record is None:
        raise NotFound(_("No such consent."))
    if write:
        require_write(principal)
    return user, record
