"""Pages of 入表 (decision 0063): a holder's roll-forward per period, intangible assets and
inventory apart, with its CSV/XLSX export and, for the holder's editors, the form that
records an impairment or a disposal; the page that recognises an issued valuation's costs.
The forms take the same drafts as the API (``RecognitionDraft``, ``MovementDraft``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError, Forbidden, NotFound
from nomadcloud.core.i18n import localized_text
from nomadcloud.core.inputs import StrictDecimalField, draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.valuation import access, books, rollforward, steps
from nomadcloud.valuation.inputs import MovementDraft, RecognitionDraft
from nomadcloud.valuation.models import BookEntry, DataAsset

PERIOD_LABELS = {
    "year": gettext_lazy("by year"),
    "quarter": gettext_lazy("by quarter"),
    "month": gettext_lazy("by month"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Periods"), choices=list(PERIOD_LABELS.items()), required=False
    )
    until = forms.DateField(
        label=gettext_lazy("Up to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RecognitionForm(forms.Form):
    treatment = forms.ChoiceField(
        label=gettext_lazy("Accounting treatment"), choices=BookEntry.Treatment.choices
    )
    recognised_on = forms.DateField(
        label=gettext_lazy("Recognised on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    useful_life_months = forms.IntegerField(
        label=gettext_lazy("Useful life (months; intangible assets, first recognition)"),
        required=False,
        min_value=1,
        max_value=1200,
    )


class MovementForm(forms.Form):
    asset = forms.ChoiceField(label=gettext_lazy("Data asset"))
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            ("impairment", gettext_lazy("impairment (write-down)")),
            ("disposal", gettext_lazy("disposal (sold or derecognised)")),
        ],
    )
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = StrictDecimalField(label=gettext_lazy("Amount (CNY)"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)

    def __init__(self, *args: Any, assets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = assets  # type: ignore[attr-defined]


def table_json(holder: Organisation, found: rollforward.Table) -> dict[str, Any]:
    def rows(items: list[rollforward.Row]) -> list[dict[str, Any]]:
        return [{"period": r.period, "start": r.start, "end": r.end, **r.figures()} for r in items]

    return {
        "holder": holder.public_id,
        "period": found.period,
        "until": found.until,
        "currency": "CNY",
        "treatments": [
            {
                "treatment": treatment,
                "total": rows(total),
                "assets": [
                    {
                        "asset": b.asset.public_id,
                        "title": b.asset.title,
                        "useful_life_months": b.useful_life_months,
                        "rows": rows(b.rows),
                    }
                    for b in found.assets[treatment]
                ],
            }
            for treatment, total in found.totals.items()
        ],
    }


def export_response(holder: Organisation, found: rollforward.Table, fmt: str) -> HttpResponse:
    stem = f"rollforward-{holder.public_id}-{found.period}-{found.until.isoformat()}"
    if fmt == "xlsx":
        made = HttpResponse(rollforward.export_xlsx(found), content_type=XLSX)
    else:
        made = HttpResponse(rollforward.export_csv(found), content_type="text/csv; charset=utf-8")
    made["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return made


def _period(request: HttpRequest) -> tuple[PeriodForm, str, date]:
    form = PeriodForm(request.GET or None)
    period, until = "year", timezone.localdate()
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"] or "year"
        until = form.cleaned_data["until"] or until
    return form, period, until


def _recognised_assets(holder: Organisation) -> list[DataAsset]:
    return list(
        DataAsset.objects.filter(holder=holder, book_entries__isnull=False)
        .distinct()
        .order_by("id")
    )


def _books_page(
    request: HttpRequest,
    principal: Principal,
    holder: Organisation,
    movement: MovementForm | None = None,
) -> HttpResponse:
    period_form, period, until = _period(request)
    found = books.holder_table(principal, holder, period=period, until=until)
    sections = []
    for treatment, total in found.totals.items():
        names = [
            name
            for name in rollforward.FIGURES
            if not (treatment == "inventory" and name == "amortisation")
        ]

        def cells(rows: list[rollforward.Row], names: list[str] = names) -> list[Any]:
            return [(r.period, [getattr(r, n) for n in names]) for r in rows]

        sections.append(
            {
                "treatment": BookEntry.Treatment(treatment).label,
                "code": treatment,
                "labels": [rollforward.labels(treatment)[n] for n in names],
                "total": cells(total),
                "assets": [
                    (b.asset, b.useful_life_months, cells(b.rows)) for b in found.assets[treatment]
                ],
            }
        )
    assets = _recognised_assets(holder)
    if movement is None and access.may_write_books(principal, holder) and assets:
        movement = MovementForm(
            assets=[(str(a.public_id), localized_text(a.title)) for a in assets]
        )
    return render(
        request,
        "valuation/books.html",
        {
            "holder": holder,
            "period_form": period_form,
            "period": period,
            "until": until,
            "sections": sections,
            "movement": movement,
            "query": f"period={period}&until={until.isoformat()}",
        },
        status=form_status(movement) if movement is not None else 200,
    )


@login_required
@require_GET
@domain_errors
def books_page(request: HttpRequest, holder_id: str) -> HttpResponse:
    principal = Principal.of(request)
    return _books_page(request, principal, access.books_holder(principal, holder_id))


@login_required
@require_GET
@domain_errors
def books_export(request: HttpRequest, holder_id: str, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise NotFound(_("No such page."))
    principal = Principal.of(request)
    holder = access.books_holder(principal, holder_id)
    _form, period, until = _period(request)
    return export_response(
        holder, books.holder_table(principal, holder, period=period, until=until), fmt
    )


@require_POST
@login_required
@domain_errors
def books_entry(request: HttpRequest, holder_id: str) -> HttpResponse:
    principal = Principal.of(request)
    holder = access.books_holder(principal, holder_id)
    access.require_books_writer(principal, holder)
    assets = _recognised_assets(holder)
    form = MovementForm(
        request.POST, assets=[(str(a.public_id), localized_text(a.title)) for a in assets]
    )
    if form.is_valid():
        draft = draft_from_form(form, MovementDraft, omit=["asset"])
        if draft is not None:
            asset = access.asset_for(principal, form.cleaned_data["asset"])
            try:
                books.record_movement(principal=principal, asset=asset, draft=draft)
            except DomainError as exc:
                if isinstance(exc, (NotFound, Forbidden)):
                    raise
                apply_error(form, exc)
            else:
                messages.success(request, _("Recorded."))
                return redirect("valuation:books", holder.public_id)
    return _books_page(request, principal, holder, movement=form)


@login_required
@domain_errors
def recognise_page(request: HttpRequest, valuation_id: str) -> HttpResponse:
    """The holder's form that recognises an issued valuation's cost lines (入表)."""
    principal = Principal.of(request)
    valuation = access.valuation_for(principal, valuation_id)
    access.require_holder(principal, valuation.asset)
    form = RecognitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        draft = draft_from_form(form, RecognitionDraft)
        if draft is not None:
            try:
                books.recognise(principal=principal, valuation=valuation, draft=draft)
            except DomainError as exc:
                if isinstance(exc, (NotFound, Forbidden)):
                    raise
                apply_error(form, exc)
            else:
                messages.success(request, _("Recognised in the books."))
                return redirect("valuation:books", valuation.asset.holder.public_id)
    lines = []
    snapshot = getattr(valuation, "snapshot", None)
    if snapshot is not None:
        lines = [
            (steps.COST_LABELS.get(line["category"], line["category"]), line["amount"],
             line["source"])
            for line in snapshot.content["collected"].get("cost_lines", [])
        ]  # fmt: skip
    return render(
        request,
        "valuation/recognise.html",
        {"valuation": valuation, "form": form, "lines": lines},
        status=form_status(form),
    )
