"""The points API, mounted at /api/v1/points: one router per wing — the person's wallet and
exchanges, the programme (public scenarios and rates, the zone operator's programme, batch
transfers) and the merchants (payments, settlement)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["points"])
router.add_router("", "nomadcloud.points.wallet.api.router")
router.add_router("", "nomadcloud.points.programme.api.router")
router.add_router("", "nomadcloud.points.merchants.api.router")
