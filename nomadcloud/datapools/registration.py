"""The provincial registration of a pool's data product (《海南省公共数据资源登记管理办法（试行）》:
authorised operators register every product; the registry issues a registration query code,
登记查询码). The steward records the code the registry issued once the product has a released,
quality-scored version; it is shown on the public pool page and exported in the catalogue
(DCAT-AP ``adms:identifier``, CKAN extra ``registration_code``, the Dataspace Protocol
dataset's ``identifier``).

The code's form (decision 0049; to confirm against the registry's specification): the issuing
region's administrative division code (6 digits, 46xxxx for Hainan), the year, and the
registry's serial of 6–12 capitals and digits, e.g. ``460000-2026-DP000123``."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.datapools import access
from nomadcloud.datapools.models import Pool
from nomadcloud.datapools.transitions import Side

CODE = re.compile(r"(?P<region>\d{6})-(?P<year>20\d{2})-(?P<serial>[0-9A-Z]{6,12})")
EXAMPLE = "460000-2026-DP000123"


def normalise(raw: str) -> str:
    """The code as the registry writes it, or a localized refusal on ``code``."""
    code = (raw or "").strip().upper()
    match = CODE.fullmatch(code)
    if match is None:
        raise invalid_field(
            "code",
            _(
                "A registration query code is the region code, the year and the registry's "
                "serial, like %(example)s."
            )
            % {"example": EXAMPLE},
        )
    if not match["region"].startswith("46"):
        raise invalid_field(
            "code", _("The code was not issued in Hainan (its region code starts with 46).")
        )
    if int(match["year"]) > timezone.now().year:
        raise invalid_field("code", _("The code's year is in the future."))
    return code


@transaction.atomic
def register(*, principal: Principal, pool: Pool, code: str) -> Pool:
    """Record (or correct) the registration query code of a pool's data product."""
    value = normalise(code)
    pool = Pool.objects.select_for_update().select_related("steward").get(pk=pool.pk)
    access.require_side(principal, pool, Side.STEWARD)
    if not pool.versions.exists():
        raise Conflict(
            _("Register the product once a version is released and its quality scored."),
            code="nothing_released",
        )
    if Pool.objects.filter(registration_code=value).exclude(pk=pool.pk).exists():
        raise invalid_field("code", _("Another product already holds this code."))
    before = pool.registration_code
    pool.registration_code = value
    pool.registered_at = timezone.now()
    pool.save(update_fields=["registration_code", "registered_at"])
    audit.record(
        actor=principal.user,
        action="datapools.pool.register",
        obj=pool,
        organisation=pool.steward,
        before={"registration_code": before},
        after={"registration_code": value},
    )
    return pool
