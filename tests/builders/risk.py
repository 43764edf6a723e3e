"""Builders for the risk engine: a held issuance (an order accepted by Acme, which is not
verified, so its work units wait for the zone operator)."""

from __future__ import annotations

from nomadcloud.proofs.models import Credential
from nomadcloud.risk.models import HeldIssuance
from tests.builders import orders as order_builders
from tests.builders.world import World


def held_issuance(w: World) -> HeldIssuance:
    order = order_builders.accepted_order(w)
    credential = Credential.objects.filter(source__startswith=order.reference).order_by("pk")[0]
    return HeldIssuance.objects.get(assessment__credential=credential.public_id)
