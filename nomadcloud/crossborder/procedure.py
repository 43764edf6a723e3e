"""The cross-border decision procedure (design: capabilities/08-cross-border.md, "Decision
procedure"), a rule book of the dated-rules core (``core/rules.py``): a pure function of the
facts of one request and the year-to-date counters, reading its thresholds at the decision
day (the case's period end). ``nomadcloud rules test`` runs the cases in ``rule_tests/``.

The decision's ``amount`` is the route's rank (0 exempt, 1 standard contract or
certification, 2 security assessment, 3 blocked); ``reasons`` hold ``route:<route>``, the
exemption or trigger (``exempt:c``, ``trigger:ytd_sensitive`` …) and ``cite:<clause>``
codes, which ``CLAUSES`` turns into the cited text in Chinese and English. ``eligible`` is
whether the data may leave at all once the route's obligations are met (false only when
blocked).

Order of the checks (the specification's, plus core data first):
0. core data (核心数据) → blocked (Data Security Law art. 21, Decree 790 art. 37);
1. inside a free-trade zone and matching no entry of its negative list → exempt (Order 16
   art. 6);
2. exemptions (a)–(e) of Order 16 art. 5 → exempt;
3. a CIIO exporting personal information or important data → assessment;
4. important data (notified, or by the automotive rule) → assessment;
5. the cumulative counters: ≥ 1,000,000 people or ≥ 10,000 sensitive → assessment; ≥ 100,000
   or any sensitive → standard contract (or certification, Order 20, when chosen and
   allowed); else exempt (f).
Before 2024-03-22 (Order 11 and 13) steps 1–2 and exemption (f) do not exist, the counting
window starts on 1 January of the previous year and a processor of ≥ 1,000,000 people's
personal information needs an assessment for any export: the parameters carry those dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nomadcloud.core import rules
from nomadcloud.core.rules import Decision, Parameters, Period, Value

HERE = Path(__file__).resolve().parent
VERSION = "CAC-16-2024-03-22"

EXEMPT, CONTRACT, CERTIFICATION, ASSESSMENT, BLOCKED = (
    "exempt",
    "standard_contract",
    "certification",
    "security_assessment",
    "blocked",
)
RANK = {EXEMPT: 0, CONTRACT: 1, CERTIFICATION: 1, ASSESSMENT: 2, BLOCKED: 3}
ROUTES: dict[str, Promise] = {
    EXEMPT: _("exempt"),
    CONTRACT: _("standard contract"),
    CERTIFICATION: _("certification"),
    ASSESSMENT: _("security assessment"),
    BLOCKED: _("blocked"),
}

# Scenarios of Order 16 art. 5: (a) the first five when no personal information and no
# important data; (c) contract with the individual; (d) HR; (e) emergency.
SCENARIOS: dict[str, Promise] = {
    "trade": _("International trade"),
    "transport": _("Cross-border transport"),
    "academic": _("Academic cooperation"),
    "manufacturing": _("Multinational manufacturing"),
    "marketing": _("Multinational marketing"),
    "contract": _("Performing a contract with the individual (booking, payment, delivery…)"),
    "hr": _("Cross-border human-resources management"),
    "emergency": _("Emergency: protecting life, health or property"),
    "other": _("Other"),
}
SCENARIO_A = {"trade", "transport", "academic", "manufacturing", "marketing"}
SCENARIO_EXEMPTION = {"contract": "c", "hr": "d", "emergency": "e"}

# The clauses a decision cites, in both languages (the reasons carry ``cite:<code>``).
CLAUSES: dict[str, tuple[str, str]] = {
    "pipl-28": (
        "《个人信息保护法》第二十八条：敏感个人信息（含行踪轨迹）",
        "PIPL art. 28: sensitive personal information (incl. whereabouts)",
    ),
    "pipl-38": (
        "《个人信息保护法》第三十八条：出境条件（安全评估、认证、标准合同）",
        "PIPL art. 38: conditions for export (assessment, certification, standard contract)",
    ),
    "pipl-39": (
        "《个人信息保护法》第三十九条：告知并取得单独同意",
        "PIPL art. 39: notice and separate consent",
    ),
    "pipl-55": (
        "《个人信息保护法》第五十五、五十六条：个人信息保护影响评估，记录保存三年",
        "PIPL arts. 55–56: impact assessment, records kept 3 years",
    ),
    "dsl-21": (
        "《数据安全法》第二十一条、《网络数据安全管理条例》第三十七条：核心数据",
        "Data Security Law art. 21, Decree 790 art. 37: core data",
    ),
    "order11-4": (
        "《数据出境安全评估办法》（网信办令第11号）第四条",
        "CAC Order 11 (security assessment) art. 4",
    ),
    "order13-4": (
        "《个人信息出境标准合同办法》（网信办令第13号）第四、七条：标准合同及10个工作日内备案",
        "CAC Order 13 (standard contract) arts. 4, 7: contract and filing within 10 working days",
    ),
    "order16-3": (
        "《促进和规范数据跨境流动规定》（网信办令第16号）第三条：国际贸易等数据（不含个人信息、重要数据）",
        "CAC Order 16 art. 3: trade, transport, academic, manufacturing, marketing data "
        "without PI or important data",
    ),
    "order16-4": (
        "《促进和规范数据跨境流动规定》第四条：境外收集、境内处理后出境",
        "CAC Order 16 art. 4: collected abroad, processed in China and sent back",
    ),
    "order16-5": (
        "《促进和规范数据跨境流动规定》第五条：订立、履行合同，人力资源管理，紧急情况，不满10万人非敏感个人信息",
        "CAC Order 16 art. 5: contract with the individual, HR, emergency, fewer than "
        "100,000 people's non-sensitive PI",
    ),
    "order16-6": (
        "《促进和规范数据跨境流动规定》第六条：自由贸易试验区负面清单",
        "CAC Order 16 art. 6: free-trade-zone negative lists",
    ),
    "order16-7": (
        "《促进和规范数据跨境流动规定》第七条：申报数据出境安全评估的情形",
        "CAC Order 16 art. 7: when a security assessment is required",
    ),
    "order16-8": (
        "《促进和规范数据跨境流动规定》第八条：标准合同或个人信息保护认证的情形",
        "CAC Order 16 art. 8: when a standard contract or certification is required",
    ),
    "order20": (
        "《个人信息出境认证办法》（网信办令第20号）：认证适用范围，证书有效期3年",
        "CAC Order 20 (PI export certification): scope, certificate valid 3 years",
    ),
    "auto-3": (
        "《汽车数据安全管理若干规定（试行）》第三条：车辆流量等重要数据，超过10万人个人信息",
        "Automotive data rules art. 3: vehicle-flow data, PI of over 100,000 people are "
        "important data",
    ),
    "hainan-list": (
        "《海南自由贸易港数据出境管理清单（负面清单）（2024版）》",
        "Hainan free-trade-port outbound data negative list (2024)",
    ),
}


def clause_texts(reasons: tuple[str, ...] | list[str], language: str) -> list[str]:
    """The cited clauses of a decision's reasons in ``language`` (zh… or en)."""
    index = 0 if language.lower().startswith("zh") else 1
    return [CLAUSES[r[5:]][index] for r in reasons if r.startswith("cite:") and r[5:] in CLAUSES]


@dataclass(frozen=True)
class Facts:
    is_ciio: bool
    in_ftz: bool
    ftz_list_match: bool
    scenario: str
    returned_abroad: bool
    pi_count: int
    sensitive_count: int
    is_important_data: bool
    is_core_data: bool
    automotive: bool
    vehicle_flow_data: bool
    ytd_pi: int
    ytd_sensitive: int
    pi_processed: int
    chosen_route: str


def _count(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or value < 0:
        raise rules.ParameterError(f"input.{key} must be a whole number ≥ 0")
    return int(value)


def facts_from(raw: Mapping[str, Any]) -> Facts:
    scenario = str(raw.get("scenario", "other"))
    if scenario not in SCENARIOS:
        raise rules.ParameterError(f"input.scenario: unknown scenario {scenario!r}")
    chosen = str(raw.get("chosen_route", CONTRACT))
    if chosen not in (CONTRACT, CERTIFICATION):
        raise rules.ParameterError("input.chosen_route is standard_contract or certification")
    return Facts(
        is_ciio=bool(raw.get("is_ciio", False)),
        in_ftz=bool(raw.get("in_ftz", False)),
        ftz_list_match=bool(raw.get("ftz_list_match", False)),
        scenario=scenario,
        returned_abroad=bool(raw.get("returned_abroad", False)),
        pi_count=_count(raw, "pi_count"),
        sensitive_count=_count(raw, "sensitive_count"),
        is_important_data=bool(raw.get("is_important_data", False)),
        is_core_data=bool(raw.get("is_core_data", False)),
        automotive=bool(raw.get("automotive", False)),
        vehicle_flow_data=bool(raw.get("vehicle_flow_data", False)),
        ytd_pi=_count(raw, "ytd_pi"),
        ytd_sensitive=_count(raw, "ytd_sensitive"),
        pi_processed=_count(raw, "pi_processed"),
        chosen_route=chosen,
    )


def _flag(params: Parameters, name: str, when: Any, used: dict[str, tuple[Any, Value]]) -> bool:
    start, value = params.at(name, when)
    used[name] = (start, value)
    return bool(value)


def _optional(
    params: Parameters, name: str, when: Any, used: dict[str, tuple[Any, Value]]
) -> Decimal | None:
    """A number that a later rule ended (``null``): None from then on."""
    try:
        return params.decimal(name, when, used)
    except LookupError:
        return None


def decide(facts: Facts, when: Any, params: Parameters) -> Decision:
    """The route for these facts on the day ``when`` (the parameters in force that day)."""
    used: dict[str, tuple[Any, Value]] = {}
    order16 = _flag(params, "exemptions_in_force", when, used)
    contains_pi = facts.pi_count > 0 or facts.sensitive_count > 0
    total_pi = facts.ytd_pi + facts.pi_count
    total_sensitive = facts.ytd_sensitive + facts.sensitive_count
    consent = ("cite:pipl-39", "cite:pipl-55")

    def result(route: str, *reasons: str) -> Decision:
        cites = consent if contains_pi else ("cite:pipl-55",)
        return Decision(
            amount=Decimal(RANK[route]),
            eligible=route != BLOCKED,
            reasons=(f"route:{route}", *reasons, *cites),
            params_used=used,
        )

    if facts.is_core_data:
        return result(BLOCKED, "trigger:core_data", "cite:dsl-21")
    if order16 and facts.in_ftz and not facts.ftz_list_match:
        return result(EXEMPT, "exempt:ftz_list", "cite:order16-6", "cite:hainan-list")
    # Important data by the automotive rule (vehicle flows; PI of more than 100,000 people).
    automotive: tuple[str, ...] = ()
    if facts.automotive:
        subjects = params.decimal("automotive_important_subjects", when, used)
        if facts.vehicle_flow_data:
            automotive = ("trigger:vehicle_flow", "cite:auto-3")
        elif total_pi > subjects:
            automotive = ("trigger:automotive_subjects", "cite:auto-3")
    important = facts.is_important_data or bool(automotive)
    # The exemptions of arts. 3–5 cover data without important data: important data is
    # always assessed (art. 7(1)); (a) also needs no personal information.
    if order16 and not important:
        if facts.scenario in SCENARIO_A and not contains_pi:
            return result(EXEMPT, "exempt:a", "cite:order16-3")
        if facts.returned_abroad:
            return result(EXEMPT, "exempt:b", "cite:order16-4")
        if facts.scenario in SCENARIO_EXEMPTION:
            return result(EXEMPT, f"exempt:{SCENARIO_EXEMPTION[facts.scenario]}", "cite:order16-5")
    rule = "cite:order16-7" if order16 else "cite:order11-4"
    if facts.is_ciio and (contains_pi or important):
        return result(ASSESSMENT, "trigger:ciio", rule, "cite:pipl-38")
    if facts.is_important_data:
        return result(ASSESSMENT, "trigger:important_data", rule)
    if automotive:
        return result(ASSESSMENT, *automotive, rule)
    processed = _optional(params, "processor_total_threshold", when, used)
    if processed is not None and contains_pi and facts.pi_processed >= processed:
        return result(ASSESSMENT, "trigger:processor_total", rule, "cite:pipl-38")
    assessment_pi = params.decimal("assessment_pi_threshold", when, used)
    assessment_spi = params.decimal("assessment_sensitive_threshold", when, used)
    if total_pi >= assessment_pi:
        return result(ASSESSMENT, "trigger:ytd_pi", rule, "cite:pipl-38")
    if total_sensitive >= assessment_spi:
        return result(ASSESSMENT, "trigger:ytd_sensitive", rule, "cite:pipl-28", "cite:pipl-38")
    contract_pi = params.decimal("contract_pi_threshold", when, used)
    sensitive = ("cite:pipl-28",) if total_sensitive else ()
    if total_pi >= contract_pi or total_sensitive >= 1:
        trigger = (
            "trigger:ytd_sensitive"
            if total_sensitive and total_pi < contract_pi
            else "trigger:ytd_pi"
        )
        article = "cite:order16-8" if order16 else "cite:order13-4"
        certification = _flag(params, "certification_in_force", when, used)
        if facts.chosen_route == CERTIFICATION and certification:
            return result(
                CERTIFICATION, trigger, article, "cite:order20", *sensitive, "cite:pipl-38"
            )
        return result(CONTRACT, trigger, article, "cite:order13-4", *sensitive, "cite:pipl-38")
    return result(EXEMPT, "exempt:f", "cite:order16-5")


def route_rule(inputs: Mapping[str, Any], period: Period, params: Parameters) -> Decision:
    return decide(facts_from(inputs), period.end, params)


def parameters() -> Parameters:
    return _parameters()


def _load() -> Parameters:
    return rules.load_directory(HERE / "parameters")


_cache: list[Parameters] = []


def _parameters() -> Parameters:
    if not _cache:
        _cache.append(_load())
    return _cache[0]


BOOK = rules.RuleBook(
    name="crossborder",
    version=VERSION,
    rules={"cross_border_route": route_rule},
    parameters=parameters,
    tests=HERE / "rule_tests",
)


def route_of(decision: Decision) -> str:
    for reason in decision.reasons:
        if reason.startswith("route:"):
            return reason[6:]
    raise ValueError("a decision without a route")


def number(name: str, when: Any) -> int:
    """A whole-number parameter in force on ``when`` (validity years, working days)."""
    value = parameters().decimal(name, when, {})
    return int(value)
