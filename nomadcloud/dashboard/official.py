"""The official indicators (reported by departments or imported from statistics, never
computed by the platform) and plan 004's six targets (§一(二)) with their yearly
trajectories and the definition each is counted by. Registered in ``DashboardConfig.ready``
through core/indicators.py like any app's indicators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from nomadcloud.core import indicators

# Areas of the zone a figure may be reported for (REF_AREA); DZ is the whole city. The zone
# map (static/dashboard/zone.geojson) draws the same codes.
AREAS = {
    "DZ": ("儋州市", "Danzhou (whole city)"),
    "YP": ("洋浦经济开发区", "Yangpu Economic Development Zone"),
    "HXY": ("环新英湾核心区", "Xinying Bay core area"),
    "HHD": ("海花岛旅游产业园", "Ocean Flower Island tourism park"),
    "GYY": ("儋州工业园", "Danzhou Industrial Park"),
    "ND": ("那大城区", "Nada town"),
}

OFFICIAL = [
    (
        "dashboard.hotel_visits",
        "count",
        "year",
        "lvwen",
        False,
        "旅文局、公安住宿登记统计的数字游民到访人次（按年）",
        "Nomad visits by the hotel statistics of the tourism bureau and the police (per year)",
    ),
    (
        "dashboard.incubated_enterprises",
        "count",
        "year",
        "kegongxin",
        True,
        "孵化的数字经济高新技术企业（累计；科工信局报送，附证书编号与日期）",
        "High-tech digital-economy enterprises incubated (cumulative; reported by the bureau"
        " of industry and IT with certificate number and date)",
    ),
    (
        "dashboard.super_individuals",
        "count",
        "year",
        "tongji",
        False,
        "纳统营收2000万元以上的“超级个体”（统计局按企业、个体户纳统营收计）",
        "“Super individuals” with counted revenue of at least ¥20 million (statistics bureau,"
        " by counted revenue per enterprise or individual business)",
    ),
    (
        "dashboard.settled_migrants",
        "count",
        "year",
        "gongan",
        True,
        "落户数字移民（累计，公安汇总人数）",
        "Digital migrants settled (cumulative, aggregate count from the police)",
    ),
    (
        "dashboard.core_revenue",
        "currency-CNY",
        "year",
        "tongji",
        False,
        "数字经济核心产业营业收入（统计局纳统，按年）",
        "Core digital-economy revenue (counted by the statistics bureau, per year)",
    ),
    (
        "dashboard.tax",
        "currency-CNY",
        "year",
        "tongji",
        False,
        "数字经济核心产业税收（税务、统计局，按年）",
        "Tax from the core digital economy (tax office and statistics bureau, per year)",
    ),
]

# code, official indicator, platform indicator shown beside it, zh, en, value, cumulative,
# trajectory (expected value by year, the plan's 三到五年 read as 2026–2028).
TARGETS = [
    (
        "visits",
        "dashboard.hotel_visits",
        "communities.visits",
        "年接待数字游民5万人次",
        "50,000 nomad visits a year",
        "50000",
        False,
        {"2026": "20000", "2027": "35000", "2028": "50000"},
    ),
    (
        "enterprises",
        "dashboard.incubated_enterprises",
        "",
        "孵化数字经济高新技术企业不少于10家",
        "At least 10 high-tech digital-economy enterprises incubated",
        "10",
        True,
        {"2026": "3", "2027": "6", "2028": "10"},
    ),
    (
        "super_individuals",
        "dashboard.super_individuals",
        "",
        "纳统营收2000万元以上“超级个体”不少于10家",
        "At least 10 “super individuals” with ≥ ¥20 million counted revenue",
        "10",
        False,
        {"2026": "3", "2027": "6", "2028": "10"},
    ),
    (
        "migrants",
        "dashboard.settled_migrants",
        "",
        "落户数字移民5000人以上",
        "At least 5,000 digital migrants settled",
        "5000",
        True,
        {"2026": "1000", "2027": "3000", "2028": "5000"},
    ),
    (
        "revenue",
        "dashboard.core_revenue",
        "",
        "数字经济核心产业营收20亿元",
        "¥2 billion core digital-economy revenue",
        "2000000000",
        False,
        {"2026": "600000000", "2027": "1300000000", "2028": "2000000000"},
    ),
    (
        "tax",
        "dashboard.tax",
        "",
        "税收2亿元",
        "¥200 million tax",
        "200000000",
        False,
        {"2026": "60000000", "2027": "130000000", "2028": "200000000"},
    ),
]
TARGETS_EFFECTIVE = dt.date(2026, 1, 1)
DUE_YEAR = 2028


def register() -> None:
    for order, (code, unit, period, owner, cumulative, zh, en) in enumerate(OFFICIAL):
        indicators.indicator(
            code,
            unit=unit,
            definition={"zh-Hans": zh, "en": en},
            period=period,
            owner=owner,
            cumulative=cumulative,
            aggregation="last" if cumulative else "sum",
            app="dashboard",
            order=order,
        )


def seed_targets() -> int:
    """The six targets, first version (idempotent)."""
    from nomadcloud.dashboard.models import Target

    made = 0
    for order, (code, official, platform, zh, en, value, cumulative, path) in enumerate(TARGETS):
        found = indicators.get(official)
        _target, created = Target.objects.get_or_create(
            code=code,
            effective_from=TARGETS_EFFECTIVE,
            defaults={
                "indicator": official,
                "platform_indicator": platform,
                "title": {"zh-Hans": zh, "en": en},
                "definition": dict(found.definition),
                "value": Decimal(value),
                "cumulative": cumulative,
                "due_year": DUE_YEAR,
                "trajectory": path,
                "order": order,
            },
        )
        made += created
    return made
