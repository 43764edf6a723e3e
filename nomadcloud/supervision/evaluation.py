"""The quarterly evaluation (design §4.10; plan 003: 每季度开展评估评价、通报进展): one row per
task in one format, exported as CSV or XLSX and imported back after the office has filled in
``QUALITY`` (1–5). The score is computed, never typed:

* timeliness = the on-time share of the milestones due by the quarter's end (weighted by
  their weights: a milestone is on time when reported done on or before its date; 100 when
  none is due yet) − 25 × red notices − 10 × yellow notices raised in the quarter to the
  lead units (a lead's late 签收 included; at least 0);
* progress = progress ÷ 序时进度 at the quarter's end, as a percentage (at most 100);
* quality = the office's rating × 20;
* score = 0.4 × timeliness + 0.4 × progress + 0.2 × quality (without a rating: 0.5 × each of
  the first two).

A unit's ranking is the mean score of the tasks it leads."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from nomadcloud.accounts.models import User
from nomadcloud.core import audit, tables
from nomadcloud.core.csv import safe_cell
from nomadcloud.core.errors import DomainError
from nomadcloud.core.indicators import Period
from nomadcloud.supervision import access
from nomadcloud.supervision.models import Evaluation, Milestone, Notice, Task
from nomadcloud.supervision.services import expected_progress

COLUMNS = [
    "QUARTER",
    "TASK",
    "TITLE",
    "LEAD_UNITS",
    "STATUS",
    "PROGRESS",
    "EXPECTED",
    "RED_NOTICES",
    "YELLOW_NOTICES",
    "MILESTONES_DUE",
    "MILESTONES_ON_TIME",
    "TIMELINESS",
    "QUALITY",
    "SCORE",
]
# What the page shows over each column (the exported sheet keeps the codes: one format).
HEADINGS = {
    "QUARTER": pgettext_lazy("evaluation column", "Quarter"),
    "TASK": pgettext_lazy("evaluation column", "Task"),
    "TITLE": pgettext_lazy("evaluation column", "Title"),
    "LEAD_UNITS": pgettext_lazy("evaluation column", "Lead units"),
    "STATUS": pgettext_lazy("evaluation column", "Status"),
    "PROGRESS": pgettext_lazy("evaluation column", "Progress (%)"),
    "EXPECTED": pgettext_lazy("evaluation column", "Expected (%)"),
    "RED_NOTICES": pgettext_lazy("evaluation column", "Red notices"),
    "YELLOW_NOTICES": pgettext_lazy("evaluation column", "Yellow notices"),
    "MILESTONES_DUE": pgettext_lazy("evaluation column", "Milestones due"),
    "MILESTONES_ON_TIME": pgettext_lazy("evaluation column", "Milestones on time"),
    "TIMELINESS": pgettext_lazy("evaluation column", "Timeliness"),
    "QUALITY": pgettext_lazy("evaluation column", "Quality"),
    "SCORE": pgettext_lazy("evaluation column", "Score"),
}
HUNDRED = Decimal("100")


class EvaluationRefused(DomainError):
    code = "evaluation_refused"

    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            _("Nothing was imported: %(count)d problem(s).") % {"count": len(errors)},
            fields={"file": errors},
        )
        self.errors = errors


def quarter(label: str) -> Period:
    period = Period.parse(label)
    if period.kind != "quarter":
        raise DomainError(_("Give a quarter, e.g. 2026-Q3."), code="invalid_period")
    return period


def score(timeliness: Decimal, progress: Decimal, quality: int | None) -> Decimal:
    if quality is None:
        total = (timeliness + progress) / 2
    else:
        total = Decimal("0.4") * timeliness + Decimal("0.4") * progress + 4 * Decimal(quality)
    return total.quantize(Decimal("0.1"))


def on_time_share(milestones: list[Milestone], end: dt.date) -> tuple[int, int, Decimal]:
    """(milestones due by ``end``, of which done on time, the weighted on-time share in %);
    the share is 100 when none is due."""
    due = [m for m in milestones if m.due <= end]
    on_time = [m for m in due if m.done_on is not None and m.done_on <= m.due]
    weight = sum(m.weight for m in due)
    if not weight:
        return len(due), len(on_time), HUNDRED
    share = HUNDRED * sum(m.weight for m in on_time) / weight
    return len(due), len(on_time), share.quantize(Decimal("0.1"))


def rows(label: str) -> list[dict[str, str]]:
    """The evaluation of every assigned task for the quarter ``label``."""
    period = quarter(label)
    stored = {e.task_id: e for e in Evaluation.objects.filter(quarter=period.label)}
    found: list[dict[str, str]] = []
    tasks = (
        Task.objects.exclude(status=Task.Status.DRAFT)
        .filter(assigned_on__lte=period.end)
        .prefetch_related("leads", "milestones")
        .order_by("plan__code", "number", "pk")
    )
    for task in tasks:
        leads = list(task.leads.all())
        notices = Notice.objects.filter(
            task=task, unit__in=leads, raised_on__range=(period.start, period.end)
        )
        red = notices.filter(colour=Notice.Colour.RED).count()
        yellow = notices.filter(colour=Notice.Colour.YELLOW).count()
        milestones = list(task.milestones.all())
        due, on_time, share = on_time_share(milestones, period.end)
        timeliness = max(Decimal("0"), share - 25 * red - 10 * yellow)
        expected = expected_progress(task, period.end, milestones=milestones)
        progress = HUNDRED if expected == 0 else min(HUNDRED, HUNDRED * task.progress / expected)
        quality = stored[task.pk].quality if task.pk in stored else None
        found.append(
            {
                "QUARTER": period.label,
                "TASK": task.code,
                "TITLE": task.title,
                "LEAD_UNITS": "、".join(unit.name_zh for unit in leads),
                "STATUS": task.status,
                "PROGRESS": str(task.progress),
                "EXPECTED": str(expected),
                "RED_NOTICES": str(red),
                "YELLOW_NOTICES": str(yellow),
                "MILESTONES_DUE": str(due),
                "MILESTONES_ON_TIME": str(on_time),
                "TIMELINESS": str(timeliness),
                "QUALITY": "" if quality is None else str(quality),
                "SCORE": str(score(timeliness, progress.quantize(Decimal("0.1")), quality)),
            }
        )
    return found


def ranking(found: list[dict[str, str]]) -> list[tuple[str, Decimal, int]]:
    """Units by the mean score of the tasks they lead (best first)."""
    scores: dict[str, list[Decimal]] = {}
    for row in found:
        for unit in row["LEAD_UNITS"].split("、"):
            scores.setdefault(unit, []).append(Decimal(row["SCORE"]))
    table = [
        (unit, (sum(values, Decimal("0")) / len(values)).quantize(Decimal("0.1")), len(values))
        for unit, values in scores.items()
        if unit
    ]
    return sorted(table, key=lambda item: (-item[1], item[0]))


def export_csv(found: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in found:
        writer.writerow([safe_cell(row[c]) for c in COLUMNS])
    return out.getvalue()


def export_xlsx(found: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "evaluation"
    sheet.append(COLUMNS)
    for row in found:
        sheet.append([safe_cell(row[c]) for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read(name: str, content: bytes) -> list[dict[str, str]]:
    try:
        return tables.read_rows(name, content, required=("QUARTER", "TASK", "QUALITY"))
    except tables.TableRefused as refused:
        raise EvaluationRefused(refused.errors) from None


@transaction.atomic
def import_file(name: str, content: bytes, *, actor: User) -> int:
    """Store the office's quality ratings of an evaluation sheet (the exported format); every
    problem with its line, nothing stored. Returns the number of tasks evaluated."""
    access.require_office(actor)
    errors: list[str] = []
    parsed: list[tuple[Task, str, int | None]] = []
    for line, row in enumerate(_read(name, content), start=2):
        try:
            period = quarter(row.get("QUARTER", ""))
        except DomainError as exc:
            errors.append(_("line %(line)d: %(error)s") % {"line": line, "error": exc.message})
            continue
        task = Task.objects.filter(code=row.get("TASK", "")).first()
        if task is None:
            errors.append(
                _("line %(line)d: no task %(code)s.") % {"line": line, "code": row.get("TASK")}
            )
            continue
        text = row.get("QUALITY", "").strip()
        if text and (not text.isdigit() or not 1 <= int(text) <= 5):
            errors.append(
                _("line %(line)d: the quality rating is a whole number from 1 to 5.")
                % {"line": line}
            )
            continue
        parsed.append((task, period.label, int(text) if text else None))
    if not parsed and not errors:
        errors.append(_("The file has no rows."))
    if errors:
        raise EvaluationRefused(errors)
    quarters = {label for _task, label, _quality in parsed}
    for label in quarters:
        for task, row_label, quality in parsed:
            if row_label != label:
                continue
            Evaluation.objects.update_or_create(
                task=task,
                quarter=label,
                defaults={"quality": quality, "score": Decimal("0"), "evaluated_by": actor},
            )
        for row in rows(label):
            Evaluation.objects.filter(task__code=row["TASK"], quarter=label).update(
                score=Decimal(row["SCORE"])
            )
    audit.record(
        actor=actor,
        action="supervision.evaluation.import",
        obj=parsed[0][0],
        after={"rows": len(parsed), "quarters": sorted(quarters)},
    )
    return len(parsed)


def current_quarter(today: dt.date) -> str:
    return Period.of("quarter", today).label
