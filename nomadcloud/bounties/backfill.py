"""The payloads of challenge milestones accepted earlier, rebuilt from storage, for the proofs
backfill (``proofs/services/verified_work.py``)."""

from __future__ import annotations

from collections.abc import Iterator

from nomadcloud.bounties.events import ChallengeMilestoneAccepted
from nomadcloud.bounties.models import Milestone
from nomadcloud.bounties.services.milestones import payload_for


def accepted_milestones() -> Iterator[ChallengeMilestoneAccepted]:
    for row in Milestone.objects.filter(status=Milestone.Status.ACCEPTED).select_related(
        "challenge__issuer"
    ):
        yield payload_for(row)
