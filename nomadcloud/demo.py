"""The whole demo zone, app by app in dependency order: people and organisations, the
skill vocabulary, nomad profiles and certification rules, enterprise demands, training
scenarios, orders and conversions, data batches, notifications, the points programme, and
applications with their conversations, and finally the matches of every demand and
profile. Each step is idempotent, so ``seed_demo`` may run on
every start of a demo machine."""

from __future__ import annotations

from django.db import transaction

from nomadcloud.accounts import demo as accounts_demo
from nomadcloud.bounties import demo as bounties_demo
from nomadcloud.communities import demo as communities_demo
from nomadcloud.competitions import demo as competitions_demo
from nomadcloud.consent import demo as consent_demo
from nomadcloud.conversations import demo as conversations_demo
from nomadcloud.crossborder import demo as crossborder_demo
from nomadcloud.dashboard import demo as dashboard_demo
from nomadcloud.datapools import demo as datapools_demo
from nomadcloud.datatasks import demo as datatasks_demo
from nomadcloud.demands import demo as demands_demo
from nomadcloud.incentives import demo as incentives_demo
from nomadcloud.matching import services as matching_services
from nomadcloud.notifications import demo as notifications_demo
from nomadcloud.onecard import demo as onecard_demo
from nomadcloud.orders import demo as orders_demo
from nomadcloud.payouts import demo as payouts_demo
from nomadcloud.points.merchants import demo as points_merchant_demo
from nomadcloud.points.programme import demo as points_programme_demo
from nomadcloud.supervision import demo as supervision_demo
from nomadcloud.talent import demo as talent_demo
from nomadcloud.taxonomy import services as taxonomy_services
from nomadcloud.training import demo as training_demo
from nomadcloud.valuation import demo as valuation_demo
from nomadcloud.vouchers import demo as vouchers_demo


@transaction.atomic
def seed(*, nomads: int = 60) -> dict[str, int]:
    counts: dict[str, int] = {}
    if not accounts_demo.already_seeded():
        counts |= accounts_demo.seed(nomads=nomads)
    counts |= accounts_demo.seed_units()
    counts["concepts_created"] = taxonomy_services.load_vocabulary()["created"]
    counts |= talent_demo.seed()
    counts |= demands_demo.seed()
    counts |= training_demo.seed()
    counts |= orders_demo.seed()
    counts |= datatasks_demo.seed()
    counts |= notifications_demo.seed()
    counts |= points_programme_demo.seed()
    counts |= points_merchant_demo.seed()
    counts |= demands_demo.seed_applications()
    counts |= conversations_demo.seed()
    counts |= points_programme_demo.seed_held()
    counts |= payouts_demo.seed()
    counts |= consent_demo.seed()
    counts |= incentives_demo.seed()
    counts |= vouchers_demo.seed()
    counts |= competitions_demo.seed()
    # Rows above are written directly, without the events that refresh matches: compute them
    # once, so that recommendations and candidate lists are not empty in the demo zone.
    counts |= {f"matched_{k}": v for k, v in matching_services.rebuild_all().items()}
    counts |= communities_demo.seed()
    counts |= onecard_demo.seed()
    counts |= bounties_demo.seed()
    counts |= datapools_demo.seed()
    counts |= crossborder_demo.seed()
    counts |= datapools_demo.seed_agreement_abroad()  # under a whitelist entry
    counts |= valuation_demo.seed()  # values the pools; the watch alerts 旅文局
    counts |= supervision_demo.seed()  # after the units and every indicator's source
    counts |= dashboard_demo.seed()
    return counts
