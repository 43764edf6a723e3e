"""The workspace: one panel per role a person holds (nomad, and one per organisation they
belong to), each made of *tools* and a *first-run checklist* contributed by the apps.

accounts sits below every other app, so it cannot ask them for their counts: each app
registers what it adds to a role's panel in its ``AppConfig.ready`` (``<app>/workspace.py``),
one line per tool::

    workspace.tool("nomad", my_orders, order=40)
    workspace.checklist("enterprise", first_demand, order=20)

A tool provider receives the :class:`Seat` (the person, and the membership for an
organisation's panel) and returns a :class:`Tool` or ``None`` (not for this seat). It should
make at most one or two queries: the workspace's query count is pinned per persona in
``tests/query_counts.json``. A checklist provider returns a :class:`Step` (done or not) or
``None``; the checklist is shown until every step is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nomadcloud.accounts.models import Membership, Organisation, User

Role = Literal["nomad", "enterprise", "merchant", "community", "department", "operator"]
T = TypeVar("T")
ROLES: tuple[Role, ...] = ("nomad", "enterprise", "merchant", "community", "department", "operator")


@dataclass(frozen=True)
class Seat:
    """Where a person sits in one panel: their own nomad desk (``membership`` None) or one
    organisation's."""

    user: User
    role: Role
    membership: Membership | None = None
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def remember(self, key: str, compute: Callable[[], T]) -> T:
        """One read shared by the providers of a panel (e.g. the profile, for a tool and two
        checklist steps), so the panel's query count stays small."""
        if key not in self.memo:
            self.memo[key] = compute()
        value: T = self.memo[key]
        return value

    @property
    def organisation(self) -> Organisation:
        assert self.membership is not None, "a nomad's seat has no organisation"
        return self.membership.organisation

    @property
    def org_id(self) -> str:
        return str(self.organisation.public_id)

    def has_role(self, *roles: str) -> bool:
        return self.membership is not None and self.membership.role in roles


@dataclass(frozen=True)
class Figure:
    """A count or amount on a tool, already formatted for the page."""

    label: str
    value: str
    attention: bool = False  # something waits for this person
    testid: str = ""


@dataclass(frozen=True)
class Tool:
    """One tool of a panel: a link reachable in one click, its figures and, when something
    waits for the person, the next step."""

    key: str
    title: str
    url: str
    figures: tuple[Figure, ...] = ()
    next_step: str = ""
    links: tuple[tuple[str, str], ...] = ()  # further (label, url) pairs under the tool
    next_url: str = ""  # where the next step is done, when not at ``url``

    @property
    def testid(self) -> str:
        return f"tool-{self.key}"


@dataclass(frozen=True)
class Step:
    """One item of the first-run checklist."""

    key: str
    label: str
    url: str
    done: bool


@dataclass
class Panel:
    seat: Seat
    title: str
    tools: list[Tool] = field(default_factory=list)
    checklist: list[Step] = field(default_factory=list)

    @property
    def testid(self) -> str:
        return f"{self.seat.role}-panel"

    @property
    def checklist_done(self) -> bool:
        return all(step.done for step in self.checklist)

    @property
    def next_steps(self) -> list[tuple[str, str]]:
        """What to do next: the tools' waiting work, then the first open checklist step."""
        steps = [(t.next_step, t.next_url or t.url) for t in self.tools if t.next_step]
        open_steps = [step for step in self.checklist if not step.done]
        if open_steps:
            steps.append((open_steps[0].label, open_steps[0].url))
        return steps


ToolProvider = Callable[[Seat], Tool | None]
StepProvider = Callable[[Seat], Step | None]

_tools: dict[Role, list[tuple[int, str, ToolProvider]]] = {role: [] for role in ROLES}
_steps: dict[Role, list[tuple[int, str, StepProvider]]] = {role: [] for role in ROLES}


def _name(provider: Callable[..., object]) -> str:
    return f"{provider.__module__}.{provider.__qualname__}"


def tool(role: Role, provider: ToolProvider, *, order: int = 50) -> None:
    """Add a tool to every panel of ``role`` (idempotent: a provider is added once)."""
    entries = _tools[role]
    if all(name != _name(provider) for _, name, _ in entries):
        entries.append((order, _name(provider), provider))
        entries.sort(key=lambda entry: (entry[0], entry[1]))


def checklist(role: Role, provider: StepProvider, *, order: int = 50) -> None:
    """Add a step to the first-run checklist of ``role``'s panels (idempotent)."""
    entries = _steps[role]
    if all(name != _name(provider) for _, name, _ in entries):
        entries.append((order, _name(provider), provider))
        entries.sort(key=lambda entry: (entry[0], entry[1]))


ROLE_OF_KIND: dict[str, Role] = {
    Organisation.Kind.ENTERPRISE: "enterprise",
    Organisation.Kind.MERCHANT: "merchant",
    Organisation.Kind.COMMUNITY: "community",
    Organisation.Kind.DEPARTMENT: "department",
    Organisation.Kind.OPERATOR: "operator",
}


def seats_of(user: User, memberships: Iterable[Membership]) -> list[Seat]:
    seats = [Seat(user, "nomad")] if user.is_nomad else []
    seats += [Seat(user, ROLE_OF_KIND[m.organisation.kind], m) for m in memberships]
    return seats


def _title(seat: Seat) -> str:
    if seat.membership is None:
        return _("As a digital nomad")
    return str(seat.organisation)


def panels_for(user: User, memberships: Iterable[Membership]) -> list[Panel]:
    panels = []
    for seat in seats_of(user, memberships):
        panel = Panel(seat=seat, title=_title(seat))
        panel.tools = [t for _, _, provider in _tools[seat.role] if (t := provider(seat))]
        panel.checklist = [s for _, _, provider in _steps[seat.role] if (s := provider(seat))]
        panels.append(panel)
    return panels


# ---- formatting helpers for providers ----------------------------------------------------


def figure(label: str, value: int | str, *, attention: bool = False, testid: str = "") -> Figure:
    """A figure; a count needs attention only when it is not zero."""
    waiting = attention and value not in (0, "0", "")
    return Figure(label=label, value=str(value), attention=waiting, testid=testid)


def age_text(since: datetime | None, now: datetime | None = None) -> str:
    """How long something has waited: "3 days", "5 hours", "under an hour"."""
    if since is None:
        return "—"
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    days, hours = seconds // 86400, seconds // 3600
    if days:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if hours:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return _("under an hour")
