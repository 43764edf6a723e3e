"""The access chokepoint of the skill library. The concepts, their names and links are
public; the importers' runs (what an ESCO or O*NET import changed) are the zone operator's
record, and anyone else is refused before any row is read."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_zone_operator
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import NotFound
from nomadcloud.taxonomy.models import ImportRun


def import_runs_for(principal: Principal) -> QuerySet[ImportRun]:
    """Every import run, newest first: the zone operator's record of what changed."""
    require_zone_operator(principal)
    return ImportRun.objects.select_related("actor").order_by("-pk")


def import_run_for(principal: Principal, run_id: int) -> ImportRun:
    require_zone_operator(principal)
    run = ImportRun.objects.filter(pk=run_id).select_related("actor").first()
    if run is None:
        raise NotFound(_("No such import run."))
    return run
