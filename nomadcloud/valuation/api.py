"""/api/v1/valuation/: data assets, valuations through the workflow of 中评协〔2023〕17号
with their issued snapshots, price observations and the bubble watch's alerts. Handlers only
translate HTTP to service calls (docs/valuation.md)."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_zone_operator
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import NotFound
from nomadcloud.valuation import access, books, pdf, queries, services, views_books, watch
from nomadcloud.valuation.inputs import (
    AlertMoveDraft,
    CollectDraft,
    ComputeDraft,
    LegalGateDraft,
    MovementDraft,
    ObservationDraft,
    QualityDraft,
    RecognitionDraft,
    ReconcileDraft,
    RequestDraft,
)
from nomadcloud.valuation.models import DataAsset, ValuationSnapshot
from nomadcloud.valuation.schemas import (
    AlertOut,
    AssetIn,
    AssetOut,
    BookEntryOut,
    MoveIn,
    PriceOut,
    RollForwardExportQuery,
    RollForwardOut,
    RollForwardQuery,
    SnapshotOut,
    ValuationDetailOut,
    ValuationOut,
    WatchIn,
)

router = Router(tags=["valuation"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


@router.post("/assets", response=_errors({201: AssetOut}))
def register_asset(request: HttpRequest, payload: AssetIn) -> Status[Any]:
    """A data asset of one of the asker's organisations (a data pool only by its steward)."""
    principal = Principal.of(request)
    holder = access.holder_organisation(principal, payload.holder)
    return Status(201, services.register_asset(principal=principal, holder=holder, draft=payload))


@router.get("/assets/{asset_id}", response=_errors({200: AssetOut}))
def get_asset(request: HttpRequest, asset_id: UUID) -> DataAsset:
    return access.asset_for(Principal.of(request), asset_id)


@router.get("/valuations", response=_errors({200: list[ValuationOut]}))
@paginate(CursorPagination)
def list_valuations(request: HttpRequest, **kwargs: Any) -> Any:
    """Valuations of the asker's organisations, as holder, valuation firm or department."""
    return queries.valuations_visible_to(Principal.of(request))


@router.post("/valuations", response=_errors({201: ValuationDetailOut}))
def request_valuation(request: HttpRequest, payload: RequestDraft) -> Status[Any]:
    principal = Principal.of(request)
    return Status(201, services.request_valuation(principal=principal, draft=payload))


@router.get("/valuations/{valuation_id}", response=_errors({200: ValuationDetailOut}))
def get_valuation(request: HttpRequest, valuation_id: UUID) -> Any:
    return access.valuation_for(Principal.of(request), valuation_id)


def _step(request: HttpRequest, valuation_id: UUID) -> tuple[Principal, Any]:
    principal = Principal.of(request)
    return principal, access.valuation_for(principal, valuation_id)


@router.post("/valuations/{valuation_id}/collect", response=_errors({200: ValuationDetailOut}))
def collect(request: HttpRequest, valuation_id: UUID, payload: CollectDraft) -> Any:
    """The cost lines with their sources; a pool's platform facts are added."""
    principal, valuation = _step(request, valuation_id)
    return services.collect(principal=principal, valuation=valuation, draft=payload)


@router.post("/valuations/{valuation_id}/legal-gate", response=_errors({200: ValuationDetailOut}))
def legal_gate(request: HttpRequest, valuation_id: UUID, payload: LegalGateDraft) -> Any:
    """The rights chain and consent scope; without a legal basis: not_recognisable."""
    principal, valuation = _step(request, valuation_id)
    return services.legal_gate(principal=principal, valuation=valuation, draft=payload)


@router.post("/valuations/{valuation_id}/quality", response=_errors({200: ValuationDetailOut}))
def assess_quality(request: HttpRequest, valuation_id: UUID, payload: QualityDraft) -> Any:
    principal, valuation = _step(request, valuation_id)
    return services.assess_quality(principal=principal, valuation=valuation, draft=payload)


@router.post("/valuations/{valuation_id}/compute", response=_errors({200: ValuationDetailOut}))
def compute(request: HttpRequest, valuation_id: UUID, payload: ComputeDraft) -> Any:
    """The cost, income and market approaches, with the income approach's sensitivity."""
    principal, valuation = _step(request, valuation_id)
    return services.compute_values(principal=principal, valuation=valuation, draft=payload)


@router.post("/valuations/{valuation_id}/reconcile", response=_errors({200: ValuationDetailOut}))
def reconcile(request: HttpRequest, valuation_id: UUID, payload: ReconcileDraft) -> Any:
    principal, valuation = _step(request, valuation_id)
    return services.reconcile(principal=principal, valuation=valuation, draft=payload)


@router.post("/valuations/{valuation_id}/moves", response=_errors({200: ValuationDetailOut}))
def move(request: HttpRequest, valuation_id: UUID, payload: MoveIn) -> Any:
    """sign (the valuer), review (the department), issue (the valuer, after both
    signatures: ``second_reviewer_missing``), withdraw (the holder, with a reason)."""
    principal, valuation = _step(request, valuation_id)
    return services.move(
        principal=principal, valuation=valuation, action=payload.action, reason=payload.reason
    )


@router.get("/valuations/{valuation_id}/snapshot", response=_errors({200: SnapshotOut}))
def snapshot(request: HttpRequest, valuation_id: UUID) -> Any:
    """The issued snapshot with its disclosures, as issued."""
    valuation = access.valuation_for(Principal.of(request), valuation_id)
    row = ValuationSnapshot.objects.filter(valuation=valuation).select_related("valuation").first()
    if row is None:
        raise NotFound(_("This valuation has not been issued."))
    return row


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The issued snapshot as a PDF, in the request's language "
            "(Accept-Language: zh-Hans or en).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/valuations/{valuation_id}/snapshot.pdf", response=ERROR_RESPONSES, openapi_extra=PDF_RESPONSE
)
def snapshot_pdf(request: HttpRequest, valuation_id: UUID) -> HttpResponse:
    """The issued snapshot as a PDF: the disclosures, each approach's inputs and result, the
    sensitivity table, the signatures and the asset's DCAT URI (decision 0063)."""
    return pdf.response(access.valuation_for(Principal.of(request), valuation_id))


# --- 入表: the holder's books and roll-forward (decision 0063) ----------------------------


@router.post("/valuations/{valuation_id}/recognise", response=_errors({201: BookEntryOut}))
def recognise(request: HttpRequest, valuation_id: UUID, payload: RecognitionDraft) -> Status[Any]:
    """The holder recognises the issued valuation's cost lines at cost (入表), as an
    intangible asset (with its useful life, on the first recognition) or as inventory."""
    principal, valuation = _step(request, valuation_id)
    return Status(201, books.recognise(principal=principal, valuation=valuation, draft=payload))


@router.post("/assets/{asset_id}/book-entries", response=_errors({201: BookEntryOut}))
def record_movement(request: HttpRequest, asset_id: UUID, payload: MovementDraft) -> Status[Any]:
    """An impairment or a disposal of a recognised asset (the holder)."""
    principal = Principal.of(request)
    asset = access.asset_for(principal, asset_id)
    return Status(201, books.record_movement(principal=principal, asset=asset, draft=payload))


@router.get("/assets/{asset_id}/book-entries", response=_errors({200: list[BookEntryOut]}))
def list_book_entries(request: HttpRequest, asset_id: UUID) -> Any:
    """The asset's book entries in date order (its holder's members, the zone operator)."""
    principal = Principal.of(request)
    asset = access.asset_for(principal, asset_id)
    access.require_books_reader(principal, asset.holder)
    return list(asset.book_entries.select_related("asset", "valuation").order_by("on", "id"))


@router.get("/holders/{holder_id}/rollforward", response=_errors({200: RollForwardOut}))
def rollforward_table(
    request: HttpRequest, holder_id: UUID, query: Query[RollForwardQuery]
) -> dict[str, Any]:
    """The holder's 入表 roll-forward per period, intangible assets and inventory apart: the
    totals and each asset's rows; a period's closing is the next one's opening."""
    principal = Principal.of(request)
    holder = access.books_holder(principal, holder_id)
    found = books.holder_table(principal, holder, period=query.period, until=query.until)
    return views_books.table_json(holder, found)


EXPORT_RESPONSE = {
    "responses": {
        200: {
            "description": "The roll-forward as CSV or XLSX, in the request's language.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    }
}


@router.get(
    "/holders/{holder_id}/rollforward/export",
    response=ERROR_RESPONSES,
    openapi_extra=EXPORT_RESPONSE,
)
def rollforward_export(
    request: HttpRequest, holder_id: UUID, query: Query[RollForwardExportQuery]
) -> HttpResponse:
    principal = Principal.of(request)
    holder = access.books_holder(principal, holder_id)
    found = books.holder_table(principal, holder, period=query.period, until=query.until)
    return views_books.export_response(holder, found, query.format)


@router.post("/prices", response=_errors({201: PriceOut}))
def record_price(request: HttpRequest, payload: ObservationDraft) -> Status[Any]:
    """A transaction or listing price of an asset (the holder, or the zone operator)."""
    return Status(201, watch.record_price(principal=Principal.of(request), draft=payload))


@router.get("/alerts", response=_errors({200: list[AlertOut]}))
@paginate(CursorPagination)
def list_alerts(request: HttpRequest, **kwargs: Any) -> Any:
    """Alerts routed to the asker's departments, or about their organisations' assets."""
    return queries.alerts_visible_to(Principal.of(request))


@router.get("/alerts/{alert_id}", response=_errors({200: AlertOut}))
def get_alert(request: HttpRequest, alert_id: UUID) -> Any:
    return access.alert_for(Principal.of(request), alert_id)


@router.post("/alerts/{alert_id}/moves", response=_errors({200: AlertOut}))
def move_alert(request: HttpRequest, alert_id: UUID, payload: AlertMoveDraft) -> Any:
    """acknowledge, investigate, resolve (with a resolution and a reason): the department."""
    principal = Principal.of(request)
    alert = access.alert_for(principal, alert_id)
    return watch.move_alert(principal=principal, alert=alert, draft=payload)


@router.post("/watch/{category}", response=_errors({200: list[AlertOut]}))
def run_watch(request: HttpRequest, category: DataAsset.Category, payload: WatchIn) -> Any:
    """Run a category's bubble checks now (the zone operator); the alerts raised."""
    principal = Principal.of(request)
    require_zone_operator(principal)
    on = payload.on or timezone.localdate()
    return watch.run_watch(category=category, on=on, actor=principal)
