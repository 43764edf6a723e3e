"""Public security's side: foreign residents' registrations (the minimum fields) and filing
one, and the visit count."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import (
    access,
    queries,
    stays,
    visits,
)
from nomadcloud.communities.api._common import _errors, _registration
from nomadcloud.communities.models import (
    ForeignRegistration,
)
from nomadcloud.communities.schemas import (
    ForeignRegistrationOut,
    RegistrationDraft,
    VisitCountOut,
)
from nomadcloud.communities.text import tr
from nomadcloud.core.api import CursorPagination
from nomadcloud.core.errors import invalid_field
from nomadcloud.core.schemas import IsoDate

router = Router()


# ---- public security, statistics ----------------------------------------------------------


class ForeignRegistrationRowOut(Schema):
    """The minimum fields public security sees."""

    id: UUID = Field(..., alias="public_id")
    community: str
    community_address: str
    full_name: str
    nationality: str
    passport_number: str
    arrived_at: datetime
    due_at: datetime
    status: str
    overdue: bool
    reference: str

    @staticmethod
    def resolve_community(obj: ForeignRegistration) -> str:
        return tr(obj.stay.community.name)

    @staticmethod
    def resolve_community_address(obj: ForeignRegistration) -> str:
        return obj.stay.community.address

    @staticmethod
    def resolve_passport_number(obj: ForeignRegistration) -> str:
        return stays.passport_of(obj)

    @staticmethod
    def resolve_overdue(obj: ForeignRegistration) -> bool:
        return stays.is_overdue(obj)


@router.get(
    "/registrations",
    response=_errors({200: list[ForeignRegistrationRowOut]}),
    operation_id="nomadcloud_communities_api_registrations",
)
@paginate(CursorPagination)
def registrations(request: HttpRequest, **kwargs: Any) -> Any:
    """Foreign guests' accommodation registrations: only the minimum fields (public
    security)."""
    access.require_police(Principal.of(request))
    return queries.police_queue()


@router.post(
    "/registrations/{registration_id}",
    response=_errors({200: ForeignRegistrationOut}),
    operation_id="nomadcloud_communities_api_file_registration",
)
def file_registration(
    request: HttpRequest, registration_id: UUID, payload: RegistrationDraft
) -> Any:
    """Record that the registration was filed, or its police reference number (the
    community's hosts, or public security)."""
    principal = Principal.of(request)
    registration = stays.registration_for(principal, registration_id)
    done = stays.file_registration(principal=principal, registration=registration, draft=payload)
    return _registration(done)


class VisitQuery(Schema):
    start: IsoDate | None = None
    end: IsoDate | None = None


@router.get(
    "/visits/count",
    response=_errors({200: VisitCountOut}),
    operation_id="nomadcloud_communities_api_visit_count",
)
def visit_count(request: HttpRequest, filters: Query[VisitQuery]) -> Any:
    """Visits that arrived in [start, end] (default: this year so far), the people who made
    them and the foreign ones (zone operator, tourism bureau)."""
    access.require_statistics(Principal.of(request))
    today = timezone.localdate()
    start = filters.start or today.replace(month=1, day=1)
    end = filters.end or today
    if end < start:
        raise invalid_field("end", _("The end must not be before the start."))
    if end - start > timedelta(days=3660):
        raise invalid_field("end", _("Ask for at most ten years."))
    return {"start": start, "end": end, **visits.count(start, end)}


# ---- public -------------------------------------------------------------------------------
