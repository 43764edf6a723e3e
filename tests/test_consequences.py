"""Explicit consequences (docs/decisions/0004, 0005): accepting a data batch, an order or a
training sends its event exactly once, in the use case's transaction, with a payload that
carries everything proofs of work issue from; the credentials are issued and their work
units credited to the nomad; accepting again issues and credits nothing new; a rollback
leaves no credential and no work units."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict
from nomadcloud.core.events import Event
from nomadcloud.datatasks import services as datatasks
from nomadcloud.datatasks.events import BatchAccepted, WorkerAccepted, batch_accepted
from nomadcloud.datatasks.models import AcceptedWork
from nomadcloud.orders import services as orders
from nomadcloud.orders.events import (
    MilestoneAccepted,
    OrderAccepted,
    milestone_accepted,
    order_accepted,
)
from nomadcloud.orders.models import Order, OrderEvent
from nomadcloud.points import models as points
from nomadcloud.proofs import events as proofs_events
from nomadcloud.proofs import services as proofs
from nomadcloud.proofs.events import CredentialRevoked, CredentialsIssued, Holder
from nomadcloud.proofs.models import Credential, LogEntry
from nomadcloud.proofs.services import verified_work
from nomadcloud.taxonomy.labels import SkillLabel
from nomadcloud.training import services as training
from nomadcloud.training.events import TrainingPassed, training_passed
from nomadcloud.training.models import Enrolment
from tests.builders import orders as order_builders
from tests.builders import training as training_builders
from tests.builders.datatasks import closed_batch
from tests.builders.demands import make_concepts
from tests.builders.world import verify_org
from tests.conftest import World

Recorder = Callable[[Event[Any]], list[Any]]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _concepts(db: None) -> None:
    make_concepts()


@pytest.fixture(autouse=True)
def _verified_acme(world: World) -> None:
    """Acme's work earns work units at once only once Acme is verified (docs/risk.md)."""
    verify_org(world.acme)


@pytest.fixture
def record() -> Iterator[Recorder]:
    """``record(event)``: the payloads ``event`` sends from now on (in this test)."""
    connected: list[Event[Any]] = []

    def start(event: Event[Any]) -> list[Any]:
        sent: list[Any] = []
        event.connect(sent.append, uid="test.record")
        connected.append(event)
        return sent

    yield start
    for event in connected:
        event.disconnect("test.record")


def wu_balance(user: Any) -> int:
    account = points.Account.objects.filter(pk=f"u:{user.public_id.hex}:WU").first()
    return 0 if account is None else account.credits_posted - account.debits_posted


def credited(credential: Credential) -> int:
    return points.WorkUnitCredit.objects.get(credential=credential.public_id).amount


def everything() -> tuple[int, int, int]:
    return (
        Credential.objects.count(),
        points.WorkUnitCredit.objects.count(),
        points.Transfer.objects.count(),
    )


# ---- data batches ------------------------------------------------------------------------


def test_accepting_a_batch_sends_batch_accepted_once_and_issues_and_credits(
    world: World, record: Recorder
) -> None:
    batch = closed_batch(world)
    sent = record(batch_accepted)
    issued = record(proofs_events.credentials_issued)
    datatasks.accept_batch(principal=Principal.for_user(world.olivia), batch=batch)
    [payload] = sent
    assert isinstance(payload, BatchAccepted)
    batch.refresh_from_db()
    rows = list(AcceptedWork.objects.filter(batch=batch).order_by("id"))
    assert payload.batch_id == batch.public_id
    assert payload.enterprise_id == world.acme.public_id
    assert (payload.enterprise_name_zh, payload.enterprise_name_en) == ("Acme（中文）", "Acme")
    assert payload.accepted_at == batch.accepted_at
    assert payload.skills == (SkillLabel("nc.data-annotation", "数据标注", "Data labelling"),)
    assert payload.workers == tuple(
        WorkerAccepted(
            user_id=row.worker_id,
            user_public_id=row.worker.public_id,
            items=row.items_accepted,
            accuracy=row.accuracy,
            pay=row.amount,
        )
        for row in rows
    )
    # one issuing call, one credential per worker, their work units credited
    [announcement] = issued
    assert isinstance(announcement, CredentialsIssued)
    credentials = list(Credential.objects.filter(kind="data").order_by("id"))
    assert [c.user_id for c in credentials] == [row.worker_id for row in rows]
    assert [e.credential_id for e in announcement.work_units] == [c.public_id for c in credentials]
    for row, credential, earned in zip(rows, credentials, announcement.work_units, strict=True):
        assert earned.holder == Holder(row.worker_id, row.worker.public_id)
        assert earned.units == row.amount > 0
        assert credited(credential) == wu_balance(row.worker) == int(row.amount * 100)


def test_a_batch_accepted_again_issues_and_credits_nothing_new(
    world: World, record: Recorder
) -> None:
    batch = closed_batch(world)
    sent = record(batch_accepted)
    datatasks.accept_batch(principal=Principal.for_user(world.olivia), batch=batch)
    before = everything()
    assert before[0] == 2 and before[1] == 2
    verified_work.on_batch_accepted(sent[0])  # the same acceptance delivered again
    batch_accepted.send(sent[0])
    assert everything() == before
    assert len(sent) == 2  # only the resend above


def test_a_rejected_acceptance_sends_nothing(world: World, record: Recorder) -> None:
    batch = closed_batch(world)
    datatasks.accept_batch(principal=Principal.for_user(world.olivia), batch=batch)
    sent = record(batch_accepted)
    with pytest.raises(Conflict):
        datatasks.accept_batch(principal=Principal.for_user(world.olivia), batch=batch)
    assert sent == []


# ---- orders ------------------------------------------------------------------------------


def test_each_milestone_accepted_sends_milestone_accepted_and_issues_and_credits_its_amount(
    world: World, record: Recorder
) -> None:
    """Work is accepted milestone by milestone: each acceptance issues a credential for that
    milestone's amount and credits its work units; the last also sends ``order_accepted``."""
    order = order_builders.delivered_order(world)
    milestones = record(milestone_accepted)
    completed = record(order_accepted)
    olivia = order_builders.as_(world.olivia)
    orders.accept_milestone(principal=olivia, order=order, position=1)
    [first] = milestones
    assert isinstance(first, MilestoneAccepted) and completed == []
    assert first.reference == f"order:{order.public_id}:milestone:1"
    assert first.order_reference == order.reference
    assert (first.position, first.milestone_count, first.amount) == (1, 2, Decimal("1200.50"))
    assert (first.nomad_id, first.nomad_public_id) == (world.wendy.pk, world.wendy.public_id)
    assert first.automatically is False and first.completes_order is False
    assert first.assigned_at == OrderEvent.objects.get(order=order, to_status="assigned").at
    assert [s.code for s in first.skills] == ["nc.python", "nc.sql"]
    [credential] = Credential.objects.filter(kind="order")
    assert credential.source == first.reference and credential.user_id == world.wendy.pk
    assert credited(credential) == 120050 and wu_balance(world.wendy) == 120050

    order = Order.objects.get(pk=order.pk)
    orders.add_deliverable(
        principal=order_builders.as_(world.wendy), order=order, url="https://example.com/v2"
    )
    orders.deliver(principal=order_builders.as_(world.wendy), order=order)
    orders.accept_milestone(principal=olivia, order=order, position=2)
    order = Order.objects.get(pk=order.pk)
    second = milestones[1]
    assert second.completes_order is True and second.amount == Decimal("2799.50")
    assert second.assigned_at == first.accepted_at  # the period starts after the first
    [payload] = completed
    assert isinstance(payload, OrderAccepted)
    assert payload.reference == order.reference == f"order:{order.public_id}"
    assert payload.total == order_builders.TOTAL
    assert payload.automatically is False and order.accepted_automatically is False
    assert payload.accepted_at == order.accepted_at == second.accepted_at
    assert Credential.objects.filter(kind="order").count() == 2
    assert wu_balance(world.wendy) == 400000  # the whole order, in two credits


def test_automatic_acceptance_sends_milestone_accepted_once_and_records_it(
    world: World, record: Recorder
) -> None:
    order = order_builders.delivered_order(world)
    sent = record(milestone_accepted)
    later = timezone.now() + timedelta(days=8)
    assert [o.pk for o in orders.auto_accept_due(now=later)] == [order.pk]
    [payload] = sent
    assert payload.automatically is True and payload.position == 1
    milestone = Order.objects.get(pk=order.pk).milestones.get(position=1)
    assert milestone.accepted_automatically is True  # saved with the acceptance
    [credential] = Credential.objects.filter(kind="order")
    assert credential.document["credentialSubject"]["work"]["acceptance"] == "automatic"
    assert orders.auto_accept_due(now=later) == [] and len(sent) == 1


def test_a_milestone_accepted_again_issues_and_credits_nothing_new(
    world: World, record: Recorder
) -> None:
    sent = record(milestone_accepted)
    order_builders.accepted_order(world)
    before = everything()
    assert before[0] == 2
    milestone_accepted.send(sent[0])
    milestone_accepted.send(sent[1])
    assert everything() == before


def test_a_milestone_not_delivered_is_refused_and_nothing_changes(
    world: World, record: Recorder
) -> None:
    order = order_builders.half_accepted_order(world)
    sent = record(milestone_accepted)
    before = everything()
    with pytest.raises(Conflict) as refused:
        orders.accept_milestone(principal=order_builders.as_(world.olivia), order=order, position=2)
    assert refused.value.code == "milestone_not_delivered"
    assert sent == [] and everything() == before
    assert Order.objects.get(pk=order.pk).status == "in_progress"


def test_a_rollback_after_the_milestone_is_accepted_leaves_no_credential_and_no_points(
    world: World, record: Recorder
) -> None:
    order = order_builders.delivered_order(world)
    sent = record(milestone_accepted)
    before = everything()
    with pytest.raises(RuntimeError), transaction.atomic():
        orders.accept_delivery(principal=order_builders.as_(world.olivia), order=order)
        assert len(sent) == 1
        assert Credential.objects.count() == 1 and wu_balance(world.wendy) == 120050
        raise RuntimeError("something later fails")
    assert everything() == before
    assert not LogEntry.objects.exists() and wu_balance(world.wendy) == 0
    assert Order.objects.get(pk=order.pk).status == "delivered"


# ---- training ----------------------------------------------------------------------------


def test_passing_a_training_sends_training_passed_once_and_issues_and_credits(
    world: World, record: Recorder
) -> None:
    sent = record(training_passed)
    enrolment = training_builders.passed(world)
    [payload] = sent
    assert isinstance(payload, TrainingPassed)
    assert payload.reference == enrolment.reference
    assert payload.enrolment_id == enrolment.public_id
    assert payload.nomad_id == world.wendy.pk
    assert payload.score == enrolment.score == Decimal("86.67")
    assert payload.enrolled_at == enrolment.enrolled_at
    assert payload.completed_at == enrolment.completed_at
    assert [s.code for s in payload.skills] == ["nc.python", "nc.docker"]
    [credential] = Credential.objects.filter(kind="training")
    assert credited(credential) == 2000 and wu_balance(world.wendy) == 2000
    before = everything()
    training_passed.send(payload)
    assert everything() == before


def test_a_failed_assessment_sends_nothing(world: World, record: Recorder) -> None:
    sent = record(training_passed)
    item = training_builders.submitted(world)
    training.assess(
        principal=training_builders.as_(world.olivia),
        enrolment=item,
        scores=[training.Score(1, 2), training.Score(2, 1)],
    )
    assert Enrolment.objects.get(pk=item.pk).status == "failed"
    assert sent == [] and everything() == (0, 0, 0)


# ---- revocation --------------------------------------------------------------------------


def test_revoking_sends_credential_revoked_once_and_takes_the_units_back(
    world: World, record: Recorder
) -> None:
    training_builders.passed(world)
    [credential] = Credential.objects.all()
    sent = record(proofs_events.credential_revoked)
    proofs.revoke(principal=Principal.for_user(world.oscar), credential=credential, reason="x")
    [payload] = sent
    assert isinstance(payload, CredentialRevoked)
    assert (payload.credential_id, payload.holder_id, payload.actor_id, payload.reason) == (
        credential.public_id,
        world.wendy.pk,
        world.oscar.pk,
        "x",
    )
    assert wu_balance(world.wendy) == 0


# ---- no hidden corridors -----------------------------------------------------------------


def test_no_model_signal_receivers_in_the_apps_that_issue_or_credit() -> None:
    root = Path(__file__).resolve().parent.parent / "nomadcloud"
    for app in ("proofs", "points", "datatasks", "orders", "training"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            assert "post_save" not in text and "pre_save" not in text, path
