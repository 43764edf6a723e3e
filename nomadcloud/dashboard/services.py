"""The dashboard's use cases: the daily snapshot job, reporting, approving and publishing
official figures, and the statistics import in one CSV/XLSX format (``COLUMNS``, SDMX-CSV
style) whose export is the same format, so an export imports back unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core import audit, indicators, tables
from nomadcloud.core.csv import safe_cell
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, invalid_field
from nomadcloud.core.indicators import Indicator, Period
from nomadcloud.dashboard import access
from nomadcloud.dashboard.models import ImportBatch, Observation, Snapshot
from nomadcloud.dashboard.official import AREAS

COLUMNS = [
    "INDICATOR",
    "TIME_PERIOD",
    "REF_AREA",
    "OBS_VALUE",
    "UNIT_MEASURE",
    "OBS_STATUS",
    "AS_OF",
    "SOURCE",
    "EVIDENCE",
    "SUPERSEDE_REASON",
    "REF_ENTITY",
]
MAX_ROWS = 5000
COUNT_UNITS = {"count", "account"}
ENTITY = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")  # 统一社会信用代码 (GB 32100)
# The dimension values snapshotted beside each total.
DIMENSION_VALUES: Mapping[str, tuple[str, ...]] = {"nationality": ("foreign",)}


# --- snapshots --------------------------------------------------------------------------------


def _dimension_sets(found: Indicator) -> list[dict[str, str]]:
    sets: list[dict[str, str]] = [{}]
    for name in found.dimensions:
        sets += [{name: value} for value in DIMENSION_VALUES.get(name, ())]
    return sets


def _key(dimensions: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(dimensions.items()))


def take_snapshots(day: dt.date | None = None) -> int:
    """Every platform indicator's value for the period containing ``day`` (re-run: replaced),
    with its provenance. Read-only work on the indicators; one row per value."""
    day = day or timezone.localdate()
    now = timezone.now()
    written = 0
    for found in indicators.platform():
        period = Period.of(found.period, day)
        for dims in _dimension_sets(found):
            value = found.value(period, dims)
            compute = found.compute
            Snapshot.objects.update_or_create(
                indicator=found.code,
                period=period.label,
                dimensions=_key(dims),
                defaults={
                    "period_end": period.end,
                    "value": value,
                    "computed_at": now,
                    "provenance": {
                        "app": found.app,
                        "function": f"{compute.__module__}.{compute.__qualname__}"
                        if compute
                        else "",
                        "definition": dict(found.definition),
                        "as_of": day.isoformat(),
                    },
                },
            )
            written += 1
    return written


def snapshot_year(year: int) -> int:
    """Backfill: the snapshots of every month's end of ``year`` up to today."""
    today = timezone.localdate()
    written = 0
    for month in range(1, 13):
        end = Period.of("month", dt.date(year, month, 1)).end
        written += take_snapshots(min(end, today))
        if end >= today:
            break
    return written


# --- official observations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One official figure as entered on the form or read from an import row."""

    indicator: str
    period: str
    area: str
    value: str
    unit: str
    finality: str
    as_of: str
    source: str
    evidence: str = ""
    supersede_reason: str = ""
    entity: str = ""  # unified social credit code, for indicators counted per unit


def reported(
    *,
    indicator: str,
    period: str,
    area: str,
    value: str,
    finality: str,
    as_of: dt.date,
    source: str,
    evidence: str = "",
    supersede_reason: str = "",
    entity: str = "",
) -> Figure:
    """A figure as the report form and the API give it: counted in its indicator's own unit
    (an unknown indicator is refused by ``check``'s ``indicators.get``)."""
    return Figure(
        indicator=indicator,
        period=period,
        area=area,
        value=value,
        unit=indicators.get(indicator).unit,
        finality=finality,
        as_of=as_of.isoformat(),
        source=source,
        evidence=evidence,
        supersede_reason=supersede_reason,
        entity=entity,
    )


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise invalid_field("value", _("Write the value as a number.")) from None
    if not value.is_finite():
        raise invalid_field("value", _("Write the value as a number."))
    return value


def check(figure: Figure, today: dt.date) -> tuple[Indicator, Period, Decimal, dt.date]:
    """The figure's indicator, period, value and date, or the first problem found."""
    found = indicators.get(figure.indicator.strip())
    if found.compute is not None:
        raise invalid_field(
            "indicator", _("This indicator is computed by the platform, not reported.")
        )
    period = Period.parse(figure.period)
    if period.kind != found.period:
        raise invalid_field(
            "period",
            _("This indicator is reported per %(kind)s.") % {"kind": found.period},
        )
    if period.start > today:
        raise invalid_field("period", _("The period has not begun yet."))
    if figure.area.strip() not in AREAS:
        raise invalid_field(
            "area",
            _("Unknown area code; use one of %(codes)s.") % {"codes": ", ".join(AREAS)},
        )
    entity = figure.entity.strip().upper()
    if "entity" in found.dimensions and not ENTITY.fullmatch(entity):
        raise invalid_field(
            "entity",
            _("This indicator is counted per unit: give its unified social credit code."),
        )
    if "entity" not in found.dimensions and entity:
        raise invalid_field("entity", _("This indicator is not counted per unit."))
    if figure.unit.strip() != found.unit:
        raise invalid_field(
            "unit", _("This indicator is counted in %(unit)s.") % {"unit": found.unit}
        )
    value = _decimal(figure.value)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > found.places:
        raise invalid_field(
            "value",
            _("At most %(places)d decimal places for this unit.") % {"places": found.places},
        )
    if value < 0 and found.unit in COUNT_UNITS | {"currency-CNY"}:
        raise invalid_field("value", _("A count or an amount cannot be negative."))
    if figure.finality not in Observation.Finality.values:
        raise invalid_field("finality", _("Say whether the figure is provisional or final."))
    try:
        as_of = dt.date.fromisoformat(figure.as_of.strip())
    except ValueError:
        raise invalid_field("as_of", _("Give the date as YYYY-MM-DD.")) from None
    if as_of > today:
        raise invalid_field("as_of", _("The date cannot be in the future."))
    if not figure.source.strip():
        raise invalid_field("source", _("Name the source of the figure (its provenance)."))
    return found, period, value, as_of


def current(indicator: str, period: str, area: str, entity: str = "") -> Observation | None:
    return (
        Observation.objects.filter(indicator=indicator, period=period, area=area, entity=entity)
        .exclude(status=Observation.Status.SUPERSEDED)
        .order_by("-id")
        .first()
    )


def _store(
    figure: Figure,
    *,
    actor: User,
    today: dt.date,
    batch: ImportBatch | None = None,
) -> Observation | None:
    """Store one checked figure; None when an identical current one exists (idempotent)."""
    found, period, value, as_of = check(figure, today)
    unit = access.reporting_unit(actor, found)
    area = figure.area.strip()
    entity = figure.entity.strip().upper()
    before = current(found.code, period.label, area, entity)
    if before is not None:
        same = (
            before.value == value
            and before.finality == figure.finality
            and before.as_of == as_of
            and before.source == figure.source.strip()
        )
        if same:
            return None
        if before.finality == Observation.Finality.FINAL and not figure.supersede_reason.strip():
            raise invalid_field(
                "supersede_reason",
                _("A final figure exists for this period: give the reason for the revision."),
            )
        before.status = Observation.Status.SUPERSEDED
        before.save(update_fields=["status"])
    made = Observation.objects.create(
        indicator=found.code,
        period=period.label,
        period_end=period.end,
        area=area,
        entity=entity,
        value=value,
        finality=figure.finality,
        as_of=as_of,
        source=figure.source.strip()[:200],
        evidence=figure.evidence.strip(),
        unit=unit,
        submitted_by=actor,
        supersedes=before,
        supersede_reason=figure.supersede_reason.strip()
        or (_("provisional figure replaced") if before else ""),
        batch=batch,
    )
    audit.record(
        actor=actor,
        action="dashboard.observation.submit",
        obj=made,
        organisation=unit,
        after={"indicator": made.indicator, "period": made.period, "value": str(value)},
    )
    return made


@transaction.atomic
def submit(figure: Figure, *, actor: User, today: dt.date | None = None) -> Observation:
    made = _store(figure, actor=actor, today=today or timezone.localdate())
    if made is None:
        raise Conflict(_("This figure is already recorded."), code="duplicate_figure")
    return made


@transaction.atomic
def approve(observation: Observation, *, actor: User) -> Observation:
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if not access.may_approve(actor, indicators.get(observation.indicator)):
        raise Forbidden(_("Only the indicator's owner approves its figures."), code="not_owner")
    if observation.status != Observation.Status.SUBMITTED:
        raise Conflict(_("Only a submitted figure can be approved."), code="wrong_status")
    observation.status = Observation.Status.APPROVED
    observation.approved_by = actor
    observation.approved_at = timezone.now()
    observation.save()
    audit.record(actor=actor, action="dashboard.observation.approve", obj=observation)
    return observation


@transaction.atomic
def publish(observation: Observation, *, actor: User) -> Observation:
    from nomadcloud.accounts.access import is_zone_operator

    if not is_zone_operator(actor):
        raise Forbidden(_("Only the zone operator publishes figures."), code="not_operator")
    observation = Observation.objects.select_for_update().get(pk=observation.pk)
    if observation.status != Observation.Status.APPROVED:
        raise Conflict(_("Only an approved figure can be published."), code="wrong_status")
    observation.status = Observation.Status.PUBLISHED
    observation.save()
    audit.record(actor=actor, action="dashboard.observation.publish", obj=observation)
    return observation


# --- import and export (one format) -------------------------------------------------------------


ImportRefused = tables.TableRefused


def read_rows(name: str, content: bytes) -> list[dict[str, str]]:
    return tables.read_rows(name, content, required=COLUMNS[:8], max_rows=MAX_ROWS)


def _figure(row: Mapping[str, str]) -> Figure:
    return Figure(
        indicator=row.get("INDICATOR", ""),
        period=row.get("TIME_PERIOD", ""),
        area=row.get("REF_AREA", ""),
        value=row.get("OBS_VALUE", ""),
        unit=row.get("UNIT_MEASURE", ""),
        finality=row.get("OBS_STATUS", ""),
        as_of=row.get("AS_OF", ""),
        source=row.get("SOURCE", ""),
        evidence=row.get("EVIDENCE", ""),
        supersede_reason=row.get("SUPERSEDE_REASON", ""),
        entity=row.get("REF_ENTITY") or "",
    )


def import_file(
    name: str, content: bytes, *, actor: User, today: dt.date | None = None
) -> ImportBatch:
    """All rows or none: every problem is listed with its line number; a refused file is
    kept as a refused batch (the audit trail), with no observation."""
    day = today or timezone.localdate()
    digest = hashlib.sha256(content).hexdigest()
    errors: list[str] = []
    rows: list[dict[str, str]] = []
    try:
        rows = read_rows(name, content)
    except ImportRefused as refused:
        errors = refused.errors
    periods = {row.get("TIME_PERIOD", "") for row in rows}
    if len(periods) > 1:
        errors.append(
            _("All rows of one file must be for one period; found %(periods)s.")
            % {"periods": ", ".join(sorted(periods))}
        )
    batch_unit = None
    stored = 0
    try:
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):
                try:
                    figure = _figure(row)
                    found = indicators.get(figure.indicator.strip())
                    batch_unit = batch_unit or access.reporting_unit(actor, found)
                    check(figure, day)
                except DomainError as exc:
                    detail = "; ".join(m for msgs in exc.fields.values() for m in msgs)
                    errors.append(
                        _("line %(line)d: %(error)s")
                        % {"line": line, "error": detail or exc.message}
                    )
            if not rows and not errors:
                errors.append(_("The file has no rows."))
            if errors or batch_unit is None:
                raise ImportRefused(errors)
            batch = ImportBatch.objects.create(
                name=name[:200],
                sha256=digest,
                rows=len(rows),
                status=ImportBatch.Status.STORED,
                imported_by=actor,
                unit=batch_unit,
            )
            for line, row in enumerate(rows, start=2):
                try:
                    stored += _store(_figure(row), actor=actor, today=day, batch=batch) is not None
                except DomainError as exc:
                    detail = "; ".join(m for msgs in exc.fields.values() for m in msgs)
                    raise ImportRefused(
                        [
                            _("line %(line)d: %(error)s")
                            % {"line": line, "error": detail or exc.message}
                        ]
                    ) from exc
    except ImportRefused as refused:
        units = access.owner_units(actor)
        if units:
            ImportBatch.objects.create(
                name=name[:200],
                sha256=digest,
                rows=len(rows),
                status=ImportBatch.Status.REFUSED,
                errors=refused.errors,
                imported_by=actor,
                unit=batch_unit or units[0],
            )
        raise
    audit.record(
        actor=actor,
        action="dashboard.import",
        obj=batch,
        organisation=batch_unit,
        after={"rows": len(rows), "stored": stored, "sha256": digest},
    )
    return batch


def export_rows(observations: Iterable[Observation]) -> list[list[str]]:
    """The import format's rows (header first) for ``observations``."""
    from nomadcloud.core.indicators import get

    rows = [list(COLUMNS)]
    for obs in observations:
        found = get(obs.indicator)
        rows.append(
            [
                obs.indicator,
                obs.period,
                obs.area,
                str(found.quantize(obs.value)),
                found.unit,
                obs.finality,
                obs.as_of.isoformat(),
                obs.source,
                obs.evidence,
                obs.supersede_reason,
                obs.entity,
            ]
        )
    return rows


def export_csv(observations: Iterable[Observation]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in export_rows(observations):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def export_xlsx(observations: Iterable[Observation]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "observations"
    for row in export_rows(observations):
        sheet.append([safe_cell(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def json_safe(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value
