"""Matching's business rules: keeping stored matches current, invitations, notifications.

Called by the background jobs (``tasks.py``), the rebuild command, pages and API; told of
changes by talent's ``profile_changed`` and demands' ``demand_changed`` events through
``changes.py``.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.demands.models import Demand
from nomadcloud.matching import features, matcher, vectors
from nomadcloud.matching.engine.model import DemandFeatures
from nomadcloud.matching.engine.scoring import Result
from nomadcloud.matching.events import InvitationAnswered, invitation_answered
from nomadcloud.matching.models import Invitation, Match, ProfileStamp
from nomadcloud.notifications.services import notify
from nomadcloud.talent.models import Profile, ProfileSkill
from nomadcloud.taxonomy.models import Concept


def candidates_size() -> int:
    return int(getattr(settings, "MATCHING_CANDIDATES", 100))


def recommendations_size() -> int:
    return int(getattr(settings, "MATCHING_RECOMMENDATIONS", 50))


def minimum_score() -> float:
    return float(getattr(settings, "MATCHING_MIN_SCORE", 20))


def strong_score() -> float:
    return float(getattr(settings, "MATCHING_STRONG_SCORE", 70))


# --- keeping matches current -----------------------------------------------------------


def stamp_profile(profile_id: int) -> None:
    """Record that a nomad's matching data changed (called in the changing transaction)."""
    ProfileStamp.objects.update_or_create(
        profile_id=profile_id, defaults={"changed_at": timezone.now()}
    )


def refresh_demand(demand_id: int) -> int:
    """Recompute a demand's candidates; returns how many there are."""
    demand = features.demands_query().filter(pk=demand_id).first()  # type: ignore[attr-defined]
    with transaction.atomic():
        if demand is None or demand.status != Demand.Status.PUBLISHED:
            Match.objects.filter(demand_id=demand_id).update(
                in_candidates=False, in_recommendations=False, near_miss=False, hidden_by=[]
            )
            return 0
        state = matcher.current()
        wanted = features.demand_features(demand, state.index.weights, state.suggester)
        hits = state.index.search(wanted, candidates_size())
        profiles = {p.pk: p for p in features.profiles_query().filter(pk__in=[h.key for h in hits])}  # type: ignore[attr-defined]
        kept = []
        for hit in hits:
            if hit.score < minimum_score() or hit.key not in profiles:
                continue
            profile = profiles[hit.key]
            result = state.index.explain(features.profile_features(profile), wanted)
            recommended = _would_be_recommended(profile, demand, result.score)
            _store(demand, profile, result, candidates=True, recommendations=recommended)
            kept.append(hit.key)
        Match.objects.filter(demand=demand, in_candidates=True).exclude(profile_id__in=kept).update(
            in_candidates=False
        )
        near = _store_near_misses_of_demand(demand, wanted, state)
        Match.objects.filter(demand=demand, near_miss=True).exclude(profile_id__in=near).update(
            near_miss=False, hidden_by=[]
        )
    return len(kept)


def _store_near_misses_of_demand(
    demand: Demand, wanted: DemandFeatures, state: matcher._State
) -> list[int]:
    """Store the nomads a hard filter hides from the demand although they fit (the near
    misses), with the filters they fail; returns their profile ids."""
    near = state.index.near_misses(wanted, minimum_score(), candidates_size())
    ids = [hit.key for hit, _failed in near]
    profiles = {p.pk: p for p in features.profiles_query().filter(pk__in=ids)}  # type: ignore[attr-defined]
    stored = []
    for hit, failed in near:
        profile = profiles.get(hit.key)
        if profile is None:
            continue
        result = state.index.explain(features.profile_features(profile), wanted)
        _store(demand, profile, result, candidates=False, recommendations=False, hidden=failed)
        stored.append(hit.key)
    return stored


def refresh_profile(profile_id: int) -> int:
    """Recompute a nomad's recommended work, and their place in each demand's candidates;
    returns how many demands are recommended."""
    profile = features.profiles_query().filter(pk=profile_id).first()  # type: ignore[attr-defined]
    with transaction.atomic():
        if profile is None:
            return 0
        state = matcher.current()
        published = list(features.demands_query().filter(status=Demand.Status.PUBLISHED))  # type: ignore[attr-defined]
        by_key = {demand.pk: demand for demand in published}
        wanted = (
            features.demand_features(demand, state.index.weights, state.suggester)
            for demand in published
        )
        results = state.index.rank_demands(
            features.profile_features(profile), wanted, minimum_score()
        )
        recommended = {key for key, _result in results[: recommendations_size()]}
        kept = []
        for key, result in results:
            demand = by_key[key]
            candidate = _would_be_candidate(demand, profile, result.score)
            chosen = key in recommended
            if chosen or candidate:
                _store(demand, profile, result, recommendations=chosen, candidates=candidate)
                kept.append(demand.pk)
        Match.objects.filter(profile=profile).exclude(demand_id__in=kept).update(
            in_recommendations=False, in_candidates=False
        )
        hidden = state.index.rank_demands(
            features.profile_features(profile),
            (
                features.demand_features(demand, state.index.weights, state.suggester)
                for demand in published
            ),
            minimum_score(),
            hidden=True,
        )
        near = []
        for key, result in hidden[: recommendations_size()]:
            _store(
                by_key[key],
                profile,
                result,
                recommendations=False,
                candidates=False,
                hidden=result.failed_filters,
            )
            near.append(key)
        Match.objects.filter(profile=profile, near_miss=True).exclude(demand_id__in=near).update(
            near_miss=False, hidden_by=[]
        )
    return len(recommended)


def _would_be_candidate(demand: Demand, profile: Profile, score: float) -> bool:
    """A nomad joins a demand's candidates when the list has room or they beat its last."""
    listed = Match.objects.filter(demand=demand, in_candidates=True).exclude(profile=profile)
    if listed.count() < candidates_size():
        return True
    lowest = listed.order_by("score").values_list("score", flat=True).first()
    return lowest is not None and score > lowest


def _would_be_recommended(profile: Profile, demand: Demand, score: float) -> bool:
    """A demand joins a nomad's recommendations when the list has room or it beats the last."""
    listed = Match.objects.filter(profile=profile, in_recommendations=True).exclude(demand=demand)
    if listed.count() < recommendations_size():
        return True
    lowest = listed.order_by("score").values_list("score", flat=True).first()
    return lowest is not None and score > lowest


def _store(
    demand: Demand,
    profile: Profile,
    result: Result,
    *,
    candidates: bool | None = None,
    recommendations: bool | None = None,
    hidden: list[str] | None = None,
) -> Match:
    """Store the pair's match; ``hidden``: the hard filters that hide it (a near miss)."""
    required = [i for i in result.items if i.kind == "skill" and i.group == "required"]
    values: dict[str, Any] = {
        "score": round(min(100.0, max(0.0, result.score)), 2),
        "required_total": len(required),
        "required_met": sum(1 for i in required if i.status == "met"),
        "certified": features.is_certified(profile, timezone.localdate()),
        "available": profile.availability != Profile.Availability.UNAVAILABLE,
        "explanation": explanation(result),
        "rule_version": matcher.weights().version,
        "computed_at": timezone.now(),
        "near_miss": bool(hidden),
        "hidden_by": list(hidden or []),
    }
    if candidates is not None:
        values["in_candidates"] = candidates
    if recommendations is not None:
        values["in_recommendations"] = recommendations
    match, _created = Match.objects.update_or_create(
        demand=demand, profile=profile, defaults=values
    )
    if match.notified_at is None and match.score >= strong_score() and not match.near_miss:
        _notify_strong_match(match)
    return match


def explanation(result: Result) -> dict[str, Any]:
    """The stored explanation: concept codes and both labels, so any language can show it."""
    ids = {i.concept for i in result.items} | {i.via.concept for i in result.items if i.via}
    concepts = {c.pk: c for c in Concept.objects.filter(pk__in=ids)}

    def named(concept_id: int) -> dict[str, str]:
        concept = concepts.get(concept_id)
        if concept is None:
            return {"code": "", "label_zh": "", "label_en": ""}
        return {"code": concept.code, "label_zh": concept.label_zh, "label_en": concept.label_en}

    items = []
    for item in result.items:
        entry: dict[str, Any] = {
            "kind": item.kind,
            **named(item.concept),
            "group": item.group,
            "min_level": item.min_level,
            "status": item.status,
            "points": round(item.points, 2),
            "project_points": round(item.project_points, 2),
            "relation": item.relation,
        }
        if item.via is not None:
            entry["via"] = {
                **named(item.via.concept),
                "held_as": item.via_kind,
                "level": item.via.level,
                "evidence": item.via.evidence,
                "age_days": item.via.age_days,
            }
        items.append(entry)
    stored: dict[str, Any] = {
        "score": round(result.score, 2),
        "points": {name: round(value, 2) for name, value in result.points.items()},
        "items": items,
        "text_terms": result.text_terms[:20],
    }
    if result.meaning_cosine is not None:
        # The profile's text as a whole against the demand's (sentence vectors, issue 19).
        stored["meaning"] = round(result.meaning_cosine, 2)
    return stored


def _notify_strong_match(match: Match) -> None:
    demand = match.demand
    notify(
        match.profile.user,
        "matching.strong_match",
        params={"demand": str(demand), "score": f"{match.score:.0f}"},
        url=f"/demands/{demand.public_id}/",
    )
    match.notified_at = timezone.now()
    match.save(update_fields=["notified_at"])


def rebuild_all() -> dict[str, int]:
    """Recompute every published demand's candidates and every nomad's recommendations."""
    matcher.reset()
    demands = list(
        Demand.objects.filter(status=Demand.Status.PUBLISHED).values_list("pk", flat=True)
    )
    for demand_id in demands:
        refresh_demand(demand_id)
    profiles = list(Profile.objects.values_list("pk", flat=True))
    for profile_id in profiles:
        refresh_profile(profile_id)
    return {"demands": len(demands), "profiles": len(profiles)}


def prune_text_vectors() -> int:
    """Delete the stored sentence vectors no current profile or demand needs
    (``vectors.prune``; docs/decisions/0067); returns how many. The texts are read after the
    start, so a vector written meanwhile, for a text newer than the read, is kept."""
    started = timezone.now()
    profiles = Profile.objects.only(
        *(f"{part}_{lang}" for part in ("headline", "bio") for lang in ("zh", "en")),
        *(f"{section}_visibility" for section in ("about", "skills", "projects")),
    ).prefetch_related(
        Prefetch("skills", ProfileSkill.objects.select_related("concept")), "projects"
    )
    demands = Demand.objects.only("title_zh", "title_en", "description_zh", "description_en")
    texts = chain(
        (features.profile_meaning(p) for p in profiles.iterator(chunk_size=2_000)),
        (features.demand_text(d) for d in demands.iterator(chunk_size=2_000)),
    )
    return vectors.prune(texts, before=started)


# --- invitations -------------------------------------------------------------------------


def invite(
    *, principal: Principal, demand: Demand, profile: Profile, message: str = ""
) -> Invitation:
    """The enterprise invites a nomad from the demand's candidates (access checked by the
    caller with ``access.demand_for_candidates(…, edit=True)``)."""
    user = principal.user
    if user is None:
        raise Forbidden(_("Only a person can invite, not an API key."), code="person_only")
    message = message.strip()
    if len(message) > 2000:
        raise invalid_field("message", _("Too long: at most %(n)s.") % {"n": 2000})
    match = Match.objects.filter(demand=demand, profile=profile, in_candidates=True).first()
    if match is None:
        raise invalid_field("profile", _("This nomad is not among the demand's candidates."))
    if Invitation.objects.filter(demand=demand, profile=profile).exists():
        raise Conflict(_("This nomad has already been invited to this demand."))
    with transaction.atomic():
        invitation = Invitation.objects.create(
            demand=demand, profile=profile, message=message, score=match.score, invited_by=user
        )
        audit.record(
            actor=user,
            action="matching.invited",
            obj=invitation,
            organisation=demand.organisation,
            after={"demand": demand.pk, "profile": profile.pk, "score": match.score},
        )
        _notify_invitation(invitation)
    return invitation


def _notify_invitation(invitation: Invitation) -> None:
    notify(
        invitation.profile.user,
        "matching.invited",
        params={
            "demand": str(invitation.demand),
            "organisation": str(invitation.demand.organisation),
        },
        url="/matching/invitations/",
    )


def respond(*, principal: Principal, invitation: Invitation, accept: bool) -> Invitation:
    user = principal.user
    if user is None or invitation.profile.user_id != user.pk:
        raise Forbidden(_("Only the invited nomad can answer."), code="not_yours")
    if invitation.status != Invitation.Status.SENT:
        raise Conflict(_("This invitation has already been answered."))
    with transaction.atomic():
        invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
        invitation.responded_at = timezone.now()
        invitation.save(update_fields=["status", "responded_at"])
        audit.record(
            actor=user,
            action="matching.invitation_answered",
            obj=invitation,
            organisation=invitation.demand.organisation,
            after={"status": invitation.status},
        )
        invitation_answered.send(InvitationAnswered(invitation_id=invitation.pk, accepted=accept))
    return invitation
