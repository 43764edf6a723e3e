"""Matching in a real browser: an enterprise posts a Chinese demand and sees ranked
candidates with explanations; a nomad sees recommended work; a profile edit changes the
ranking. Jobs run as in development (immediate backend, after commit)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from nomadcloud.accounts.principal import Principal
from nomadcloud.matching.models import Invitation
from nomadcloud.talent import services as talent_services
from nomadcloud.talent.schemas import ProfileChanges
from tests.browser_fixtures import sign_in
from tests.builders.demands import make_concepts
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enterprise_sees_explained_candidates_and_nomad_sees_recommended_work(
    page: Page,
    world: World,
) -> None:
    concepts = make_concepts()
    charlie, bob = Principal.for_user(world.charlie), Principal.for_user(world.bob)
    talent_services.update_profile(
        principal=charlie, changes=ProfileChanges(headline_zh="Python 数据工程师")
    )
    talent_services.declare_skill(
        principal=charlie,
        concept=concepts["python"],
        level=3,
        evidence=talent_services.EvidenceInput(source="Python Institute", reference="PCAP-9"),
    )
    talent_services.declare_skill(principal=charlie, concept=concepts["sql"], level=4)
    talent_services.update_profile(principal=bob, changes=ProfileChanges(headline_zh="数据标注员"))
    talent_services.declare_skill(principal=bob, concept=concepts["python"], level=4)
    talent_services.declare_skill(principal=bob, concept=concepts["sql"], level=4)

    sign_in(page, "olivia@example.com")
    page.goto(f"/demands/organisations/{world.acme.public_id}/")
    page.get_by_test_id("new-demand").click()
    page.locator("#id_kind").select_option("job")
    page.locator("#id_title_zh").fill("Python 数据工程师")
    page.locator("#id_description_zh").fill("负责数据清洗，熟悉 Python 与 SQL，可远程办公。")
    page.locator("#id_skills").fill("nc.python 3")
    page.get_by_test_id("demand-submit").click()
    page.get_by_test_id("status-published").click()
    page.get_by_test_id("candidates-link").click()

    candidates = page.get_by_test_id("candidate")
    expect(candidates).to_have_count(2)
    expect(candidates.first).to_contain_text("Python 数据工程师")  # Charlie first
    candidates.first.get_by_test_id("explanation").click()
    expect(candidates.first.locator('[data-status="met"]').first).to_contain_text("Python")
    expect(candidates.nth(1).locator('[data-status="partial"]').first).to_contain_text("Python")
    candidates.first.get_by_test_id("invite").click()
    expect(page.get_by_test_id("invited")).to_have_count(1)
    assert Invitation.objects.get().profile.user == world.charlie

    # A profile edit changes the ranking: Charlie stops being available.
    talent_services.update_profile(
        principal=charlie, changes=ProfileChanges(availability="unavailable")
    )
    page.reload()
    expect(page.get_by_test_id("candidate")).to_have_count(1)
    expect(page.get_by_test_id("candidate").first).to_contain_text("数据标注员")

    page.get_by_test_id("logout").click()
    sign_in(page, "bob@example.com")
    page.goto("/accounts/workspace/")
    expect(page.get_by_test_id("links-recommended")).to_contain_text("Python 数据工程师")
    page.get_by_test_id("link-recommended").click()
    expect(page.get_by_test_id("recommendation")).to_have_count(1)
    expect(page.get_by_test_id("recommendation").first.get_by_test_id("score")).not_to_be_empty()
