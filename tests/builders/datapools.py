"""Builders for data pools: a traffic-behaviour pool stewarded by Acme (Olivia owner, Rita
read-only) under 市科工信局 (Wendy decides), at the state asked for, and CSV files for it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.datapools import services
from nomadcloud.datapools.inputs import PoolDraft
from nomadcloud.datapools.models import Pool
from tests.builders.world import World

NOTICE = "2026-12"
TRAFFIC_SCHEMA: list[dict[str, Any]] = [
    {"name": "day", "type": "date", "required": True},
    {"name": "area", "type": "enum", "values": ["yangpu", "baimajing", "sandu"], "required": True},
    {"name": "mode", "type": "enum", "values": ["car", "bus", "bike", "walk"], "required": True},
    {"name": "trips", "type": "integer", "min": 0, "max": 500, "required": True},
    {"name": "km", "type": "number", "min": 0, "max": 2000},
    {"name": "note", "type": "string", "max_length": 200},
]
GOOD_CSV = (
    b"day,area,mode,trips,km,note\n"
    b"2026-11-02,yangpu,car,4,38.5,\n"
    b"2026-11-02,baimajing,bus,2,12,commute\n"
)


def pool_fields(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "traffic",
        "title": {"zh-Hans": "智慧交通出行行为数据池", "en": "Smart traffic behaviour pool"},
        "description": {
            "zh-Hans": "车主与乘客贡献的出行行为数据，向园区企业开放用于算法研发。",
            "en": "Trips contributed by car owners and passengers, open to zone enterprises.",
        },
        "charter": {
            "purposes": ["dpv:ResearchAndDevelopment"],
            "data_categories": ["pd:Location", "pd:TravelHistory"],
            "classification": "general",
            "grade": "pi",
            "consent_notice_version": NOTICE,
            "access_modes": ["aggregate", "query_template"],
            "points_per_row": 2,
            "fee_share_percent": 30,
            "distribution_period": "month",
            "retention_days": 730,
            "columns": TRAFFIC_SCHEMA,
        },
        **extra,
    }


MOVES_TO = {
    Pool.Status.PROPOSED: [],
    Pool.Status.APPROVED: [("approve", "wendy")],
    Pool.Status.OPEN: [("approve", "wendy"), ("open", "olivia")],
    Pool.Status.CLOSED: [("approve", "wendy"), ("open", "olivia"), ("close", "olivia")],
}


def traffic_pool(w: World, status: str = Pool.Status.OPEN) -> Pool:
    """Acme's traffic pool at ``status`` (one per status in a test's database)."""
    existing = Pool.objects.filter(steward=w.acme, status=status, kind="traffic").first()
    if existing is not None:
        return existing
    pool = services.propose_pool(
        principal=Principal.for_user(w.olivia),
        steward=w.acme,
        department=w.department,
        draft=parse_draft(PoolDraft, pool_fields()),
    )
    for action, who in MOVES_TO[Pool.Status(status)]:
        pool = services.move(
            principal=Principal.for_user(getattr(w, who)), pool=pool, action=action
        )
    return pool


def contribute(w: World, pool: Pool, who: str = "bob", data: bytes = GOOD_CSV) -> Any:
    return services.contribute(
        principal=Principal.for_user(getattr(w, who)),
        pool=pool,
        data=data,
        consent_notice_version=NOTICE,
        give_consent=True,
    )


CONSUMPTION_SCHEMA: list[dict[str, Any]] = [
    {
        "name": "merchant_category",
        "type": "enum",
        "values": ["culture_tourism", "dining", "transport", "coworking", "entertainment"],
        "required": True,
    },
    {"name": "scenario", "type": "string", "max_length": 40, "required": True},
    {
        "name": "amount_band",
        "type": "enum",
        "values": ["0-99", "100-499", "500+"],
        "required": True,
    },
    {"name": "day", "type": "date", "required": True},
    {"name": "area", "type": "string", "max_length": 40, "required": True},
]


def consumption_pool(w: World) -> Pool:
    """Globex's (Charlie's) open consumption pool under a 旅文局 where Wendy decides."""
    from nomadcloud.accounts.models import Membership, Organisation

    existing = Pool.objects.filter(kind="consumption").first()
    if existing is not None:
        return existing
    lvwen, _ = Organisation.objects.get_or_create(
        code="lvwen",
        defaults={"kind": "department", "name_zh": "市旅文局", "name_en": "Bureau of Tourism"},
    )
    Membership.objects.get_or_create(user=w.wendy, organisation=lvwen, role="reviewer")
    fields = pool_fields(kind="consumption")
    fields["charter"] = {
        **fields["charter"],
        "data_categories": ["pd:PurchasesAndSpendingHabit", "pd:Location"],
        "columns": CONSUMPTION_SCHEMA,
    }
    pool = services.propose_pool(
        principal=Principal.for_user(w.charlie),
        steward=w.globex,
        department=lvwen,
        draft=parse_draft(PoolDraft, fields),
    )
    pool = services.move(principal=Principal.for_user(w.wendy), pool=pool, action="approve")
    return services.move(principal=Principal.for_user(w.charlie), pool=pool, action="open")


def pool_with_contribution(w: World) -> Pool:
    """Acme's open traffic pool with one accepted contribution of Bob's (to release)."""
    pool = traffic_pool(w)
    if not pool.contributions.exists():
        contribute(w, pool)
    return pool


def busy_pool(w: World) -> Pool:
    """Acme's open traffic pool with a released version of 12 car trips in Yangpu and 2 bus
    trips in Sandu (a group smaller than k)."""
    from nomadcloud.datapools.models import DatasetVersion

    pool = traffic_pool(w)
    if DatasetVersion.objects.filter(pool=pool).exists():
        return pool
    lines = [f"2026-11-{day:02d},yangpu,car,{day},1," for day in range(1, 13)]
    lines += ["2026-11-01,sandu,bus,1,1,", "2026-11-02,sandu,bus,1,1,"]
    contribute(w, pool, data=("day,area,mode,trips,km,note\n" + "\n".join(lines) + "\n").encode())
    services.release_version(principal=Principal.for_user(w.olivia), pool=pool)
    return pool


def negotiation(w: World, state: str = "requested", **extra: Any) -> Any:
    """Globex (Charlie, verified) asking Acme's busy pool for aggregates, at ``state``."""
    from nomadcloud.datapools import negotiation as n
    from nomadcloud.datapools.models import Negotiation
    from tests.builders.world import verify_org

    pool = busy_pool(w)
    found = Negotiation.objects.filter(pool=pool, state=state).first()
    if found is not None:
        return found
    verify_org(w.globex)
    made = n.request_access(
        principal=Principal.for_user(w.charlie),
        pool=pool,
        consumer=w.globex,
        purpose="dpv:ResearchAndDevelopment",
        access_mode="aggregate",
        duration_days=extra.get("days", 90),
    )
    if state in ("confirming", "agreed"):
        made = n.move(principal=Principal.for_user(w.olivia), negotiation=made, action="agree")
    if state == "agreed":  # the lead department's 核定 (decision 0062)
        made = n.move(principal=Principal.for_user(w.wendy), negotiation=made, action="confirm")
    return made


def used_last_month(w: World) -> Any:
    """The busy pool with Charlie's Sandu bus trips (so every area reaches k), version 2
    released, Globex's agreement and one aggregate, dated last month."""
    from datetime import timedelta

    from django.utils import timezone

    from nomadcloud.datapools import aggregates
    from nomadcloud.datapools.models import UsageEvent
    from nomadcloud.points import book

    book.ensure_assets()  # zone points, as the data migration defines them
    agreed = negotiation(w, "agreed")
    if UsageEvent.objects.filter(negotiation=agreed).exists():
        return agreed
    pool = agreed.pool
    rows = "".join(f"2026-11-{d:02d},sandu,bus,1,1,\n" for d in range(3, 11))
    contribute(w, pool, who="charlie", data=("day,area,mode,trips,km,note\n" + rows).encode())
    services.release_version(principal=Principal.for_user(w.olivia), pool=pool)
    aggregates.aggregate(
        principal=Principal.for_user(w.charlie), negotiation=agreed, group_by=["area"]
    )
    first = timezone.localdate().replace(day=1)
    UsageEvent.objects.filter(negotiation=agreed).update(
        at=timezone.now()
        .replace(year=(first - timedelta(days=1)).year)
        .replace(month=(first - timedelta(days=1)).month, day=15)
    )
    return agreed


def last_month() -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


# --- query templates, differential privacy, downloads (decision 0048) ---------------------

TEMPLATE_SQL = (
    "SELECT area, count(*) AS n, sum(trips) AS trips FROM release "
    "WHERE mode = $mode AND day >= $since GROUP BY area ORDER BY area"
)
TEMPLATE_PARAMETERS: list[dict[str, Any]] = [
    {"name": "mode", "type": "enum", "values": ["car", "bus", "bike", "walk"]},
    {"name": "since", "type": "date"},
]


def agreement_for(w: World, mode: str, **charter: Any) -> Any:
    """Globex's agreement on Acme's busy pool for ``mode``, under a charter revised with
    ``charter`` (e.g. a download mode or an ε budget); the Sandu group reaches k (22 rows in
    version 2: 12 car trips in Yangpu, 10 bus trips in Sandu)."""
    from nomadcloud.datapools import negotiation as n
    from nomadcloud.datapools.charters import current_charter
    from nomadcloud.datapools.inputs import CharterDraft
    from nomadcloud.datapools.models import Negotiation
    from tests.builders.world import verify_org

    pool = busy_pool(w)
    budget = charter.get("dp_epsilon_budget")
    for found in Negotiation.objects.filter(pool=pool, state="agreed"):
        same_budget = current_charter(pool).dp_epsilon_budget == (
            None if budget is None else Decimal(str(budget))
        )
        if found.policy.get("nc:accessMode") == mode and same_budget:
            return found
    if pool.versions.count() < 2:
        rows = "".join(f"2026-11-{d:02d},sandu,bus,1,1,\n" for d in range(3, 11))
        contribute(w, pool, who="charlie", data=("day,area,mode,trips,km,note\n" + rows).encode())
        services.release_version(principal=Principal.for_user(w.olivia), pool=pool)
    fields = {
        **pool_fields()["charter"],
        "access_modes": ["aggregate", "query_template", "download"],
    }
    services.revise_charter(
        principal=Principal.for_user(w.olivia),
        pool=pool,
        draft=parse_draft(CharterDraft, {**fields, **charter}),
    )
    verify_org(w.globex)
    made = n.request_access(
        principal=Principal.for_user(w.charlie),
        pool=pool,
        consumer=w.globex,
        purpose="dpv:ResearchAndDevelopment",
        access_mode=mode,
        duration_days=90,
    )
    made = n.move(principal=Principal.for_user(w.olivia), negotiation=made, action="agree")
    agreed = n.move(principal=Principal.for_user(w.wendy), negotiation=made, action="confirm")
    assert agreed.state == Negotiation.State.AGREED
    return agreed


def template(w: World, status: str = "approved") -> Any:
    """Acme's template on the busy pool: trips by area for a mode since a day."""
    from nomadcloud.datapools import querytemplates as qt

    pool = busy_pool(w)
    existing = pool.query_templates.filter(status=status).first()
    if existing is not None:
        return existing
    olivia = Principal.for_user(w.olivia)
    made = qt.write_template(
        principal=olivia,
        pool=pool,
        draft=parse_draft(
            qt.TemplateDraft,
            {
                "title": {"zh-Hans": "按区域的出行次数", "en": "Trips by area"},
                "sql": TEMPLATE_SQL,
                "parameters": TEMPLATE_PARAMETERS,
            },
        ),
    )
    if status != "draft":
        made = qt.decide_template(principal=olivia, template=made, action="approve")
    return made


LABELLED_SCHEMA: list[dict[str, Any]] = [
    {
        "name": "task_type",
        "type": "enum",
        "values": ["single_label", "multi_label", "transcription", "spans"],
        "required": True,
    },
    {"name": "item", "type": "string", "max_length": 100, "required": True},
    {"name": "text", "type": "string", "max_length": 20000, "required": True},
    {"name": "label", "type": "string", "max_length": 2000, "required": True},
    {"name": "result", "type": "string", "max_length": 2000, "required": True},
]


def labelled_pool(w: World) -> Pool:
    """Acme's (Olivia's) open labelled-data pool under 市科工信局 (Wendy decides)."""
    existing = Pool.objects.filter(kind="labelled", status="open").first()
    if existing is not None:
        return existing
    fields = pool_fields(kind="labelled")
    fields["title"] = {"zh-Hans": "标注数据池", "en": "Labelled data pool"}
    fields["charter"] = {**fields["charter"], "data_categories": [], "columns": LABELLED_SCHEMA}
    pool = services.propose_pool(
        principal=Principal.for_user(w.olivia),
        steward=w.acme,
        department=w.department,
        draft=parse_draft(PoolDraft, fields),
    )
    pool = services.move(principal=Principal.for_user(w.wendy), pool=pool, action="approve")
    return services.move(principal=Principal.for_user(w.olivia), pool=pool, action="open")


def accepted_batch(w: World) -> Any:
    """Acme's labelling batch worked by Charlie and Wendy, closed and accepted by Olivia."""
    from nomadcloud.datatasks import services as datatasks
    from tests.builders import datatasks as t

    batch = t.closed_batch(w)
    datatasks.accept_batch(principal=Principal.for_user(w.olivia), batch=batch)
    batch.refresh_from_db()
    return batch


def consent_to(w: World, pool: Pool, who: str) -> None:
    """``who`` consents to every purpose of the pool's charter (as on the contribute page)."""
    from nomadcloud.datapools.charters import current_charter

    charter = current_charter(pool)
    services._consents(getattr(w, who), pool, charter, NOTICE, True, "web_form")


ASSET_SCHEMA: list[dict[str, Any]] = [
    {"name": "asset_type", "type": "enum", "values": ["model", "image", "audio"], "required": True},
    {"name": "format", "type": "string", "max_length": 20, "required": True},
    {"name": "title", "type": "string", "max_length": 200, "required": True},
]
ASSET_CSV = b"asset_type,format,title\nmodel,glTF,Yangpu lighthouse\n"


def asset_pool(w: World) -> Pool:
    """Acme's open metaverse-asset pool whose charter requires hash provenance (Olivia
    stewards; lead department as in the test world)."""
    existing = Pool.objects.filter(kind="metaverse", status="open").first()
    if existing is not None:
        return existing
    from nomadcloud.accounts.models import Membership, Organisation

    lvwen, _ = Organisation.objects.get_or_create(
        code="lvwen",
        defaults={"kind": "department", "name_zh": "市旅文局", "name_en": "Bureau of Tourism"},
    )
    Membership.objects.get_or_create(user=w.wendy, organisation=lvwen, role="reviewer")
    fields = pool_fields(kind="metaverse")
    fields["title"] = {"zh-Hans": "元宇宙资产池", "en": "Metaverse asset pool"}
    fields["charter"] = {
        **fields["charter"],
        "data_categories": ["pd:Name"],
        "access_modes": ["download"],
        "columns": ASSET_SCHEMA,
        "requires_provenance": True,
    }
    pool = services.propose_pool(
        principal=Principal.for_user(w.olivia),
        steward=w.acme,
        department=lvwen,
        draft=parse_draft(PoolDraft, fields),
    )
    pool = services.move(principal=Principal.for_user(w.wendy), pool=pool, action="approve")
    return services.move(principal=Principal.for_user(w.olivia), pool=pool, action="open")
