"""Reads, scoped to who asks: a person's conversations, a conversation's messages, and the
enterprise's one list of a demand's applicants and invitees with the match explanation
beside each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from nomadcloud.accounts.models import User
from nomadcloud.conversations.models import Conversation, Message
from nomadcloud.demands.models import Demand, DemandApplication
from nomadcloud.matching import features, matcher
from nomadcloud.matching.models import Invitation, Match
from nomadcloud.matching.services import explanation
from nomadcloud.orders.models import Order
from nomadcloud.talent.models import Profile


def conversations_of(user: User) -> QuerySet[Conversation]:
    """The conversations a person is a party to: as the nomad, or as a member of the
    enterprise. Newest activity first."""
    return (
        Conversation.objects.filter(
            Q(nomad=user) | Q(organisation__in=user.memberships.values("organisation"))
        )
        .select_related("demand__organisation", "organisation", "nomad")
        .order_by("-id")
    )


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("id")
    )


@dataclass(frozen=True)
class Person:
    """One applicant or invitee of a demand, as the enterprise sees them."""

    origin: str  # "application" or "invitation"
    nomad: User
    identified: bool  # an invitee stays anonymous until they accept
    status: str
    status_label: str
    at: datetime
    application: DemandApplication | None
    invitation: Invitation | None
    conversation: Conversation | None
    order: Order | None
    score: float | None
    explanation: dict[str, Any] | None


def _explanations(demand: Demand, profiles: list[Profile]) -> dict[int, tuple[float, Any]]:
    """Stored matches first; for a nomad who applied without being matched, the explanation
    is computed now with the same engine (nothing is stored)."""
    found: dict[int, tuple[float, Any]] = {
        m.profile_id: (m.score, m.explanation)
        for m in Match.objects.filter(demand=demand, profile__in=profiles)
    }
    missing = [p.pk for p in profiles if p.pk not in found]
    if missing:
        state = matcher.current()
        full = features.demands_query().filter(pk=demand.pk).first()  # type: ignore[attr-defined]
        if full is not None:
            wanted = features.demand_features(full, state.index.weights, state.suggester)
            for profile in features.profiles_query().filter(pk__in=missing):  # type: ignore[attr-defined]
                result = state.index.explain(features.profile_features(profile), wanted)
                found[profile.pk] = (result.score, explanation(result))
    return found


def people_of(demand: Demand) -> list[Person]:
    """All applicants and invitees of a demand in one list, newest first."""
    applications = list(
        DemandApplication.objects.filter(demand=demand).select_related("applicant").order_by("-id")
    )
    invitations = list(Invitation.objects.filter(demand=demand).select_related("profile__user"))
    conversations = {
        (c.application_id, c.invitation_id): c for c in Conversation.objects.filter(demand=demand)
    }
    orders = list(Order.objects.filter(demand=demand).exclude(application=None, invitation=None))
    by_application = {o.application_id: o for o in orders if o.application_id}
    by_invitation = {o.invitation_id: o for o in orders if o.invitation_id}
    profiles = {
        p.user_id: p
        for p in Profile.objects.filter(user__in=[a.applicant_id for a in applications])
    }
    for invitation in invitations:
        profiles[invitation.profile.user_id] = invitation.profile
    scores = _explanations(demand, list(profiles.values()))

    def scored(user_id: int) -> tuple[float | None, Any]:
        profile = profiles.get(user_id)
        return scores.get(profile.pk, (None, None)) if profile is not None else (None, None)

    people = []
    for a in applications:
        score, why = scored(a.applicant_id)
        people.append(
            Person(
                origin="application",
                nomad=a.applicant,
                identified=True,
                status=a.status,
                status_label=str(a.get_status_display()),
                at=a.created_at,
                application=a,
                invitation=None,
                conversation=conversations.get((a.pk, None)),
                order=by_application.get(a.pk),
                score=score,
                explanation=why,
            )
        )
    for i in invitations:
        score, why = scored(i.profile.user_id)
        people.append(
            Person(
                origin="invitation",
                nomad=i.profile.user,
                identified=i.status == Invitation.Status.ACCEPTED,
                status=i.status,
                status_label=str(i.get_status_display()),
                at=i.created_at,
                application=None,
                invitation=i,
                conversation=conversations.get((None, i.pk)),
                order=by_invitation.get(i.pk),
                score=score,
                explanation=why,
            )
        )
    return sorted(people, key=lambda p: p.at, reverse=True)
