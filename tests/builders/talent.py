"""Builders for talent tests (moved from tests/permissions/talent.py): the
objects the permission matrix and tests/test_talent*.py start from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.talent import services
from nomadcloud.talent.models import RuleSet
from nomadcloud.talent.schemas import ProfileChanges, ProjectDraft
from nomadcloud.taxonomy.models import Concept
from tests.builders.world import World

DOMESTIC_CRITERIA: dict[str, Any] = {
    "nationality": "any",
    "min_remote_income_cny_12m": "60000.00",
    "min_contract_value_cny_12m": "100000.00",
    "earnings": "any",
    "min_clients_outside_city": 1,
    "min_verified_skills": 1,
    "min_planned_stay_days": 90,
    "validity_months": 12,
}
FOREIGN_CRITERIA: dict[str, Any] = {
    "nationality": "foreign",
    "min_remote_income_cny_12m": "120000.00",
    "min_planned_stay_days": 180,
    "permit_months": {"min": 6, "max": 12},
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GOOD_ANSWERS = services.Answers(
    remote_income_cny_12m=Decimal("80000.00"),
    contract_value_cny_12m=Decimal("0.00"),
    clients_outside_city=2,
    planned_stay_days=120,
)


def concept(code: str, kind: str, zh: str, en: str) -> Concept:
    found, _created = Concept.objects.get_or_create(
        code=code, defaults={"kind": kind, "label_zh": zh, "label_en": en, "source": "nomadcloud"}
    )
    return found


def renshe_department(w: World) -> Organisation:
    department, created = Organisation.objects.get_or_create(
        code="renshe",
        defaults={
            "kind": "department",
            "name_zh": "市人社局",
            "name_en": "Bureau of Human Resources and Social Security",
        },
    )
    if created:
        Membership.objects.create(user=w.wendy, organisation=department, role="reviewer")
    return department


def rule_sets() -> tuple[RuleSet, RuleSet]:
    domestic = RuleSet.objects.filter(track="domestic").first() or RuleSet.objects.create(
        track="domestic", version=1, effective_from=date(2025, 1, 1), criteria=DOMESTIC_CRITERIA
    )
    foreign = RuleSet.objects.filter(track="foreign").first() or RuleSet.objects.create(
        track="foreign", version=1, effective_from=date(2025, 1, 1), criteria=FOREIGN_CRITERIA
    )
    return domestic, foreign


def talent_zone(w: World) -> SimpleNamespace:
    """Idempotent: the department, concepts, rules, Rita's profile and application, Bob's
    certificate."""
    cached = getattr(w, "_talent", None)
    if cached is not None:
        return cached
    department = renshe_department(w)
    rule_sets()
    python = concept("nc.python", "skill", "Python 编程", "Python programming")
    sql = concept("nc.sql", "skill", "SQL 数据查询", "SQL")
    figma = concept("nc.figma", "tool", "Figma", "Figma")
    rita = Principal.for_user(w.rita)
    services.update_profile(
        principal=rita,
        changes=parse_draft(
            ProfileChanges,
            {
                "headline_en": "Data analyst",
                "headline_zh": "数据分析师",
                "visibility": {"about": "public", "skills": "public"},
            },
        ),
    )
    skill = services.declare_skill(principal=rita, concept=sql, level=4)
    project = services.add_project(
        principal=rita,
        draft=ProjectDraft(title_en="Sales dashboard", role="Analyst", started_on=date(2024, 3, 1)),
    )
    tool = services.set_tool(principal=rita, concept=figma, proficiency=4, years=2)
    application = services.apply_for_certification(
        principal=rita, track="domestic", answers=GOOD_ANSWERS
    )
    bob_application = services.apply_for_certification(
        principal=Principal.for_user(w.bob), track="domestic", answers=GOOD_ANSWERS
    )
    services.decide_certification(
        principal=Principal.for_user(w.wendy),
        application=bob_application,
        department=department,
        approve=True,
        reason="Contracts checked.",
    )
    zone = SimpleNamespace(
        department=department,
        python=python,
        sql=sql,
        figma=figma,
        skill=skill,
        project=project,
        tool=tool,
        profile=skill.profile,
        application=application,
        certificate=bob_application.certificate,
    )
    w._talent = zone  # type: ignore[attr-defined]
    return zone
