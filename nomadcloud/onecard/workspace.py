"""What the one card adds to the workspace (``accounts/workspace.py``): the person's card
and applications, a department's queue of applications, the catalogue for organisations
and the zone operator's catalogue overview."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.onecard import queries


def my_services(seat: Seat) -> Tool:
    counts = queries.applicant_counts(seat.user)
    return Tool(
        key="onecard",
        title=_("One card and services"),
        url=reverse("onecard:mine"),
        figures=(
            figure(_("Open applications"), counts["open"]),
            figure(_("Waiting for you"), counts["waiting"], attention=True),
            figure(_("Drafts"), counts["drafts"]),
        ),
        next_step=_("A department asks you for something: answer it.") if counts["waiting"] else "",
        links=(
            (_("My QR code"), reverse("onecard:card")),
            (_("Service catalogue"), reverse("onecard:catalogue")),
        ),
    )


def department_queue(seat: Seat) -> Tool:
    counts = queries.queue_counts(seat.organisation)
    waiting = counts.get("submitted", 0)
    return Tool(
        key="onecard-queue",
        title=_("Service applications"),
        url=reverse("onecard:queue", args=[seat.org_id]),
        figures=(
            figure(_("To receive"), waiting, attention=True),
            figure(_("Received"), counts.get("received", 0)),
            figure(_("Under review"), counts.get("under_review", 0)),
        ),
        next_step=_("Receive the submitted applications.") if waiting else "",
        links=((_("Scan a QR code"), reverse("onecard:scan")),),
    )


def organisation_services(seat: Seat) -> Tool:
    return Tool(
        key="onecard",
        title=_("Service catalogue"),
        url=reverse("onecard:catalogue"),
        links=((_("My applications"), reverse("onecard:mine")),),
    )


def operator_catalogue(seat: Seat) -> Tool:
    return Tool(
        key="onecard-catalogue",
        title=_("Service catalogue"),
        url=reverse("onecard:manage"),
        figures=(figure(_("Published items"), queries.published_items().count()),),
        links=((_("CPSV-AP export"), reverse("onecard:catalogue_jsonld")),),
    )


def register() -> None:
    workspace.tool("nomad", my_services, order=15)
    workspace.tool("department", department_queue, order=15)
    workspace.tool("enterprise", organisation_services, order=60)
    workspace.tool("community", organisation_services, order=60)
    workspace.tool("merchant", organisation_services, order=60)
    workspace.tool("operator", operator_catalogue, order=40)
