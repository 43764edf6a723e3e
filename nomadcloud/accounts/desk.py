"""What accounts adds to the workspace (``accounts/workspace.py``): the organisation tool of
every organisation's panel, the department's verification queue, the operator's audit log
and registry, the nomad's personal details; the checklist steps for verification, members
and personal details. Registered in ``AccountsConfig.ready``."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.accounts import queries
from nomadcloud.accounts.access import MANAGERS
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.workspace import (
    Role,
    Seat,
    Step,
    Tool,
    age_text,
    checklist,
    figure,
    tool,
)
from nomadcloud.core import showcase

ORGANISATION_ROLES: tuple[Role, ...] = (
    "enterprise",
    "merchant",
    "community",
    "department",
    "operator",
)
VERIFIED_ROLES = ("enterprise", "merchant", "community")

# Contact verification (e-mail or mobile code) is another part of accounts; until it says
# whether a person's contact is verified, the checklist has no such step.
ContactCheck = Callable[[User], bool]
_contact_check: list[tuple[ContactCheck, str]] = []


def register_contact_check(check: ContactCheck, url_name: str) -> None:
    """Contact verification registers how to tell a verified contact and where to verify."""
    _contact_check[:] = [(check, url_name)]


def _summary(seat: Seat) -> dict[str, int]:
    return seat.remember(
        "accounts.summary", lambda: queries.organisation_summary(seat.organisation)
    )


def organisation_tool(seat: Seat) -> Tool:
    org = seat.organisation
    manager = seat.has_role(*MANAGERS)
    summary = _summary(seat)
    figures = [figure(_("Members"), summary["members"], testid="members")]
    if manager:
        figures.append(figure(_("Open invitations"), summary["invitations"]))
    figures.append(figure(_("Verification"), org.get_verification_status_display()))
    next_step = ""
    if (
        manager
        and seat.role in VERIFIED_ROLES
        and org.verification_status
        in (
            Organisation.Verification.UNVERIFIED,
            Organisation.Verification.REJECTED,
        )
    ):
        next_step = _("Ask for your organisation's verification.")
    return Tool(
        key="organisation",
        title=_("Organisation, members and roles"),
        url=reverse("accounts:organisation", args=[org.public_id]),
        figures=tuple(figures),
        next_step=next_step,
    )


def verification_step(seat: Seat) -> Step | None:
    if seat.role not in VERIFIED_ROLES:
        return None
    org = seat.organisation
    return Step(
        key="verification",
        label=_("Get your organisation verified by its department"),
        url=reverse("accounts:organisation", args=[org.public_id]),
        done=org.verification_status == Organisation.Verification.VERIFIED,
    )


def colleague_step(seat: Seat) -> Step | None:
    if seat.role not in VERIFIED_ROLES or not seat.has_role(*MANAGERS):
        return None
    return Step(
        key="colleague",
        label=_("Invite a colleague"),
        url=reverse("accounts:organisation", args=[seat.organisation.public_id]),
        done=_summary(seat)["members"] > 1,
    )


def verification_queue(seat: Seat) -> Tool | None:
    if not seat.has_role("owner", "admin", "reviewer"):
        return None
    n, oldest = seat.remember("accounts.queue", lambda: queries.review_queue_summary(seat.user))
    return Tool(
        key="verification-queue",
        title=_("Organisation verifications"),
        url=reverse("accounts:reviews"),
        figures=(
            figure(_("Waiting"), n, attention=True, testid="queue-length"),
            figure(_("Oldest waiting"), age_text(oldest) if n else "—", testid="queue-age"),
        ),
        next_step=_("Decide the oldest verification request.") if n else "",
    )


def operator_audit(seat: Seat) -> Tool:
    return Tool(
        key="audit",
        title=_("Audit log"),
        url=reverse("accounts:audit"),
        links=((_("All organisations"), reverse("accounts:organisations")),)
        + (((_("Administration"), reverse("admin:index")),) if seat.user.is_staff else ()),
    )


def personal_details(seat: Seat) -> Tool:
    user = seat.user
    figures = []
    if user.is_foreign:
        figures.append(
            figure(
                _("Permit valid until"),
                user.permit_valid_until.isoformat() if user.permit_valid_until else "—",
                testid="permit",
            )
        )
    return Tool(
        key="account",
        title=_("Account and personal details"),
        url=reverse("accounts:settings"),
        figures=tuple(figures),
    )


def details_step(seat: Seat) -> Step:
    user = seat.user
    done = bool(user.nationality) and (
        not user.is_foreign or bool(user.permit_valid_until and user.permit_kind)
    )
    label = (
        _("Add your visa or permit and its dates")
        if user.is_foreign
        else _("Complete your personal details")
    )
    return Step(key="details", label=label, url=reverse("accounts:settings"), done=done)


def contact_step(seat: Seat) -> Step | None:
    if not _contact_check:
        return None
    check, url_name = _contact_check[0]
    return Step(
        key="contact",
        label=_("Verify your e-mail address or mobile number"),
        url=reverse(url_name),
        done=check(seat.user),
    )


def register() -> None:
    showcase.figure(
        "nomads", gettext_lazy("digital nomads registered"), queries.nomads_registered, order=10
    )
    for role in ORGANISATION_ROLES:
        tool(role, organisation_tool, order=90)
        checklist(role, contact_step, order=5)
        checklist(role, verification_step, order=10)
        checklist(role, colleague_step, order=80)
    tool("department", verification_queue, order=10)
    tool("operator", operator_audit, order=10)
    tool("nomad", personal_details, order=90)
    checklist("nomad", contact_step, order=5)
    checklist("nomad", details_step, order=10)
