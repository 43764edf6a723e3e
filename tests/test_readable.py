"""Values shown to people are readable text in their language, never Python dicts or JSON:
the public certification rules and the audit log."""

from __future__ import annotations

from datetime import date

from django.test import Client

from nomadcloud.talent.models import RuleSet
from tests.conftest import World, client_for

RAW = ("{'", '{"', "'}", '"}')

CRITERIA = {
    "nationality": "foreign",
    "min_remote_income_cny_12m": "60000.00",
    "min_contract_value_cny_12m": "100000.00",
    "earnings": "any",
    "min_clients_outside_city": 1,
    "min_verified_skills": 2,
    "min_planned_stay_days": 90,
    "permit_months": {"min": 6, "max": 12},
    "validity_months": 12,
}


def _page(client: Client, url: str, language: str) -> str:
    client.cookies["nomadcloud_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    # The page's own content (the layout carries htmx's JSON headers attribute).
    body = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert [raw for raw in RAW if raw in body] == []
    return body


def test_the_certification_rules_read_as_text_in_both_languages(world: World) -> None:
    RuleSet.objects.create(
        track="foreign", version=1, effective_from=date(2025, 1, 1), criteria=CRITERIA
    )
    chinese = _page(client_for(world.rita), "/talent/rules/", "zh-hans")
    for text in ("申请人范围", "外籍人员", "¥60,000.00", "近 12 个月远程收入不低于", "90 天"):
        assert text in chinese
    assert "6 至 12 个月" in chinese and "min_planned_stay_days" not in chinese
    english = _page(client_for(world.rita), "/talent/rules/", "en")
    for text in ("Who may apply", "foreign nationals", "90 days", "6 to 12 months", "12 months"):
        assert text in english
    assert "<dl" in english and "申请人范围" not in english


def test_the_audit_log_reads_as_text_in_both_languages(world: World) -> None:
    client_for(world.bob).post(
        "/accounts/settings/",
        {
            "form": "profile",
            "display_name": "Robert",
            "email": "robert@example.com",
            "phone": "",
            "preferred_language": "zh-hans",
        },
    )
    client = client_for(world.oscar)
    chinese = _page(client, "/accounts/audit/", "zh-hans")
    assert "（个人信息，不显示）" in chinese and "[personal]" not in chinese
    assert "accounts.user:" not in chinese
    english = _page(client, "/accounts/audit/", "en")
    assert "(personal, not shown)" in english and "<dl" in english


def test_language_codes_and_concept_codes_read_as_names(db: None) -> None:
    from django.utils import translation

    from nomadcloud.core.templatetags.nc import _audit_value, language_label
    from nomadcloud.taxonomy.models import Concept

    Concept.objects.create(code="nc.test-skill", kind="skill", label_zh="测试技能", label_en="Test")
    with translation.override("zh-hans"):
        assert (language_label("en"), language_label("zh")) == ("英语", "中文")
        assert _audit_value("nc.test-skill", None) == "测试技能"
    with translation.override("en"):
        assert (language_label("en"), language_label("ja")) == ("English", "Japanese")
        assert _audit_value("nc.test-skill", None) == "Test"
        # Not a concept: shown as recorded.
        assert _audit_value("nc.unknown-thing", None) == "nc.unknown-thing"
        assert language_label("xx-unknown") == "xx-unknown"
