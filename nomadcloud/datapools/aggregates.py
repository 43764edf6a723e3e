"""Aggregates under an agreement, computed inside the platform (可用不可见): the dataset
version's rows as a Parquet file (in the storage, poolfiles.py), a GROUP BY count (and
optionally the sum of one numeric column) run by DuckDB, refused when any group would hold
fewer than K rows (k-anonymity). Where the charter sets an ε budget the answer carries
Laplace noise (noise.py) and spends ε from the agreement's budget, refused once exhausted.
Every answer is logged as a UsageEvent."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, NotFound, invalid_field
from nomadcloud.datapools import access, noise, poolfiles
from nomadcloud.datapools import negotiation as negotiations
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import DatasetVersion, Negotiation, UsageEvent

K = 10
MAX_GROUP_BY = 3
DEFAULT_EPSILON = Decimal("0.5")


def parquet_path(version: DatasetVersion) -> Path:
    """The version's Parquet file as a local path (poolfiles.py; written once)."""
    return poolfiles.release_path(version)


def summable_columns(columns: list[dict[str, Any]]) -> list[str]:
    """The columns an aggregate may sum: not personal, integer or number, with both bounds
    (the bounds clamp each value, which bounds a sum's sensitivity for noise)."""
    return [
        c["name"]
        for c in columns
        if not c.get("personal")
        and c["type"] in ("integer", "number")
        and c.get("min") is not None
        and c.get("max") is not None
    ]


def budget(negotiation: Negotiation) -> tuple[Decimal | None, Decimal]:
    """The charter's ε budget for this agreement (None: no noise) and what its uses spent."""
    total = current_charter(negotiation.pool).dp_epsilon_budget
    spent = negotiation.uses.aggregate(s=Sum("epsilon"))["s"] or Decimal(0)
    return total, spent


def _epsilon(negotiation: Negotiation, epsilon: Decimal | None) -> Decimal | None:
    """The ε this query spends (None: exact counts), refused past the budget."""
    total, spent = budget(negotiation)
    if total is None:
        if epsilon is not None:
            raise invalid_field(
                "epsilon",
                _("This pool's charter does not provide differential privacy."),
                code="dp_not_offered",
            )
        return None
    wanted = DEFAULT_EPSILON if epsilon is None else epsilon
    if wanted <= 0:
        raise invalid_field("epsilon", _("ε must be greater than zero."))
    if spent + wanted > total:
        raise invalid_field(
            "epsilon",
            _(
                "The privacy budget of this agreement is exhausted: %(left)s of ε %(total)s "
                "is left, this query needs %(wanted)s."
            )
            % {"left": total - spent, "total": total, "wanted": wanted},
            code="privacy_budget_exhausted",
        )
    return wanted


def groupable_columns(columns: list[dict[str, Any]]) -> list[str]:
    """The columns an aggregate may group by: not personal, enum, date or text."""
    return [
        c["name"]
        for c in columns
        if not c.get("personal") and c["type"] in ("enum", "date", "string")
    ]


@transaction.atomic
def aggregate(
    *,
    principal: Principal,
    negotiation: Negotiation,
    group_by: list[str],
    sum_of: str | None = None,
    epsilon: Decimal | None = None,
) -> dict[str, Any]:
    user = require_person(principal)
    if role_in(principal, negotiation.consumer) not in access.EDITORS:
        raise NotFound(_("No such negotiation."))
    # One query at a time per agreement, so two cannot both spend the last of the budget.
    negotiation = (
        Negotiation.objects.select_for_update().select_related("pool").get(pk=negotiation.pk)
    )
    now = timezone.now()
    negotiations.require_in_force(negotiation, now)
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
    bound = 0.0
    if sum_of is not None:
        summable = summable_columns(version.charter.columns)
        if sum_of not in summable:
            raise invalid_field(
                "sum_of",
                _("Sum one of: %(columns)s.") % {"columns": ", ".join(summable) or "—"},
            )
        spec = next(c for c in version.charter.columns if c["name"] == sum_of)
        low, high = float(spec["min"]), float(spec["max"])
        bound = max(abs(low), abs(high))
    spend = _epsilon(negotiation, epsilon)
    # Identifiers are schema column names (checked against ^[a-z][a-z0-9_]{0,39}$ when the
    # charter was written) from the allowed lists above; the file path is a parameter.
    quoted = ", ".join(f'"{c}"' for c in columns)
    total = (
        f', sum(greatest(least(CAST("{sum_of}" AS DOUBLE), {high}), {low})) AS s'
        if sum_of is not None
        else ""
    )
    sql = (
        f"SELECT {quoted}, count(*) AS n{total} FROM read_parquet(?) "  # noqa: S608
        f"GROUP BY {quoted} ORDER BY {quoted}"
    )
    with duckdb.connect() as connection:
        result = connection.execute(sql, [str(parquet_path(version))]).fetchall()
    width = len(columns)
    smallest = min((row[width] for row in result), default=0)
    if smallest < K:
        raise invalid_field(
            "group_by",
            _("A group would hold %(n)s rows, fewer than %(k)s: choose coarser groups.")
            % {"n": smallest, "k": K},
            code="group_below_k",
        )
    groups = []
    share = spend / 2 if spend is not None and sum_of is not None else spend
    for row in result:
        group: dict[str, Any] = dict(zip(columns, row[:width], strict=True))
        count = int(row[width])
        group["count"] = count if share is None else noise.noisy_count(count, share)
        if sum_of is not None:
            value = float(row[width + 1] or 0)
            group["sum"] = (
                round(value, 2) if share is None else noise.noisy_sum(value, share, bound)
            )
        groups.append(group)
    negotiations.transfer_abroad(principal=principal, negotiation=negotiation, version=version)
    query_hash = hashlib.sha256(
        json.dumps({"sql": sql, "version": str(version.public_id)}).encode()
    ).hexdigest()
    parameters: dict[str, Any] = {"group_by": columns}
    if sum_of is not None:
        parameters["sum_of"] = sum_of
    if spend is not None:
        parameters["epsilon"] = str(spend)
    UsageEvent.objects.create(
        negotiation=negotiation,
        version=version,
        actor=user,
        mode="aggregate",
        query_hash=query_hash,
        parameters=parameters,
        rows=len(groups),
        at=now,
        epsilon=spend,
    )
    audit.record(
        actor=user,
        action="datapools.usage.aggregate",
        obj=negotiation,
        after={"groups": len(groups), "version": version.number},
    )
    total_budget, spent = budget(negotiation)
    return {
        "version": version.number,
        "k": K,
        "groups": groups,
        "query_hash": query_hash,
        "epsilon": spend,
        "epsilon_left": None if total_budget is None else total_budget - spent,
    }
