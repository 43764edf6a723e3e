"""/api/v1/dashboard/: the indicators, the leadership screen's data (departments and the zone
operator), the public figures, and a department's official figures — report, approve, publish
(docs/dashboard.md). A figure of an indicator the caller's units do not own answers 404."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import indicators
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.dashboard import access, queries, services
from nomadcloud.dashboard.models import Observation
from nomadcloud.dashboard.schemas import FigureIn, IndicatorOut, ObservationOut

router = Router(tags=["dashboard"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


@router.get("/indicators", **PUBLIC, response=_errors({200: list[IndicatorOut]}))
def indicator_list(request: HttpRequest) -> Any:
    """Every registered indicator with its definition in your language, unit, period and
    the unit that owns it; ``official`` ones are reported by departments, the others are
    computed by the platform."""
    language = get_language()
    return [
        {
            "code": i.code,
            "unit": i.unit,
            "period": i.period,
            "definition": i.text(language),
            "owner": i.owner,
            "official": i.compute is None,
        }
        for i in indicators.registered()
    ]


@router.get("/public", **PUBLIC, response=_errors({200: dict[str, Any]}))
def public(request: HttpRequest) -> Any:
    """The public view: targets and published figures only (the same data as the public
    page)."""
    return queries.screen(public=True)


@router.get("/screen", response=_errors({200: dict[str, Any]}))
def screen(request: HttpRequest) -> Any:
    """The leadership screen's data, for government departments and the zone operator
    (others: ``not_department``)."""
    user = require_person(Principal.of(request))
    access.require_screen(user)
    return queries.screen(public=False)


@router.get("/observations", response=_errors({200: list[ObservationOut]}))
@paginate(CursorPagination)
def observations(request: HttpRequest, **kwargs: Any) -> Any:
    """The official figures of the indicators your units own (every one for the statistics
    bureau and the zone operator), newest first."""
    user = require_person(Principal.of(request))
    access.require_screen(user)
    codes = access.visible_indicators(user, queries.official_codes())
    return Observation.objects.filter(indicator__in=codes).select_related("unit")


@router.post("/observations", response=_errors({201: ObservationOut}))
def report(request: HttpRequest, payload: FigureIn) -> Any:
    """Report one official figure through your unit (the indicator's owner, or the
    statistics bureau). A revision of a final figure needs ``supersede_reason``; the same
    figure twice is ``duplicate_figure`` (409)."""
    principal = Principal.of(request)
    require_write(principal)
    user = require_person(principal)
    access.require_screen(user)
    if payload.indicator not in access.visible_indicators(user, queries.official_codes()):
        # An indicator the caller's units do not report answers as one that does not exist.
        raise indicators.UnknownIndicator(payload.indicator)
    made = services.submit(
        services.reported(**payload.model_dump()),
        actor=user,
    )
    return Status(201, made)


@router.post("/observations/{observation_id}/approve", response=_errors({200: ObservationOut}))
def approve(request: HttpRequest, observation_id: UUID) -> Any:
    """Approve a submitted figure (its indicator's owner with a deciding role, or the zone
    operator)."""
    principal = Principal.of(request)
    require_write(principal)
    user = require_person(principal)
    return services.approve(access.observation_for(user, observation_id), actor=user)


@router.post("/observations/{observation_id}/publish", response=_errors({200: ObservationOut}))
def publish(request: HttpRequest, observation_id: UUID) -> Any:
    """Publish an approved figure to the public view (the zone operator)."""
    principal = Principal.of(request)
    require_write(principal)
    user = require_person(principal)
    return services.publish(access.observation_for(user, observation_id), actor=user)
