"""Credentials for every kind of verified work: accepted orders (by the enterprise or
automatically), passed training scenarios and data batches; issued in the accepting
transaction, once per source, in bulk with a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nomadcloud.orders import services as orders
from nomadcloud.orders.events import milestone_accepted
from nomadcloud.orders.models import Order, OrderEvent
from nomadcloud.proofs import apps, events, services, units
from nomadcloud.proofs.events import Holder
from nomadcloud.proofs.models import Credential, LogEntry
from nomadcloud.proofs.services import issuing
from nomadcloud.proofs.services.identity import iso
from nomadcloud.training import services as training
from nomadcloud.training.events import training_passed
from nomadcloud.training.models import Enrolment
from tests.builders import orders as order_builders
from tests.builders import training as training_builders
from tests.builders.demands import make_concepts
from tests.builders.proofs import claims
from tests.conftest import World


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _concepts(db: None) -> None:
    make_concepts()


@pytest.fixture
def issued_signals() -> Iterator[list[Credential]]:
    """Every credential ``credentials_issued`` announces."""
    received: list[Credential] = []

    def receiver(issued: events.CredentialsIssued) -> None:
        received.extend(issued.credentials)

    events.credentials_issued.connect(receiver, uid="test.issued")
    yield received
    events.credentials_issued.disconnect("test.issued")


def work_of(credential: Credential) -> dict[str, Any]:
    work: dict[str, Any] = credential.document["credentialSubject"]["work"]
    return work


def test_accepting_an_order_issues_a_credential_per_milestone(
    world: World, issued_signals: list[Credential]
) -> None:
    order = order_builders.accepted_order(world)
    credentials = list(Credential.objects.filter(kind="order").order_by("id"))
    assert issued_signals == credentials and len(credentials) == 2
    first, second = credentials
    assert first.user == world.wendy
    assert first.source == f"order:{order.public_id}:milestone:1"
    assert second.source == f"order:{order.public_id}:milestone:2"
    work = work_of(first)
    assert work["kind"] == "order"
    assert work["name"] == {
        "zh": "数据看板开发 · 设计稿 Design",
        "en": "Data dashboard · 设计稿 Design",
    }
    assert work["enterprise"]["name"] == {"zh": "Acme（中文）", "en": "Acme"}
    assert work["enterprise"]["id"] == f"urn:uuid:{world.acme.public_id}"
    assert work["workUnits"] == "1200.50" == str(units.for_order(Decimal("1200.50")))
    assert work_of(second)["workUnits"] == "2799.50"
    assert work["acceptance"] == "enterprise"
    assert work["quality"] == {"revisions": 0}
    assert [s["id"] for s in work["skills"]] == ["nc.python", "nc.sql"]
    assigned_at = OrderEvent.objects.get(order=order, to_status="assigned").at
    assert work["period"]["start"] == iso(assigned_at)
    [m1, m2] = order.milestones.all()
    assert m1.accepted_at is not None and order.accepted_at is not None
    assert work["period"]["end"] == iso(m1.accepted_at)
    assert work_of(second)["period"] == {"start": iso(m1.accepted_at), "end": iso(m2.accepted_at)}
    assert order.accepted_at == m2.accepted_at
    services.publish_checkpoint()
    assert services.verify(first.document).valid and services.verify(second.document).valid
    # settling and rating later change nothing: one credential per accepted milestone
    orders.settle(principal=order_builders.as_(world.olivia), order=order)
    orders.rate(principal=order_builders.as_(world.olivia), order=order, score=5)
    assert Credential.objects.filter(kind="order").count() == 2 and len(issued_signals) == 2


def test_an_automatically_accepted_order_says_so(world: World) -> None:
    order = order_builders.delivered_order(world)
    assert not Credential.objects.exists()  # delivered is not accepted
    later = timezone.now() + timedelta(days=8)
    assert [o.pk for o in orders.auto_accept_due(now=later)] == [order.pk]
    [credential] = Credential.objects.filter(kind="order")
    assert work_of(credential)["acceptance"] == "automatic"


def test_passing_a_training_scenario_issues_its_credential(
    world: World, issued_signals: list[Credential]
) -> None:
    enrolment = training_builders.passed(world)
    [credential] = Credential.objects.filter(kind="training")
    assert issued_signals == [credential]
    assert credential.source == f"training:{enrolment.public_id}"
    work = work_of(credential)
    assert work["workUnits"] == str(units.TRAINING_WORK_UNITS) == "20.00"
    assert work["quality"] == {"score": "86.67"}
    assert work["name"]["zh"] == "Docker 部署实训"
    assert work["period"]["start"] == iso(enrolment.enrolled_at)
    assert [s["id"] for s in work["skills"]] == ["nc.python", "nc.docker"]


def test_a_failed_assessment_issues_nothing(world: World) -> None:
    item = training_builders.submitted(world)
    training.assess(
        principal=training_builders.as_(world.olivia),
        enrolment=item,
        scores=[training.Score(1, 2), training.Score(2, 1)],
    )
    assert Enrolment.objects.get(pk=item.pk).status == "failed"
    assert not Credential.objects.exists()


def test_credentials_roll_back_with_the_acceptance(world: World) -> None:
    order = order_builders.delivered_order(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        orders.accept_delivery(principal=order_builders.as_(world.olivia), order=order)
        assert Credential.objects.count() == 1  # issued inside the transaction …
        raise RuntimeError("something later fails")
    assert not Credential.objects.exists() and not LogEntry.objects.exists()  # … and undone
    assert Order.objects.get(pk=order.pk).status == "delivered"


def test_same_source_twice_in_one_call_and_again_later_is_issued_once(
    world: World, issued_signals: list[Credential]
) -> None:
    first = services.issue_credentials(world.rita, [claims("a"), claims("a"), claims("b")])
    assert [c.source for c in first] == ["a", "b"]
    assert services.issue_credentials(world.rita, [claims("b"), claims("c")])[0].source == "c"
    assert len(issued_signals) == 3
    assert [e.index for e in LogEntry.objects.order_by("index")] == [0, 1, 2]


def _queries(world: World, prefix: str, n: int) -> int:
    """Queries issuing makes on the proofs tables (listeners of ``credentials_issued``, such as
    the points app, are counted by their own tests)."""
    batch = [claims(f"{prefix}-{i}") for i in range(n)]
    with CaptureQueriesContext(connection) as ctx:
        assert len(services.issue_credentials(world.rita, batch)) == n
    return sum('"proofs_' in q["sql"] for q in ctx.captured_queries)


def test_issuing_a_batch_costs_a_fixed_number_of_queries(world: World) -> None:
    services.issue_credentials(world.rita, [claims("warm-up")])  # key and log head exist
    few = _queries(world, "few", 3)
    many = _queries(world, "many", 60)
    assert many == few, (few, many)  # no per-credential queries
    assert few <= 11
    assert Credential.objects.count() == 64
    assert [e.index for e in LogEntry.objects.order_by("index")] == list(range(64))


def test_stored_documents_are_exactly_the_signed_ones(world: World) -> None:
    """Credentials are stored as the canonical JSON written for the signature (by COPY on
    PostgreSQL): characters that need escaping in JSON, in COPY or in SQL come back intact,
    and the stored copy verifies with its log entry."""
    awkward = 'tab\tnewline\nback\\slash "quoted" \\N \x01 emoji \U0001f602 数据 \u2028'
    batch = [claims("awkward-1"), claims("awkward-2")]
    batch[0].title_en = awkward
    batch[1].enterprise_zh = awkward[::-1]
    issued = services.issue_credentials(world.rita, batch)
    services.publish_checkpoint()
    for credential in issued:
        stored = Credential.objects.get(pk=credential.pk)
        assert stored.public_id == credential.public_id
        assert stored.document == credential.document
        assert services.leaf_hash(stored.document) == bytes(stored.log_entry.leaf_hash)
        assert services.verify(stored.document).valid
    assert work_of(Credential.objects.get(source="awkward-1"))["name"]["en"] == awkward


def test_backfill_issues_what_was_accepted_before(world: World) -> None:
    milestone_accepted.disconnect("proofs.issue_for_milestone")
    training_passed.disconnect("proofs.issue_for_training")
    try:
        order_builders.accepted_order(world)
        training_builders.passed(world)
    finally:
        apps.connect()
    assert not Credential.objects.exists()
    out = StringIO()
    call_command("proofs", "backfill", stdout=out)
    assert "3" in out.getvalue()
    assert sorted(Credential.objects.values_list("kind", flat=True)) == [
        "order",
        "order",
        "training",
    ]
    call_command("proofs", "backfill", stdout=StringIO())
    assert Credential.objects.count() == 3


def test_backfill_issues_nothing_for_an_order_credited_whole_before(world: World) -> None:
    """An order accepted before milestones were accepted one by one holds one credential
    under the order's reference: the backfill does not issue its milestones again."""
    milestone_accepted.disconnect("proofs.issue_for_milestone")
    try:
        order = order_builders.accepted_order(world)
    finally:
        apps.connect()
    Credential.objects.all().delete()
    issuing.issue_pairs(
        [
            (
                Holder(world.wendy.pk, world.wendy.public_id),
                issuing.Claims(
                    kind=Credential.Kind.ORDER,
                    source=order.reference,
                    title_zh="数据看板开发",
                    title_en="Data dashboard",
                    enterprise_id=str(world.acme.public_id),
                    enterprise_zh="Acme（中文）",
                    enterprise_en="Acme",
                    period_start=timezone.now(),
                    period_end=timezone.now(),
                    work_units=Decimal("4000.00"),
                ),
            )
        ]
    )
    call_command("proofs", "backfill", stdout=StringIO())
    assert list(Credential.objects.values_list("source", flat=True)) == [order.reference]


def test_work_units_rules() -> None:
    assert units.for_data(Decimal("2.80")) == Decimal("2.80")
    assert units.for_data(Decimal("0.125")) == Decimal("0.13")  # half up, to the cent
    assert units.for_order(Decimal("4000")) == Decimal("4000.00")
    assert units.for_order(Decimal("-1")) == Decimal("0.00")
    assert units.for_training() == Decimal("20.00")
