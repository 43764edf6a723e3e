"""One journey per persona of the demo zone (issue 14, "Done when"), in headless Chromium
against the live server: each starts at the persona's workspace and does the persona's real
work with clicks (no typed addresses), in Chinese and in English, at phone (390×844) and at
desktop (1280×800) width.

- nomad: picks a skill by name in the profile, sees recommended work with its reasons,
  applies, accepts an enterprise's invitation and talks in the conversation it opens;
- enterprise owner: publishes a demand with skills given by name, sees its candidates and
  invites one, shortlists an applicant, talks and turns the application into an order, and
  accepts a delivered milestone through its confirmation page;
- merchant cashier: reaches the cashier from the workspace and takes points from a nomad's
  one-time code (the payer's page follows by itself);
- reviewer: the verification queue with its chart and table, and a certification, each
  decision refused until its required check is ticked;
- community operator: the workspace's tools (demands, trainings, readable certification
  rules, proof verification, its organisation);
- zone operator: the workspace's counts, the points liability and expiry charts with their
  tables.

The language is chosen as a person would, with the header's switch; each test gets the demo
zone afresh: seeded once per run by the first journey of any worker, restored from a snapshot
of those rows for the others (docs/decisions/0031, 0060); the browser is shared by the session
(tests/browser_fixtures.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from nomadcloud.accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.demands.models import Demand
from nomadcloud.matching import services as matching
from nomadcloud.matching.models import Match
from nomadcloud.orders.models import Order
from nomadcloud.points import models as points_models
from nomadcloud.points.programme import queries as points_queries
from nomadcloud.talent import services as talent_services
from nomadcloud.talent.access import CERTIFYING_DEPARTMENT_CODE
from tests.browser_fixtures import demo_zone, sign_in
from tests.builders.talent import GOOD_ANSWERS
from tests.test_accessibility_browser import axe_violations

pytestmark = pytest.mark.browser

NOMAD = f"nomad@{DEMO_DOMAIN}"
OWNER = f"enterprise@{DEMO_DOMAIN}"
CASHIER = f"cashier@{DEMO_DOMAIN}"
REVIEWER = f"reviewer@{DEMO_DOMAIN}"
COMMUNITY = f"community@{DEMO_DOMAIN}"
OPERATOR = f"operator@{DEMO_DOMAIN}"

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
BROWSER_LOCALE = {"zh-hans": "zh-CN", "en": "en-GB"}
HTML_LANG = {"zh-hans": "zh-Hans", "en": "en"}
RUNS = [(lang, width) for lang in ("zh-hans", "en") for width in ("phone", "desktop")]
# Shown to nobody: a Python dict, a JSON object or an enum value (in_progress); on a Chinese
# page, an English enum value either (published, None).
RAW = re.compile(r"\{'|\{\"|\b[a-z]+_[a-z_]+\b")
RAW_ZH = re.compile(r"\b(draft|published|submitted|shortlisted|pending|None|True|False)\b")


@dataclass
class Run:
    """One language at one width: opens signed-in pages and picks the text of its language."""

    browser: Browser
    base_url: str
    language: str
    width: str
    contexts: list[BrowserContext] = field(default_factory=list)

    def t(self, zh: str, en: str) -> str:
        return zh if self.language == "zh-hans" else en

    def open(self, email: str) -> Page:
        """A page of its own browser context, signed in as ``email`` and switched to the
        run's language with the header's switch; it ends on the person's workspace."""
        context = self.browser.new_context(
            base_url=self.base_url,
            locale=BROWSER_LOCALE[self.language],
            viewport=VIEWPORTS[self.width],  # type: ignore[arg-type]
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, email, DEMO_PASSWORD)
        expect(page.get_by_test_id("workspace-title")).to_be_visible()
        if page.locator("html").get_attribute("lang") != HTML_LANG[self.language]:
            page.get_by_test_id(f"switch-{self.language}").click()
        expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[self.language])
        expect(page.get_by_test_id("workspace-title")).to_be_visible()
        return page

    def readable(self, page: Page) -> None:
        """The main part of the page shows no raw value, nothing runs off a phone, and
        axe-core finds no serious or critical violation (pages in the state a journey leaves
        them, which the accessibility crawl does not reach: forms with errors, confirmations,
        conversations)."""
        text = page.locator("main").inner_text()
        found = RAW.search(text)
        if found is None and self.language == "zh-hans":
            found = RAW_ZH.search(text)
        assert found is None, f"raw value {found.group(0)!r} on {page.url}"
        if self.width == "phone":
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{page.url} is {overflow}px wider than the phone"
        duplicated = page.evaluate(
            """() => { const seen = {}; document.querySelectorAll('[id]').forEach(
                 (e) => { seen[e.id] = (seen[e.id] || 0) + 1; });
               return Object.keys(seen).filter((id) => seen[id] > 1); }"""
        )
        assert duplicated == [], f"{page.url}: ids used twice {duplicated}"  # labels go astray
        violations = axe_violations(page)
        assert violations == [], f"{page.url}: {violations}"


@pytest.fixture(params=RUNS, ids=[f"{lang}-{width}" for lang, width in RUNS])
def run(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: Any,
    audit_triggers_lifted_for_flush: None,
) -> Iterator[Run]:
    demo_zone(nomads=4)  # seeded by the run's first journey, restored for the others
    language, width = request.param
    journey = Run(browser=browser, base_url=live_server.url, language=language, width=width)
    yield journey
    for context in journey.contexts:
        context.close()


def figure(page: Page, name: str) -> str:
    return page.get_by_test_id(f"figure-{name}").locator("dd").inner_text()


def owner_of(demand: Demand) -> User:
    membership = Membership.objects.filter(
        organisation=demand.organisation, role=Membership.Role.OWNER
    ).select_related("user")
    return membership.get().user


# ---- the nomad ---------------------------------------------------------------------------


def test_nomad_picks_a_skill_by_name_applies_and_accepts_an_invitation(run: Run) -> None:
    nomad = User.objects.get(email=NOMAD)
    # An enterprise has invited her to its translation project (among its candidates).
    translation = Match.objects.select_related("demand", "profile").get(
        profile__user=nomad, in_candidates=True, demand__title_zh="商品详情页翻译（中译英）"
    )
    matching.invite(
        principal=Principal.for_user(owner_of(translation.demand)),
        demand=translation.demand,
        profile=translation.profile,
        message=run.t("您的翻译经历很合适。", "Your translation work fits well."),
    )

    page = run.open(NOMAD)
    expect(page.get_by_test_id("figure-invitations")).to_contain_text("1")

    # Pick a skill by its name in the profile, not by its code.
    page.get_by_test_id("link-profile").click()
    page.wait_for_load_state()  # the picker's script has run: typing now is searching
    page.locator("#id_skill").press_sequentially(run.t("字幕", "subtit"))
    page.get_by_role("option", name=run.t("字幕制作", "subtitling")).click()
    page.get_by_test_id("skill-submit").click()
    expect(page.get_by_test_id("skills")).to_contain_text(run.t("字幕制作", "subtitling"))
    run.readable(page)

    # Recommended work, with the reasons; apply to the best fit.
    page.get_by_test_id("nav-workspace").click()
    page.get_by_test_id("link-recommended").click()
    top = page.get_by_test_id("recommendation").first
    expect(top).to_contain_text(run.t("游戏宣传视频剪辑", "Game trailer"))
    expect(top.get_by_test_id("score")).not_to_be_empty()
    expect(top.locator('[data-status="met"]').first).to_contain_text(run.t("视频剪辑", "video"))
    top.get_by_role("link").first.click()
    page.get_by_test_id("apply-link").click()
    page.locator("#id_note").fill(run.t("我剪过三部游戏预告片。", "I cut three game trailers."))
    page.locator("#id_proposed_rate").fill("7000")
    page.locator("#id_availability").fill(run.t("下周一起", "From next Monday"))
    page.get_by_test_id("application-submit").click()
    expect(page.get_by_test_id("application-status")).to_have_class("badge submitted")
    expect(page.get_by_test_id("application-status")).to_have_text(run.t("已提交", "Submitted"))
    run.readable(page)

    # The invitation: accept it, and talk in the conversation it opens.
    page.get_by_test_id("nav-workspace").click()
    page.get_by_test_id("next-steps").get_by_role(
        "link", name=run.t("回复企业发来的邀请", "Answer the invitations")
    ).click()
    invitation = page.get_by_test_id("invitation").filter(has_text=run.t("商品详情页", "product"))
    invitation.get_by_test_id("accept").click()
    page.get_by_test_id("invitation-conversations").click()
    page.get_by_test_id("conversation-row").filter(
        has_text=run.t("商品详情页", "product")
    ).get_by_role("link").first.click()
    thanks = run.t("谢谢邀请，我可以下周开始。", "Thanks, I can start next week.")
    page.locator("#id_body").fill(thanks)
    page.get_by_test_id("message-submit").click()
    expect(page.get_by_test_id("messages")).to_contain_text(thanks)
    run.readable(page)


# ---- the enterprise ----------------------------------------------------------------------


def test_enterprise_publishes_shortlists_contracts_and_accepts_a_milestone(run: Run) -> None:
    page = run.open(OWNER)

    # Publish a demand whose skills are given by name; see the candidates; invite one.
    page.get_by_test_id("link-demands").click()
    page.get_by_test_id("new-demand").click()
    page.locator("#id_kind").select_option("project")
    page.locator("#id_title_zh").fill("产品发布会视频剪辑")
    page.locator("#id_title_en").fill("Product launch video editing")
    page.locator("#id_description_zh").fill("剪辑一段三分钟的产品发布会视频，需配中英文字幕。")
    page.locator("#id_skills").fill(run.t("视频剪辑 3", "video editing 3"))
    page.locator("#id_budget_min").fill("5000")
    page.locator("#id_budget_max").fill("8000")
    page.get_by_test_id("demand-submit").click()
    page.get_by_test_id("status-published").click()
    expect(page.get_by_test_id("demand-status")).to_have_text(run.t("已发布", "Published"))
    run.readable(page)
    page.get_by_test_id("candidates-link").click()
    candidate = page.get_by_test_id("candidate").first
    expect(candidate).to_be_visible()
    candidate.get_by_test_id("invite").click()
    expect(page.get_by_test_id("invited")).to_have_count(1)
    run.readable(page)

    # An applicant of the React job: shortlist, talk, and turn it into an order.
    page.get_by_test_id("nav-workspace").click()
    page.get_by_test_id("link-demands").click()
    page.get_by_test_id("org-demands").get_by_role(
        "link", name=run.t("前端工程师（React）", "Front-end engineer (React)")
    ).click()
    page.get_by_test_id("people-link").click()
    expect(page.get_by_test_id("person-row")).to_have_count(2)
    run.readable(page)
    page.get_by_test_id("person-row").first.get_by_role(
        "link", name=run.t("申请", "The application")
    ).click()
    page.get_by_test_id("shortlist").click()
    expect(page.get_by_test_id("application-status")).to_have_class("badge shortlisted")
    page.get_by_test_id("conversation-link").click()
    terms = run.t("我们按两个里程碑签约。", "Let us contract in two milestones.")
    page.locator("#id_body").fill(terms)
    page.get_by_test_id("message-submit").click()
    expect(page.get_by_test_id("messages")).to_contain_text(terms)
    page.get_by_test_id("convert-link").click()
    page.get_by_test_id("convert-submit").click()
    expect(page.get_by_test_id("order-status")).to_be_visible()
    run.readable(page)

    # A delivered order: accept its milestone on the confirmation page, which says the amount.
    page.get_by_test_id("nav-workspace").click()
    expect(page.get_by_test_id("figure-orders-awaiting-acceptance")).to_contain_text("1")
    page.get_by_test_id("link-orders").click()
    enterprise = Membership.objects.get(user__email=OWNER).organisation
    delivered = Order.objects.get(status=Order.Status.DELIVERED, organisation=enterprise)
    title = run.t(delivered.title_zh, delivered.title_en or delivered.title_zh)
    page.get_by_test_id("order-card").filter(has_text=title).get_by_role("link").first.click()
    page.get_by_test_id("action-accepted").click()
    expect(page.locator("main")).to_contain_text("6,800.00")
    run.readable(page)  # the confirmation page
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("milestone-1")).to_have_attribute("data-status", "accepted")
    expect(page.get_by_test_id("order-status")).to_have_text(run.t("已验收", "Work accepted"))
    run.readable(page)


# ---- the merchant's cashier --------------------------------------------------------------


def test_cashier_takes_points_from_a_nomads_code(run: Run) -> None:
    nomad = run.open(NOMAD)
    nomad.get_by_test_id("links-points").get_by_role("link").first.click()
    nomad.get_by_test_id("pay-asset-ZP").click()
    expect(nomad.get_by_test_id("pay-qr").locator("svg")).to_be_visible()
    code = nomad.get_by_test_id("pay-code").get_attribute("data-code")
    assert code is not None

    cashier = run.open(CASHIER)
    before = figure(cashier, "payments-today")
    cashier.get_by_test_id("link-cashier").click()
    cashier.get_by_test_id("cashier-code").fill(code)
    cashier.get_by_test_id("cashier-amount").fill("120")
    cashier.get_by_test_id("cashier-submit").click()
    expect(cashier.get_by_test_id("payment-amount")).to_have_text("120")
    cashier.get_by_test_id("payment-confirm").click()
    payment = points_models.Payment.objects.latest("pk")
    expect(cashier.get_by_test_id(f"payment-{payment.public_id}")).to_have_attribute(
        "data-status", "confirmed"
    )
    run.readable(cashier)

    # The payer's page follows by itself; the cashier's workspace counts the takings.
    expect(nomad.get_by_test_id("pay-live")).to_have_attribute("data-state", "confirmed")
    expect(nomad.get_by_test_id("pay-live")).to_contain_text(run.t("120 园区积分", "120"))
    cashier.get_by_test_id("nav-workspace").click()
    expect(cashier.get_by_test_id("figure-payments-today").locator("dd")).to_have_text(
        str(int(before) + 1)
    )


# ---- the department's reviewer -----------------------------------------------------------


def test_reviewer_decides_a_verification_and_a_certification_without_skipping_checks(
    run: Run,
) -> None:
    # The reviewer also decides for the human-resources bureau, where the nomad has applied
    # for certification.
    reviewer = User.objects.get(email=REVIEWER)
    renshe = Organisation.objects.get(code=CERTIFYING_DEPARTMENT_CODE)
    Membership.objects.create(user=reviewer, organisation=renshe, role=Membership.Role.REVIEWER)
    talent_services.apply_for_certification(
        principal=Principal.for_user(User.objects.get(email=NOMAD)),
        track="domestic",
        answers=GOOD_ANSWERS,
    )

    page = run.open(REVIEWER)
    industry = page.get_by_test_id("department-panel").filter(
        has_text=run.t("科学技术工业信息化局", "Science, Technology")
    )
    expect(industry.get_by_test_id("figure-queue-length").locator("dd")).to_have_text("1")
    industry.get_by_test_id("link-verification-queue").click()
    expect(page.get_by_test_id("chart-queue").locator("canvas, svg").first).to_be_attached()
    queue = page.get_by_test_id("review-queue")
    expect(queue).to_be_visible()  # the chart's table
    run.readable(page)
    queue.get_by_role("link").first.click()

    page.locator("#id_approve_0").check()
    page.locator("#id_reason").fill(run.t("信用代码已核对。", "Credit code checked."))
    page.locator("main form button[type=submit]").last.click()
    # Refused: the registry check is required to approve.
    expect(page.locator("#id_checked_registry")).to_have_attribute("aria-invalid", "true")
    page.locator("#id_checked_registry").check()
    page.locator("main form button[type=submit]").last.click()
    expect(page.get_by_test_id("review-queue")).not_to_contain_text(
        run.t("儋州椰岛数据标注", "Coconut Island")
    )

    # The certification: the evidence check cannot be skipped either.
    page.get_by_test_id("nav-workspace").click()
    expect(industry.get_by_test_id("figure-queue-length").locator("dd")).to_have_text("0")
    page.get_by_test_id("department-panel").filter(
        has_text=run.t("人力资源和社会保障局", "Human Resources")
    ).get_by_test_id("link-certification-queue").click()
    queue = page.get_by_test_id("certification-queue")
    expect(queue).to_contain_text("林小雨")
    run.readable(page)
    queue.get_by_role("link").first.click()
    page.locator("#id_approve_0").check()
    page.locator("#id_reason").fill(run.t("收入与客户已核对。", "Income and clients checked."))
    page.get_by_test_id("decide-submit").click()
    expect(page.locator("#id_checked_evidence")).to_have_attribute("aria-invalid", "true")
    page.locator("#id_checked_evidence").check()
    page.get_by_test_id("decide-submit").click()
    page.get_by_test_id("issued-certificate").get_by_role("link").click()
    expect(page.get_by_test_id("certificate-state")).to_have_attribute("data-state", "valid")
    run.readable(page)


# ---- the community operator --------------------------------------------------------------


def test_community_operator_reaches_its_tools_from_the_workspace(run: Run) -> None:
    page = run.open(COMMUNITY)
    expect(page.get_by_test_id("checklist")).to_be_visible()
    for link, landmark in (
        ("link-open-demands", "demand-list"),
        ("link-open-trainings", None),
        ("link-certification-rules", None),
        ("link-verify", None),
        ("link-organisation", None),
    ):
        page.get_by_test_id("nav-workspace").click()
        page.get_by_test_id(link).click()
        if landmark:
            expect(page.get_by_test_id(landmark)).to_be_visible()
        expect(page.locator("main h1").first).to_be_visible()
        run.readable(page)


# ---- the zone operator -------------------------------------------------------------------


def test_zone_operator_reads_counts_and_charts_with_their_tables(run: Run) -> None:
    page = run.open(OPERATOR)
    expect(page.get_by_test_id("figure-disputes-open")).to_contain_text("1")
    page.get_by_test_id("link-points-operator").click()
    for chart, table in (("chart-liability", "liability"), ("chart-forecast-ZP", "forecast-ZP")):
        drawn = page.get_by_test_id(chart)
        expect(drawn.locator("canvas, svg").first).to_be_attached()
        expect(drawn).to_have_attribute("role", "img")
        assert drawn.get_attribute("aria-label")
        expect(page.get_by_test_id(table)).to_be_attached()  # the text alternative
    # The figure is the ledger's own sum (the demo's rewards change it), shown in words.
    zone_points = next(row for row in points_queries.liability() if row.asset.code == "ZP")
    assert zone_points.outstanding > 0
    expect(page.get_by_test_id("liability-ZP")).to_contain_text(zone_points.outstanding_display)
    run.readable(page)
    page.get_by_test_id("nav-workspace").click()
    page.get_by_test_id("link-disputes").click()
    expect(page.locator("main")).to_contain_text(run.t("活动海报设计", "poster"))
    run.readable(page)
