"""The Hainan free-trade port's outbound data negative list (《海南自由贸易港数据出境管理清单
（负面清单）（2024版）》, filed with CAC and the National Data Administration, released
2025-02-19). A processor in the port exporting data that matches no entry is exempt from the
three routes (CAC Order 16 art. 6; "非禁即准", with a prudent commitment and a record).

The five sectors are those the release names (深海, 航天, 种业, 旅游, 免税商品零售). The list
has 14 business scenarios whose full text the zone has not read in this repository
(specification confidence: medium); the entries below are the zone's working reading of the
scenario names per sector, kept as data that the exporter matches explicitly (``ftz_entry``).
An exporter whose data matches an entry is routed by the ordinary thresholds.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SECTORS: dict[str, Promise] = {
    "deep_sea": _("Deep sea (深海)"),
    "aerospace": _("Aerospace (航天)"),
    "seed": _("Seed industry (种业)"),
    "tourism": _("Tourism (旅游)"),
    "duty_free": _("Duty-free retail (免税商品零售)"),
}

# code → (sector, scenario in words)
ENTRIES: dict[str, tuple[str, Promise]] = {
    "deep_sea.survey": ("deep_sea", _("Deep-sea survey and seabed mapping data")),
    "deep_sea.resources": ("deep_sea", _("Deep-sea biological and mineral resource data")),
    "aerospace.launch": ("aerospace", _("Launch site and launch operation data")),
    "aerospace.remote_sensing": ("aerospace", _("High-resolution remote-sensing data")),
    "aerospace.telemetry": ("aerospace", _("Spacecraft tracking and telemetry data")),
    "seed.germplasm": ("seed", _("Germplasm resource data")),
    "seed.breeding": ("seed", _("Breeding and variety test data")),
    "seed.genomics": ("seed", _("Crop genome sequence data")),
    "tourism.visitor_bulk": (
        "tourism",
        _("Visitor personal information in bulk (over 100,000 people a year)"),
    ),
    "tourism.visitor_flow": ("tourism", _("Real-time visitor-flow data of scenic areas")),
    "tourism.key_sites": ("tourism", _("Data of key tourism facilities near sensitive sites")),
    "duty_free.purchaser": ("duty_free", _("Duty-free purchasers' identity and quota data")),
    "duty_free.supply_chain": ("duty_free", _("Duty-free supply-chain and customs data")),
    "duty_free.sales": ("duty_free", _("Duty-free sales data by product and place")),
}


def choices() -> list[tuple[str, str]]:
    return [(code, f"{SECTORS[sector]}: {label}") for code, (sector, label) in ENTRIES.items()]
