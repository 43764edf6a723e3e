"""The JSON API at /api/v1/: one django-ninja Router per app, mounted here."""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import get_language
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from nomadcloud import __version__
from nomadcloud.accounts.api import router as accounts_router
from nomadcloud.accounts.auth import AUTH
from nomadcloud.bounties.api import router as bounties_router
from nomadcloud.communities.api import router as communities_router
from nomadcloud.competitions.api import router as competitions_router
from nomadcloud.consent.api import router as consent_router
from nomadcloud.conversations.api import router as conversations_router
from nomadcloud.core.api import install_error_handlers
from nomadcloud.core.jsonsafe import ApiParser
from nomadcloud.crossborder.api import router as crossborder_router
from nomadcloud.dashboard.api import router as dashboard_router
from nomadcloud.datapools.api import router as datapools_router
from nomadcloud.datatasks.api import router as datatasks_router
from nomadcloud.demands.api import router as demands_router
from nomadcloud.incentives.api import router as incentives_router
from nomadcloud.matching.api import router as matching_router
from nomadcloud.notifications.api import router as notifications_router
from nomadcloud.onecard.api import router as onecard_router
from nomadcloud.orders.api import router as orders_router
from nomadcloud.payouts.api import router as payouts_router
from nomadcloud.points.api import router as points_router
from nomadcloud.proofs.api import router as proofs_router
from nomadcloud.risk.api import router as risk_router
from nomadcloud.supervision.api import router as supervision_router
from nomadcloud.talent.api import router as talent_router
from nomadcloud.taxonomy.api import router as taxonomy_router
from nomadcloud.teams.api import router as teams_router
from nomadcloud.training.api import router as training_router
from nomadcloud.valuation.api import router as valuation_router
from nomadcloud.vouchers.api import router as vouchers_router


class _API(NinjaAPI):
    """Builds the OpenAPI document once per process and language: it describes routes fixed at
    start-up, and building its ~1,000 operations took 2–5 s on every /api/v1/openapi.json;
    a copy of the built document takes a few tens of milliseconds."""

    _schemas: dict[tuple[str | None, str | None, str], OpenAPISchema]

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if not hasattr(self, "_schemas"):
            self._schemas = {}
        key = (path_prefix, get_language(), repr(sorted((path_params or {}).items())))
        if key not in self._schemas:
            self._schemas[key] = super().get_openapi_schema(
                path_prefix=path_prefix, path_params=path_params
            )
        # A copy: callers (the fuzz tests, the docs view) may change what they are given.
        return copy.deepcopy(self._schemas[key])


api = _API(
    title="NomadCloud API",
    version=__version__,
    description=(
        "The API of NomadCloud, the digital nomad demonstration zone platform. Authenticate "
        "with a browser session (CSRF token required on writes), a personal access token or an "
        "organisation API key as `Authorization: Bearer …`. Errors use one envelope: `code`, a "
        "localized `message` (Accept-Language: zh-hans or en) and `fields`. Lists are paged "
        "with `cursor`/`limit`; POSTs accept an `Idempotency-Key` header."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    parser=ApiParser(),
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/notifications", notifications_router)
api.add_router("/taxonomy", taxonomy_router)
api.add_router("/talent", talent_router)
api.add_router("/demands", demands_router)
api.add_router("/matching", matching_router)
api.add_router("/training", training_router)
api.add_router("/orders", orders_router)
api.add_router("/datatasks", datatasks_router)
api.add_router("/proofs", proofs_router)
api.add_router("/points", points_router)
api.add_router("/conversations", conversations_router)
api.add_router("/risk", risk_router)
api.add_router("/consent", consent_router)
api.add_router("/payouts", payouts_router)
api.add_router("/incentives", incentives_router)
api.add_router("/vouchers", vouchers_router)
api.add_router("/datapools", datapools_router)
api.add_router("/crossborder", crossborder_router)
api.add_router("/valuation", valuation_router)
api.add_router("/competitions", competitions_router)
api.add_router("/communities", communities_router)
api.add_router("/services", onecard_router)
api.add_router("/teams", teams_router)
api.add_router("/bounties", bounties_router)
api.add_router("/dashboard", dashboard_router)
api.add_router("/supervision", supervision_router)
