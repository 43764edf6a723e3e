"""Who may see and change competitions. Published and closed competitions are public; a
draft or cancelled one is seen only by the organiser's members and the zone operator (others:
404). The organiser's owners and administrators and the zone operator manage it, as people.
An entry is seen by its entrant, the organiser's members and the zone operator; only the
entrant submits to it and selects its final submissions."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    require_person,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.competitions.models import Award, Competition, Entry, Judge, Submission
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.teams.models import TeamMember

MANAGER_ROLES = frozenset({Membership.Role.OWNER, Membership.Role.ADMIN})
PUBLIC = (
    Competition.Status.PUBLISHED,
    Competition.Status.CLOSED,
    Competition.Status.PUBLICITY,
    Competition.Status.AWARDED,
)


def visible_competitions(principal: Principal) -> QuerySet[Competition]:
    competitions = Competition.objects.select_related("organiser")
    if principal.user is None and principal.key_organisation is None:
        return competitions.filter(status__in=PUBLIC)
    if is_zone_operator(principal):
        return competitions
    if principal.key_organisation is not None:
        return competitions.filter(Q(status__in=PUBLIC) | Q(organiser=principal.key_organisation))
    return competitions.filter(
        Q(status__in=PUBLIC) | Q(organiser__memberships__user=principal.user)
    ).distinct()


def may_manage(principal: Principal, organiser: Organisation) -> bool:
    if principal.user is None or principal.key_organisation is not None:
        return False
    return is_zone_operator(principal) or role_in(principal, organiser) in MANAGER_ROLES


def require_manager(principal: Principal, organiser: Organisation) -> User:
    user = require_person(principal)
    if not may_manage(principal, organiser):
        raise Forbidden(
            _("Only the organiser's owners and administrators can manage this competition."),
            code="organiser_only",
        )
    require_write(principal)
    return user


def competition_for(principal: Principal, raw_id: object, *, manage: bool = False) -> Competition:
    public_id = parse_public_id(raw_id, message=_("No such competition."))
    item = visible_competitions(principal).filter(public_id=public_id).first()
    if item is None:
        raise NotFound(_("No such competition."))
    if manage:
        require_authenticated(principal)
        require_manager(principal, item.organiser)
    return item


def organiser_for(principal: Principal, raw_id: object) -> tuple[Organisation, User]:
    """The organisation a new competition is created for, by one of its managers."""
    require_authenticated(principal)
    public_id = parse_public_id(raw_id, message=_("No such organisation."))
    organisation = Organisation.objects.filter(public_id=public_id).first()
    if organisation is None or (
        role_in(principal, organisation) is None and not is_zone_operator(principal)
    ):
        raise NotFound(_("No such organisation."))
    return organisation, require_manager(principal, organisation)


def signed_in_person(principal: Principal) -> User:
    """A person acting as themselves with a write scope (entering a competition)."""
    user = require_person(principal)
    require_write(principal)
    return user


def visible_entries(principal: Principal) -> QuerySet[Entry]:
    require_authenticated(principal)
    entries = Entry.objects.select_related("competition", "competition__organiser", "track")
    if is_zone_operator(principal):
        return entries
    if principal.key_organisation is not None:
        return entries.filter(competition__organiser=principal.key_organisation)
    return entries.filter(
        Q(person=principal.user)
        | Q(team__members__user=principal.user, team__members__status="accepted")
        | Q(competition__organiser__memberships__user=principal.user)
    ).distinct()


def entry_for(principal: Principal, raw_id: object, *, own: bool = False) -> Entry:
    """An entry the principal may see; with ``own``, one they entered (else ``Forbidden``,
    code ``entrant_only``), acting as themselves with a write scope."""
    public_id = parse_public_id(raw_id, message=_("No such entry."))
    entry = visible_entries(principal).filter(public_id=public_id).first()
    if entry is None:
        raise NotFound(_("No such entry."))
    if own:
        require_entrant(principal, entry)
    return entry


def is_entrant(user: User | None, entry: Entry) -> bool:
    """The person who entered, or an accepted member of the team that entered."""
    if user is None:
        return False
    if entry.team_id is not None:
        return TeamMember.objects.filter(
            team_id=entry.team_id,
            user=user,
            status=TeamMember.Status.ACCEPTED,
            consent_at__isnull=False,
        ).exists()
    return entry.person_id == user.pk


def require_entrant(principal: Principal, entry: Entry) -> User:
    user = require_person(principal)
    if not is_entrant(user, entry):
        raise Forbidden(_("Only the entrant can do this."), code="entrant_only")
    require_write(principal)
    return user


def submission_for(principal: Principal, raw_id: object) -> Submission:
    public_id = parse_public_id(raw_id, message=_("No such submission."))
    entries = visible_entries(principal)
    item = (
        Submission.objects.select_related("entry", "round", "entry__competition")
        .filter(public_id=public_id, entry__in=entries)
        .first()
    )
    if item is None:
        raise NotFound(_("No such submission."))
    return item


def may_decide_objection(user: User, notice: object) -> bool:
    """Objections to a competition's winners are decided by the organiser's owners and
    administrators, or the zone operator."""
    subject_id = getattr(notice, "subject_id", "")
    competition = Competition.objects.filter(public_id=subject_id).first()
    if competition is None:
        return False
    principal = Principal(user=user)
    return may_manage(principal, competition.organiser)


def judge_for(principal: Principal, item: Competition) -> Judge:
    """The asker's seat on the competition's jury (the latest jury round), acting as
    themselves with a write scope; NotFound for anyone not on the jury."""
    user = require_person(principal)
    judge = (
        Judge.objects.filter(round__competition=item, user=user)
        .select_related("round", "user")
        .order_by("-round__number")
        .first()
    )
    if judge is None:
        raise NotFound(_("You are not on this competition's jury."))
    require_write(principal)
    return judge


def award_for_landing(principal: Principal, raw_id: object) -> Award:
    """A final award whose landing places (matched demands and parks) the principal may see:
    the winner (the entrant or an accepted member of the winning team), the organiser's
    owners and administrators and the zone operator; others 404."""
    require_authenticated(principal)
    public_id = parse_public_id(raw_id, message=_("No such award."))
    award = (
        Award.objects.select_related(
            "competition__organiser", "entry__team", "entry__person", "entry__track"
        )
        .filter(public_id=public_id, competition__status=Competition.Status.AWARDED)
        .first()
    )
    if award is None or not (
        is_entrant(principal.user, award.entry)
        or may_manage(principal, award.competition.organiser)
    ):
        raise NotFound(_("No such award."))
    return award


def park_organisation_for(
    principal: Principal, raw_id: object, *, manage: bool = False
) -> tuple[Organisation, User | None]:
    """An organisation's park profile: its members and the zone operator see it (others: 404);
    its owners and administrators and the zone operator register and edit it. Only a verified
    organisation can be a park (``not_verified``): value reaches verified organisations only."""
    require_authenticated(principal)
    public_id = parse_public_id(raw_id, message=_("No such organisation."))
    organisation = Organisation.objects.filter(public_id=public_id).first()
    if organisation is None or (
        role_in(principal, organisation) is None and not is_zone_operator(principal)
    ):
        raise NotFound(_("No such organisation."))
    if not manage:
        return organisation, None
    user = require_person(principal)
    if not may_manage(principal, organisation):
        raise Forbidden(
            _("Only the organisation's owners and administrators can describe its park."),
            code="park_managers_only",
        )
    require_write(principal)
    if organisation.verification_status != Organisation.Verification.VERIFIED:
        raise Forbidden(
            _("Only a verified organisation can be registered as a park."), code="not_verified"
        )
    return organisation, user
