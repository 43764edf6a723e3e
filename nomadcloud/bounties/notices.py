"""The kinds of notification challenges send (registered by the app's ``ready()``), and the
helpers that address them to the role that must act (Gitcoin #1101, #1221: expiry mails
went to the hunter, not the funder). Each person gets the challenge's title and the
organisations' names in their own language; the title and body are translated when shown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.bounties.models import Application, Challenge
from nomadcloud.core.i18n import localized
from nomadcloud.notifications.kinds import register
from nomadcloud.notifications.services import notify
from nomadcloud.teams.models import TeamMember


def register_kinds() -> None:
    register(
        "bounties.milestone_due",
        title=_("Milestone due soon: %(challenge)s"),
        body=_(
            "The milestone “%(milestone)s” of %(challenge)s is due on %(due)s. Submit its "
            "report and deliverables, or ask the department to extend the date with a reason."
        ),
        label=_("Challenges: a milestone of your team is due"),
    )
    register(
        "bounties.review_waiting",
        title=_("Milestone waiting for your review: %(challenge)s"),
        body=_(
            "The report on the milestone “%(milestone)s” of %(challenge)s waits for your "
            "review (due %(due)s). Without a review it goes to the department; it is never "
            "accepted by silence."
        ),
        label=_("Challenges: a milestone waits for your review"),
    )
    register(
        "bounties.publicity_ending",
        title=_("Public notice ending: %(challenge)s"),
        body=_(
            "The public notice (公示) of the selection for %(challenge)s ends on %(due)s. "
            "Decide any objection, then start the signing of the task book."
        ),
        label=_("Challenges: a public notice is ending"),
    )
    register(
        "bounties.milestone_reviewed",
        title=_("Milestone reviewed: %(challenge)s"),
        body=_("The milestone “%(milestone)s” of %(challenge)s was reviewed; see the notes."),
        label=_("Challenges: a milestone of your team was reviewed"),
    )
    register(
        "bounties.dispute_raised",
        title=_("Milestone disputed: %(challenge)s"),
        body=_(
            "The team disputes the rejection of the milestone “%(milestone)s” of "
            "%(challenge)s. The issuer may respond; the department decides with reasons."
        ),
        label=_("Challenges: a milestone was disputed"),
    )
    register(
        "bounties.dispute_decided",
        title=_("Dispute decided: %(challenge)s"),
        body=_(
            "The department decided the dispute on the milestone “%(milestone)s” of "
            "%(challenge)s; the decision and its reasons are on the challenge's page."
        ),
        label=_("Challenges: a dispute was decided"),
    )
    register(
        "bounties.extension_requested",
        title=_("Later due date asked: %(challenge)s"),
        body=_(
            "The team asks to move the milestone “%(milestone)s” of %(challenge)s to %(due)s. "
            "Approve or refuse it with reasons."
        ),
        label=_("Challenges: a team asks for a later due date"),
    )
    register(
        "bounties.extension_decided",
        title=_("Due date request decided: %(challenge)s"),
        body=_(
            "The department decided on the later date asked for the milestone "
            "“%(milestone)s” of %(challenge)s; it is now due on %(due)s."
        ),
        label=_("Challenges: a request for a later due date was decided"),
    )
    register(
        "bounties.midterm_checked",
        title=_("Mid-term check recorded: %(challenge)s"),
        body=_("The department recorded the mid-term check (中期检查) of %(challenge)s."),
        label=_("Challenges: a mid-term check was recorded"),
    )


def _url(challenge: Challenge) -> str:
    return f"/bounties/{challenge.public_id}/"


def tell(people: Iterable[User], kind: str, challenge: Challenge, **params: Any) -> int:
    """Notify each person once, with the challenge's title in their language."""
    seen: set[int] = set()
    for person in people:
        if person.pk in seen or not person.is_active:
            continue
        seen.add(person.pk)
        values = {
            "challenge": localized(challenge, "title", person.preferred_language),
            **{k: str(v) for k, v in params.items()},
        }
        notify(person, kind, params=values, url=_url(challenge))
    return len(seen)


def organisation_people(organisation: Organisation) -> list[User]:
    from nomadcloud.bounties.access import DEPARTMENT_ROLES, ISSUER_ROLES

    roles = DEPARTMENT_ROLES if organisation.kind == Organisation.Kind.DEPARTMENT else ISSUER_ROLES
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=organisation, role__in=roles, user__is_active=True
        ).select_related("user")
    ]


def team_people(app: Application) -> list[User]:
    return [
        m.user
        for m in TeamMember.objects.filter(
            team=app.team, status=TeamMember.Status.ACCEPTED
        ).select_related("user")
    ]


def tell_organisation(
    organisation: Organisation, kind: str, challenge: Challenge, **params: Any
) -> int:
    return tell(organisation_people(organisation), kind, challenge, **params)


def tell_team(app: Application, kind: str, challenge: Challenge, **params: Any) -> int:
    return tell(team_people(app), kind, challenge, **params)
