"""An issued valuation's snapshot as a PDF, in the reader's language (decision 0063).

Everything printed is read from the snapshot's stored JSON (``ValuationSnapshot.content``),
never from the live valuation, so the PDF and the JSON download say the same: the asset and
its DCAT URI, the parties, the final value, each approach's inputs and result, the income
approach's sensitivity table, the reconciliation, the disclosures of 中评协〔2023〕17号 and
财会〔2023〕11号, the two signatures and the SHA-256 of the JSON. Labels are translated; what
people wrote (assumptions, sources, evidence) is printed as written.

reportlab draws the text in Adobe's ``STSong-Light`` CID font, which every PDF reader
provides (Adobe-GB1), so Chinese needs no font file: nothing is bundled or embedded."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from nomadcloud.core.errors import NotFound
from nomadcloud.core.i18n import localized_text
from nomadcloud.valuation import snapshots, steps
from nomadcloud.valuation.models import DataAsset, Valuation, ValuationSnapshot

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

APPROACHES = {
    "cost": gettext_lazy("Cost"),
    "income": gettext_lazy("Income"),
    "market": gettext_lazy("Market"),
}
ATTRIBUTIONS = {
    "royalty_split": gettext_lazy("royalty split"),
    "excess_earnings": gettext_lazy("multi-period excess earnings"),
    "incremental": gettext_lazy("incremental income"),
}
# The snapshot's key parameters name their source and calculation in English (as issued);
# the PDF prints them in the reader's language.
PHRASES = {
    "cost lines": gettext_lazy("cost lines"),
    "valuer": gettext_lazy("the valuer"),
    "given": gettext_lazy("given"),
    "quality assessment": gettext_lazy("quality assessment"),
    "sum of the cost lines": gettext_lazy("sum of the cost lines"),
    "cash flow forecast": gettext_lazy("cash flow forecast"),
    "years forecast, within the rights' term": gettext_lazy(
        "years forecast, within the rights' term"
    ),
    "platform agreements and exchange listings": gettext_lazy(
        "platform agreements and exchange listings"
    ),
    "mean of Q × X1 × X2 × X3 × X4 × X5": gettext_lazy("mean of Q × X1 × X2 × X3 × X4 × X5"),
    "Σ weight × score / 100": gettext_lazy("Σ weight × score / 100"),
    "attribution share": gettext_lazy("data-attributable share"),
    "replacement cost": gettext_lazy("replacement cost"),
    "depreciation": gettext_lazy("depreciation"),
    "comparables": gettext_lazy("number of comparables"),
    **ATTRIBUTIONS,
}


def _phrase(value: Any) -> str:
    text = "" if value is None else str(value)
    return str(PHRASES[text]) if text in PHRASES else text


def asset_uri(content: dict[str, Any]) -> str:
    """The asset's DCAT URI as the snapshot recorded it (snapshots before decision 0063 did
    not: the same rule applied to the recorded pool or asset id)."""
    asset = content["asset"]
    return str(asset.get("dcat_uri") or snapshots.dcat_uri(asset.get("pool"), asset["id"]))


class _Styles:
    def __init__(self, language: str) -> None:
        wrap = "CJK" if language.startswith("zh") else None
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13, wordWrap=wrap)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8, leading=11)
        self.title = ParagraphStyle("title", parent=self.body, fontSize=16, leading=22)
        self.h2 = ParagraphStyle("h2", parent=self.body, fontSize=12, leading=18, spaceBefore=8)
        self.h3 = ParagraphStyle("h3", parent=self.body, fontSize=10, leading=15, spaceBefore=4)
        self.value = ParagraphStyle("value", parent=self.body, fontSize=14, leading=20)


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"), style)


def _table(
    rows: Iterable[Iterable[Any]], style: ParagraphStyle, *, header: bool = True, widths: Any = None
) -> Table:
    data = [[_p(cell, style) for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke))
    table.setStyle(TableStyle(commands))
    return table


def _yes(value: Any) -> str:
    return _("yes") if value else _("no")


def _cost(results: dict[str, Any], content: dict[str, Any], s: _Styles) -> list[Flowable]:
    cost = results["cost"]
    p = cost["parameters"]
    out: list[Flowable] = [_p(_("Cost approach"), s.h3)]
    if cost["basis"] == "historical":
        lines = content["collected"].get("cost_lines", [])
        out.append(_p(_("TC × (1 + R) × U"), s.body))
        out.append(
            _table(
                [
                    [_("Category"), _("Amount (CNY)"), _("Source")],
                    *[
                        [
                            steps.COST_LABELS.get(line["category"], line["category"]),
                            line["amount"],
                            line["source"],
                        ]
                        for line in lines
                    ],
                ],
                s.cell,
                widths=[30 * mm, 35 * mm, 105 * mm],
            )
        )
        rows = [
            [_("TC (total cost, CNY)"), p["total_cost"]],
            [_("R (reasonable return)"), p["return_rate"]],
            [_("U (adjustment)"), p["adjustment"]],
        ]
    else:
        out.append(_p(_("replacement cost × (1 − depreciation)"), s.body))
        rows = [
            [_("Replacement cost (CNY)"), p["replacement_cost"]],
            [_("Depreciation"), p["depreciation"]],
        ]
    rows.append([_("Value by the cost approach (CNY)"), cost["value"]])
    out.append(_table(rows, s.cell, header=False, widths=[70 * mm, 100 * mm]))
    return out


def sensitivity_grid(rows: list[dict[str, Any]]) -> list[list[str]]:
    """The sensitivity table as a grid: one row per discount rate, one column per n."""
    rates = sorted({r["rate"] for r in rows}, key=Decimal)
    years = sorted({int(r["years"]) for r in rows}, reverse=True)
    cell = {(r["rate"], int(r["years"])): r["value"] for r in rows}
    return [
        [_("i \\ n"), *[str(n) for n in years]],
        *[[rate, *[cell.get((rate, n), "—") for n in years]] for rate in rates],
    ]


def _income(results: dict[str, Any], content: dict[str, Any], s: _Styles) -> list[Flowable]:
    income = results["income"]
    p = income["parameters"]
    given = content["inputs"]["income"]
    out: list[Flowable] = [_p(_("Income approach"), s.h3), _p(_("Σ F_t / (1 + i)^t"), s.body)]
    flows = [
        [_("Year"), _("Cash flow (CNY)"), _("Data-attributable cash flow (CNY)")],
        *[
            [str(t), flow, attributable]
            for t, (flow, attributable) in enumerate(
                zip(given["cash_flows"], income["attributable"], strict=True), start=1
            )
        ],
    ]
    out.append(_table(flows, s.cell, widths=[20 * mm, 60 * mm, 70 * mm]))
    rows = [
        [_("Attribution"), _phrase(income["attribution"])],
        [_("Data-attributable share"), p["share"]],
        [_("Discount rate i"), p["discount_rate"]],
        [_("Years n"), str(p["years"])],
        [_("Terminal growth g"), p["terminal_growth"] or "—"],
        [_("Value by the income approach (CNY)"), income["value"]],
    ]
    out.append(_table(rows, s.cell, header=False, widths=[70 * mm, 100 * mm]))
    out.append(_p(_("Sensitivity of the income approach (CNY)"), s.h3))
    out.append(_table(sensitivity_grid(income["sensitivity"]), s.cell))
    return out


def _market(results: dict[str, Any], s: _Styles) -> list[Flowable]:
    market = results["market"]
    rows = [
        [_("Comparable"), _("Price (CNY)"), _("Adjusted price (CNY)"), _("Related party")],
        *[
            [c["reference"], c["price"], c["adjusted"], _yes(c["related_party"])]
            for c in market["comparables"]
        ],
        [_("Value by the market approach (CNY)"), "", market["value"], ""],
    ]
    return [
        _p(_("Market approach"), s.h3),
        _p(_("mean of Q × X1 × X2 × X3 × X4 × X5 over the comparables"), s.body),
        _table(rows, s.cell, widths=[70 * mm, 35 * mm, 40 * mm, 25 * mm]),
    ]


def _disclosures(content: dict[str, Any], s: _Styles) -> list[Flowable]:
    d = content["disclosures"]
    out: list[Flowable] = [
        _p(_("Disclosures (中评协〔2023〕17号, 财会〔2023〕11号)"), s.h2),
        _p(_("Information sources"), s.h3),
        *[_p(f"• {source}", s.body) for source in d["information_sources"]],
        _p(_("Assumptions"), s.h3),
        _p(d["assumptions"], s.body),
        _p(_("Limitations"), s.h3),
        _p(d["limitations"], s.body),
        _p(_("Choice of approach"), s.h3),
        _p(d["method_choice"], s.body),
        _p(_("Key parameters: source and calculation"), s.h3),
        _table(
            [
                [_("Parameter"), _("Value"), _("Source"), _("Calculation")],
                *[
                    [
                        _phrase(k["name"]),
                        k["value"],
                        _phrase(k["source"]),
                        _phrase(k["calculation"]),
                    ]
                    for k in d["key_parameters"]
                ],
            ],
            s.cell,
            widths=[35 * mm, 30 * mm, 45 * mm, 60 * mm],
        ),
        _p(_("Legal basis (数据二十条)"), s.h3),
    ]
    legal = d["legal_basis"]
    out.append(
        _table(
            [
                [_("Right"), _("Evidence"), _("Expires on")],
                *[
                    [
                        steps.RIGHT_LABELS.get(r["right"], r["right"]),
                        r["evidence"],
                        r.get("expires_on") or "—",
                    ]
                    for r in legal.get("rights", [])
                ],
            ],
            s.cell,
            widths=[60 * mm, 80 * mm, 30 * mm],
        )
    )
    out.append(
        _p(
            _("The consents cover the purpose: %(yes)s; consent expires on: %(on)s.")
            % {
                "yes": _yes(legal.get("consent_scope_covers_purpose")),
                "on": legal.get("consent_expires_on") or "—",
            },
            s.body,
        )
    )
    quality = d["quality"]
    out.append(_p(_("Quality (GB/T 36344)"), s.h3))
    out.append(
        _table(
            [
                [_("Dimension"), _("Score"), _("Weight"), _("Evidence")],
                *[
                    [
                        steps.DIMENSION_LABELS.get(q["dimension"], q["dimension"]),
                        q["score"],
                        q["weight"],
                        q["evidence"],
                    ]
                    for q in quality.get("dimensions", [])
                ],
            ],
            s.cell,
            widths=[45 * mm, 20 * mm, 20 * mm, 85 * mm],
        )
    )
    out.append(_p(_("Quality coefficient: %(c)s") % {"c": quality.get("coefficient", "—")}, s.body))
    return out


def render(content: dict[str, Any], sha256: str, language: str | None = None) -> bytes:
    """The PDF of a snapshot's content in ``language`` (default: the active one)."""
    language = language or get_language() or "zh-hans"
    s = _Styles(language)
    asset = content["asset"]
    results = content["results"]
    signatures = content["disclosures"]["signatures"]
    story: list[Flowable] = [
        _p(_("Data asset valuation — issued snapshot"), s.title),
        _p(localized_text(asset["title"], language), s.h2),
        _table(
            [
                [_("Data asset"), localized_text(asset["title"], language)],
                [_("Category"), _label(DataAsset.Category, asset["category"])],
                [_("Holder"), asset["holder"]],
                [_("DCAT URI of the asset"), asset_uri(content)],
                [_("Data exists since"), asset["data_since"]],
                [_("Purpose"), _label(Valuation.Purpose, content["purpose"])],
                [_("Valuation date"), content["valuation_date"]],
                [_("Currency"), content["currency"]],
                [_("Valuation firm"), content["valuer"]],
                [_("Reviewing department"), content["department"]],
                [_("Issued at"), content["issued_at"]],
                [_("Rule version"), content["rule_version"]],
                [_("Valuation"), content["valuation"]],
                [_("SHA-256 of the snapshot JSON"), sha256],
            ],
            s.cell,
            header=False,
            widths=[50 * mm, 120 * mm],
        ),
        Spacer(1, 4 * mm),
        _p(_("Final value: CNY %(value)s") % {"value": content["final_value"]}, s.value),
        _p(_("Results by approach"), s.h2),
        _table(
            [
                [_("Approach"), _("Value (CNY)"), _("Weight")],
                *[
                    [
                        APPROACHES[m],
                        results[m]["value"],
                        content["reconciliation"].get("weights", {}).get(m, "—"),
                    ]
                    for m in ("cost", "income", "market")
                    if m in results
                ],
            ],
            s.cell,
            widths=[50 * mm, 60 * mm, 60 * mm],
        ),
    ]
    if content["reconciliation"].get("rationale"):
        story += [_p(_("Reconciliation"), s.h3), _p(content["reconciliation"]["rationale"], s.body)]
    story.append(_p(_("Inputs and results of each approach"), s.h2))
    if "cost" in results:
        story += _cost(results, content, s)
    if "income" in results:
        story += _income(results, content, s)
    if "market" in results:
        story += _market(results, s)
    story += _disclosures(content, s)
    story += [
        _p(_("Sign-off (four eyes)"), s.h2),
        _table(
            [
                [_("Role"), _("Signed by"), _("Signed at")],
                [_("Licensed valuer"), signatures["valuer"], signatures["valuer_at"] or "—"],
                [
                    _("Department reviewer"),
                    signatures["reviewer"],
                    signatures["reviewer_at"] or "—",
                ],
            ],
            s.cell,
            widths=[50 * mm, 60 * mm, 60 * mm],
        ),
        Spacer(1, 4 * mm),
        _p(
            _(
                "Printed from the snapshot as issued. Running the approaches again on its "
                "inputs gives its results: %(yes)s."
            )
            % {"yes": _yes(snapshots.recompute_matches(content))},
            s.body,
        ),
    ]
    buffer = io.BytesIO()
    footer = _("Valuation %(id)s · page %(page)s")

    def number(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 8 * mm, footer % {"id": content["valuation"], "page": doc.page})
        canvas.restoreState()

    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Data asset valuation — issued snapshot"),
        author=content["valuer"],
        lang="zh-CN" if language.startswith("zh") else "en",
        invariant=1,
    ).build(story, onFirstPage=number, onLaterPages=number)
    return buffer.getvalue()


def response(valuation: Valuation) -> HttpResponse:
    """The download of an issued valuation's snapshot PDF (404 before it is issued)."""
    row = ValuationSnapshot.objects.filter(valuation=valuation).first()
    if row is None:
        raise NotFound(_("This valuation has not been issued."))
    language = get_language() or "zh-hans"
    made = HttpResponse(render(row.content, row.sha256, language), content_type="application/pdf")
    made["Content-Disposition"] = (
        f'attachment; filename="valuation-{valuation.public_id}-{language}.pdf"'
    )
    made["Content-Language"] = language
    return made


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value
