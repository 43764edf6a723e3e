"""The certification criteria: their format, their validation and their evaluation.

Pure computation with no Django imports, so that it can be tested and benchmarked alone.
Every explanation is given in Chinese and English; the caller picks the reader's language.

Criteria are a JSON object; every key is optional and an absent key is no requirement::

    {
      "nationality": "any" | "domestic" | "foreign",
      "min_remote_income_cny_12m": "60000.00",     # exact CNY, as a string
      "min_contract_value_cny_12m": "100000.00",   # exact CNY, as a string
      "earnings": "any" | "all",                   # how the two amounts combine (default any)
      "min_clients_outside_city": 1,
      "min_verified_skills": 1,                    # skills with certified/verified evidence
      "min_planned_stay_days": 90,
      "permit_months": {"min": 6, "max": 12},      # foreign track: the permit sought
      "validity_months": 12                        # how long a certificate lasts
    }
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

KNOWN_KEYS = (
    "nationality",
    "min_remote_income_cny_12m",
    "min_contract_value_cny_12m",
    "earnings",
    "min_clients_outside_city",
    "min_verified_skills",
    "min_planned_stay_days",
    "permit_months",
    "validity_months",
)
MONEY_KEYS = ("min_remote_income_cny_12m", "min_contract_value_cny_12m")
COUNT_KEYS = {
    "min_clients_outside_city": 100,
    "min_verified_skills": 100,
    "min_planned_stay_days": 3660,
    "validity_months": 60,
}


class CriteriaError(ValueError):
    def __init__(self, key: str, en: str, zh: str) -> None:
        super().__init__(en)
        self.key = key
        self.en = en
        self.zh = zh


def _amount(key: str, raw: Any) -> Decimal:
    if isinstance(raw, float | bool):
        raise CriteriaError(
            key, 'Write amounts as strings, e.g. "60000.00".', '金额请写成字符串，例如 "60000.00"。'
        )
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise CriteriaError(key, "Not an amount.", "不是有效的金额。") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise CriteriaError(
            key,
            "An amount of at least 0 with at most two decimals.",
            "金额须不小于 0，且最多两位小数。",
        )
    return value.quantize(Decimal("0.01"))


def _count(key: str, raw: Any, maximum: int, minimum: int = 0) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not minimum <= raw <= maximum:
        raise CriteriaError(
            key,
            f"A whole number from {minimum} to {maximum}.",
            f"须为 {minimum} 到 {maximum} 之间的整数。",
        )
    return raw


def validate_criteria(raw: Any) -> dict[str, Any]:
    """The criteria in normal form, or CriteriaError naming the first bad key."""
    if not isinstance(raw, dict):
        raise CriteriaError(
            "criteria", "The criteria must be a JSON object.", "认定条件须为 JSON 对象。"
        )
    unknown = sorted(set(raw) - set(KNOWN_KEYS))
    if unknown:
        raise CriteriaError(
            unknown[0],
            f"Unknown criterion {unknown[0]!r}; known: {', '.join(KNOWN_KEYS)}.",
            f"未知的条件 {unknown[0]!r}；可用：{'、'.join(KNOWN_KEYS)}。",
        )
    clean: dict[str, Any] = {}
    nationality = raw.get("nationality", "any")
    if nationality not in ("any", "domestic", "foreign"):
        raise CriteriaError(
            "nationality", "Choose any, domestic or foreign.", "请选择 any、domestic 或 foreign。"
        )
    clean["nationality"] = nationality
    for key in MONEY_KEYS:
        if raw.get(key) is not None:
            clean[key] = str(_amount(key, raw[key]))
    earnings = raw.get("earnings", "any")
    if earnings not in ("any", "all"):
        raise CriteriaError("earnings", "Choose any or all.", "请选择 any 或 all。")
    clean["earnings"] = earnings
    for key, maximum in COUNT_KEYS.items():
        if raw.get(key) is not None:
            clean[key] = _count(key, raw[key], maximum, 1 if key == "validity_months" else 0)
    months = raw.get("permit_months")
    if months is not None:
        if not isinstance(months, dict) or set(months) != {"min", "max"}:
            raise CriteriaError(
                "permit_months", 'Write {"min": 6, "max": 12}.', '请写成 {"min": 6, "max": 12}。'
            )
        low = _count("permit_months", months["min"], 60, 1)
        high = _count("permit_months", months["max"], 60, 1)
        if low > high:
            raise CriteriaError(
                "permit_months", "The minimum is above the maximum.", "最小值大于最大值。"
            )
        clean["permit_months"] = {"min": low, "max": high}
    return clean


@dataclass(frozen=True)
class Facts:
    """What the applicant states (answers) and what the platform knows (verified skills)."""

    is_foreign: bool
    remote_income_cny_12m: Decimal = Decimal(0)
    contract_value_cny_12m: Decimal = Decimal(0)
    clients_outside_city: int = 0
    verified_skills: int = 0
    planned_stay_days: int = 0
    permit_months: int | None = None


@dataclass(frozen=True)
class CriterionResult:
    key: str
    met: bool
    en: str
    zh: str


@dataclass
class Evaluation:
    qualifies: bool
    results: list[CriterionResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"qualifies": self.qualifies, "results": [asdict(r) for r in self.results]}


def _cny(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def evaluate(criteria: dict[str, Any], facts: Facts) -> Evaluation:
    """Check every criterion and explain each, met or not."""
    c = validate_criteria(criteria)
    results: list[CriterionResult] = []

    def add(key: str, met: bool, en: str, zh: str) -> None:
        mark_en, mark_zh = ("Met", "符合") if met else ("Not met", "不符合")
        results.append(CriterionResult(key, met, f"{mark_en}: {en}", f"{mark_zh}：{zh}"))

    if c["nationality"] == "foreign":
        add(
            "nationality",
            facts.is_foreign,
            "this track is for nationals of countries other than China.",
            "本类别面向非中国籍人士。",
        )
    elif c["nationality"] == "domestic":
        add(
            "nationality",
            not facts.is_foreign,
            "this track is for Chinese nationals.",
            "本类别面向中国籍人士。",
        )

    checks = []
    if "min_remote_income_cny_12m" in c:
        need = Decimal(c["min_remote_income_cny_12m"])
        checks.append(
            (
                facts.remote_income_cny_12m >= need,
                f"remote income over the last 12 months {_cny(facts.remote_income_cny_12m)}, "
                f"required {_cny(need)}",
                f"近 12 个月远程收入 {_cny(facts.remote_income_cny_12m)}，要求 {_cny(need)}",
            )
        )
    if "min_contract_value_cny_12m" in c:
        need = Decimal(c["min_contract_value_cny_12m"])
        checks.append(
            (
                facts.contract_value_cny_12m >= need,
                f"remote contract value over the last 12 months "
                f"{_cny(facts.contract_value_cny_12m)}, required {_cny(need)}",
                f"近 12 个月远程合同金额 {_cny(facts.contract_value_cny_12m)}，要求 {_cny(need)}",
            )
        )
    if checks:
        either = c["earnings"] == "any" and len(checks) > 1
        met = any(ok for ok, _, _ in checks) if either else all(ok for ok, _, _ in checks)
        joiner_en, joiner_zh = ("; or ", "；或") if either else ("; and ", "；且")
        add(
            "earnings",
            met,
            joiner_en.join(en for _, en, _ in checks) + ".",
            joiner_zh.join(zh for _, _, zh in checks) + "。",
        )

    if "min_clients_outside_city" in c:
        need_n = c["min_clients_outside_city"]
        add(
            "min_clients_outside_city",
            facts.clients_outside_city >= need_n,
            f"{facts.clients_outside_city} remote client(s) outside the city, required {need_n}.",
            f"市外远程客户 {facts.clients_outside_city} 家，要求 {need_n} 家。",
        )
    if "min_verified_skills" in c:
        need_n = c["min_verified_skills"]
        add(
            "min_verified_skills",
            facts.verified_skills >= need_n,
            f"{facts.verified_skills} skill(s) backed by a certificate or verified work, "
            f"required {need_n}.",
            f"有证书或已验证工作支撑的技能 {facts.verified_skills} 项，要求 {need_n} 项。",
        )
    if "min_planned_stay_days" in c:
        need_n = c["min_planned_stay_days"]
        add(
            "min_planned_stay_days",
            facts.planned_stay_days >= need_n,
            f"planned stay of {facts.planned_stay_days} days, required {need_n}.",
            f"计划停留 {facts.planned_stay_days} 天，要求 {need_n} 天。",
        )
    if "permit_months" in c:
        low, high = c["permit_months"]["min"], c["permit_months"]["max"]
        months = facts.permit_months
        met = months is not None and low <= months <= high
        shown = "—" if months is None else str(months)
        add(
            "permit_months",
            met,
            f"permit sought for {shown} months, allowed {low}–{high}.",
            f"申请许可期限 {shown} 个月，允许 {low}–{high} 个月。",
        )
    return Evaluation(qualifies=all(r.met for r in results), results=results)


def validity_months(criteria: dict[str, Any], facts: Facts) -> int:
    """How long a certificate lasts: the permit sought on the foreign track, else the
    criteria's ``validity_months`` (12 when absent)."""
    c = validate_criteria(criteria)
    if "permit_months" in c and facts.permit_months:
        return facts.permit_months
    return int(c.get("validity_months", 12))
