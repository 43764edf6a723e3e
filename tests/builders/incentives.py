"""Builders for incentives: certified nomads, last year's conversions and training passes,
a second officer at 市科工信局 (four-eyes), a claim in each state."""

from __future__ import annotations

import importlib
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps
from django.utils import timezone

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import workdays
from nomadcloud.incentives import services
from nomadcloud.incentives.models import Claim, Policy
from nomadcloud.orders.models import Conversion
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Budget
from nomadcloud.talent.models import Application, Certificate, RuleSet
from nomadcloud.training.models import Enrolment, Scenario
from tests.builders.world import World, make_person


def as_(user: User) -> Principal:
    return Principal.for_user(user)


def last_year() -> int:
    return timezone.localdate().year - 1


def ensure_policies() -> None:
    """The seeded policies (a data migration): a live-server test flushes the tables, so a
    later test in the same process seeds them again."""
    if not Policy.objects.exists():
        seeding = importlib.import_module("nomadcloud.incentives.migrations.0002_seed_policies")
        seeding.seed(django_apps, None)


def policy(code: str) -> Policy:
    ensure_policies()
    return Policy.objects.get(code=code)


def certify(user: User, start: date, end: date, issuer: Organisation) -> Certificate:
    rule_set = RuleSet.objects.filter(track="domestic").first() or RuleSet.objects.create(
        track="domestic", version=99, effective_from=date(2020, 1, 1), criteria={}
    )
    application = Application.objects.create(
        applicant=user,
        track="domestic",
        rule_set=rule_set,
        status="approved",
        reviewing_department=issuer,
    )
    return Certificate.objects.create(
        verification_code=secrets.token_urlsafe(12),
        holder=user,
        application=application,
        track="domestic",
        rule_version=rule_set.label,
        issued_by=issuer,
        valid_from=start,
        valid_until=end,
    )


def certified_nomads(w: World, n: int, prefix: str = "nomad") -> list[User]:
    ensure_policies()
    year = last_year()
    people = []
    for i in range(n):
        person = make_person(f"{prefix} {i}", f"{prefix}{i}@example.com")
        certify(person, date(year - 1, 6, 1), date(year + 1, 6, 1), w.department)
        people.append(person)
    return people


def contract(organisation: Organisation, nomad: User, starts_on: date, months: int) -> Conversion:
    ends = date(
        starts_on.year + (starts_on.month - 1 + months) // 12,
        (starts_on.month - 1 + months) % 12 + 1,
        starts_on.day,
    ) - timedelta(days=1)
    return Conversion.objects.create(
        kind="contract",
        organisation=organisation,
        nomad=nomad,
        starts_on=starts_on,
        ends_on=ends,
        term_months=months,
        term_days=(ends - starts_on).days + 1,
        one_year_or_more=months >= 12,
        occurred_on=starts_on,
    )


def second_officer(w: World) -> User:
    """An administrator at 市科工信局 besides Wendy, so that verifier and approver differ."""
    existing = User.objects.filter(email="victor@example.com").first()
    if existing is not None:
        return existing
    victor = make_person("Victor Verifier", "victor@example.com")
    Membership.objects.create(user=victor, organisation=w.department, role="admin")
    return victor


def contracts_claim(w: World, count: int = 3) -> Claim:
    """Acme: ``count`` one-year contracts last year with certified nomads, and a draft claim."""
    year = last_year()
    for i, nomad in enumerate(certified_nomads(w, count, prefix=f"c{count}n")):
        contract(w.acme, nomad, date(year, 3, 1 + i), 12)
    return services.start_claim(
        principal=as_(w.olivia), organisation=w.acme, policy=policy("contract"), year=year
    )


def submitted_claim(w: World) -> Claim:
    claim = contracts_claim(w)
    return services.submit_claim(
        principal=as_(w.olivia), claim=claim, declaration="True and complete."
    )


def verified_claim(w: World, verifier: User | None = None) -> Claim:
    claim = submitted_claim(w)
    officer = as_(verifier or w.wendy)
    for item in claim.items.all():
        services.verify_item(principal=officer, claim=claim, reference=item.reference, counted=True)
    return services.complete_verification(principal=officer, claim=claim)


def load_calendar() -> None:
    """Whatever today is, a notice's working days fall in loaded years (tests/builders/core)."""
    today = timezone.localdate()
    for year in (today.year - 1, today.year, today.year + 1):
        workdays.declare_year_loaded(year, actor=None)


def publicity_claim(w: World, verifier: User | None = None, *, ended: bool = True) -> Claim:
    """A verified claim in 公示; ``ended``: its notice opened long enough ago to have ended."""
    load_calendar()
    claim = verified_claim(w, verifier)
    at = timezone.now() - timedelta(days=30) if ended else None
    return services.open_publicity(principal=as_(verifier or w.wendy), claim=claim, at=at)


def budget(w: World, code: str = "contract", amount: str = "1000000.00") -> Budget:
    year = last_year()
    found = Budget.objects.filter(programme_code=f"incentives-{code}", year=year).first()
    return found or payouts.create_budget(
        programme_code=f"incentives-{code}",
        year=year,
        amount=Decimal(amount),
        owner=w.department,
        actor=None,
    )


def approved_claim(w: World) -> Claim:
    budget(w)
    return services.approve_claim(principal=as_(second_officer(w)), claim=publicity_claim(w))


def amount(text: str) -> Decimal:
    return Decimal(text)


def training_passes(organisation: Organisation, nomads: list[User], year: int) -> list[Enrolment]:
    """Passed enrolments of one closed scenario of ``organisation``, completed in ``year``."""
    scenario = Scenario.objects.create(
        organisation=organisation,
        status=Scenario.Status.CLOSED,
        title_zh="数据标注实训",
        title_en="Data labelling training",
        capacity=len(nomads),
        enrol_from=date(year, 1, 1),
        enrol_until=date(year, 3, 1),
        runs_from=date(year, 1, 1),
        runs_until=date(year, 6, 30),
    )
    done = timezone.make_aware(datetime(year, 5, 20, 12))
    return Enrolment.objects.bulk_create(
        Enrolment(
            scenario=scenario,
            nomad=nomad,
            status=Enrolment.Status.PASSED,
            enrolled_at=done - timedelta(days=30),
            completed_at=done,
            score=Decimal("80.00"),
        )
        for nomad in nomads
    )


# --- recorded facts: community investments (纳统) and conferences ------------------------------

PDF = b"%PDF-1.4 evidence\n"


def evidence(name: str = "evidence.pdf") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def community(w: World, name: str = "Sea Breeze Community") -> Organisation:
    """A community operator owned by Olivia (the claimant of the community policies)."""
    from tests.builders.world import make_org

    return make_org(w.olivia, name, kind="community")


def investment(w: World, org: Organisation, on: date, amount: str) -> Any:
    from nomadcloud.core.inputs import parse_draft
    from nomadcloud.incentives.schemas import InvestmentDraft

    draft = parse_draft(
        InvestmentDraft,
        {"invested_on": on, "amount": amount, "category": "building", "description": "Renovation"},
    )
    return services.record_investment(
        principal=as_(w.olivia), organisation=org, draft=draft, evidence=evidence()
    )


def statistics_figure(w: World, org: Organisation, year: int, value: str) -> Any:
    """The bureau imports the 纳统 figure for the unit and year; the zone operator approves."""
    from nomadcloud.dashboard import services as dashboard
    from nomadcloud.dashboard.models import Observation
    from tests.builders.dashboard import statistics_clerk

    clerk = User.objects.filter(email="tina@example.com").first() or statistics_clerk()
    header = ",".join(dashboard.COLUMNS)
    row = (
        f"incentives.community_investment,{year},DZ,{value},currency-CNY,F,"
        f"{timezone.localdate().isoformat()},统计局纳统,,,{org.credit_code}"
    )
    dashboard.import_file("nantong.csv", f"{header}\n{row}\n".encode(), actor=clerk)
    figure = Observation.objects.filter(entity=org.credit_code, period=str(year)).latest("id")
    return dashboard.approve(figure, actor=w.oscar)


def conference(w: World, org: Organisation, on: date, participants: int, **extra: Any) -> Any:
    from nomadcloud.core.inputs import parse_draft
    from nomadcloud.incentives.schemas import ConferenceDraft

    fields = {
        "title_zh": "数字游民大会",
        "title_en": "Nomad conference",
        "starts_on": on,
        "ends_on": on + timedelta(days=1),
        "venue": "洋浦国际会展中心",
        "participants": participants,
        **extra,
    }
    return services.record_conference(
        principal=as_(w.olivia),
        organisation=org,
        draft=parse_draft(ConferenceDraft, fields),
        evidence=evidence(),
    )


def conference_officer() -> User:
    """An administrator of the department that verifies conference claims (yangpu-touzi)."""
    unit, _created = Organisation.objects.get_or_create(
        code="yangpu-touzi",
        defaults={"kind": Organisation.Kind.DEPARTMENT, "name_zh": "洋浦投资促进局"},
    )
    found = User.objects.filter(email="ivy@example.com").first()
    if found is not None:
        return found
    ivy = make_person("Ivy Investment", "ivy@example.com")
    Membership.objects.create(user=ivy, organisation=unit, role="admin")
    return ivy
