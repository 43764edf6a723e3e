"""Use cases for conversions (落地转化): record what work turned into — an employment
contract (its term computed, a year or more flagged), flexible employment, or a business
registered in the zone (name, unified social credit code, registration date) — with the
enterprise and the nomad, an optional link to the order or training it came from, and
documents. The operators' report counts them per enterprise and per month or quarter.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import translation
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.validators import normalise_uscc
from nomadcloud.core import audit, uploads
from nomadcloud.core.csv import safe_cell
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.notifications.services import notify
from nomadcloud.orders.models import Conversion, ConversionDocument, Order
from nomadcloud.training import cleaning
from nomadcloud.training.models import Enrolment

Kind = Conversion.Kind
MAX_DOCUMENTS = 10


# --- the term of a contract ---------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


@dataclass(frozen=True)
class Term:
    months: int | None  # whole months; None for an open-ended contract
    days: int | None  # calendar days, both ends included
    one_year_or_more: bool


def contract_term(starts_on: date, ends_on: date | None) -> Term:
    """A contract from 2026-01-01 to 2026-12-31 runs 12 months (365 days): one year. With no
    end date it is open-ended (无固定期限), which counts as a year or more."""
    if ends_on is None:
        return Term(months=None, days=None, one_year_or_more=True)
    after = ends_on + timedelta(days=1)  # the first day no longer covered
    months = (after.year - starts_on.year) * 12 + (after.month - starts_on.month)
    last_day = calendar.monthrange(after.year, after.month)[1]
    if after.day < starts_on.day and after.day != last_day:
        months -= 1
    return Term(
        months=max(months, 0),
        days=(ends_on - starts_on).days + 1,
        one_year_or_more=after >= add_years(starts_on, 1),
    )


# --- recording ----------------------------------------------------------------------------------


def nomad_candidates(organisation: Organisation) -> QuerySet[User]:
    """People who worked (an assigned order) or trained (an enrolment) with the enterprise:
    those it may record a conversion with."""
    return (
        User.objects.filter(
            Q(orders_taken__organisation=organisation)
            | Q(
                training_enrolments__scenario__organisation=organisation,
                training_enrolments__status__in=Enrolment.ACTIVE,
            ),
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "id")
    )


def _clean(
    *,
    kind: str,
    starts_on: Any,
    ends_on: Any,
    business_name: str,
    credit_code: str,
    registered_on: Any,
) -> dict[str, Any]:
    kind = cleaning.one_of(kind, "kind", Kind.values)
    clean: dict[str, Any] = {"kind": kind}
    if kind == Kind.BUSINESS:
        clean["business_name"] = cleaning.text(business_name, "business_name", 200, required=True)
        clean["credit_code"] = normalise_uscc(credit_code or "", field="credit_code")
        clean["registered_on"] = cleaning.day(registered_on, "registered_on")
        clean["occurred_on"] = clean["registered_on"]
        return clean
    start = cleaning.day(starts_on, "starts_on")
    end = cleaning.day(ends_on, "ends_on", required=False)
    assert start is not None
    if end is not None and end < start:
        raise invalid_field("ends_on", _("The end cannot be before the start."))
    term = contract_term(start, end) if end is not None or kind == Kind.CONTRACT else None
    clean |= {
        "starts_on": start,
        "ends_on": end,
        "occurred_on": start,
        "term_months": term.months if term else None,
        "term_days": term.days if term else None,
        "one_year_or_more": bool(term and term.one_year_or_more and kind == Kind.CONTRACT),
    }
    return clean


def record_conversion(
    *,
    principal: Principal,
    organisation: Organisation,
    nomad: User,
    kind: str,
    starts_on: Any = None,
    ends_on: Any = None,
    business_name: str = "",
    credit_code: str = "",
    registered_on: Any = None,
    order: Order | None = None,
    enrolment: Enrolment | None = None,
    note: str = "",
    documents: list[UploadedFile[Any]] | None = None,
    linked: bool = False,
) -> Conversion:
    """Record a conversion. The enterprise records its own, with people who worked or
    trained with it (the order or training, when named, must be theirs); the zone operator
    may record any. Documents are checked before anything is stored. ``linked``: the calling
    app has established the link itself (a studio that signed a challenge, bounties)."""
    clean = _clean(
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        business_name=business_name,
        credit_code=credit_code,
        registered_on=registered_on,
    )
    note = cleaning.text(note, "note", 5000)
    checked = uploads.check_files(documents or [], field="documents", limit=MAX_DOCUMENTS)
    if order is not None and (
        order.organisation_id != organisation.pk or order.nomad_id != nomad.pk
    ):
        raise invalid_field("order", _("This order is not between this enterprise and this nomad."))
    if enrolment is not None and (
        enrolment.scenario.organisation_id != organisation.pk or enrolment.nomad_id != nomad.pk
    ):
        raise invalid_field(
            "enrolment", _("This training is not between this enterprise and this nomad.")
        )
    if (
        order is None
        and enrolment is None
        and not linked
        and not is_zone_operator(principal)
        and not nomad_candidates(organisation).filter(pk=nomad.pk).exists()
    ):
        raise invalid_field(
            "nomad",
            _("Record conversions with people who took an order or training from you."),
            code="not_linked",
        )
    stored: list[ConversionDocument] = []
    try:
        with transaction.atomic():
            if kind == Kind.BUSINESS:
                duplicate = Conversion.objects.filter(
                    kind=Kind.BUSINESS, credit_code=clean["credit_code"]
                ).exists()
            else:
                duplicate = Conversion.objects.filter(
                    kind=clean["kind"],
                    organisation=organisation,
                    nomad=nomad,
                    starts_on=clean["starts_on"],
                ).exists()
            if duplicate:
                raise Conflict(_("This conversion is already recorded."), code="duplicate")
            conversion = Conversion.objects.create(
                organisation=organisation,
                nomad=nomad,
                order=order,
                enrolment=enrolment,
                note=note,
                recorded_by=principal.user,
                **clean,
            )
            for item in checked:
                document = ConversionDocument(conversion=conversion, uploaded_by=principal.user)
                uploads.store(document, item)
                document.save()
                stored.append(document)
            audit.record(
                actor=principal.user,
                action="orders.conversion.create",
                obj=conversion,
                organisation=organisation,
                after={
                    "kind": clean["kind"],
                    "nomad": str(nomad.public_id),
                    "occurred_on": clean["occurred_on"],
                    "one_year_or_more": clean.get("one_year_or_more", False),
                    "documents": len(stored),
                },
                token=principal.token,
            )
            language = nomad.preferred_language
            with translation.override(language):
                kind_label = str(Kind(clean["kind"]).label)
            notify(
                nomad,
                "orders.conversion",
                params={
                    "kind": kind_label,
                    "organisation": localized(organisation, "name", language),
                    "date": clean["occurred_on"].isoformat(),
                },
                url=f"/orders/conversions/{conversion.public_id}/",
            )
    except Exception:
        uploads.delete_stored(list(stored))
        raise
    return conversion


def add_document(
    *, principal: Principal, conversion: Conversion, file: UploadedFile[Any]
) -> ConversionDocument:
    checked = uploads.check_file(file, field="file")
    document = ConversionDocument(conversion=conversion, uploaded_by=principal.user)
    try:
        with transaction.atomic():
            if conversion.documents.count() >= MAX_DOCUMENTS:
                raise invalid_field(
                    "file", _("At most %(n)d files, please.") % {"n": MAX_DOCUMENTS}
                )
            uploads.store(document, checked)
            document.save()
            audit.record(
                actor=principal.user,
                action="orders.conversion.add_document",
                obj=document,
                organisation=conversion.organisation,
                after={"size": document.size},
                token=principal.token,
            )
    except Exception:
        uploads.delete_stored([document])
        raise
    return document


# --- reading ------------------------------------------------------------------------------------


def conversions_visible_to(principal: Principal) -> QuerySet[Conversion]:
    rows = Conversion.objects.select_related("organisation", "nomad", "order", "enrolment")
    if is_zone_operator(principal):
        return rows
    key_org = principal.key_organisation
    if key_org is not None:
        return rows.filter(organisation=key_org)
    if principal.user is None:
        return rows.none()
    return rows.filter(
        Q(nomad=principal.user) | Q(organisation__memberships__user=principal.user)
    ).distinct()


@dataclass(frozen=True)
class ReportRow:
    organisation_id: UUID
    organisation: str
    period: str  # "2026-03" or "2026-Q1"
    contracts: int
    contracts_one_year_or_more: int
    flexible: int
    businesses: int
    total: int


def period_label(day: date, period: str) -> str:
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def report(
    *,
    period: str = "month",
    year: int | None = None,
    organisation: Organisation | None = None,
) -> list[ReportRow]:
    """Conversions per enterprise and per month or quarter (by the date each took effect),
    counted in the database."""
    period = cleaning.one_of(period, "period", ["month", "quarter"])
    rows = Conversion.objects.all()
    if year is not None:
        rows = rows.filter(occurred_on__year=year)
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    trunc = TruncQuarter("occurred_on") if period == "quarter" else TruncMonth("occurred_on")
    grouped = (
        rows.annotate(start=trunc)
        .values("organisation_id", "start")
        .annotate(
            contracts=Count("id", filter=Q(kind=Kind.CONTRACT)),
            long=Count("id", filter=Q(kind=Kind.CONTRACT, one_year_or_more=True)),
            flexible=Count("id", filter=Q(kind=Kind.FLEXIBLE)),
            businesses=Count("id", filter=Q(kind=Kind.BUSINESS)),
            total=Count("id"),
        )
        .order_by("start", "organisation_id")
    )
    organisations = {
        o.pk: o for o in Organisation.objects.filter(pk__in={g["organisation_id"] for g in grouped})
    }
    return [
        ReportRow(
            organisation_id=organisations[g["organisation_id"]].public_id,
            organisation=localized(organisations[g["organisation_id"]], "name"),
            period=period_label(g["start"], period),
            contracts=g["contracts"],
            contracts_one_year_or_more=g["long"],
            flexible=g["flexible"],
            businesses=g["businesses"],
            total=g["total"],
        )
        for g in grouped
    ]


CSV_COLUMNS = [
    "id",
    "kind",
    "enterprise_id",
    "enterprise_name_zh",
    "enterprise_name_en",
    "enterprise_credit_code",
    "nomad_id",
    "nomad_name",
    "starts_on",
    "ends_on",
    "term_months",
    "term_days",
    "one_year_or_more",
    "business_name",
    "business_credit_code",
    "registered_on",
    "occurred_on",
    "month",
    "quarter",
    "order_id",
    "training_enrolment_id",
    "documents",
    "recorded_at",
]


def csv_text(conversions: Iterable[Conversion]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so that Excel reads UTF-8 Chinese
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for c in conversions:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    c.public_id,
                    c.kind,
                    c.organisation.public_id,
                    c.organisation.name_zh,
                    c.organisation.name_en,
                    c.organisation.credit_code,
                    c.nomad.public_id,
                    str(c.nomad),
                    c.starts_on,
                    c.ends_on,
                    c.term_months,
                    c.term_days,
                    "yes" if c.one_year_or_more else "no",
                    c.business_name,
                    c.credit_code,
                    c.registered_on,
                    c.occurred_on,
                    period_label(c.occurred_on, "month"),
                    period_label(c.occurred_on, "quarter"),
                    c.order.public_id if c.order else "",
                    c.enrolment.public_id if c.enrolment else "",
                    len(c.documents.all()),
                    c.recorded_at.isoformat(),
                )
            ]
        )
    return out.getvalue()
