"""The incentive rules of plan 004 (tasks 11, 12, 13, 15): pure functions over plain facts,
the ``incentives`` rule book of ``core/rules.py``. No Django imports beyond the rules core,
so the benchmark and the YAML cases run them as the nightly job does.

Every rule takes ``inputs`` shaped as the YAML cases write them::

    {"items": [{"id": "…", "date": date, "nomad": "…", "certified": true, …}, …],
     "local_digital_economy": true}                    # flexible employment only

and states which date it reads each parameter at: thresholds, amounts per head and caps
of the yearly counts at the **end of the period**; the amount of a per-fact reward at the
**date of that fact** (a contract's start, an event's date), so a change on 1 July pays
contracts from July at the new rate in the same year (PolicyEngine-UK #1807).

Reasons are codes: ``counted:ID``, ``excluded:ID:CODE`` (CODE in ``EXCLUSIONS``),
``below_threshold``, ``cap_reached``, ``not_local_digital_economy``, ``no_items``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from nomadcloud.core import rules
from nomadcloud.core.rules import Decision, Parameters, Period, Value

VERSION = "2026.1"
HERE = Path(__file__).resolve().parent
PARAMETERS_DIR = HERE / "parameters"
TESTS_DIR = HERE / "rule_tests"
CENT = Decimal("0.01")

# Why a fact was not counted (item reasons; the department adds its own when it verifies).
EXCLUSIONS = (
    "outside_period",
    "not_certified",
    "not_confirmed",
    "duplicate_nomad",
    "short_contract",
    "short_engagement",
    "below_participants",
    "not_industrialised",
    "not_statistics_confirmed",
    "unknown_rank",
)

Used = dict[str, tuple[date, Value]]


def day(raw: Any) -> date:
    """A date from a YAML case (a date) or a stored snapshot (ISO text)."""
    if isinstance(raw, date):
        return raw
    return date.fromisoformat(str(raw))


def _items(inputs: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = inputs.get("items") or []
    if not isinstance(raw, list) or not all(isinstance(i, Mapping) for i in raw):
        raise rules.ParameterError("input.items must be a list of mappings")
    return sorted(raw, key=lambda i: (day(i["date"]), str(i["id"])))


def _capped(
    total: Decimal, p: Parameters, name: str, period: Period, used: Used, reasons: list[str]
) -> Decimal:
    cap = p.decimal(name, period.end, used)
    if total > cap:
        reasons.append("cap_reached")
        return cap
    return total


def _screen(
    item: Mapping[str, Any], period: Period, reasons: list[str], *, certified: bool = True
) -> bool:
    """The checks every counted fact passes: inside the period; the nomad certified on the
    counting date (the fact's date)."""
    if day(item["date"]) not in period:
        reasons.append(f"excluded:{item['id']}:outside_period")
        return False
    if certified and not item.get("certified", False):
        reasons.append(f"excluded:{item['id']}:not_certified")
        return False
    return True


def _per_head(
    inputs: Mapping[str, Any], period: Period, p: Parameters, prefix: str, *, confirmed: bool
) -> Decision:
    """A yearly count of distinct nomads with a threshold, an amount per head and a cap,
    all read at the end of the period."""
    used: Used = {}
    reasons: list[str] = []
    seen: set[str] = set()
    for item in _items(inputs):
        if not _screen(item, period, reasons):
            continue
        if confirmed and not item.get("confirmed", False):
            reasons.append(f"excluded:{item['id']}:not_confirmed")
            continue
        nomad = str(item["nomad"])
        if nomad in seen:
            reasons.append(f"excluded:{item['id']}:duplicate_nomad")
            continue
        seen.add(nomad)
        reasons.append(f"counted:{item['id']}")
    minimum = p.decimal(f"{prefix}.min_nomads", period.end, used)
    per = p.decimal(f"{prefix}.amount_per_nomad", period.end, used)
    count = Decimal(len(seen))
    if count < minimum:
        p.decimal(f"{prefix}.cap", period.end, used)
        return Decision(Decimal("0.00"), False, (*reasons, "below_threshold"), used)
    amount = _capped(count * per, p, f"{prefix}.cap", period, used, reasons)
    return Decision(amount.quantize(CENT), True, tuple(reasons), used)


def introduction(inputs: Mapping[str, Any], period: Period, p: Parameters) -> Decision:
    """Task 11: nomads brought in during the year (confirmed introductions; a nomad counts
    once, for the introducer's earliest confirmed record)."""
    return _per_head(inputs, period, p, "introduction", confirmed=True)


def training(inputs: Mapping[str, Any], period: Period, p: Parameters) -> Decision:
    """Task 11: distinct nomads who passed the organisation's training during the year."""
    return _per_head(inputs, period, p, "training", confirmed=False)


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to the day after ``end`` (2026-03-01 → 2027-02-28 is
    12; → 2027-02-15 is 11)."""
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day < start.day:
        months -= 1
    return months


def contract(inputs: Mapping[str, Any], period: Period, p: Parameters) -> Decision:
    """Task 11: labour contracts of a year or more that started in the period; the term is
    computed from the dates (a flag saying "one year" is not trusted), open-ended contracts
    (no end date) count. One reward per nomad; the amount per contract is read at the
    contract's start, the minimum term too; the cap at the end of the period."""
    used: Used = {}
    reasons: list[str] = []
    seen: set[str] = set()
    total = Decimal(0)
    for item in _items(inputs):
        if not _screen(item, period, reasons):
            continue
        start = day(item["date"])
        minimum = p.decimal("contract.min_months", start, used)
        end = item.get("ends_on")
        if end is not None and months_between(start, day(end)) < minimum:
            reasons.append(f"excluded:{item['id']}:short_contract")
            continue
        nomad = str(item["nomad"])
        if nomad in seen:
            reasons.append(f"excluded:{item['id']}:duplicate_nomad")
            continue
        seen.add(nomad)
        total += p.decimal("contract.amount_per_contract", start, used)
        reasons.append(f"counted:{item['id']}")
    if not seen:
        p.decimal("contract.cap", period.end, used)
        return Decision(Decimal("0.00"), False, (*reasons, "no_items"), used)
    amount = _capped(total, p, "contract.cap", period, used, reasons)
    return Decision(amount.quantize(CENT), True, tuple(reasons), used)


def flexible(inputs: Mapping[str, Any], period: Period, p: Parameters) -> Decision:
    """Task 11: a local digital-economy enterprise engaging nomads flexibly; an engagement
    counts from ``flexible.min_days`` days (read at its start), one per nomad, the amount
    per nomad read at the start; the cap at the end of the period."""
    used: Used = {}
    reasons: list[str] = []
    if not inputs.get("local_digital_economy", False):
        p.decimal("flexible.cap", period.end, used)
        return Decision(Decimal("0.00"), False, ("not_local_digital_economy",), used)
    seen: set[str] = set()
    total = Decimal(0)
    for item in _items(inputs):
        if not _screen(item, period, reasons):
            continue
        start = day(item["date"])
        if Decimal(int(item.get("days") or 0)) < p.decimal("flexible.min_days", start, used):
            reasons.append(f"excluded:{item['id']}:short_engagement")
            continue
        nomad = str(item["nomad"])
        if nomad in seen:
            reasons.append(f"excluded:{item['id']}:duplicate_nomad")
            continue
        seen.add(nomad)
        total += p.decimal("flexible.amount_per_nomad", start, used)
        reasons.append(f"counted:{item['id']}")
    if not seen:
        p.decimal("flexible.cap", period.end, used)
        return Decision(Decimal("0.00"), False, (*reasons, "no_items"), used)
    amount = _capped(total, p, "flexible.cap", period, used, reasons)
    return Decision(amount.quantize(CENT), True, tuple(reasons), used)


def community_investment(inputs: Mapping[str, Any], period: Period, p: Parameters) -> Decision:
    """Task 12: a community's fixed-asset investment in the year, as counted by the
    statistics bureau (纳统); at or above the threshold, the rate times the total (rounded
    down to the cent), capped. All read at the end of the period."""
    used: Used = {}
    reasons: list[str] = []
    total = Decimal(0)
    for item in _items(inputs):
        if not _screen(item, period, reasons, certified=False):
            continue
        if not item.get("statistics_confirmed", False):
            reasons.append(f"excluded:{item['id']}:not_statistics_confirmed")
            continue
        total += rules.exact_number(item["amount"], places=2, where=f"item {item['id']}")
        reasons.append(f"counted:{item['id']}")
    threshold = p.decimal("community_investment.threshold", period.end, used)
    rate = p.decimal("community_investment.rate", period.end, used)
    if total < threshold:
        p.decimal("community_investment.cap", period.end, used)
        return Decision(Decimal("0.00"), False, (*reasons, "below_threshold"), used)
    raw = (total * rate).quantize(CENT, rounding=ROUND_DOWN)
    amount = _capped(raw, p, "community_investment.cap", period, used, reasons)
    return Decision(amount.quantize(CENT), True, tuple(reasons), used)


def conference(inputs: Mapping[str, Any], period: Period, p: Parameters) -> Decision:
    """Task 13: conferences and exhibitions held in the zone; an event counts from
    ``conference.min_participants`` (read at its date) and earns the amount per event plus
    the international bonus in force on its date; the cap at the end of the period."""
    used: Used = {}
    reasons: list[str] = []
    total = Decimal(0)
    counted = 0
    for item in _items(inputs):
        if not _screen(item, period, reasons, certified=False):
            continue
        on = day(item["date"])
        participants = Decimal(int(item.get("participants") or 0))
        if participants < p.decimal("conference.min_participants", on, used):
            reasons.append(f"excluded:{item['id']}:below_participants")
            continue
        total += p.decimal("conference.amount_per_event", on, used)
        if item.get("international", False):
            total += p.decimal("conference.international_bonus", on, used)
        counted += 1
        reasons.append(f"counted:{item['id']}")
    if not counted:
        p.decimal("conference.cap", period.end, used)
        return Decision(Decimal("0.00"), False, (*reasons, "no_items"), used)
    amount = _capped(total, p, "conference.cap", period, used, reasons)
    return Decision(amount.quantize(CENT), True, tuple(reasons), used)


RANKS = {
    1: "competition.amount_first",
    2: "competition.amount_second",
    3: "competition.amount_third",
}


def competition(inputs: Mapping[str, Any], period: Period, p: Parameters) -> Decision:
    """Task 15: industrialisation support for maker-competition winners whose project has
    landed in the zone (an enterprise registered here); the amount by rank, read at the
    award date; the cap at the end of the period."""
    used: Used = {}
    reasons: list[str] = []
    total = Decimal(0)
    counted = 0
    for item in _items(inputs):
        if not _screen(item, period, reasons, certified=False):
            continue
        name = RANKS.get(int(item.get("rank") or 0))
        if name is None:
            reasons.append(f"excluded:{item['id']}:unknown_rank")
            continue
        if not item.get("industrialised", False):
            reasons.append(f"excluded:{item['id']}:not_industrialised")
            continue
        total += p.decimal(name, day(item["date"]), used)
        counted += 1
        reasons.append(f"counted:{item['id']}")
    if not counted:
        p.decimal("competition.cap", period.end, used)
        return Decision(Decimal("0.00"), False, (*reasons, "no_items"), used)
    amount = _capped(total, p, "competition.cap", period, used, reasons)
    return Decision(amount.quantize(CENT), True, tuple(reasons), used)


RULES: dict[str, rules.Rule] = {
    "introduction": introduction,
    "contract": contract,
    "flexible": flexible,
    "training": training,
    "community_investment": community_investment,
    "conference": conference,
    "competition": competition,
}

_loaded: Parameters | None = None


def parameters() -> Parameters:
    """The shipped parameters, loaded and validated once."""
    global _loaded
    if _loaded is None:
        _loaded = rules.load_directory(PARAMETERS_DIR)
    return _loaded


BOOK = rules.RuleBook(
    name="incentives", version=VERSION, rules=RULES, parameters=parameters, tests=TESTS_DIR
)
