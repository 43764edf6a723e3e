"""The page forms of the valuation's data steps (collect, legal gate, quality, compute,
reconcile). Each step's input is the same typed draft the API takes (decision 0010): the
form only lays its nested lists out as rows of flat fields (``cost_lines-0-amount``,
``dimensions-accuracy-score``, ``market-comparables-2-price``), ``nested`` puts the filled
rows back together, and ``parse_step`` shows any refusal on the field it names, in the
reader's language. Blank rows are left out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.errors import DomainError, InvalidInput
from nomadcloud.core.inputs import Draft, parse_draft
from nomadcloud.valuation import inputs, services
from nomadcloud.valuation.inputs import COST_CATEGORIES, QUALITY_DIMENSIONS, RIGHTS

COST_ROWS = 5
COMPARABLE_ROWS = 4
FACTORS = ("quality", "value_density", "date", "volume", "other")


def _text(label: Any, *, date: bool = False, area: bool = False) -> forms.CharField:
    widget: forms.Widget = forms.TextInput()
    if date:
        widget = forms.DateInput(attrs={"type": "date"})
    elif area:
        widget = forms.Textarea(attrs={"rows": 3})
    return forms.CharField(label=label, required=False, widget=widget, strip=True)


def _number(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )


def _choice(label: Any, choices: list[tuple[str, Any]]) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", "—"), *choices])


COST_LABELS = {
    "acquisition": _("acquisition"),
    "labour": _("labour"),
    "storage": _("storage"),
    "quality": _("quality work"),
    "other": _("other"),
}
RIGHT_LABELS = {
    "resource_holding": _("Right to hold the data resource (资源持有权)"),
    "processing_use": _("Right to process and use the data (加工使用权)"),
    "product_operation": _("Right to operate data products (产品经营权)"),
}
DIMENSION_LABELS = {
    "normative": _("normative (规范性)"),
    "completeness": _("completeness (完整性)"),
    "accuracy": _("accuracy (准确性)"),
    "consistency": _("consistency (一致性)"),
    "timeliness": _("timeliness (时效性)"),
    "accessibility": _("accessibility (可访问性)"),
}
FACTOR_LABELS = {
    "quality": _("X1 quality"),
    "value_density": _("X2 value density"),
    "date": _("X3 date"),
    "volume": _("X4 volume"),
    "other": _("X5 other"),
}


class StepForm(forms.Form):
    """A step's fields, grouped for the page: ``groups`` is [(legend, [field names])]."""

    groups: list[tuple[Any, list[str]]]

    def grouped(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(legend, [self[n] for n in names]) for legend, names in self.groups]


def _form(groups: list[tuple[Any, dict[str, Any]]]) -> type[StepForm]:
    fields: dict[str, Any] = {}
    layout: list[tuple[Any, list[str]]] = []
    for legend, group in groups:
        fields.update(group)
        layout.append((legend, list(group)))
    return type("StepForm", (StepForm,), {**fields, "groups": layout})


def _cost_rows() -> list[tuple[Any, dict[str, Any]]]:
    categories = [(c, COST_LABELS[c]) for c in COST_CATEGORIES]
    return [
        (
            _("Cost line %(n)s") % {"n": i + 1},
            {
                f"cost_lines-{i}-category": _choice(_("Category"), categories),
                f"cost_lines-{i}-amount": _number(_("Amount (CNY)")),
                f"cost_lines-{i}-source": _text(_("Source (invoice, contract, ledger)")),
            },
        )
        for i in range(COST_ROWS)
    ]


CollectForm = _form([*_cost_rows(), (_("Notes"), {"notes": _text(_("Notes"), area=True)})])

LegalGateForm = _form(
    [
        *[
            (
                RIGHT_LABELS[r],
                {
                    f"rights-{r}-evidence": _text(_("Evidence (contract, registration code)")),
                    f"rights-{r}-expires_on": _text(_("Expires on"), date=True),
                },
            )
            for r in RIGHTS
        ],
        (
            _("Consent"),
            {
                "consent_scope_covers_purpose": forms.BooleanField(
                    label=_("The contributors' consents cover this purpose"), required=False
                ),
                "consent_expires_on": _text(_("Consents expire on"), date=True),
                "notes": _text(_("Notes"), area=True),
            },
        ),
    ]
)

QualityForm = _form(
    [
        (
            DIMENSION_LABELS[d],
            {
                f"dimensions-{d}-score": _number(_("Score (0–100)")),
                f"dimensions-{d}-weight": _number(_("Weight")),
                f"dimensions-{d}-evidence": _text(_("Evidence")),
            },
        )
        for d in QUALITY_DIMENSIONS
    ]
)

ComputeForm = _form(
    [
        (
            _("Cost approach"),
            {
                "use_cost": forms.BooleanField(label=_("Use the cost approach"), required=False),
                "cost-basis": _choice(
                    _("Basis"),
                    [("historical", _("historical cost")), ("replacement", _("replacement cost"))],
                ),
                "cost-return_rate": _number(_("Reasonable return R")),
                "cost-adjustment": _number(_("Adjustment U (blank: the quality coefficient)")),
                "cost-replacement_cost": _number(_("Replacement cost (CNY)")),
                "cost-depreciation": _number(_("Depreciation")),
            },
        ),
        (
            _("Income approach"),
            {
                "use_income": forms.BooleanField(
                    label=_("Use the income approach"), required=False
                ),
                "income-attribution": _choice(
                    _("Attribution"),
                    [
                        ("royalty_split", _("royalty split")),
                        ("excess_earnings", _("excess earnings")),
                        ("incremental", _("incremental income")),
                    ],
                ),
                "income-cash_flows": _text(_("Cash flows of years 1…n (CNY, separated by commas)")),
                "income-share": _number(_("Data-attributable share")),
                "income-discount_rate": _number(_("Discount rate i")),
                "income-terminal_growth": _number(_("Terminal growth g (blank: none)")),
            },
        ),
        *[
            (
                _("Comparable %(n)s (market approach)") % {"n": i + 1},
                {
                    f"market-comparables-{i}-reference": _text(_("Agreement or listing")),
                    f"market-comparables-{i}-price": _number(_("Price (CNY)")),
                    **{f"market-comparables-{i}-{f}": _number(FACTOR_LABELS[f]) for f in FACTORS},
                    f"market-comparables-{i}-related_party": forms.BooleanField(
                        label=_("Related party"), required=False
                    ),
                    f"market-comparables-{i}-related_party_note": _text(
                        _("How the related party's price was adjusted")
                    ),
                },
            )
            for i in range(COMPARABLE_ROWS)
        ],
        (
            _("Disclosures"),
            {
                "assumptions": _text(_("Assumptions"), area=True),
                "limitations": _text(_("Limitations"), area=True),
                "method_choice": _text(_("Why these approaches"), area=True),
            },
        ),
    ]
)

ReconcileForm = _form(
    [
        (
            _("Weights of the approaches (blank: not used)"),
            {
                "weights-cost": _number(_("Cost")),
                "weights-income": _number(_("Income")),
                "weights-market": _number(_("Market")),
            },
        ),
        (_("Rationale"), {"rationale": _text(_("Rationale"), area=True)}),
    ]
)


def _filled(value: Any) -> bool:
    return value not in (None, "", False)


def _rows(
    data: Mapping[str, Any], prefix: str, keys: tuple[str, ...] | range, names: tuple[str, ...]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The filled rows under ``prefix-<key>-<name>`` as a list, and where each list item came
    from (``prefix.0`` → ``prefix-<key>``) so a refusal lands on the right row."""
    rows: list[dict[str, Any]] = []
    where: dict[str, str] = {}
    for key in keys:
        row = {n: data.get(f"{prefix}-{key}-{n}") for n in names}
        if not any(_filled(v) for v in row.values()):
            continue
        where[f"{prefix.replace('-', '.')}.{len(rows)}"] = f"{prefix}-{key}"
        rows.append({n: v for n, v in row.items() if _filled(v) or v is False})
    return rows, where


def _maybe(data: Mapping[str, Any], name: str) -> Any:
    value = data.get(name)
    return value if _filled(value) else None


def collect_data(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    lines, where = _rows(data, "cost_lines", range(COST_ROWS), ("category", "amount", "source"))
    return {"cost_lines": lines, "notes": data.get("notes") or ""}, where


def legal_data(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    rights: list[dict[str, Any]] = []
    where: dict[str, str] = {}
    for right in RIGHTS:
        evidence = data.get(f"rights-{right}-evidence")
        expires = _maybe(data, f"rights-{right}-expires_on")
        if not evidence and not expires:
            continue
        where[f"rights.{len(rights)}"] = f"rights-{right}"
        rights.append({"right": right, "evidence": evidence or "", "expires_on": expires})
    return {
        "rights": rights,
        "consent_scope_covers_purpose": bool(data.get("consent_scope_covers_purpose")),
        "consent_expires_on": _maybe(data, "consent_expires_on"),
        "notes": data.get("notes") or "",
    }, where


def quality_data(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    tagged = {**data, **{f"dimensions-{d}-dimension": d for d in QUALITY_DIMENSIONS}}
    names = ("dimension", "score", "weight", "evidence")
    dims, where = _rows(tagged, "dimensions", QUALITY_DIMENSIONS, names)
    filled = [d for d in dims if any(_filled(d.get(n)) for n in names[1:])]
    where = {f"dimensions.{i}": where[f"dimensions.{dims.index(d)}"] for i, d in enumerate(filled)}
    return {"dimensions": filled}, where


def compute_data(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    out: dict[str, Any] = {
        "assumptions": data.get("assumptions") or "",
        "limitations": data.get("limitations") or "",
        "method_choice": data.get("method_choice") or "",
    }
    where: dict[str, str] = {}
    if data.get("use_cost"):
        cost = ("basis", "return_rate", "adjustment", "replacement_cost", "depreciation")
        out["cost"] = {n: data[f"cost-{n}"] for n in cost if _filled(data.get(f"cost-{n}"))}
    if data.get("use_income"):
        given = ("attribution", "share", "discount_rate", "terminal_growth")
        income = {n: data[f"income-{n}"] for n in given if _filled(data.get(f"income-{n}"))}
        flows = str(data.get("income-cash_flows") or "").replace("，", ",")
        income["cash_flows"] = [f.strip() for f in flows.split(",") if f.strip()]
        out["income"] = income
    names = ("reference", "price", *FACTORS, "related_party", "related_party_note")
    comparables, where = _rows(data, "market-comparables", range(COMPARABLE_ROWS), names)
    for row in comparables:
        row["related_party"] = bool(row.get("related_party"))
    if comparables:
        out["market"] = {"comparables": comparables}
    return out, where


def reconcile_data(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    weights = {m: data[f"weights-{m}"] for m in ("cost", "income", "market")}
    return {
        "weights": {m: w for m, w in weights.items() if _filled(w)},
        "rationale": data.get("rationale") or "",
    }, {}


@dataclass(frozen=True)
class Step:
    slug: str  # in the page's address
    action: str  # in the transition table
    title: Any
    form: type[StepForm]
    data: Callable[[Mapping[str, Any]], tuple[dict[str, Any], dict[str, str]]]
    draft: type[Draft]
    run: Callable[..., Any]
    confirm: bool = False  # irreversible: a confirmation page first


STEPS = {
    s.slug: s
    for s in (
        Step(
            "collect",
            "collect",
            _("Collect the data"),
            CollectForm,
            collect_data,
            inputs.CollectDraft,
            services.collect,
        ),
        Step(
            "legal-gate",
            "legal_gate",
            _("Legal gate: the rights chain and consents"),
            LegalGateForm,
            legal_data,
            inputs.LegalGateDraft,
            services.legal_gate,
            confirm=True,
        ),
        Step(
            "quality",
            "assess",
            _("Assess the quality (GB/T 36344)"),
            QualityForm,
            quality_data,
            inputs.QualityDraft,
            services.assess_quality,
            confirm=True,
        ),
        Step(
            "compute",
            "compute",
            _("Compute by the cost, income and market approaches"),
            ComputeForm,
            compute_data,
            inputs.ComputeDraft,
            services.compute_values,
        ),
        Step(
            "reconcile",
            "reconcile",
            _("Reconcile the approaches"),
            ReconcileForm,
            reconcile_data,
            inputs.ReconcileDraft,
            services.reconcile,
        ),
    )
}
BY_ACTION = {s.action: s for s in STEPS.values()}


def show_error(form: StepForm, exc: DomainError, where: Mapping[str, str]) -> None:
    """Each refused field's message on the form field it names (``cost_lines.1.amount`` →
    the row the second filled line came from), else on the first field of its group, else on
    the form."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for name, messages in exc.fields.items():
        target = _target(form, name, where)
        for message in messages:
            form.add_error(target, message)


def _target(form: StepForm, name: str, where: Mapping[str, str]) -> str | None:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        head = ".".join(parts[:end])
        flat = where.get(head, head.replace(".", "-"))
        rest = parts[end:]
        candidate = "-".join([flat, *rest]) if rest else flat
        for option in (candidate, flat):
            if option in form.fields:
                return option
        group = [n for n in form.fields if n.startswith(flat + "-")]
        if group:
            return group[0]
    return None


def parse_step(step: Step, form: StepForm) -> Draft | None:
    """The step's draft from a bound form, or None with the errors on the form."""
    if not form.is_valid():
        return None
    data, where = step.data(form.cleaned_data)
    try:
        return parse_draft(step.draft, data)
    except InvalidInput as exc:
        show_error(form, exc, where)
        return None
