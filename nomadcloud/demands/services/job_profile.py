"""A demand's job profile: the tags derived from its text, and the tags an editor adds or
removes."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, NotFound, invalid_field
from nomadcloud.demands.events import send_demand_changed
from nomadcloud.demands.models import (
    Demand,
    JobProfileTag,
)
from nomadcloud.demands.services._common import PROFILE_TEXT_FIELDS
from nomadcloud.taxonomy.models import Concept
from nomadcloud.taxonomy.tagging import propose

# --- job profile ------------------------------------------------------------------------------


def derive_job_profile(demand: Demand) -> list[JobProfileTag]:
    """Derive the automatic tags from the demand's text (Chinese and English). Tags the
    enterprise removed stay removed; tags it added stay."""
    text = "\n".join(getattr(demand, f) for f in PROFILE_TEXT_FIELDS if getattr(demand, f))
    found = {tag.concept_id: tag for tag in propose(text)}  # words, then meaning (issue 19)
    existing = {t.concept_id: t for t in JobProfileTag.objects.filter(demand=demand)}
    for concept_id, tag in existing.items():
        if tag.origin == JobProfileTag.Origin.AUTO and concept_id not in found and not tag.removed:
            tag.delete()
    for concept_id, extracted in found.items():
        row = existing.get(concept_id)
        matched = list(dict.fromkeys(extracted.matched))
        if row is None:
            JobProfileTag.objects.create(
                demand=demand,
                concept_id=concept_id,
                matched=matched,
                score=float(extracted.score),
                origin=JobProfileTag.Origin.AUTO,
            )
        elif row.matched != matched or row.score != float(extracted.score):
            row.matched = matched
            row.score = float(extracted.score)
            row.save(update_fields=["matched", "score", "updated_at"])
    return list(JobProfileTag.objects.filter(demand=demand, removed=False))


@transaction.atomic
def add_profile_tag(*, principal: Principal, demand: Demand, code: str) -> JobProfileTag:
    concept = Concept.objects.filter(code=code.strip(), is_active=True).first()
    if concept is None:
        raise invalid_field(
            "code",
            _("Unknown skill or tool %(code)s: use a code from the taxonomy.")
            % {"code": code[:120]},
            code="unknown_concept",
        )
    tag, created = JobProfileTag.objects.get_or_create(
        demand=demand,
        concept=concept,
        defaults={"origin": JobProfileTag.Origin.MANUAL, "score": 1.0},
    )
    if not created:
        if not tag.removed:
            raise Conflict(_("The job profile already has this tag."), code="tag_exists")
        tag.removed = False
        tag.save(update_fields=["removed", "updated_at"])
    audit.record(
        actor=principal.user,
        action="demands.profile.add_tag",
        obj=demand,
        organisation=demand.organisation,
        after={"concept": concept.code},
        token=principal.token,
    )
    send_demand_changed([demand.pk])
    return tag


@transaction.atomic
def remove_profile_tag(*, principal: Principal, demand: Demand, tag_id: int) -> None:
    tag = JobProfileTag.objects.filter(pk=tag_id, demand=demand, removed=False).first()
    if tag is None:
        raise NotFound(_("No such tag."))
    if tag.origin == JobProfileTag.Origin.MANUAL:
        tag.delete()
    else:
        tag.removed = True
        tag.save(update_fields=["removed", "updated_at"])
    audit.record(
        actor=principal.user,
        action="demands.profile.remove_tag",
        obj=demand,
        organisation=demand.organisation,
        before={"concept": tag.concept_id},
        token=principal.token,
    )
    send_demand_changed([demand.pk])
