"""Demo incentives: last year's facts for the first demo enterprise (洋浦云帆科技: four labour
contracts, one of them eleven months, and a flexible engagement) and the first community
(three nomads brought in), the nomads certified for that year; the community's two
fixed-asset investments of its demonstration site with the statistics bureau's 纳统 figure
for them (imported, approved by the zone operator) and the enterprise's international
conference with 320 participants; a ¥2,000,000 budget per policy (payouts), the nightly
entitlements
computed and pushed, and the enterprise's contracts claim submitted, two items counted by the
市科工信局 reviewer (reviewer@…) and a supplement requested. A second officer
(approver@…, administrator at 市科工信局) approves after 公示 (four-eyes)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.incentives import services
from nomadcloud.incentives.models import Entitlement, Introduction, Policy
from nomadcloud.orders.models import Conversion
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Budget
from nomadcloud.talent.models import Application, Certificate, RuleSet


def _owner(email: str, kind: str) -> tuple[Organisation, User] | None:
    membership = (
        Membership.objects.filter(
            user__email=email, role=Membership.Role.OWNER, organisation__kind=kind
        )
        .select_related("organisation", "user")
        .first()
    )
    return (membership.organisation, membership.user) if membership else None


def _certify(nomad: User, year: int, issuer: Organisation, rule_set: RuleSet) -> None:
    if Certificate.objects.filter(
        holder=nomad, valid_from__lte=date(year, 1, 1), valid_until__gte=date(year, 12, 31)
    ).exists():
        return
    application = Application.objects.create(
        applicant=nomad,
        track=rule_set.track,
        rule_set=rule_set,
        status=Application.Status.APPROVED,
        reviewing_department=issuer,
    )
    Certificate.objects.create(
        verification_code=secrets.token_urlsafe(18),
        holder=nomad,
        application=application,
        track=rule_set.track,
        rule_version=rule_set.label,
        issued_by=issuer,
        valid_from=date(year - 1, 12, 1),
        valid_until=date(year, 12, 31),
    )


def _approver(department: Organisation) -> User:
    email = f"approver@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, display_name="科工信局复核员"
        )
    Membership.objects.get_or_create(
        user=user, organisation=department, defaults={"role": Membership.Role.ADMIN}
    )
    return user


DEMO_PDF = b"%PDF-1.4\n% NomadCloud demo evidence\n"


def _recorded_facts(
    year: int, enterprise: tuple[Organisation, User], community: tuple[Organisation, User]
) -> None:
    """The community's investments with the bureau's 纳统 figure, and the enterprise's
    conference: each recorded through its use case, with an evidence file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from nomadcloud.core.inputs import parse_draft
    from nomadcloud.dashboard import services as dashboard
    from nomadcloud.incentives import recorded_facts
    from nomadcloud.incentives.schemas import ConferenceDraft, InvestmentDraft

    def evidence(name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")

    site, operator = community
    spent = [
        (date(year, 3, 18), "4200000.00", "building", "共享办公楼层改造 / co-working floor"),
        (date(year, 9, 5), "1600000.00", "equipment", "家具与会议设备 / furniture, AV"),
    ]
    for on, amount, category, text in spent:
        draft = parse_draft(
            InvestmentDraft,
            {"invested_on": on, "amount": amount, "category": category, "description": text},
        )
        services.record_investment(
            principal=Principal.for_user(operator),
            organisation=site,
            draft=draft,
            evidence=evidence("invoice.pdf"),
        )
    clerk = Membership.objects.filter(organisation__code="tongji").select_related("user").first()
    zone = User.objects.filter(memberships__organisation__kind=Organisation.Kind.OPERATOR).first()
    if clerk is not None and zone is not None and site.credit_code:
        figure = dashboard.submit(
            dashboard.Figure(
                indicator=recorded_facts.STATISTICS_INDICATOR,
                period=str(year),
                area="YP",
                value="5800000.00",
                unit="currency-CNY",
                finality="F",
                as_of=date(year + 1, 1, 20).isoformat(),
                source="儋州市统计局固定资产投资纳统 (demo)",
                entity=site.credit_code,
            ),
            actor=clerk.user,
        )
        dashboard.approve(figure, actor=zone)
    host, boss = enterprise
    event = parse_draft(
        ConferenceDraft,
        {
            "title_zh": f"{year}洋浦数字游民大会",
            "title_en": f"Yangpu Digital Nomad Conference {year}",
            "starts_on": date(year, 11, 8),
            "ends_on": date(year, 11, 9),
            "venue": "洋浦国际会展中心 / Yangpu International Convention Centre",
            "participants": 320,
            "international": True,
        },
    )
    services.record_conference(
        principal=Principal.for_user(boss),
        organisation=host,
        draft=event,
        evidence=evidence("sign-in-list.pdf"),
    )


@transaction.atomic
def seed() -> dict[str, int]:
    enterprise = _owner(f"enterprise@{DEMO_DOMAIN}", "enterprise")
    community = _owner(f"community@{DEMO_DOMAIN}", "community")
    reviewer = User.objects.filter(email=f"reviewer@{DEMO_DOMAIN}").first()
    department = Organisation.objects.filter(code="kegongxin").first()
    issuer = Organisation.objects.filter(code="renshe").first() or department
    rule_set = RuleSet.objects.order_by("track", "-version").first()
    if None in (enterprise, community, reviewer, department, issuer, rule_set):
        return {"incentive_claims": 0}
    assert enterprise and community and reviewer and department and issuer and rule_set
    org, boss = enterprise
    year = timezone.localdate().year - 1
    if Entitlement.objects.filter(organisation=org, year=year).exists():
        return {"incentive_claims": 0}
    _approver(department)
    nomads = list(
        User.objects.filter(is_nomad=True, email__endswith=f"@{DEMO_DOMAIN}")
        .exclude(email__in=[f"nomad@{DEMO_DOMAIN}", f"emma@{DEMO_DOMAIN}"])
        .order_by("pk")[:7]
    )
    if len(nomads) < 7:
        return {"incentive_claims": 0}
    for nomad in nomads:
        _certify(nomad, year, issuer, rule_set)
    terms = [(date(year, 3, 1), 12), (date(year, 5, 15), 24), (date(year, 8, 1), 11)]
    for nomad, (start, months) in zip(nomads[:3], terms, strict=True):
        end_month = start.month - 1 + months
        end = date(start.year + end_month // 12, end_month % 12 + 1, start.day) - timedelta(days=1)
        Conversion.objects.create(
            kind=Conversion.Kind.CONTRACT,
            organisation=org,
            nomad=nomad,
            starts_on=start,
            ends_on=end,
            term_months=months,
            term_days=(end - start).days + 1,
            one_year_or_more=months >= 12,
            occurred_on=start,
            note="Demo: last year's labour contract.",
        )
    Conversion.objects.create(
        kind=Conversion.Kind.CONTRACT,
        organisation=org,
        nomad=nomads[3],
        starts_on=date(year, 9, 1),
        occurred_on=date(year, 9, 1),
        one_year_or_more=True,
        note="Demo: an open-ended contract.",
    )
    Conversion.objects.create(
        kind=Conversion.Kind.FLEXIBLE,
        organisation=org,
        nomad=nomads[4],
        starts_on=date(year, 6, 1),
        ends_on=date(year, 9, 30),
        term_days=122,
        occurred_on=date(year, 6, 1),
    )
    community_org, community_owner = community
    for nomad in nomads[4:7]:
        Introduction.objects.create(
            nomad=nomad,
            introducer=community_org,
            introduced_on=date(year, 4, 10),
            channel=Introduction.Channel.COMMUNITY_STAY,
            evidence="Demo: stayed at the community and signed with a zone enterprise.",
            status=Introduction.Status.CONFIRMED,
            confirmed_on=date(year, 6, 1),
            recorded_by=community_owner,
        )
    _recorded_facts(year, (org, boss), (community_org, community_owner))
    for policy in Policy.objects.all():
        if not Budget.objects.filter(
            programme_code=services.programme_code(policy), year=year
        ).exists():
            payouts.create_budget(
                programme_code=services.programme_code(policy),
                year=year,
                amount=Decimal("2000000.00"),
                owner=department,
                actor=None,
                name_zh=f"{policy.title_zh}（{year}年度）",
                name_en=f"{policy.title_en} ({year})",
            )
    services.compute_entitlements(year)
    claim = services.start_claim(
        principal=Principal.for_user(boss),
        organisation=org,
        policy=Policy.objects.get(code="contract"),
        year=year,
    )
    claim = services.submit_claim(
        principal=Principal.for_user(boss),
        claim=claim,
        declaration="我们声明以上事实真实、完整。We declare the facts above true and complete.",
    )
    officer = Principal.for_user(reviewer)
    for item in list(claim.items.filter(state="pending").order_by("id"))[:2]:
        services.verify_item(principal=officer, claim=claim, reference=item.reference, counted=True)
    services.request_supplement(
        principal=officer,
        claim=claim,
        message="请补充第三份劳动合同的社保缴纳记录。Please add the social-insurance record of the "
        "third contract.",
    )
    return {"incentive_claims": 1}
