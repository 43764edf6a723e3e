"""Aggregates under an agreement, computed inside the platform (可用不可见): the dataset
version's rows as a Parquet file, a GROUP BY count run by DuckDB, refused when any group
would hold fewer than K rows (k-anonymity). Every answer is logged as a UsageEvent."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, NotFound, invalid_field
from nomadcloud.datapools import access
from nomadcloud.datapools import negotiation as negotiations
from nomadcloud.datapools.models import IN_FORCE, DatasetVersion, Negotiation, UsageEvent

K = 10
MAX_GROUP_BY = 3


def parquet_path(version: DatasetVersion) -> Path:
    """The version's Parquet file, written once (a released version never changes)."""
    folder = Path(settings.DATA_DIR) / "datapools"
    path = folder / f"{version.public_id}.parquet"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        rows = [row for c in version.contributions.order_by("pk") for row in c.rows]
        names = [c["name"] for c in version.charter.columns]
        table = pa.table(
            {n: [str(r.get(n)) if r.get(n) is not None else None for r in rows] for n in names}
        )
        partial = path.with_suffix(".partial")
        pq.write_table(table, partial)
        partial.replace(path)
    return path


def groupable_columns(columns: list[dict[str, Any]]) -> list[str]:
    """The columns an aggregate may group by: not personal, enum, date or text."""
    return [
        c["name"]
        for c in columns
        if not c.get("personal") and c["type"] in ("enum", "date", "string")
    ]


@transaction.atomic
def aggregate(
    *, principal: Principal, negotiation: Negotiation, group_by: list[str]
) -> dict[str, Any]:
    user = require_person(principal)
    if role_in(principal, negotiation.consumer) not in access.EDITORS:
        raise NotFound(_("No such negotiation."))
    now = timezone.now()
    if negotiation.state not in IN_FORCE or (
        negotiation.expires_at is not None and negotiation.expires_at <= now
    ):
        raise Conflict(_("There is no agreement in force for this."), code="no_agreement")
    if negotiation.policy.get("nc:accessMode") != "aggregate":
        raise Forbidden(_("The agreement does not allow aggregates."), code="mode_not_agreed")
    version = negotiation.pool.versions.order_by("-number").select_related("charter").first()
    if version is None:
        raise Conflict(_("No version has been released yet."), code="nothing_released")
    allowed = groupable_columns(version.charter.columns)
    columns = list(dict.fromkeys(group_by))
    if not 1 <= len(columns) <= MAX_GROUP_BY or any(c not in allowed for c in columns):
        raise invalid_field(
            "group_by",
            _("Group by one to three of: %(columns)s.") % {"columns": ", ".join(allowed)},
        )
    # Identifiers are schema column names (checked against ^[a-z][a-z0-9_]{0,39}$ when the
    # charter was written) from the allowed list above; the file path is a parameter.
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f"SELECT {quoted}, count(*) AS n FROM read_parquet(?) GROUP BY {quoted} ORDER BY {quoted}"  # noqa: S608
    with duckdb.connect() as connection:
        result = connection.execute(sql, [str(parquet_path(version))]).fetchall()
    smallest = min((row[-1] for row in result), default=0)
    if smallest < K:
        raise invalid_field(
            "group_by",
            _("A group would hold %(n)s rows, fewer than %(k)s: choose coarser groups.")
            % {"n": smallest, "k": K},
            code="group_below_k",
        )
    groups = [dict(zip([*columns, "count"], row, strict=True)) for row in result]
    negotiations.transfer_abroad(principal=principal, negotiation=negotiation, version=version)
    query_hash = hashlib.sha256(
        json.dumps({"sql": sql, "version": str(version.public_id)}).encode()
    ).hexdigest()
    UsageEvent.objects.create(
        negotiation=negotiation,
        version=version,
        actor=user,
        mode="aggregate",
        query_hash=query_hash,
        parameters={"group_by": columns},
        rows=len(groups),
        at=now,
    )
    audit.record(
        actor=user,
        action="datapools.usage.aggregate",
        obj=negotiation,
        after={"groups": len(groups), "version": version.number},
    )
    return {"version": version.number, "k": K, "groups": groups, "query_hash": query_hash}
