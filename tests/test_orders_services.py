"""The order use cases: exact money, the state machine (every illegal move refused and
nothing changed), deliverables, revisions, automatic acceptance, disputes and their split,
ratings, the message thread, reminders and accepted work."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.models import AuditEvent
from nomadcloud.demands import services as demand_services
from nomadcloud.notifications.models import Notification
from nomadcloud.orders import allocation, services, transitions
from nomadcloud.orders.models import (
    Milestone,
    Order,
    OrderApplication,
    OrderEvent,
    Rating,
    Role,
    Settlement,
)
from nomadcloud.orders.schemas import OrderChanges, OrderDraft
from nomadcloud.talent.models import ProfileSkill, SkillEvidence
from tests.builders.demands import demand_draft, make_concepts
from tests.builders.orders import (
    BUILDERS,
    PDF,
    TOTAL,
    accepted_order,
    applied_order,
    as_,
    assigned_order,
    delivered_order,
    disputed_order,
    draft_order,
    in_progress_order,
    open_order,
    order_fields,
    reload,
    with_deliverable,
)
from tests.conftest import World, database_fingerprint

S = Order.Status


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.fixture(autouse=True)
def _concepts(db: None) -> None:
    make_concepts()


def stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


class TestMoney:
    def test_the_total_is_the_exact_sum_of_the_milestones(self, world: World) -> None:
        order = draft_order(
            world,
            milestones=[
                {"title": "a", "amount": "0.10", "due_on": timezone.localdate()},
                {"title": "b", "amount": "0.20", "due_on": timezone.localdate()},
                {"title": "c", "amount": Decimal("1234567.05"), "due_on": timezone.localdate()},
            ],
        )
        order.refresh_from_db()
        assert order.total == Decimal("1234567.35")
        assert [m.amount for m in order.milestones.all()] == [
            Decimal("0.10"),
            Decimal("0.20"),
            Decimal("1234567.05"),
        ]

    def test_a_stated_total_that_differs_from_the_sum_is_refused(self, world: World) -> None:
        before = database_fingerprint()
        with pytest.raises(InvalidInput) as refused:
            draft_order(world, total="4000.01")
        assert refused.value.code == "total_mismatch"
        assert "¥4,000.00" in refused.value.message and "¥4,000.01" in refused.value.message
        assert database_fingerprint() == before

    def test_a_matching_total_is_accepted(self, world: World) -> None:
        assert draft_order(world, total="4000.00").total == TOTAL

    @pytest.mark.parametrize("amount", [0.1, "0.001", "-5.00", "0", "abc", ""])
    def test_bad_amounts_are_refused_with_the_field(self, world: World, amount: Any) -> None:
        before = database_fingerprint()
        with pytest.raises(InvalidInput) as refused:
            draft_order(
                world, milestones=[{"title": "x", "amount": amount, "due_on": timezone.localdate()}]
            )
        assert list(refused.value.fields) == ["milestones.0.amount"]
        assert database_fingerprint() == before

    def test_an_order_needs_a_milestone(self, world: World) -> None:
        with pytest.raises(InvalidInput) as refused:
            draft_order(world, milestones=[])
        assert list(refused.value.fields) == ["milestones"]

    def test_allocation_fills_milestones_in_order_and_adds_up(self) -> None:
        amounts = [Decimal("1200.50"), Decimal("2799.50")]
        assert allocation.allocate(amounts, Decimal("1000.25")) == [
            (Decimal("1000.25"), Decimal("200.25")),
            (Decimal("0.00"), Decimal("2799.50")),
        ]
        assert allocation.allocate(amounts, Decimal("4000.00")) == [
            (Decimal("1200.50"), Decimal("0.00")),
            (Decimal("2799.50"), Decimal("0.00")),
        ]
        with pytest.raises(ValueError):
            allocation.allocate(amounts, Decimal("4000.01"))


class TestFromADemand:
    def test_titles_and_skills_come_from_the_demand(self, world: World) -> None:
        demand = demand_services.create_demand(
            principal=as_(world.olivia), organisation=world.acme, draft=demand_draft()
        )
        order = services.create_order(
            principal=as_(world.olivia),
            organisation=world.acme,
            demand=demand,
            draft=parse_draft(OrderDraft, {"milestones": order_fields()["milestones"]}),
        )
        assert order.demand == demand
        assert order.title_zh == "Python 数据工程师"
        assert [(s.concept.code, s.level) for s in order.skills.all()] == [("nc.python", 3)]

    def test_a_demand_of_another_enterprise_is_refused(self, world: World) -> None:
        demand = demand_services.create_demand(
            principal=as_(world.charlie), organisation=world.globex, draft=demand_draft()
        )
        with pytest.raises(InvalidInput) as refused:
            services.create_order(
                principal=as_(world.olivia),
                organisation=world.acme,
                demand=demand,
                draft=parse_draft(OrderDraft, {"milestones": order_fields()["milestones"]}),
            )
        assert list(refused.value.fields) == ["demand"]


class TestTheWholeWay:
    def test_open_to_settled_with_a_revision(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        order = open_order(world)
        assert order.status == S.OPEN and order.published_at is not None
        with django_capture_on_commit_callbacks(execute=True):
            services.apply_for_order(principal=as_(world.wendy), order=order, note="经验丰富")
        assert reload(order).status == S.APPLIED
        assert any("Wendy Reviewer" in m.body for m in mail.outbox)  # Olivia is told
        services.apply_for_order(principal=as_(world.charlie), order=order)
        wendy_application = order.applications.get(applicant=world.wendy)
        services.assign(principal=as_(world.olivia), order=order, application=wendy_application)
        order = reload(order)
        assert (order.status, order.nomad) == (S.ASSIGNED, world.wendy)
        assert order.applications.get(applicant=world.charlie).status == "declined"
        assert Notification.objects.filter(recipient=world.charlie, kind="orders.declined").exists()

        services.start_work(principal=as_(world.wendy), order=order)
        with pytest.raises(Conflict) as refused:  # nothing delivered yet
            services.deliver(principal=as_(world.wendy), order=order)
        assert refused.value.code == "condition_not_met"
        order = with_deliverable(world, reload(order))
        services.deliver(principal=as_(world.wendy), order=order)
        assert reload(order).delivered_at is not None

        services.request_revision(principal=as_(world.olivia), order=order, reason="请加图例。")
        order = reload(order)
        assert (order.status, order.revision_count, order.delivered_at) == (S.IN_PROGRESS, 1, None)
        with pytest.raises(Conflict):  # the first round's file does not count again
            services.deliver(principal=as_(world.wendy), order=order)
        services.add_deliverable(
            principal=as_(world.wendy), order=order, url="https://example.com/dashboard/v2"
        )
        services.deliver(principal=as_(world.wendy), order=order)
        # the first of two milestones is accepted: the order goes back to work
        services.accept_delivery(principal=as_(world.olivia), order=order)
        order = reload(order)
        assert (order.status, order.accepted_at, order.delivered_at) == (S.IN_PROGRESS, None, None)
        assert [m.status for m in order.milestones.all()] == ["accepted", "pending"]
        with pytest.raises(Conflict) as refused:  # milestone 2 is not delivered yet
            services.accept_milestone(principal=as_(world.olivia), order=order, position=2)
        assert refused.value.code == "milestone_not_delivered"
        services.add_deliverable(
            principal=as_(world.wendy), order=order, url="https://example.com/launch", milestone=2
        )
        services.deliver(principal=as_(world.wendy), order=order)
        assert [m.status for m in reload(order).milestones.all()] == ["accepted", "delivered"]
        services.accept_milestone(principal=as_(world.olivia), order=order, position=2)
        order = reload(order)
        assert order.status == S.ACCEPTED and not order.accepted_automatically
        assert [m.status for m in order.milestones.all()] == ["accepted", "accepted"]

        skill = ProfileSkill.objects.get(profile__user=world.wendy, concept__code="nc.python")
        evidence = skill.evidence.get(kind=SkillEvidence.Kind.VERIFIED_WORK)
        assert (evidence.source, evidence.reference, evidence.level) == (
            "order",
            order.reference,
            3,
        )

        settlement = services.settle(principal=as_(world.olivia), order=order)
        assert reload(order).status == S.SETTLED
        assert (settlement.total, settlement.to_nomad, settlement.to_enterprise) == (
            TOTAL,
            TOTAL,
            Decimal("0.00"),
        )
        assert [(line.amount, line.to_nomad) for line in settlement.lines.all()] == [
            (Decimal("1200.50"), Decimal("1200.50")),
            (Decimal("2799.50"), Decimal("2799.50")),
        ]
        history = list(
            OrderEvent.objects.filter(order=order).values_list("from_status", "to_status", "role")
        )
        assert history == [
            ("", "draft", "enterprise"),
            ("draft", "open", "enterprise"),
            ("open", "applied", "applicant"),
            ("applied", "assigned", "enterprise"),
            ("assigned", "in_progress", "nomad"),
            ("in_progress", "delivered", "nomad"),
            ("delivered", "in_progress", "enterprise"),
            ("in_progress", "delivered", "nomad"),
            ("delivered", "in_progress", "enterprise"),  # milestone 1 accepted
            ("in_progress", "delivered", "nomad"),
            ("delivered", "accepted", "enterprise"),  # milestone 2, the last, accepted
            ("accepted", "settled", "enterprise"),
        ]
        revision = OrderEvent.objects.filter(
            order=order, from_status="delivered", to_status="in_progress"
        ).first()
        assert revision is not None
        assert (revision.actor, revision.reason) == (world.olivia, "请加图例。")
        assert AuditEvent.objects.filter(action="orders.order.transition").count() == 11
        assert AuditEvent.objects.filter(action="orders.milestone.accept").count() == 2

    def test_the_last_withdrawn_application_reopens_the_order(self, world: World) -> None:
        order = applied_order(world)
        application = order.applications.get()
        services.withdraw_application(principal=as_(world.wendy), application=application)
        assert reload(order).status == S.OPEN
        assert OrderEvent.objects.filter(order=order).last().role == "applicant"  # type: ignore[union-attr]
        services.apply_for_order(principal=as_(world.wendy), order=order)  # again
        assert reload(order).status == S.APPLIED

    def test_cancelling_declines_the_applications(self, world: World) -> None:
        order = applied_order(world)
        services.cancel(principal=as_(world.olivia), order=order, reason="项目暂停")
        assert reload(order).status == S.CANCELLED
        assert order.applications.get().status == OrderApplication.Status.DECLINED
        assert Notification.objects.filter(recipient=world.wendy, kind="orders.cancelled").exists()


def _allowed_targets(state: str) -> set[str]:
    return {row.target for row in transitions.TABLE if row.source == state}


ILLEGAL = [
    (state, target)
    for state in BUILDERS
    for target in S.values
    if target not in _allowed_targets(state) and target != state
]


@pytest.mark.parametrize(("state", "target"), ILLEGAL, ids=[f"{s}->{t}" for s, t in ILLEGAL])
def test_every_illegal_transition_is_refused_naming_the_state_and_nothing_changes(
    world: World, state: str, target: str
) -> None:
    order = BUILDERS[state](world)
    assert order.status == state
    before = database_fingerprint()
    with pytest.raises(Conflict) as refused:
        services.transition(principal=as_(world.olivia), order=order, to=target, reason="因为")
    assert refused.value.code == "transition_not_allowed"
    assert f"“{S(state).label}”" in refused.value.message
    assert database_fingerprint() == before


# Every allowed move, tried by people who do not hold its role.
PERSONS = ["olivia", "rita", "wendy", "charlie", "oscar"]
HOLDS = {  # the roles each person holds for the matrix orders (Wendy is the nomad)
    "olivia": {Role.ENTERPRISE},
    "rita": set(),
    "wendy": {Role.NOMAD, Role.APPLICANT},
    "charlie": {Role.APPLICANT},
    "oscar": {Role.APPLICANT, Role.OPERATOR},
}
WRONG_ROLE = sorted(
    {
        (row.source, row.target, person)
        for row in transitions.TABLE
        for person in PERSONS
        if row.role != Role.SYSTEM
        and not any(
            r.role in HOLDS[person]
            for r in transitions.TABLE
            if (r.source, r.target) == (row.source, row.target)
        )
        and row.source in BUILDERS
    }
)


@pytest.mark.parametrize(
    ("state", "target", "person"), WRONG_ROLE, ids=[f"{s}->{t}-{p}" for s, t, p in WRONG_ROLE]
)
def test_every_move_by_the_wrong_role_is_refused_naming_the_role(
    world: World, state: str, target: str, person: str
) -> None:
    order = BUILDERS[state](world)
    before = database_fingerprint()
    with pytest.raises(DomainError) as refused:
        services.transition(
            principal=as_(getattr(world, person)), order=order, to=target, reason="因为"
        )
    assert isinstance(refused.value, Forbidden)
    assert refused.value.code == "role_not_allowed"
    assert f"“{S(state).label}”" in refused.value.message
    assert database_fingerprint() == before


def test_the_refusal_names_state_and_roles_in_the_readers_language(world: World) -> None:
    from django.utils import translation

    order = delivered_order(world)
    with translation.override("en"), pytest.raises(Forbidden) as en:
        services.transition(principal=as_(world.wendy), order=order, to="accepted")
    assert en.value.message == (
        "When an order is “Delivered”, only the enterprise or the platform (automatically) may "
        "make it “Work accepted”; you act as the assigned nomad and an applicant."
    )
    with translation.override("zh-hans"):
        delivered = str(S.DELIVERED.label)  # as the catalogue translates it
        with pytest.raises(Forbidden) as zh:
            services.transition(principal=as_(world.wendy), order=order, to="accepted")
    assert f"“{delivered}”" in zh.value.message
    with translation.override("en"), pytest.raises(Forbidden) as nobody:
        services.transition(principal=as_(world.rita), order=order, to="accepted")
    assert nobody.value.message.endswith("you act as someone with no part in this order.")


class TestAutomaticAcceptance:
    def _delivered_days_ago(self, world: World, days: int) -> Order:
        order = delivered_order(world)
        Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=days))
        return reload(order)

    def _moved_back(self, order: Order, days: int) -> Order:
        Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=days))
        return reload(order)

    def test_after_the_review_window_the_platform_accepts(self, world: World) -> None:
        order = self._delivered_days_ago(world, 8)
        accepted = services.auto_accept_due()
        assert [o.pk for o in accepted] == [order.pk]
        order = reload(order)  # the delivered milestone is accepted; the second is left
        assert (order.status, order.delivered_at) == (S.IN_PROGRESS, None)
        first = order.milestones.get(position=1)
        assert (first.status, first.accepted_automatically) == ("accepted", True)
        assert Notification.objects.filter(
            recipient=world.wendy, kind="orders.milestone_auto_accepted"
        ).exists()
        assert services.auto_accept_due() == []
        services.add_deliverable(
            principal=as_(world.wendy), order=order, url="https://example.com/launch"
        )
        services.deliver(principal=as_(world.wendy), order=order)
        order = self._moved_back(order, 8)
        assert [o.pk for o in services.auto_accept_due()] == [order.pk]
        order = reload(order)
        assert order.status == S.ACCEPTED and order.accepted_automatically
        event = OrderEvent.objects.filter(order=order).last()
        assert event is not None and (event.role, event.actor) == ("system", None)
        assert (
            SkillEvidence.objects.filter(
                skill__profile__user=world.wendy, reference=order.reference
            ).count()
            == 2
        )
        assert Notification.objects.filter(
            recipient=world.wendy, kind="orders.auto_accepted"
        ).exists()
        assert services.auto_accept_due() == []  # idempotent

    def test_within_the_window_nothing_happens(self, world: World) -> None:
        order = self._delivered_days_ago(world, 6)
        before = database_fingerprint()
        assert services.auto_accept_due() == []
        assert reload(order).status == S.DELIVERED
        assert database_fingerprint() == before

    def test_the_window_is_configurable(self, world: World, settings: Any) -> None:
        settings.ORDER_REVIEW_WINDOW_DAYS = 3
        order = self._delivered_days_ago(world, 4)
        assert [o.pk for o in services.auto_accept_due()] == [order.pk]

    def test_the_command_accepts_due_orders(self, world: World) -> None:
        order = self._delivered_days_ago(world, 30)
        out = StringIO()
        call_command("accept_overdue_orders", stdout=out)
        assert reload(order).milestones.get(position=1).status == "accepted"
        assert "1" in out.getvalue()

    def test_nobody_can_pretend_to_be_the_platform(self, world: World) -> None:
        order = self._delivered_days_ago(world, 1)
        with pytest.raises(Forbidden):
            services.transition(principal=as_(world.oscar), order=order, to="accepted")


class TestDisputes:
    def test_a_split_is_exact_per_milestone(self, world: World) -> None:
        order = disputed_order(world)
        dispute = order.disputes.get()
        assert (dispute.opened_as, dispute.status_before) == ("nomad", "delivered")
        services.resolve_dispute(
            principal=as_(world.oscar),
            order=order,
            outcome="split",
            to_nomad="1000.25",
            to_enterprise="2999.75",
            reason="第一阶段部分完成。",
            evidence="双方消息记录",
        )
        order = reload(order)
        assert order.status == S.RESOLVED and order.closed_at is not None
        dispute.refresh_from_db()
        assert (dispute.outcome, dispute.to_nomad, dispute.to_enterprise) == (
            "split",
            Decimal("1000.25"),
            Decimal("2999.75"),
        )
        assert dispute.decided_by == world.oscar and dispute.decided_at is not None
        assert dispute.rule_version == services.DISPUTE_RULES_VERSION
        assert dispute.evidence["notes"] == "双方消息记录"
        assert len(dispute.evidence["deliverables"]) == 1
        settlement = Settlement.objects.get(order=order)
        assert (settlement.basis, settlement.dispute) == ("dispute", dispute)
        lines = [
            (line.amount, line.to_nomad, line.to_enterprise) for line in settlement.lines.all()
        ]
        assert lines == [
            (Decimal("1200.50"), Decimal("1000.25"), Decimal("200.25")),
            (Decimal("2799.50"), Decimal("0.00"), Decimal("2799.50")),
        ]
        assert sum(line[1] for line in lines) == Decimal("1000.25")
        assert Notification.objects.filter(recipient=world.olivia, kind="orders.resolved").exists()

    def test_a_split_that_does_not_add_up_is_refused(self, world: World) -> None:
        order = disputed_order(world)
        before = database_fingerprint()
        with pytest.raises(InvalidInput) as refused:
            services.resolve_dispute(
                principal=as_(world.oscar),
                order=order,
                outcome="split",
                to_nomad="1000.25",
                to_enterprise="2999.74",
                reason="x",
            )
        assert refused.value.code == "split_mismatch"
        assert "¥3,999.99" in refused.value.message and "¥4,000.00" in refused.value.message
        assert database_fingerprint() == before

    @pytest.mark.parametrize(
        ("outcome", "nomad", "enterprise"),
        [("release", "4000.00", "0.00"), ("refund", "0.00", "4000.00")],
    )
    def test_release_and_refund(
        self, world: World, outcome: str, nomad: str, enterprise: str
    ) -> None:
        order = disputed_order(world)
        services.resolve_dispute(
            principal=as_(world.oscar), order=order, outcome=outcome, reason="r"
        )
        settlement = Settlement.objects.get(order=order)
        assert (settlement.to_nomad, settlement.to_enterprise) == (
            Decimal(nomad),
            Decimal(enterprise),
        )

    def test_only_the_operator_decides_and_a_reason_is_required(self, world: World) -> None:
        order = disputed_order(world)
        before = database_fingerprint()
        with pytest.raises(Forbidden) as refused:
            services.resolve_dispute(
                principal=as_(world.olivia), order=order, outcome="refund", reason="我说了算"
            )
        assert refused.value.code == "role_not_allowed"
        with pytest.raises(InvalidInput):
            services.resolve_dispute(
                principal=as_(world.oscar), order=order, outcome="refund", reason=" "
            )
        assert database_fingerprint() == before

    def test_the_enterprise_may_dispute_work_in_progress(self, world: World) -> None:
        order = in_progress_order(world)
        dispute = services.open_dispute(principal=as_(world.olivia), order=order, reason="没有进展")
        assert dispute.opened_as == "enterprise"
        assert Notification.objects.filter(recipient=world.wendy, kind="orders.disputed").exists()
        assert Notification.objects.filter(recipient=world.oscar, kind="orders.disputed").exists()
        with pytest.raises(Conflict):  # one open dispute at a time: the order is disputed now
            services.open_dispute(principal=as_(world.wendy), order=reload(order), reason="x")


class TestRatingsAndMessages:
    def test_each_side_rates_once_after_acceptance(self, world: World) -> None:
        order = accepted_order(world)
        services.rate(principal=as_(world.olivia), order=order, score=5, comment="准时")
        services.rate(principal=as_(world.wendy), order=order, score=4)
        assert sorted(Rating.objects.filter(order=order).values_list("side", "score")) == [
            ("enterprise", 5),
            ("nomad", 4),
        ]
        with pytest.raises(Conflict) as twice:
            services.rate(principal=as_(world.olivia), order=order, score=1)
        assert twice.value.code == "already_rated"

    def test_no_rating_before_acceptance_or_out_of_range(self, world: World) -> None:
        order = delivered_order(world)
        with pytest.raises(Conflict):
            services.rate(principal=as_(world.olivia), order=order, score=5)
        accepted = accepted_order(world)
        with pytest.raises(InvalidInput):
            services.rate(principal=as_(world.olivia), order=accepted, score=6)
        with pytest.raises(Forbidden):
            services.rate(principal=as_(world.charlie), order=accepted, score=3)

    def test_the_thread_is_for_the_parties(self, world: World) -> None:
        order = assigned_order(world)
        services.post_message(principal=as_(world.wendy), order=order, body="明天开始。")
        services.post_message(principal=as_(world.oscar), order=order, body="运营方在此。")
        assert list(order.messages.values_list("author_role", flat=True)) == ["nomad", "operator"]
        assert (
            Notification.objects.filter(recipient=world.olivia, kind="orders.message").count() == 2
        )
        with pytest.raises(Forbidden):
            services.post_message(principal=as_(world.charlie), order=order, body="hi")
        with pytest.raises(Forbidden):
            services.post_message(principal=as_(world.rita), order=order, body="hi")
        with pytest.raises(Conflict):
            services.post_message(principal=as_(world.olivia), order=open_order(world), body="hi")


class TestDeliverables:
    def test_a_disguised_file_is_refused_and_nothing_is_stored(
        self, world: World, tmp_path: Path
    ) -> None:
        order = in_progress_order(world)
        before = database_fingerprint()
        with pytest.raises(InvalidInput) as refused:
            services.add_deliverable(
                principal=as_(world.wendy),
                order=order,
                file=SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf"),
            )
        assert refused.value.code == "file_type"
        assert database_fingerprint() == before
        assert stored_files(tmp_path) == []

    def test_a_file_over_the_limit_is_refused(
        self, world: World, settings: Any, tmp_path: Path
    ) -> None:
        settings.WORK_FILE_MAX_BYTES = 1024
        order = in_progress_order(world)
        with pytest.raises(InvalidInput) as refused:
            services.add_deliverable(
                principal=as_(world.wendy),
                order=order,
                file=SimpleUploadedFile("big.pdf", PDF + b"0" * 2000),
            )
        assert refused.value.code == "file_too_large"
        assert stored_files(tmp_path) == []

    def test_a_stored_file_keeps_its_name_type_and_hash(self, world: World, tmp_path: Path) -> None:
        order = with_deliverable(world, in_progress_order(world), name="看板.pdf")
        deliverable = order.deliverables.get()
        assert (deliverable.original_name, deliverable.content_type, deliverable.size) == (
            "看板.pdf",
            "application/pdf",
            len(PDF),
        )
        assert "看板" not in deliverable.file.name  # a random stored name
        assert len(stored_files(tmp_path)) == 1
        assert deliverable.milestone == order.milestones.get(position=1)

    def test_only_the_nomad_adds_work_while_in_progress(self, world: World) -> None:
        order = in_progress_order(world)
        with pytest.raises(Forbidden):
            services.add_deliverable(principal=as_(world.olivia), order=order, url="https://x.cn")
        delivered = delivered_order(world)
        with pytest.raises(Conflict):
            services.add_deliverable(
                principal=as_(world.wendy), order=delivered, url="https://x.cn"
            )


class TestReminders:
    def test_due_soon_and_overdue_are_sent_once(self, world: World) -> None:
        order = in_progress_order(world)
        today = timezone.localdate()
        Milestone.objects.filter(order=order, position=1).update(due_on=today + timedelta(days=1))
        Milestone.objects.filter(order=order, position=2).update(due_on=today - timedelta(days=1))
        assert services.send_reminders() == {"due_soon": 1, "overdue": 1}
        assert (
            Notification.objects.filter(recipient=world.wendy, kind="orders.due_soon").count() == 1
        )
        assert (
            Notification.objects.filter(recipient=world.olivia, kind="orders.overdue").count() == 1
        )
        assert services.send_reminders() == {"due_soon": 0, "overdue": 0}

    def test_delivered_milestones_and_finished_orders_are_left_alone(self, world: World) -> None:
        order = with_deliverable(world, in_progress_order(world))  # milestone 1 has work
        Milestone.objects.filter(order=order).update(due_on=timezone.localdate())
        out = StringIO()
        call_command("send_order_reminders", stdout=out)
        assert Notification.objects.filter(kind="orders.due_soon").count() == 1  # milestone 2
        Milestone.objects.filter(order=accepted_order(world)).update(due_on=timezone.localdate())
        assert services.send_reminders() == {"due_soon": 0, "overdue": 0}


def test_accepted_orders_are_listed_for_the_proof_of_work(world: World) -> None:
    order = accepted_order(world)
    services.rate(principal=as_(world.olivia), order=order, score=5)
    delivered_order(world)  # not accepted: not listed
    [work] = services.accepted_orders_for(world.wendy)
    assert work.reference == f"order:{order.public_id}"
    assert (work.total, work.owed_to_nomad, work.rating_by_enterprise) == (TOTAL, None, 5)
    assert work.skills == (("nc.python", 3), ("nc.sql", 4))
    services.settle(principal=as_(world.oscar), order=order)
    assert services.accepted_orders_for(world.wendy)[0].owed_to_nomad == TOTAL
    assert services.accepted_orders_for(world.charlie) == []


def test_members_cannot_apply_for_their_own_orders(world: World) -> None:
    order = open_order(world)
    before = database_fingerprint()
    for person in (world.olivia, world.rita):
        with pytest.raises(Forbidden):
            services.apply_for_order(principal=as_(person), order=order)
    services.apply_for_order(principal=as_(world.wendy), order=order)
    with pytest.raises(Conflict):
        services.apply_for_order(principal=as_(world.wendy), order=reload(order))
    assert database_fingerprint() != before


def test_terms_are_fixed_once_applications_arrive(world: World) -> None:
    order = open_order(world)
    services.update_order(
        principal=as_(world.olivia), order=order, changes=OrderChanges(title_en="Sales dashboard")
    )
    assert reload(order).title_en == "Sales dashboard"
    applied = applied_order(world)
    with pytest.raises(Conflict):
        services.update_order(
            principal=as_(world.olivia), order=applied, changes=OrderChanges(title_en="x")
        )
