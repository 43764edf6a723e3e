"""A demand's life: the rules a draft cannot check alone (concepts, skills), creating and
updating it, moving its status, and the upsert that connectors and feeds use (idempotent by
fingerprint)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.inputs import with_changes
from nomadcloud.demands.events import send_demand_changed
from nomadcloud.demands.models import (
    Demand,
    DemandEvent,
    DemandLanguage,
    DemandSkill,
    Feed,
)
from nomadcloud.demands.schemas import DemandDraft, DemandPatch, SkillIn
from nomadcloud.demands.services._common import (
    LIST_FIELDS,
    PROFILE_TEXT_FIELDS,
    SCALAR_FIELDS,
    TRANSITIONS,
    Status,
)
from nomadcloud.demands.services.job_profile import derive_job_profile
from nomadcloud.taxonomy.models import Concept

# --- the rules a draft cannot check alone -----------------------------------------------------


def _concepts(codes: list[str], field: str) -> dict[str, Concept]:
    found = {c.code: c for c in Concept.objects.filter(code__in=codes, is_active=True)}
    for index, code in enumerate(codes):
        if code not in found:
            raise invalid_field(
                f"{field}.{index}",
                _("Unknown skill or tool %(code)s: use a code from the taxonomy.")
                % {"code": code[:120]},
                code="unknown_concept",
            )
    return found


def _checked(draft: DemandDraft) -> dict[str, Any]:
    """The draft's fields once the rules across fields and against the taxonomy hold, in the
    shape stored, compared and fingerprinted (skills and tools as sorted codes)."""
    clean: dict[str, Any] = {name: getattr(draft, name) for name in SCALAR_FIELDS}
    if not draft.title_zh and not draft.title_en:
        raise invalid_field("title_zh", _("Give a title in Chinese or English."))
    if draft.work_mode != "remote" and not draft.location:
        raise invalid_field("location", _("Say where the work is done."))
    if (
        draft.budget_min is not None
        and draft.budget_max is not None
        and draft.budget_max < draft.budget_min
    ):
        raise invalid_field("budget_max", _("The upper end of the range is below its lower end."))
    clean["skills"] = _checked_skills(draft.skills)
    tools = list(draft.tools)
    _concepts(tools, "tools")
    clean["tools"] = sorted(set(tools))
    clean["languages"] = list(draft.languages)
    return clean


def _checked_skills(skills: tuple[SkillIn, ...]) -> list[dict[str, Any]]:
    _concepts([s.code for s in skills], "skills")
    seen: set[str] = set()
    for index, skill in enumerate(skills):
        if skill.code in seen:
            raise invalid_field(
                f"skills.{index}", _("%(code)s is listed twice.") % {"code": skill.code}
            )
        seen.add(skill.code)
    return sorted(
        ({"code": s.code, "min_level": s.min_level, "required": s.required} for s in skills),
        key=lambda s: s["code"],
    )


def _fingerprint(clean: dict[str, Any], status: str | None) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal | date):
            return str(value)
        return value

    canonical = json.dumps(
        {**{k: plain(v) for k, v in clean.items()}, "status": status},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- writing ----------------------------------------------------------------------------------


def _apply(demand: Demand, clean: dict[str, Any]) -> bool:
    """Write cleaned fields; returns whether the profile text changed."""
    text_changed = any(getattr(demand, f) != clean[f] for f in PROFILE_TEXT_FIELDS)
    for field in SCALAR_FIELDS:
        setattr(demand, field, clean[field])
    demand.save()
    concepts = _concepts([s["code"] for s in clean["skills"]] + clean["tools"], "skills")
    DemandSkill.objects.filter(demand=demand).delete()
    DemandSkill.objects.bulk_create(
        DemandSkill(
            demand=demand,
            concept=concepts[s["code"]],
            min_level=s["min_level"],
            required=s["required"],
        )
        for s in clean["skills"]
    )
    demand.tools.set([concepts[code] for code in clean["tools"]])
    DemandLanguage.objects.filter(demand=demand).delete()
    DemandLanguage.objects.bulk_create(
        DemandLanguage(demand=demand, code=code) for code in clean["languages"]
    )
    return text_changed


def _summary(clean: dict[str, Any]) -> dict[str, Any]:
    return {k: clean[k] for k in ("kind", "title_zh", "title_en", "work_mode", "skills", "tools")}


def _event(
    principal: Principal, demand: Demand, before: str, after: str, source: str, note: str = ""
) -> None:
    DemandEvent.objects.create(
        demand=demand,
        from_status=before,
        to_status=after,
        actor=principal.user,
        api_token=principal.token,
        source=source,
        note=note[:200],
    )


@transaction.atomic
def create_demand(
    *,
    principal: Principal,
    organisation: Organisation,
    draft: DemandDraft,
    source: str = Demand.Source.WEB,
    external_id: str = "",
    status: str | None = None,
    feed: Feed | None = None,
) -> Demand:
    clean = _checked(draft)
    external_id = external_id.strip()
    if (
        external_id
        and Demand.objects.filter(organisation=organisation, external_id=external_id).exists()
    ):
        raise Conflict(
            _("A demand with external id %(id)s already exists; update it instead.")
            % {"id": external_id[:200]},
            code="external_id_taken",
            fields={"external_id": [_("This external id is taken.")]},
        )
    demand = Demand(
        organisation=organisation,
        source=source,
        external_id=external_id,
        feed=feed,
        created_by=principal.user,
        status=Status.DRAFT,
    )
    _apply(demand, clean)
    _event(principal, demand, "", Status.DRAFT, source)
    if status and status != Status.DRAFT:
        _transition(principal, demand, status, source)
    demand.payload_hash = _fingerprint(clean, status) if external_id else ""
    demand.save(update_fields=["payload_hash"])
    derive_job_profile(demand)
    audit.record(
        actor=principal.user,
        action="demands.demand.create",
        obj=demand,
        organisation=organisation,
        after={**_summary(clean), "status": demand.status, "source": source},
        token=principal.token,
    )
    send_demand_changed([demand.pk])
    return demand


@transaction.atomic
def update_demand(
    *,
    principal: Principal,
    demand: Demand,
    changes: DemandPatch,
    source: str = Demand.Source.WEB,
) -> Demand:
    """Change the fields ``changes`` sets; the others keep their values."""
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.status == Status.FILLED:
        raise Conflict(_("This demand is filled and can no longer be changed."), code="filled")
    current = _current_fields(demand)
    clean = _checked(with_changes(DemandDraft, current, changes))
    before, after = audit.changes(demand, {k: clean[k] for k in SCALAR_FIELDS})
    if current["skills"] != clean["skills"]:
        before["skills"], after["skills"] = current["skills"], clean["skills"]
    if current["tools"] != clean["tools"]:
        before["tools"], after["tools"] = current["tools"], clean["tools"]
    if current["languages"] != clean["languages"]:
        before["languages"], after["languages"] = current["languages"], clean["languages"]
    if not after:
        return demand
    text_changed = _apply(demand, clean)
    if text_changed:
        derive_job_profile(demand)
    audit.record(
        actor=principal.user,
        action="demands.demand.update",
        obj=demand,
        organisation=demand.organisation,
        before=before,
        after=after,
        token=principal.token,
    )
    send_demand_changed([demand.pk])
    return demand


def _current_fields(demand: Demand) -> dict[str, Any]:
    fields: dict[str, Any] = {f: getattr(demand, f) for f in SCALAR_FIELDS}
    fields["skills"] = sorted(
        (
            {"code": s.concept.code, "min_level": s.min_level, "required": s.required}
            for s in demand.skills.select_related("concept")
        ),
        key=lambda s: s["code"],
    )
    fields["tools"] = sorted(t.code for t in demand.tools.all())
    fields["languages"] = sorted(lang.code for lang in demand.languages.all())
    return fields


def _transition(principal: Principal, demand: Demand, to: str, source: str, note: str = "") -> None:
    if to not in Status.values:
        raise invalid_field("status", _("Unknown status %(status)s.") % {"status": to[:20]})
    before = demand.status
    if to == before:
        return
    if to not in TRANSITIONS[before]:
        raise Conflict(
            _("A %(before)s demand cannot become %(after)s.")
            % {"before": Status(before).label, "after": Status(to).label},
            code="transition_not_allowed",
            fields={"status": [_("Not allowed from the current status.")]},
        )
    demand.status = to
    update = ["status", "updated_at"]
    if to == Status.PUBLISHED and demand.published_at is None:
        demand.published_at = timezone.now()
        update.append("published_at")
    demand.save(update_fields=update)
    _event(principal, demand, before, to, source, note)


@transaction.atomic
def change_status(
    *,
    principal: Principal,
    demand: Demand,
    status: str,
    note: str = "",
    source: str = Demand.Source.WEB,
) -> Demand:
    """Publish, pause, close or mark filled, as the transition table allows."""
    demand = Demand.objects.select_for_update().select_related("organisation").get(pk=demand.pk)
    before = demand.status
    if status == before:
        return demand
    if status == Status.PUBLISHED and not (demand.title_zh or demand.title_en):
        raise invalid_field("title_zh", _("Give a title in Chinese or English."))
    _transition(principal, demand, status, source, note)
    audit.record(
        actor=principal.user,
        action="demands.demand.status",
        obj=demand,
        organisation=demand.organisation,
        before={"status": before},
        after={"status": status},
        token=principal.token,
    )
    send_demand_changed([demand.pk])
    return demand


@transaction.atomic
def upsert_demand(
    *,
    principal: Principal,
    organisation: Organisation,
    external_id: str,
    source: str,
    draft: DemandDraft,
    status: str | None = None,
    feed: Feed | None = None,
) -> tuple[Demand, str]:
    """Create or update the organisation's demand with this external id. The same payload
    again changes nothing and writes no history. Returns the demand and ``created``,
    ``updated`` or ``unchanged``."""
    external_id = external_id.strip()
    if not external_id:
        raise invalid_field("external_id", _("This field is required."))
    if len(external_id) > 200:
        raise invalid_field("external_id", _("At most %(n)d characters, please.") % {"n": 200})
    existing = (
        Demand.objects.select_for_update()
        .filter(organisation=organisation, external_id=external_id)
        .first()
    )
    if existing is None:
        demand = create_demand(
            principal=principal,
            organisation=organisation,
            source=source,
            external_id=external_id,
            status=status or Status.PUBLISHED,
            feed=feed,
            draft=draft,
        )
        return demand, "created"
    clean = _checked(draft)
    fingerprint = _fingerprint(clean, status or Status.PUBLISHED)
    # A feed entry that comes back after the feed closed it is published again.
    reopen = (
        status is None
        and feed is not None
        and existing.status == Status.CLOSED
        and existing.payload_hash == ""
    )
    if existing.payload_hash == fingerprint:
        return existing, "unchanged"
    if existing.status == Status.FILLED:
        if status and status != Status.FILLED:
            raise Conflict(_("This demand is filled and can no longer be changed."), code="filled")
        return existing, "unchanged"
    current = _current_fields(existing)
    changed = {k: clean[k] for k in (*SCALAR_FIELDS, *LIST_FIELDS) if current[k] != clean[k]}
    before_status = existing.status
    if changed:
        text_changed = _apply(existing, clean)
        if text_changed:
            derive_job_profile(existing)
    if status and status != existing.status:
        _transition(principal, existing, status, source)
    elif reopen:
        _transition(principal, existing, Status.PUBLISHED, source, note="back in the feed")
    if feed is not None and existing.feed_id != feed.pk:
        existing.feed = feed
    existing.payload_hash = fingerprint
    existing.save(update_fields=["payload_hash", "feed", "updated_at"])
    if not changed and existing.status == before_status:
        return existing, "unchanged"
    send_demand_changed([existing.pk])
    audit.record(
        actor=principal.user,
        action="demands.demand.upsert",
        obj=existing,
        organisation=organisation,
        after={
            **{k: v for k, v in changed.items() if k not in PROFILE_TEXT_FIELDS},
            **{k: "[changed]" for k in changed if k in PROFILE_TEXT_FIELDS},
            "status": existing.status,
            "source": source,
        },
        token=principal.token,
    )
    return existing, "updated"
