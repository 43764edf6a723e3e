"""Query templates (docs/datapools.md, decision 0048): a steward writes a parameterised
DuckDB SELECT over the view ``release`` (the newest dataset version, typed by the charter's
schema) and approves it; an enterprise under an agreement for query templates runs an
approved one with typed parameters. No arbitrary code: the SQL is parsed by DuckDB's own
parser (``json_serialize_sql``) and must be one SELECT that reads no table but ``release``
(and its own CTEs) and calls no table function; it is tried on an empty release when
written; it runs in a DuckDB connection with external access disabled and the configuration
locked, over the release registered as an Arrow dataset. A result must name its group size
``n``; any row with ``n`` below k is refused, as aggregates are. Every run is a UsageEvent."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

import duckdb
import pyarrow.dataset as pads
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import Field, field_validator

from nomadcloud.accounts.access import require_person, role_in
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, NotFound, invalid_field
from nomadcloud.core.i18n import Multilingual
from nomadcloud.core.inputs import Draft, refuse
from nomadcloud.datapools import access, poolfiles
from nomadcloud.datapools import negotiation as negotiations
from nomadcloud.datapools.aggregates import K
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import (
    Charter,
    DatasetVersion,
    Negotiation,
    Pool,
    QueryTemplate,
    UsageEvent,
)
from nomadcloud.datapools.transitions import Side

MAX_ROWS = 10_000
TIMEOUT_SECONDS = 20.0
SQL_TYPES = {"integer": "BIGINT", "number": "DOUBLE", "date": "DATE"}
SAMPLES: dict[str, Any] = {
    "integer": 0,
    "number": 0.0,
    "date": date(2026, 1, 1),
    "string": "",
    "enum": "",
}


class ParameterSpec(Draft):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    type: Literal["integer", "number", "string", "date", "enum"]
    values: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("values")
    @classmethod
    def _values(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in value if v.strip()))


class TemplateDraft(Draft):
    title: Multilingual
    sql: str = Field(min_length=10, max_length=4000)
    parameters: list[ParameterSpec] = Field(default_factory=list, max_length=10)

    @field_validator("parameters")
    @classmethod
    def _unique(cls, value: list[ParameterSpec]) -> list[ParameterSpec]:
        names = [p.name for p in value]
        if len(set(names)) != len(names):
            raise refuse(_("Each parameter needs its own name."))
        for p in value:
            if p.type == "enum" and not p.values:
                raise refuse(_("An enum parameter lists its values."))
        return value


# --- checking the SQL ---------------------------------------------------------------------


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _nodes(value)


def _refused(message: str) -> InvalidInput:
    return invalid_field("sql", message, code="sql_refused")


def _parse(sql: str) -> dict[str, Any]:
    with duckdb.connect() as connection:
        row = connection.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()
    parsed: dict[str, Any] = json.loads(row[0]) if row else {"error": True}
    if parsed.get("error"):
        raise _refused(
            _("Only one SELECT is allowed: %(detail)s")
            % {"detail": parsed.get("error_message", "")}
        )
    if len(parsed.get("statements", [])) != 1:
        raise _refused(_("Only one SELECT is allowed."))
    return parsed


def check_sql(sql: str, parameters: list[ParameterSpec], charter: Charter) -> None:
    """Refuse SQL that is not one read-only SELECT over ``release`` with exactly the declared
    parameters, or that fails on an empty release; its result must name ``n``."""
    tree = _parse(sql)
    ctes = {
        str(entry.get("key"))
        for node in _nodes(tree)
        for entry in (node.get("cte_map") or {}).get("map", [])
    }
    used: set[str] = set()
    for node in _nodes(tree):
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            raise _refused(_("Table functions are not allowed: read only from release."))
        if kind == "BASE_TABLE" and (
            node.get("schema_name")
            or node.get("catalog_name")
            or node.get("table_name") not in {"release", *ctes}
        ):
            raise _refused(
                _("Only the table release may be read, not %(name)s.")
                % {"name": node.get("table_name")}
            )
        if node.get("class") == "PARAMETER":
            used.add(str(node.get("identifier")))
    declared = {p.name for p in parameters}
    if used != declared:
        raise _refused(
            _("The SQL uses the parameters %(used)s; declared are %(declared)s.")
            % {
                "used": ", ".join(sorted(f"${u}" for u in used)) or "—",
                "declared": ", ".join(sorted(f"${d}" for d in declared)) or "—",
            }
        )
    with _connection(charter, dataset=None) as connection:
        try:
            cursor = connection.execute(sql, {p.name: SAMPLES[p.type] for p in parameters})
        except duckdb.Error as exc:
            raise _refused(_("The SQL fails on the release: %(error)s") % {"error": exc}) from exc
        names = [d[0] for d in cursor.description or []]
    if "n" not in names:
        raise _refused(_("The result must name the group size n (count(*) AS n)."))


class _Connection:
    """A DuckDB connection holding ``release`` (typed by the charter) and nothing else, with
    external access disabled and the configuration locked."""

    def __init__(self, charter: Charter, dataset: pads.Dataset | None) -> None:
        self.connection = duckdb.connect(config={"enable_external_access": False})
        columns = charter.columns
        if dataset is None:
            definition = ", ".join(
                f'"{c["name"]}" {SQL_TYPES.get(c["type"], "VARCHAR")}' for c in columns
            )
            self.connection.execute(f"CREATE TEMP TABLE release ({definition})")
        else:
            self.connection.register("release_raw", dataset)
            casts = ", ".join(
                f'TRY_CAST("{c["name"]}" AS {SQL_TYPES.get(c["type"], "VARCHAR")}) AS "{c["name"]}"'
                for c in columns
            )
            self.connection.execute(f"CREATE TEMP VIEW release AS SELECT {casts} FROM release_raw")  # noqa: S608
        self.connection.execute("SET memory_limit = '512MB'")
        self.connection.execute("SET lock_configuration = true")

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()


def _connection(charter: Charter, dataset: pads.Dataset | None) -> _Connection:
    return _Connection(charter, dataset)


# --- the steward's side ---------------------------------------------------------------------


@transaction.atomic
def write_template(*, principal: Principal, pool: Pool, draft: TemplateDraft) -> QueryTemplate:
    access.require_side(principal, pool, Side.STEWARD)
    user = require_person(principal)
    check_sql(draft.sql, draft.parameters, current_charter(pool))
    template = QueryTemplate.objects.create(
        pool=pool,
        title=dict(draft.title),
        sql=draft.sql.strip(),
        parameters=[p.model_dump() for p in draft.parameters],
        written_by=user,
    )
    audit.record(
        actor=user,
        action="datapools.template.write",
        obj=template,
        organisation=pool.steward,
        after={"sql": template.sql},
    )
    return template


@transaction.atomic
def decide_template(*, principal: Principal, template: QueryTemplate, action: str) -> QueryTemplate:
    """approve a draft (checked again against the current charter) or withdraw a template."""
    template = QueryTemplate.objects.select_for_update().select_related("pool").get(pk=template.pk)
    access.require_side(principal, template.pool, Side.STEWARD)
    user = require_person(principal)
    moves = {
        ("approve", QueryTemplate.Status.DRAFT): QueryTemplate.Status.APPROVED,
        ("withdraw", QueryTemplate.Status.DRAFT): QueryTemplate.Status.WITHDRAWN,
        ("withdraw", QueryTemplate.Status.APPROVED): QueryTemplate.Status.WITHDRAWN,
    }
    target = moves.get((action, QueryTemplate.Status(template.status)))
    if target is None:
        raise Conflict(
            _("A %(status)s template cannot be moved that way.")
            % {"status": template.get_status_display()},
            code="transition_not_allowed",
        )
    if target == QueryTemplate.Status.APPROVED:
        specs = [ParameterSpec.model_validate(p) for p in template.parameters]
        check_sql(template.sql, specs, current_charter(template.pool))
        template.approved_by, template.approved_at = user, timezone.now()
    template.status = target
    template.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(
        actor=user, action=f"datapools.template.{action}", obj=template, after={"to": target}
    )
    return template


# --- the consumer's side --------------------------------------------------------------------


def parse_parameters(template: QueryTemplate, raw: dict[str, Any]) -> dict[str, Any]:
    """Typed values for the template's parameters; every error names its parameter."""
    specs = {p["name"]: p for p in template.parameters}
    errors: dict[str, list[str]] = {}
    code = "invalid_input"
    values: dict[str, Any] = {}
    for name in raw:
        if name not in specs:
            errors[f"parameters.{name}"] = [
                _("This template has no parameter %(name)s.") % {"name": name}
            ]
            code = "unknown_parameter"
    for name, spec in specs.items():
        value = raw.get(name)
        if value is None or value == "":
            errors[f"parameters.{name}"] = [_("Give a value.")]
            code = "missing_parameter" if code == "invalid_input" else code
            continue
        try:
            values[name] = _typed(spec, value)
        except (TypeError, ValueError):
            errors[f"parameters.{name}"] = [_expected(spec)]
            code = "wrong_type" if code == "invalid_input" else code
    if errors:
        raise InvalidInput(_("Some parameters are not valid."), code=code, fields=errors)
    return values


def _typed(spec: dict[str, Any], value: Any) -> Any:
    kind = spec["type"]
    if kind == "integer":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise TypeError
        return int(str(value).strip())
    if kind == "number":
        if isinstance(value, bool):
            raise TypeError
        return float(str(value).strip())
    if kind == "date":
        return date.fromisoformat(str(value).strip())
    if not isinstance(value, str):
        raise TypeError
    if kind == "enum" and value not in spec.get("values", []):
        raise ValueError
    if len(value) > 200:
        raise ValueError
    return value


def _expected(spec: dict[str, Any]) -> str:
    labels = {
        "integer": _("a whole number"),
        "number": _("a number"),
        "date": _("a date (YYYY-MM-DD)"),
        "string": _("a text of at most 200 characters"),
    }
    if spec["type"] == "enum":
        return _("Expected one of: %(values)s.") % {"values": ", ".join(spec.get("values", []))}
    return _("Expected %(kind)s.") % {"kind": labels[spec["type"]]}


def template_for(negotiation: Negotiation, template_id: object) -> QueryTemplate:
    from nomadcloud.accounts.access import parse_public_id

    found = QueryTemplate.objects.filter(
        pool=negotiation.pool,
        public_id=parse_public_id(template_id, message=_("No such query template.")),
    ).first()
    if found is None:
        raise invalid_field("template", _("No such query template."), code="not_found")
    return found


def approved_templates(pool: Pool) -> list[QueryTemplate]:
    return list(pool.query_templates.filter(status=QueryTemplate.Status.APPROVED))


@transaction.atomic
def run(
    *,
    principal: Principal,
    negotiation: Negotiation,
    template: QueryTemplate,
    parameters: dict[str, Any],
) -> dict[str, Any]:
    user = require_person(principal)
    if role_in(principal, negotiation.consumer) not in access.EDITORS:
        raise NotFound(_("No such negotiation."))
    now = timezone.now()
    negotiations.require_in_force(negotiation, now)
    if negotiation.policy.get("nc:accessMode") != "query_template":
        raise Forbidden(_("The agreement does not allow query templates."), code="mode_not_agreed")
    if template.pool_id != negotiation.pool_id or template.status != QueryTemplate.Status.APPROVED:
        raise invalid_field(
            "template",
            _("This query template is not approved by the steward."),
            code="template_not_approved",
        )
    values = parse_parameters(template, parameters)
    version: DatasetVersion | None = (
        negotiation.pool.versions.order_by("-number").select_related("charter").first()
    )
    if version is None:
        raise Conflict(_("No version has been released yet."), code="nothing_released")
    dataset = pads.dataset(str(poolfiles.release_path(version)), format="parquet")
    with _connection(version.charter, dataset) as connection:
        # A run longer than TIMEOUT_SECONDS is interrupted (DuckDB has no statement timeout).
        timer = threading.Timer(TIMEOUT_SECONDS, connection.interrupt)
        timer.start()
        try:
            cursor = connection.execute(template.sql, values)
            names = [d[0] for d in cursor.description or []]
            result = cursor.fetchmany(MAX_ROWS + 1)
        except duckdb.Error as exc:
            raise invalid_field(
                "parameters", _("The query failed: %(error)s") % {"error": exc}
            ) from exc
        finally:
            timer.cancel()
    if "n" not in names:
        raise invalid_field("template", _("The result does not name its group size n."))
    rows = [dict(zip(names, row, strict=True)) for row in result[:MAX_ROWS]]
    smallest = min((int(r["n"] or 0) for r in rows), default=K)
    if smallest < K:
        raise invalid_field(
            "parameters",
            _("A group would hold %(n)s rows, fewer than %(k)s: choose other values.")
            % {"n": smallest, "k": K},
            code="group_below_k",
        )
    shown = [{k: _plain(v) for k, v in r.items()} for r in rows]
    # Under an agreement abroad every use is a transfer, logged and counted (decision 0052).
    negotiations.transfer_abroad(principal=principal, negotiation=negotiation, version=version)
    logged = {k: str(v) for k, v in values.items()}
    query_hash = hashlib.sha256(
        json.dumps(
            {"sql": template.sql, "parameters": logged, "version": str(version.public_id)},
            sort_keys=True,
        ).encode()
    ).hexdigest()
    UsageEvent.objects.create(
        negotiation=negotiation,
        version=version,
        actor=user,
        mode="query_template",
        query_hash=query_hash,
        parameters={"template": str(template.public_id), "parameters": logged},
        rows=len(shown),
        at=now,
    )
    audit.record(
        actor=user,
        action="datapools.usage.query_template",
        obj=negotiation,
        after={"template": str(template.public_id), "rows": len(shown)},
    )
    return {
        "version": version.number,
        "k": K,
        "template": template.public_id,
        "columns": names,
        "rows": shown,
        "truncated": len(result) > MAX_ROWS,
        "query_hash": query_hash,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
