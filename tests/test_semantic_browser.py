"""Issue 19 in a real browser, with the default embedding backend for real (it loads in well
under a second; the rest of the suite runs with none): an enterprise posts a purely Chinese
demand, sees the skills proposed from its meaning with a confidence, keeps them, and sees
ranked candidates whose explanations include a skill close in meaning."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from nomadcloud.accounts.principal import Principal
from nomadcloud.matching import matcher
from nomadcloud.talent import services as talent_services
from nomadcloud.talent.schemas import ProfileChanges
from nomadcloud.taxonomy import lookup
from tests.browser_fixtures import sign_in
from tests.builders.demands import concept, make_concepts
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chinese_demand_gets_a_job_profile_and_candidates_by_meaning(
    page: Page, world: World
) -> None:
    concepts = make_concepts()
    concept("nc.image-annotation", "Image annotation", "图像标注")
    picture = concept("nc.picture-labelling", "Picture labelling", "图片标注")
    bob, charlie = Principal.for_user(world.bob), Principal.for_user(world.charlie)
    talent_services.update_profile(principal=bob, changes=ProfileChanges(headline_zh="标注员"))
    talent_services.declare_skill(principal=bob, concept=picture, level=4)
    talent_services.update_profile(principal=charlie, changes=ProfileChanges(headline_zh="程序员"))
    talent_services.declare_skill(principal=charlie, concept=concepts["python"], level=4)

    with override_settings(MATCHING_EMBEDDINGS="packaged"):
        lookup.forget()
        sign_in(page, "olivia@example.com")
        page.goto(f"/demands/organisations/{world.acme.public_id}/")
        page.get_by_test_id("new-demand").click()
        page.locator("#id_kind").select_option("job")
        page.locator("#id_title_zh").fill("图像标注员")
        page.locator("#id_description_zh").fill("负责图像标注和标注质检，可远程办公。")
        page.locator("#id_skills").fill("nc.image-annotation 4")
        page.get_by_test_id("demand-submit").click()

        # The job profile: proposed from the text, each with a confidence to keep or remove.
        tags = page.get_by_test_id("profile-tag")
        expect(tags.filter(has_text=re.compile("图像标注|Image annotation")).first).to_be_visible()
        expect(page.get_by_test_id("tag-confidence").first).to_contain_text("%")

        # Semantic links are computed between the skills demands ask for and nomads hold when
        # the index is built (docs/matching.md); the setup above built it without a model.
        matcher.reset()
        page.get_by_test_id("status-published").click()
        page.get_by_test_id("candidates-link").click()
        candidates = page.get_by_test_id("candidate")
        expect(candidates.first).to_contain_text("标注员")  # Bob, by meaning, first
        candidates.first.get_by_test_id("explanation").click()
        expect(candidates.first.get_by_test_id("explanation")).to_contain_text(
            re.compile("语义相近的技能|a skill close in meaning")
        )
        # … and the profile's text as a whole, close in meaning to the demand's (0053).
        expect(candidates.first.get_by_test_id("explanation-meaning")).to_contain_text(
            re.compile(r"(档案与需求描述语义相近|semantically close).*0\.\d\d")
        )
    lookup.forget()
    matcher.reset()
