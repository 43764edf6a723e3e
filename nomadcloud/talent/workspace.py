"""What talent adds to the workspace (``accounts/workspace.py``): the nomad's skill profile
and certification, the department's certification queue, the operator's rules."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from nomadcloud.accounts import workspace
from nomadcloud.accounts.workspace import Seat, Step, Tool, age_text, figure
from nomadcloud.talent import queries
from nomadcloud.talent.models import Application


def _summary(seat: Seat) -> dict[str, Any]:
    return seat.remember("talent.profile", lambda: queries.profile_summary(seat.user))


def profile_tool(seat: Seat) -> Tool:
    summary = _summary(seat)
    return Tool(
        key="profile",
        title=_("My skill profile"),
        url=reverse("talent:profile"),
        figures=(
            figure(_("Skills"), summary["skills"], testid="skills"),
            figure(_("Tools"), summary["tools"]),
            figure(_("Languages"), summary["languages"]),
        ),
        next_step="" if summary["skills"] else _("Add your skills, so that work can find you."),
    )


def certification_tool(seat: Seat) -> Tool:
    summary = _summary(seat)
    status = summary["application"]
    if summary["certified"]:
        shown = _("Certified")
    elif status:
        shown = str(Application.Status(status).label)
    else:
        shown = _("Not applied yet")
    return Tool(
        key="certification",
        title=_("Nomad certification"),
        url=reverse("talent:certification"),
        figures=(figure(_("Status"), shown, testid="certification-status"),),
    )


def headline_step(seat: Seat) -> Step:
    return Step(
        key="profile",
        label=_("Complete your profile: a headline, your rate and availability"),
        url=reverse("talent:profile"),
        done=_summary(seat)["headline"],
    )


def skills_step(seat: Seat) -> Step:
    return Step(
        key="skills",
        label=_("Add your skills and tools"),
        url=reverse("talent:profile"),
        done=_summary(seat)["skills"] > 0,
    )


def certification_queue(seat: Seat) -> Tool | None:
    if not seat.has_role("owner", "admin", "reviewer"):
        return None
    n, oldest = queries.certification_queue_summary(seat.user)
    return Tool(
        key="certification-queue",
        title=_("Certification applications"),
        url=reverse("talent:reviews"),
        figures=(
            figure(_("Waiting"), n, attention=True, testid="certification-queue-length"),
            figure(_("Oldest waiting"), age_text(oldest) if n else "—"),
        ),
        next_step=_("Decide the oldest certification application.") if n else "",
    )


def operator_rules(seat: Seat) -> Tool:
    return Tool(
        key="certification-rules",
        title=_("Certification rules"),
        url=reverse("talent:rules"),
        links=((_("Certification applications"), reverse("talent:reviews")),),
    )


def community_rules(seat: Seat) -> Tool:
    return Tool(
        key="certification-rules",
        title=_("How nomads are certified"),
        url=reverse("talent:rules"),
    )


def register() -> None:
    workspace.tool("nomad", profile_tool, order=10)
    workspace.tool("nomad", certification_tool, order=20)
    workspace.checklist("nomad", headline_step, order=20)
    workspace.checklist("nomad", skills_step, order=30)
    workspace.tool("department", certification_queue, order=20)
    workspace.tool("operator", operator_rules, order=40)
    workspace.tool("community", community_rules, order=40)
