"""What data pools add to the workspace (``accounts/workspace.py``): a nomad's
contributions and rewards, an enterprise's access negotiations (as consumer and as steward)
and a lead department's pools to decide."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.access import DECIDING_ROLES
from nomadcloud.accounts.workspace import Seat, Tool, figure
from nomadcloud.datapools import access
from nomadcloud.datapools.models import IN_FORCE, Contribution, Negotiation, Pool

N = Negotiation.State


def nomad_contributions(seat: Seat) -> Tool:
    counts = Contribution.objects.filter(contributor=seat.user).aggregate(
        given=Count("pk"),
        quarantined=Count("pk", filter=Q(status=Contribution.Status.QUARANTINED)),
    )
    return Tool(
        key="datapools",
        title=_("Data I contributed"),
        url=reverse("datapools:mine"),
        figures=(
            figure(_("Contributions"), counts["given"]),
            figure(_("Quarantined"), counts["quarantined"], attention=True),
        ),
        next_step=_("Remove the personal data from a quarantined file and contribute again.")
        if counts["quarantined"]
        else "",
        links=((_("Data resource pools"), reverse("datapools:list")),),
    )


def enterprise_negotiations(seat: Seat) -> Tool:
    org = seat.organisation
    counts = Negotiation.objects.filter(Q(consumer=org) | Q(pool__steward=org)).aggregate(
        to_answer=Count("pk", filter=Q(pool__steward=org, state=N.REQUESTED)),
        offers=Count("pk", filter=Q(consumer=org, state=N.OFFERED)),
        agreed=Count("pk", filter=Q(consumer=org, state__in=IN_FORCE)),
    )
    waiting = counts["to_answer"] + counts["offers"]
    return Tool(
        key="datapools",
        title=_("Data pool access"),
        url=reverse("datapools:negotiations"),
        figures=(
            figure(_("Requests to answer (as steward)"), counts["to_answer"], attention=True),
            figure(_("Counter-offers to answer"), counts["offers"], attention=True),
            figure(_("Agreements"), counts["agreed"]),
        ),
        next_step=_("Answer the access negotiations waiting for you.") if waiting else "",
        links=(
            (_("Data resource pools"), reverse("datapools:list")),
            # Only an editor of the organisation may propose (views.propose: steward_only).
            *(
                ((_("Propose a pool"), reverse("datapools:propose")),)
                if seat.has_role(*access.EDITORS)
                else ()
            ),
        ),
    )


def department_pools(seat: Seat) -> Tool | None:
    if not seat.has_role(*DECIDING_ROLES):
        return None
    waiting = Pool.objects.filter(
        lead_department=seat.organisation, status=Pool.Status.PROPOSED
    ).count()
    # Agreements both sides reached that await the department's 核定 (decision 0062).
    to_confirm = Negotiation.objects.filter(
        pool__lead_department=seat.organisation, state=N.CONFIRMING
    ).count()
    steps = []
    if waiting:
        steps.append(_("Approve or reject the proposed data pools."))
    if to_confirm:
        steps.append(_("Confirm or refuse the data access agreements awaiting 核定."))
    return Tool(
        key="datapools",
        title=_("Data resource pools"),
        url=reverse("datapools:list"),
        figures=(
            figure(_("Pools to decide"), waiting, attention=True),
            figure(_("Agreements awaiting confirmation (核定)"), to_confirm, attention=True),
        ),
        next_step=" ".join(steps),
        links=(
            (
                _("Agreements awaiting confirmation"),
                reverse("datapools:negotiations") + "?state=confirming",
            ),
        ),
    )


def register() -> None:
    workspace.tool("nomad", nomad_contributions, order=80)
    workspace.tool("enterprise", enterprise_negotiations, order=80)
    workspace.tool("department", department_pools, order=80)
