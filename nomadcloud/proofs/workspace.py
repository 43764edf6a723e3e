"""What proofs adds to the workspace (``accounts/workspace.py``): the nomad's proofs of work
and the first-proof step, the public verify page for organisations, the operator's keys and
log."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Step, Tool, figure
from nomadcloud.core import showcase
from nomadcloud.proofs import queries


def _count(seat: Seat) -> int:
    return seat.remember("proofs.count", lambda: queries.credential_count_of(seat.user))


def nomad_proofs(seat: Seat) -> Tool:
    return Tool(
        key="proofs",
        title=_("My proofs of work"),
        url=reverse("proofs:mine"),
        figures=(figure(_("Proofs"), _count(seat), testid="proofs"),),
    )


def first_proof_step(seat: Seat) -> Step:
    return Step(
        key="first-proof",
        label=_("Get your first proof of work: finish an order, a training or a data batch"),
        url=reverse("matching:recommended"),
        done=_count(seat) > 0,
    )


def verify_tool(seat: Seat) -> Tool:
    return Tool(
        key="verify",
        title=_("Verify a proof of work"),
        url=reverse("proofs:verify"),
    )


def operator_proofs(seat: Seat) -> Tool:
    return Tool(
        key="proofs-operator",
        title=_("Proofs of work: operations"),
        url=reverse("proofs:operator"),
    )


def register() -> None:
    showcase.figure(
        "proofs", gettext_lazy("proofs of work issued"), queries.credentials_issued, order=30
    )
    workspace.tool("nomad", nomad_proofs, order=70)
    workspace.checklist("nomad", first_proof_step, order=40)
    for role in ("enterprise", "community"):
        workspace.tool(role, verify_tool, order=80)
    workspace.tool("operator", operator_proofs, order=50)
