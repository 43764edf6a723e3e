"""The state machines of communities, each ONE table of the allowed moves
``(state, action) → (next state, roles, guard)``, in the manner of ``orders/transitions.py``.
Services call ``check``; views show the moves ``moves_for`` allows, and templates test
``{% if "confirm" in moves %}``, never a status string.

Bookings::

    requested ─confirm─▶ confirmed ─check_in─▶ checked_in ─check_out─▶ checked_out
        │  ├─decline─▶ declined        │  ├─cancel─▶ cancelled   └─extend─┘
        │  └─expire──▶ expired         │  └─no_show─▶ no_show
        └─cancel─▶ cancelled
    (walk-in: straight to checked_in, capacity taken at once)

Designation (示范点认定)::

    draft ─submit─▶ submitted ─start_review─▶ under_review ─propose─▶ publicity (公示)
      ▲                                         │                       │ designate
      └────────────── return ───────────────────┴───────────────────────┤
                                                                        ▼
                         expired ◀─expire─ designated ◀─reinstate─ suspended
                                              │   └──suspend──────────▲
                                              └─revoke─▶ revoked ◀──revoke
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.communities.models import Booking, Community
from nomadcloud.core.errors import Conflict, Forbidden


class Role(StrEnum):
    GUEST = "guest"  # the booking's guest
    HOST = "host"  # a member (owner, admin, member) of the community's organisation
    COMMUNITY = "community"  # the community's owner or admin (designation)
    AUTHORITY = "authority"  # a member of a designation authority (环湾办)
    SYSTEM = "system"  # jobs (expiry)


@dataclass(frozen=True)
class Context:
    now: datetime
    reason: str = ""
    publicity_clear: bool = True  # no open notice and no pending objection


B = Booking.Status
D = Community.Designation
CHECK_IN_EARLY_DAYS = 1
NO_SHOW_GRACE = timedelta(hours=24)


def _reason(obj: object, ctx: Context) -> str | None:
    return None if ctx.reason.strip() else _("Give a reason.")


def _hold_expired(booking: Booking, ctx: Context) -> str | None:
    if booking.hold_expires_at is not None and booking.hold_expires_at <= ctx.now:
        return None
    return _("The host's decision window has not ended yet.")


def _hold_open(booking: Booking, ctx: Context) -> str | None:
    if booking.hold_expires_at is not None and booking.hold_expires_at <= ctx.now:
        return _("The host's decision window has ended; the request has expired.")
    return None


def _arrival_near(booking: Booking, ctx: Context) -> str | None:
    today = timezone.localdate(ctx.now)
    if today < booking.start - timedelta(days=CHECK_IN_EARLY_DAYS):
        return _("Check-in opens one day before arrival (%(start)s).") % {
            "start": booking.start.isoformat()
        }
    if today >= booking.end:
        return _("The booked nights have passed.")
    return None


def _after_grace(booking: Booking, ctx: Context) -> str | None:
    start = timezone.make_aware(datetime.combine(booking.start, datetime.min.time()))
    if ctx.now >= start + NO_SHOW_GRACE:
        return None
    return _("A no-show can be recorded 24 hours after the arrival date begins.")


def _clear_publicity(community: Community, ctx: Context) -> str | None:
    if ctx.publicity_clear:
        return None
    return _("The public notice is still open or an objection awaits a decision.")


def _designation_ended(community: Community, ctx: Context) -> str | None:
    until = community.designated_until
    if until is not None and until < timezone.localdate(ctx.now):
        return None
    return _("The designation has not ended yet.")


Guard = Callable[[object, Context], str | None]


@dataclass(frozen=True)
class Move:
    source: str
    action: str
    target: str
    roles: frozenset[Role]
    guard: Callable[..., str | None] | None = None


def _m(
    source: str,
    action: str,
    target: str,
    *roles: Role,
    guard: Callable[..., str | None] | None = None,
) -> Move:
    return Move(source, action, target, frozenset(roles), guard)


G, H, C, A, S = Role.GUEST, Role.HOST, Role.COMMUNITY, Role.AUTHORITY, Role.SYSTEM

BOOKING: tuple[Move, ...] = (
    _m(B.REQUESTED, "confirm", B.CONFIRMED, H, guard=_hold_open),
    _m(B.REQUESTED, "decline", B.DECLINED, H),
    _m(B.REQUESTED, "expire", B.EXPIRED, S, guard=_hold_expired),
    _m(B.REQUESTED, "cancel", B.CANCELLED, G),
    _m(B.CONFIRMED, "check_in", B.CHECKED_IN, H, guard=_arrival_near),
    _m(B.CONFIRMED, "cancel", B.CANCELLED, G, H),
    _m(B.CONFIRMED, "no_show", B.NO_SHOW, H, guard=_after_grace),
    _m(B.CHECKED_IN, "extend", B.CHECKED_IN, G, H),
    _m(B.CHECKED_IN, "check_out", B.CHECKED_OUT, H),
)

DESIGNATION: tuple[Move, ...] = (
    _m(D.DRAFT, "submit", D.SUBMITTED, C),
    _m(D.SUBMITTED, "start_review", D.UNDER_REVIEW, A),
    _m(D.SUBMITTED, "return", D.DRAFT, A, guard=_reason),
    _m(D.UNDER_REVIEW, "propose", D.PUBLICITY, A),
    _m(D.UNDER_REVIEW, "return", D.DRAFT, A, guard=_reason),
    _m(D.PUBLICITY, "designate", D.DESIGNATED, A, guard=_clear_publicity),
    _m(
        D.PUBLICITY,
        "return",
        D.DRAFT,
        A,
        guard=lambda c, ctx: _clear_publicity(c, ctx) or _reason(c, ctx),
    ),
    _m(D.DESIGNATED, "suspend", D.SUSPENDED, A, guard=_reason),
    _m(D.SUSPENDED, "reinstate", D.DESIGNATED, A),
    _m(D.DESIGNATED, "revoke", D.REVOKED, A, guard=_reason),
    _m(D.SUSPENDED, "revoke", D.REVOKED, A, guard=_reason),
    _m(D.DESIGNATED, "expire", D.EXPIRED, S, guard=_designation_ended),
)


def _find(table: Iterable[Move], state: str, action: str) -> Move | None:
    return next((m for m in table if m.source == state and m.action == action), None)


def check(
    table: tuple[Move, ...],
    obj: object,
    state: str,
    action: str,
    roles: Iterable[Role],
    ctx: Context,
) -> Move:
    """The move ``action`` from ``state`` for someone holding ``roles``, or a refusal:
    ``Conflict`` (``invalid_transition``) when the state does not allow it, ``Forbidden`` when
    the roles do not, ``Conflict`` (``guard``) with the guard's reason."""
    move = _find(table, state, action)
    if move is None:
        raise Conflict(
            _("This cannot be done while the status is “%(status)s”.") % {"status": state},
            code="invalid_transition",
        )
    if not move.roles & set(roles):
        raise Forbidden(_("You may not do this."))
    if move.guard is not None:
        refusal = move.guard(obj, ctx)
        if refusal:
            raise Conflict(refusal, code="not_allowed_now")
    return move


def moves_for(table: tuple[Move, ...], state: str, roles: Iterable[Role]) -> set[str]:
    """The actions the roles may try from ``state`` (guards are checked when they try)."""
    held = set(roles)
    return {m.action for m in table if m.source == state and m.roles & held}
