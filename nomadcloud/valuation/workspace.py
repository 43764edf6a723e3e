"""What valuation adds to the workspaces: the valuations an enterprise holds or performs,
and the department's valuations to sign and bubble-watch alerts to handle."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.valuation.models import Alert, Valuation


def enterprise_valuations(seat: Seat) -> Tool | None:
    org = seat.organisation
    mine = Valuation.objects.filter(Q(asset__holder=org) | Q(valuer=org))
    to_do = mine.filter(
        valuer=org,
        state__in=(
            Valuation.State.DRAFT,
            Valuation.State.DATA_COLLECTED,
            Valuation.State.LEGAL_PASSED,
            Valuation.State.QUALITY_ASSESSED,
            Valuation.State.COMPUTED,
            Valuation.State.RECONCILED,
            Valuation.State.REVIEWED,
        ),
    ).count()
    return Tool(
        key="valuations",
        title=_("Data asset valuations"),
        url=reverse("valuation:list"),
        figures=(figure(_("To work on as valuer"), to_do, attention=True, testid="valuer-to-do"),),
        next_step=_("Continue the valuations your firm performs.") if to_do else "",
    )


def department_valuations(seat: Seat) -> Tool | None:
    org = seat.organisation
    to_sign = Valuation.objects.filter(
        department=org, state=Valuation.State.RECONCILED, reviewer_signed_by__isnull=True
    ).count()
    alerts = Alert.objects.filter(
        department=org,
        state__in=(Alert.State.RAISED, Alert.State.ACKNOWLEDGED, Alert.State.INVESTIGATING),
    ).count()
    return Tool(
        key="valuations",
        title=_("Valuations and bubble watch"),
        url=reverse("valuation:list"),
        figures=(
            figure(_("To sign"), to_sign, attention=True, testid="valuations-to-sign"),
            figure(_("Open alerts"), alerts, attention=True, testid="valuation-alerts"),
        ),
        next_step=_("Sign the valuations and handle the alerts waiting for you.")
        if to_sign or alerts
        else "",
        links=((_("Bubble watch"), reverse("valuation:alerts")),),
    )


def register() -> None:
    workspace.tool("enterprise", enterprise_valuations, order=75)
    workspace.tool("department", department_valuations, order=45)
