"""Incentives: the dated rules core (parameters, periods, YAML cases, ``nomadcloud rules
test``), the seeded policies, entitlements from the platform's facts, the claim workflow
verified item by item, appeals, clawback, the recalculation diff, the simulation and the
reproduction of every stored decision."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from nomadcloud.core import publicity, rules
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from nomadcloud.incentives import policies, services
from nomadcloud.incentives import recalculation as recalc
from nomadcloud.incentives.models import Claim, ClaimEvent, Entitlement, ParameterSnapshot
from nomadcloud.notifications.models import Notification
from nomadcloud.payouts import services as payouts
from tests.builders.incentives import (
    approved_claim,
    as_,
    budget,
    certified_nomads,
    contract,
    contracts_claim,
    last_year,
    load_calendar,
    policy,
    publicity_claim,
    second_officer,
    submitted_claim,
    verified_claim,
)
from tests.builders.world import make_org, make_person
from tests.conftest import World

S = Claim.Status


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Refusals are matched by their English text."""
    with translation.override("en"):
        yield


# --- the rules core -------------------------------------------------------------------------

GOOD = """description: x
metadata:
  unit: currency-CNY
  reference: plan 004
values:
  2026-01-01:
    value: 5000
  2026-07-01:
    value: "6000.50"
"""


def test_a_parameter_reads_exact_values_with_a_mid_year_change() -> None:
    p = rules.parse("a.b", GOOD)
    assert p.at(date(2026, 6, 30)) == (date(2026, 1, 1), Decimal(5000))
    assert p.at(date(2026, 7, 1)) == (date(2026, 7, 1), Decimal("6000.50"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (GOOD.replace('"6000.50"', "6000.50"), "float"),
        (GOOD.replace('"6000.50"', "1.5e+3"), "float"),
        (GOOD.replace('"6000.50"', "1e3"), "not an exact number"),
        (GOOD.replace("currency-CNY", "yuan"), "unknown unit"),
        (GOOD.replace("  reference: plan 004\n", ""), "reference"),
        (GOOD.replace("2026-07-01", "2026-01-01"), "twice"),
        (GOOD.replace("2026-07-01", "2025-07-01"), "oldest first"),
        (GOOD.replace('"6000.50"', '"6000.505"'), "decimal places"),
        (GOOD.replace('"6000.50"', "true"), "whole number"),
    ],
)
def test_malformed_parameters_are_refused_with_the_reason(text: str, fragment: str) -> None:
    with pytest.raises(rules.ParameterError, match=fragment):
        rules.parse("a.b", text)


def test_periods_are_years_months_or_days_and_anything_else_says_so() -> None:
    assert rules.parse_period("2026").end == date(2026, 12, 31)
    assert rules.parse_period("2024-02").end == date(2024, 2, 29)
    assert rules.parse_period("2026-03-05").start == date(2026, 3, 5)
    for bad in ("2026-13", "month:2026", "26", ""):
        with pytest.raises(rules.ParameterError, match="not a year"):
            rules.parse_period(bad)


def test_a_rule_reading_an_unknown_parameter_is_refused() -> None:
    with pytest.raises(rules.ParameterError, match="unknown parameter"):
        policies.parameters().at("introduction.nothing", date(2026, 1, 1))


def test_the_seeded_policies_have_at_least_35_cases_all_passing() -> None:
    results = rules.run_tests(policies.BOOK)
    assert len(results) >= 35
    assert [r.message for r in results if not r.passed] == []
    per_rule: dict[str, int] = {}
    for result in results:
        for key in result.case.outputs:
            if key in policies.RULES:
                per_rule[key] = per_rule.get(key, 0) + 1
    assert set(per_rule) == set(policies.RULES)
    assert min(per_rule.values()) >= 5


def test_rules_test_command_passes_and_fails_on_a_wrong_case(tmp_path: Path) -> None:
    call_command("rules", "test")
    (tmp_path / "wrong.yaml").write_text(
        "- name: wrong on purpose\n  period: 2026\n  input:\n    items: []\n"
        "  output:\n    contract: 1\n"
    )
    broken = rules.RuleBook("broken", "0", policies.RULES, policies.parameters, tmp_path)
    rules.register(broken)
    try:
        with pytest.raises(CommandError, match="1 of 1"):
            call_command("rules", "test", "broken")
    finally:
        rules._BOOKS.pop("broken")


def test_a_float_in_a_test_case_amount_is_refused(tmp_path: Path) -> None:
    with pytest.raises(rules.ParameterError, match="float"):
        rules.load_cases("x.yaml", "- name: x\n  period: 2026\n  output: {contract: 0.1}\n")


def test_certification_criteria_are_a_rule_book_too() -> None:
    book = rules.book("talent.certification")
    results = rules.run_tests(book)
    assert len(results) >= 5 and all(r.passed for r in results), [r.message for r in results]


# --- entitlements -------------------------------------------------------------------------


def test_entitlements_are_computed_from_conversions_and_pushed(world: World) -> None:
    year = last_year()
    nomads = certified_nomads(world, 3)
    contract(world.acme, nomads[0], date(year, 2, 1), 12)
    contract(world.acme, nomads[1], date(year, 8, 1), 24)
    contract(world.acme, nomads[2], date(year, 3, 1), 6)  # too short
    assert services.compute_entitlements(year) >= 1
    found = Entitlement.objects.get(organisation=world.acme, policy__code="contract", year=year)
    expected = Decimal("10000.00") if year < 2026 else None
    if expected is not None:
        assert found.amount == expected
    assert found.eligible and len(found.inputs["items"]) == 3
    assert any(r.endswith(":short_contract") for r in found.reasons)
    assert (
        Notification.objects.filter(recipient=world.olivia, kind="incentives.entitlement").count()
        == 1
    )
    # unchanged facts: nobody is told twice
    services.compute_entitlements(year)
    assert (
        Notification.objects.filter(recipient=world.olivia, kind="incentives.entitlement").count()
        == 1
    )
    assert (
        services.reproduce(
            found.policy, year, {"inputs": found.inputs, "rule_version": found.rule_version}
        )
        == found.amount
    )


# --- the claim workflow ---------------------------------------------------------------------


def test_a_claim_goes_from_entitlement_to_approval_item_by_item(world: World) -> None:
    claim = contracts_claim(world)
    assert claim.status == S.DRAFT and claim.items.count() == 3 and claim.claimed_amount > 0
    claim = services.submit_claim(principal=as_(world.olivia), claim=claim, declaration="True.")
    first, second, third = claim.items.all()
    services.verify_item(
        principal=as_(world.wendy), claim=claim, reference=first.reference, counted=True
    )
    claim.refresh_from_db()
    assert claim.status == S.VERIFYING
    services.request_supplement(
        principal=as_(world.wendy), claim=claim, message="Send the contracts."
    )
    with pytest.raises(Conflict):
        services.complete_verification(principal=as_(world.wendy), claim=claim)
    services.answer_supplement(principal=as_(world.olivia), claim=claim, response="Attached.")
    services.verify_item(
        principal=as_(world.wendy), claim=claim, reference=second.reference, counted=True
    )
    with pytest.raises(InvalidInput):
        services.verify_item(
            principal=as_(world.wendy), claim=claim, reference=third.reference, counted=False
        )
    services.verify_item(
        principal=as_(world.wendy),
        claim=claim,
        reference=third.reference,
        counted=False,
        reason_code="evidence_missing",
        reason="No social-insurance record.",
    )
    claim = services.complete_verification(principal=as_(world.wendy), claim=claim)
    per = policies.parameters().at("contract.amount_per_contract", date(last_year(), 3, 1))[1]
    assert claim.status == S.VERIFIED and claim.amount == 2 * per
    load_calendar()
    claim = services.open_publicity(principal=as_(world.wendy), claim=claim)
    notice = publicity.notice_for("incentives.claim", str(claim.public_id))
    assert notice is not None and notice.status == "open"
    victor = second_officer(world)
    with pytest.raises(Conflict) as still_open:
        services.approve_claim(principal=as_(victor), claim=claim)
    assert still_open.value.code == "publicity_open"
    objection = publicity.file_objection(notice, actor=world.charlie, grounds="They left in May.")
    after = notice.ends_at + timedelta(seconds=1)
    with pytest.raises(Conflict) as pending:
        services.approve_claim(principal=as_(victor), claim=claim, now=after)
    assert pending.value.code == "objection_pending"
    publicity.decide_objection(objection, actor=victor, upheld=False, reason="Contracts checked.")
    with pytest.raises(Forbidden) as refused:
        services.approve_claim(principal=as_(world.wendy), claim=claim, now=after)
    assert refused.value.code == "four_eyes"
    with pytest.raises(Conflict) as no_budget:
        services.approve_claim(principal=as_(victor), claim=claim, now=after)
    assert no_budget.value.code == "no_budget"
    budget(world)
    claim = services.approve_claim(principal=as_(victor), claim=claim, now=after)
    assert claim.status == S.APPROVED and claim.payout is not None
    assert claim.payout.amount == claim.amount and claim.payout.status == "approved"
    payout = claim.payout
    payouts.schedule(payout, actor=world.oscar)
    payout = payouts.send(payout, actor=world.oscar)
    payout = payouts.mark_paid(payout, external_reference="BANK-2026-0001")
    payouts.confirm(payout, actor=world.oscar)
    assert ClaimEvent.objects.filter(claim=claim, action="payout_confirmed").exists()
    assert services.reproduce(claim.policy, claim.year, claim.decision) == claim.amount
    actions = list(ClaimEvent.objects.filter(claim=claim).values_list("action", flat=True))
    assert actions[0] == "start" and actions[-2:] == ["approve", "payout_confirmed"]


def test_appeal_and_clawback(world: World) -> None:
    claim = approved_claim(world)
    appeal = services.file_appeal(principal=as_(world.olivia), claim=claim, grounds="Too little.")
    claim.refresh_from_db()
    assert claim.status == S.APPEAL_REVIEW
    with pytest.raises(Forbidden):  # the verifier may not decide it
        services.decide_appeal(principal=as_(world.wendy), claim=claim, upheld=False, reason="No.")
    services.decide_appeal(
        principal=as_(second_officer(world)), claim=claim, upheld=False, reason="Computed right."
    )
    appeal.refresh_from_db()
    claim.refresh_from_db()
    assert appeal.status == "dismissed" and claim.status == S.APPROVED
    with pytest.raises(InvalidInput):
        services.claw_back(principal=as_(world.wendy), claim=claim, amount="999999", reason="x")
    services.claw_back(
        principal=as_(world.wendy),
        claim=claim,
        amount="1000.00",
        reason="One contract ended early.",
    )
    claim.refresh_from_db()
    assert claim.status == S.APPROVED and claim.clawed_back == Decimal("1000.00")
    rest = claim.amount - claim.clawed_back
    services.claw_back(principal=as_(world.wendy), claim=claim, amount=str(rest), reason="Undue.")
    claim.refresh_from_db()
    assert claim.status == S.REVERSED
    assert ClaimEvent.objects.filter(claim=claim, action="claw_back").count() == 2


def test_bad_claims_are_refused_and_change_nothing(world: World) -> None:
    year = last_year()
    contracts = policy("contract")
    with pytest.raises(InvalidInput) as open_period:
        services.start_claim(
            principal=as_(world.olivia), organisation=world.acme, policy=contracts, year=year + 1
        )
    assert open_period.value.code == "open_period"
    with pytest.raises(InvalidInput) as closed:
        services.start_claim(
            principal=as_(world.olivia),
            organisation=world.acme,
            policy=contracts,
            year=year,
            today=date(year + 3, 1, 1),
        )
    assert closed.value.code == "window_closed"
    with pytest.raises(InvalidInput) as validity:
        services.start_claim(
            principal=as_(world.olivia), organisation=world.acme, policy=contracts, year=2020
        )
    assert validity.value.code == "outside_validity"
    with pytest.raises(InvalidInput) as nothing:
        services.start_claim(
            principal=as_(world.olivia), organisation=world.acme, policy=contracts, year=year
        )
    assert nothing.value.code == "no_facts"
    with pytest.raises(Forbidden):
        services.start_claim(
            principal=as_(world.rita), organisation=world.acme, policy=contracts, year=year
        )
    assert not Claim.objects.exists()
    contracts_claim(world)
    with pytest.raises(Conflict) as duplicate:
        services.start_claim(
            principal=as_(world.olivia), organisation=world.acme, policy=contracts, year=year
        )
    assert duplicate.value.code == "duplicate_claim"


def test_an_enterprise_does_not_decide_its_own_claim(world: World) -> None:
    claim = submitted_claim(world)
    with pytest.raises(Forbidden):
        services.verify_item(
            principal=as_(world.olivia),
            claim=claim,
            reference=claim.items.first().reference,
            counted=True,  # type: ignore[union-attr]
        )


def test_exclusive_policies_do_not_count_one_nomad_twice(world: World) -> None:
    year = last_year()
    (nomad,) = certified_nomads(world, 1, prefix="ex")
    contract(world.acme, nomad, date(year, 3, 1), 12)
    from nomadcloud.orders.models import Conversion

    Conversion.objects.create(
        kind="flexible",
        organisation=world.acme,
        nomad=nomad,
        starts_on=date(year, 5, 1),
        ends_on=date(year, 7, 1),
        term_days=62,
        occurred_on=date(year, 5, 1),
    )
    services.start_claim(
        principal=as_(world.olivia), organisation=world.acme, policy=policy("contract"), year=year
    )
    flexible = services.start_claim(
        principal=as_(world.olivia), organisation=world.acme, policy=policy("flexible"), year=year
    )
    (item,) = flexible.items.all()
    assert item.state == "excluded" and item.reason_code == "exclusive_policy"


# --- recalculation, simulation, reproduction --------------------------------------------------


def test_the_recalculation_diff_shows_claims_whose_facts_changed(world: World) -> None:
    claim = submitted_claim(world)
    assert recalc.recalculation_diff(principal=as_(world.wendy)) == []
    (extra,) = certified_nomads(world, 1, prefix="late")
    contract(world.acme, extra, date(claim.year, 9, 1), 12)
    (row,) = recalc.recalculation_diff(principal=as_(world.wendy))
    assert row.claim == claim and row.new > row.old
    with pytest.raises(Forbidden):
        recalc.recalculation_diff(principal=as_(world.olivia))


def test_simulation_shows_the_budget_impact_and_who_gains(world: World) -> None:
    year = last_year()
    contracts_claim(world)
    sim = recalc.simulate(
        principal=as_(world.wendy),
        policy=policy("contract"),
        year=year,
        changes={"contract.amount_per_contract": "8000"},
        effective=date(year, 1, 1),
    )
    assert sim.organisations == 1 and sim.after_total == Decimal("24000.00") and sim.impact > 0
    lost = recalc.simulate(
        principal=as_(world.wendy),
        policy=policy("contract"),
        year=year,
        changes={"contract.min_months": "24"},
        effective=date(year, 1, 1),
    )
    assert len(lost.lost) == 1 and lost.after_total == 0
    with pytest.raises(InvalidInput):
        recalc.simulate(
            principal=as_(world.wendy),
            policy=policy("contract"),
            year=year,
            changes={"contract.amount_per_contract": "1.234"},
            effective=date(year, 1, 1),
        )
    with pytest.raises(Forbidden):
        recalc.simulate(
            principal=as_(world.olivia),
            policy=policy("contract"),
            year=year,
            changes={},
            effective=date(year, 1, 1),
        )


def test_every_stored_decision_reproduces_over_a_generated_year(world: World) -> None:
    """A generated year of facts for a few dozen organisations, entitlements computed, a
    claim verified under parameters that have since changed: re-running each stored
    decision from its snapshot gives the same amount to the cent."""
    rng = random.Random(17)
    year = last_year()
    nomads = certified_nomads(world, 12, prefix="gen")
    owner = make_person("Gen Owner", "gen-owner@example.com")
    orgs = [make_org(owner, f"Gen {i}") for i in range(6)]
    for org in orgs:
        for nomad in rng.sample(nomads, rng.randint(1, 6)):
            start = date(year, 1, 1) + timedelta(days=rng.randint(0, 360))
            contract(org, nomad, start, rng.choice([6, 11, 12, 13, 36]))
    services.compute_entitlements(year, notify_organisations=False)
    claim = verified_claim(world)
    # the parameters change afterwards: the stored snapshot still reproduces the claim
    changed = rules.reformed(
        services.parameters(), {"contract.amount_per_contract": {"2020-01-01": "1"}}
    )
    services.keep_snapshot(changed)
    assert ParameterSnapshot.objects.filter(snapshot=changed.snapshot).exists()
    rows = list(Entitlement.objects.select_related("policy"))
    assert len(rows) >= len(orgs)
    for row in rows:
        assert (
            services.reproduce(
                row.policy, row.year, {"inputs": row.inputs, "rule_version": row.rule_version}
            )
            == row.amount
        )
    for stored in Claim.objects.exclude(decision={}):
        assert services.reproduce(stored.policy, stored.year, stored.decision) == Decimal(
            stored.decision["amount"]
        )
    assert Decimal(claim.decision["amount"]) == claim.amount
    old = Claim.objects.get(pk=claim.pk)
    old.decision = {
        **old.decision,
        "rule_version": old.rule_version.rsplit("+", 1)[0] + "+" + changed.snapshot,
    }
    assert services.reproduce(old.policy, old.year, old.decision) == Decimal(
        len(old.decision["inputs"]["items"])
    )


def test_the_public_list_shows_claims_in_publicity(world: World) -> None:
    claim = publicity_claim(world)
    assert list(services.claims_for_publicity()) == [claim]


def test_a_policy_without_facts_for_the_organisation_is_refused_with_no_facts(
    world: World,
) -> None:
    """Conferences are recorded facts now (tests/test_incentives_recorded_facts.py): an
    organiser that recorded none is told so, not that the platform holds no such facts."""
    with pytest.raises(DomainError) as refused:
        services.start_claim(
            principal=as_(world.olivia),
            organisation=world.acme,
            policy=policy("conference"),
            year=last_year(),
        )
    assert refused.value.code == "no_facts"


def test_an_approval_above_the_available_budget_is_refused(world: World) -> None:
    budget(world, amount="100.00")
    claim = publicity_claim(world)
    with pytest.raises(Conflict) as exceeded:
        services.approve_claim(principal=as_(second_officer(world)), claim=claim)
    assert exceeded.value.code == "budget_exceeded"
    claim.refresh_from_db()
    assert claim.status == S.PUBLICITY and claim.payout is None
