"""入表 roll-forward tables (财会〔2023〕11号, decision 0063): from a holder's book entries, per
period and per treatment (intangible assets, inventory) — opening carrying amount, additions
at cost (purchased / developed in-house), amortisation, impairment, disposals, closing — with
the closing of one period the opening of the next, exactly.

The books are simulated month by month (pure functions over plain values, exact decimals):

1. additions of the month are added;
2. disposals of the month are taken off (a disposed amount is not amortised in the month it
   leaves, 当月减少当月不再摊销);
3. an intangible asset is amortised straight line from the month of its first addition (当月
   增加当月开始摊销) to the end of the useful life set then: each month the carrying amount ÷ the
   months left, to the cent (half up), the last month taking what is left, so that the
   carrying amount reaches exactly zero and an impairment or a later addition is spread over
   the life that remains (企业会计准则第6号);
4. impairments of the month are taken off (tested at the month's end).

Inventory is not amortised; its impairment is the write-down to net realisable value (存货跌
价准备), its disposal the cost carried to the cost of sales (出售转销)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.core.csv import safe_cell
from nomadcloud.core.i18n import localized_text
from nomadcloud.core.money import CENT

ZERO = Decimal("0.00")
PERIODS = ("year", "quarter", "month")
TREATMENTS = ("intangible", "inventory")
FIGURES = (
    "opening",
    "additions_purchased",
    "additions_developed",
    "amortisation",
    "impairment",
    "disposals",
    "closing",
)
FIGURE_LABELS = {
    "opening": gettext_lazy("Opening carrying amount"),
    "additions_purchased": gettext_lazy("Additions: purchased"),
    "additions_developed": gettext_lazy("Additions: developed or processed in-house"),
    "amortisation": gettext_lazy("Amortisation"),
    "impairment": gettext_lazy("Impairment"),
    "disposals": gettext_lazy("Disposals"),
    "closing": gettext_lazy("Closing carrying amount"),
}
# Inventory's own words in the guidance's table.
INVENTORY_LABELS = {
    **FIGURE_LABELS,
    "additions_developed": gettext_lazy("Additions: processed in-house"),
    "impairment": gettext_lazy("Write-down to net realisable value"),
    "disposals": gettext_lazy("Sold: carried to the cost of sales"),
}


@dataclass(frozen=True)
class Entry:
    on: date
    kind: str  # addition | impairment | disposal
    amount: Decimal
    purchased: Decimal = ZERO
    useful_life_months: int | None = None


@dataclass
class Row:
    """One asset's (or a treatment's total) figures for one period."""

    period: str
    start: date
    end: date
    opening: Decimal = ZERO
    additions_purchased: Decimal = ZERO
    additions_developed: Decimal = ZERO
    amortisation: Decimal = ZERO
    impairment: Decimal = ZERO
    disposals: Decimal = ZERO
    closing: Decimal = ZERO

    def figures(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in FIGURES}


class NegativeCarryingAmount(ValueError):
    """A disposal or an impairment larger than the carrying amount at its date."""

    def __init__(self, on: date, available: Decimal) -> None:
        super().__init__(f"{on}: {available}")
        self.on = on
        self.available = available


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def life_end(entries: Sequence[Entry]) -> int | None:
    """The month index of the last month of amortisation (the first addition's life)."""
    for entry in sorted(entries, key=lambda e: e.on):
        if entry.kind == "addition":
            if entry.useful_life_months is None:
                return None
            return month_index(entry.on) + entry.useful_life_months - 1
    return None


@dataclass
class Month:
    index: int
    opening: Decimal = ZERO
    purchased: Decimal = ZERO
    developed: Decimal = ZERO
    amortisation: Decimal = ZERO
    impairment: Decimal = ZERO
    disposals: Decimal = ZERO
    closing: Decimal = ZERO
    _entries: list[Entry] = field(default_factory=list)


def months(entries: Sequence[Entry], treatment: str, until: date) -> list[Month]:
    """The asset's books month by month from its first entry's month to ``until``'s; raises
    ``NegativeCarryingAmount`` when a disposal or impairment exceeds what is carried."""
    if not entries:
        return []
    ordered = sorted(entries, key=lambda e: e.on)
    first, last = month_index(ordered[0].on), max(month_index(until), month_index(ordered[-1].on))
    end = life_end(ordered) if treatment == "intangible" else None
    by_month: dict[int, list[Entry]] = {}
    for entry in ordered:
        by_month.setdefault(month_index(entry.on), []).append(entry)
    carrying = ZERO
    out: list[Month] = []
    for index in range(first, last + 1):
        month = Month(index=index, opening=carrying)
        here = by_month.get(index, [])
        for entry in here:
            if entry.kind == "addition":
                month.purchased += entry.purchased
                month.developed += entry.amount - entry.purchased
                carrying += entry.amount
        for entry in here:
            if entry.kind == "disposal":
                if entry.amount > carrying:
                    raise NegativeCarryingAmount(entry.on, carrying)
                month.disposals += entry.amount
                carrying -= entry.amount
        if end is not None and index <= end and carrying > 0:
            left = end - index + 1
            charge = carrying if left == 1 else (carrying / left).quantize(CENT, ROUND_HALF_UP)
            month.amortisation = charge
            carrying -= charge
        for entry in here:
            if entry.kind == "impairment":
                if entry.amount > carrying:
                    raise NegativeCarryingAmount(entry.on, carrying)
                month.impairment += entry.amount
                carrying -= entry.amount
        month.closing = carrying
        out.append(month)
    return out


def carrying_amount(entries: Sequence[Entry], treatment: str, on: date) -> Decimal:
    """The carrying amount at the end of ``on``'s month."""
    found = [m for m in months(entries, treatment, on) if m.index <= month_index(on)]
    return found[-1].closing if found else ZERO


def _period_of(index: int, period: str) -> tuple[str, date, date]:
    year, month = index // 12, index % 12 + 1
    if period == "year":
        return str(year), date(year, 1, 1), date(year, 12, 31)
    if period == "quarter":
        q = (month - 1) // 3
        start = date(year, q * 3 + 1, 1)
        nxt = _first_day(year * 12 + q * 3 + 3)
        return f"{year}-Q{q + 1}", start, date.fromordinal(nxt.toordinal() - 1)
    nxt = _first_day(index + 1)
    return f"{year}-{month:02d}", date(year, month, 1), date.fromordinal(nxt.toordinal() - 1)


def periods(months_: Iterable[Month], period: str) -> list[Row]:
    """Months summed into periods: a period's opening is its first month's, its closing its
    last month's (so one period's closing is the next one's opening)."""
    rows: dict[str, Row] = {}
    for m in months_:
        label, start, end = _period_of(m.index, period)
        row = rows.get(label)
        if row is None:
            row = rows[label] = Row(period=label, start=start, end=end, opening=m.opening)
        row.additions_purchased += m.purchased
        row.additions_developed += m.developed
        row.amortisation += m.amortisation
        row.impairment += m.impairment
        row.disposals += m.disposals
        row.closing = m.closing
    return list(rows.values())


def _span(first: date, until: date, period: str) -> list[tuple[str, date, date]]:
    seen: dict[str, tuple[str, date, date]] = {}
    for index in range(month_index(first), month_index(until) + 1):
        label, start, end = _period_of(index, period)
        seen.setdefault(label, (label, start, end))
    return list(seen.values())


@dataclass
class AssetBooks:
    asset: Any  # the DataAsset
    treatment: str
    rows: list[Row]
    useful_life_months: int | None


@dataclass
class Table:
    """A holder's roll-forward: per treatment the total rows and each asset's rows."""

    period: str
    until: date
    totals: dict[str, list[Row]]
    assets: dict[str, list[AssetBooks]]


def table(books: Sequence[tuple[Any, str, list[Entry]]], *, period: str, until: date) -> Table:
    """``books``: (asset, treatment, entries) per recognised asset. Every asset of a treatment
    gets a row in every period from the treatment's first entry (zero before its own), so
    the totals are the sums of the assets' rows."""
    totals: dict[str, list[Row]] = {}
    assets: dict[str, list[AssetBooks]] = {}
    for treatment in TREATMENTS:
        mine = [(a, e) for a, t, e in books if t == treatment and e]
        if not mine:
            continue
        first = min(entry.on for _a, entries in mine for entry in entries)
        span = _span(first, until, period)
        total = [Row(period=label, start=start, end=end) for label, start, end in span]
        kept: list[AssetBooks] = []
        for asset, entries in mine:
            own = {r.period: r for r in periods(months(entries, treatment, until), period)}
            rows = []
            carried = ZERO
            for label, start, end in span:
                row = own.get(label) or Row(
                    period=label, start=start, end=end, opening=carried, closing=carried
                )
                carried = row.closing
                rows.append(row)
            kept.append(AssetBooks(asset, treatment, rows, _life(entries)))
            for mine_row, sum_row in zip(rows, total, strict=True):
                for name in FIGURES:
                    setattr(sum_row, name, getattr(sum_row, name) + getattr(mine_row, name))
        totals[treatment], assets[treatment] = total, kept
    return Table(period=period, until=until, totals=totals, assets=assets)


def _life(entries: Sequence[Entry]) -> int | None:
    for entry in sorted(entries, key=lambda e: e.on):
        if entry.kind == "addition":
            return entry.useful_life_months
    return None


# --- exports ----------------------------------------------------------------------------


def labels(treatment: str) -> dict[str, Any]:
    return INVENTORY_LABELS if treatment == "inventory" else FIGURE_LABELS


def export_rows(found: Table) -> list[list[str]]:
    """The table as rows of cells in the reader's language: a header, then per treatment
    its total per period and each asset's rows (CNY, exact)."""
    from nomadcloud.valuation.models import BookEntry

    header = [
        str(_("Treatment")),
        str(_("Period")),
        str(_("Data asset")),
        *[str(FIGURE_LABELS[name]) for name in FIGURES],
    ]
    out = [header]
    for treatment, rows in found.totals.items():
        name = str(BookEntry.Treatment(treatment).label)
        for row in rows:
            out.append([name, row.period, str(_("Total")), *row.figures().values()])
        for books in found.assets[treatment]:
            title = localized_text(books.asset.title)
            for row in books.rows:
                out.append([name, row.period, title, *row.figures().values()])
    return out


def export_csv(found: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in export_rows(found):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def export_xlsx(found: Table) -> bytes:
    """One sheet; the amounts are numbers (Decimal), the rest text."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "roll-forward"
    for i, row in enumerate(export_rows(found)):
        if i == 0:
            sheet.append([safe_cell(cell) for cell in row])
        else:
            sheet.append([*[safe_cell(c) for c in row[:3]], *[Decimal(c) for c in row[3:]]])
    for column in "DEFGHIJ":
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
