"""Working a batch: joining and the qualification test, assignment with overlap and leases,
gold items, blocking, refusals that change nothing, results, corrections, exports and
acceptance (which records verified work on the skill record)."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput
from nomadcloud.datatasks import export, services
from nomadcloud.datatasks.models import (
    AcceptedWork,
    Answer,
    Assignment,
    Batch,
    BatchWorker,
    Item,
    ResultOverride,
)
from nomadcloud.datatasks.schemas import BatchDraft
from nomadcloud.notifications.models import Notification
from nomadcloud.talent.models import SkillEvidence
from tests.builders.datatasks import (
    LABELS,
    TRUTH,
    answer_all,
    closed_batch,
    draft_batch,
    joined,
    labelling_skill,
    open_batch,
    plain_batch,
)
from tests.conftest import World, database_fingerprint, make_person


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English (outside requests the default is Chinese)."""
    with translation.override("en"):
        yield


def nomad(name: str) -> User:
    return make_person(name, f"{name.lower()}@example.com")


def p(user: User) -> Principal:
    return Principal.for_user(user)


def take(batch: Batch, user: User) -> Assignment:
    assignment = services.next_assignment(principal=p(user), batch=batch)
    assert assignment is not None
    return assignment


def give(user: User, assignment: Assignment, value: Any = None) -> services.Submitted:
    value = TRUTH[assignment.item.external_id] if value is None else value
    return services.submit_answer(principal=p(user), assignment=assignment, value=value)


def qualify(batch: Batch, user: User) -> None:
    joined_state = services.join_batch(principal=p(user), batch=batch)
    while joined_state.status == "qualifying":
        joined_state = give(user, take(batch, user)).state
    assert joined_state.status == "qualified"


@pytest.fixture(autouse=True)
def _skill(db: None) -> None:
    labelling_skill()


# --- joining and qualifying -------------------------------------------------------------------


def test_a_nomad_takes_the_qualification_test_first_in_file_order(world: World) -> None:
    batch = open_batch(world)
    state = services.join_batch(principal=p(world.charlie), batch=batch)
    assert state.status == "qualifying"
    assert services.join_batch(principal=p(world.charlie), batch=batch).pk == state.pk
    seen = []
    for _n in range(3):
        assignment = take(batch, world.charlie)
        assert assignment.phase == "qualification"
        seen.append(assignment.item.external_id)
        state = give(world.charlie, assignment).state
    assert seen == ["q1", "q2", "q3"]
    assert state.status == "qualified"
    assert state.qualification_accuracy == 1.0
    assert take(batch, world.charlie).phase == "work"
    assert Notification.objects.filter(
        recipient=world.charlie, kind="datatasks.qualification"
    ).exists()


def test_failing_the_qualification_test_ends_the_work(world: World) -> None:
    batch = open_batch(world)  # pass mark 66%: one right answer of three is not enough
    services.join_batch(principal=p(world.charlie), batch=batch)
    give(world.charlie, take(batch, world.charlie))
    give(world.charlie, take(batch, world.charlie), "positive")  # q2 is negative
    state = give(world.charlie, take(batch, world.charlie), "positive").state  # q3 neutral
    assert state.status == "failed"
    assert state.qualification_accuracy == pytest.approx(1 / 3)
    with pytest.raises(Forbidden) as caught:
        services.next_assignment(principal=p(world.charlie), batch=batch)
    assert caught.value.code == "not_qualified"


def test_who_may_work(world: World) -> None:
    batch = open_batch(world)
    with pytest.raises(Forbidden) as caught:
        services.join_batch(principal=p(world.bob), batch=batch)  # Acme's own member
    assert caught.value.code == "own_enterprise"
    employer = make_person("Erin Employer", "erin@example.com", is_nomad=False)
    with pytest.raises(Forbidden) as caught:
        services.join_batch(principal=p(employer), batch=batch)
    assert caught.value.code == "not_a_nomad"
    with pytest.raises(Conflict) as caught:
        services.join_batch(principal=p(world.charlie), batch=draft_batch(world))
    assert caught.value.code == "batch_closed"
    with pytest.raises(Conflict) as caught:
        services.next_assignment(principal=p(world.wendy), batch=batch)
    assert caught.value.code == "not_joined"


# --- assignment -------------------------------------------------------------------------------


def test_overlap_is_met_and_nobody_answers_an_item_twice(world: World) -> None:
    batch = plain_batch(world, overlap=2, gold_percent=0)
    workers = [world.charlie, world.wendy, world.oscar]
    for user in workers:
        services.join_batch(principal=p(user), batch=batch)
    # Round robin until nobody gets anything more.
    active = list(workers)
    while active:
        for user in list(active):
            assignment = services.next_assignment(principal=p(user), batch=batch)
            if assignment is None:
                active.remove(user)
            else:
                give(user, assignment)
    regular = Item.objects.filter(batch=batch, is_gold=False)
    assert sorted(regular.values_list("answer_count", flat=True)) == [2] * 6
    assert Answer.objects.filter(batch=batch, item__is_gold=False).count() == 12
    pairs = list(Answer.objects.values_list("item_id", "worker_id"))
    assert len(pairs) == len(set(pairs))


def test_items_with_the_fewest_answers_come_first(world: World) -> None:
    batch = plain_batch(world, overlap=3, gold_percent=0)
    for user in (world.charlie, world.wendy):
        services.join_batch(principal=p(user), batch=batch)
    for _n in range(2):
        give(world.charlie, take(batch, world.charlie))  # r1, r2
    first = take(batch, world.wendy)
    assert first.item.external_id == "r3"  # r3–r6 have no answers yet


def test_a_lease_holds_the_last_slot_until_it_expires(world: World) -> None:
    batch = plain_batch(world, overlap=1, gold_percent=0)
    for user in (world.charlie, world.wendy):
        services.join_batch(principal=p(user), batch=batch)
    held = take(batch, world.charlie)
    assert held.item.external_id == "r1"
    assert take(batch, world.wendy).item.external_id == "r2"  # r1 is reserved
    # The same worker asking again gets the same item, with the lease renewed.
    assert take(batch, world.charlie).pk == held.pk
    Assignment.objects.filter(pk=held.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    oscar_batch_state = services.join_batch(principal=p(world.oscar), batch=batch)
    assert oscar_batch_state.status == "qualified"
    assert take(batch, world.oscar).item.external_id == "r1"  # the slot came free
    # Charlie's expired lease no longer holds a slot, and the slot is taken: refused.
    before = database_fingerprint()
    with pytest.raises(Conflict) as caught:
        give(world.charlie, held)
    assert caught.value.code == "lease_expired"
    assert database_fingerprint() == before


def test_an_expired_lease_is_still_answerable_while_its_slot_is_free(world: World) -> None:
    batch = plain_batch(world, overlap=1, gold_percent=0)
    services.join_batch(principal=p(world.charlie), batch=batch)
    held = take(batch, world.charlie)
    Assignment.objects.filter(pk=held.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    held.refresh_from_db()
    assert give(world.charlie, held).answer.value == "positive"


def test_gold_items_are_mixed_in_at_the_batchs_share(world: World) -> None:
    batch = plain_batch(world, overlap=1, gold_percent=50)
    services.join_batch(principal=p(world.charlie), batch=batch)
    kinds = []
    while assignment := services.next_assignment(principal=p(world.charlie), batch=batch):
        kinds.append(assignment.item.is_gold)
        give(world.charlie, assignment)
    # Both gold items are served while regular work remains; all six regular items too.
    assert kinds.count(True) == 2
    assert kinds.count(False) == 6
    assert kinds[0] is True  # 0 gold of 0 answers is below 50% of the next one
    state = BatchWorker.objects.get(batch=batch, worker=world.charlie)
    assert (state.gold_answers, state.work_answers, state.accuracy) == (2, 8, 1.0)


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; threads need PostgreSQL here")


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_overfill_an_item(postgres_only: None, world: World) -> None:
    """Eight workers ask for items at the same moment, from their own connections."""
    batch = plain_batch(world, overlap=2, gold_percent=0)
    workers = [nomad(f"Worker{n}") for n in range(8)]
    for user in workers:
        services.join_batch(principal=p(user), batch=batch)
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def work(user: User) -> None:
        try:
            barrier.wait()
            services.next_assignment(principal=p(user), batch=batch)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(user,)) for user in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    leases = list(
        Assignment.objects.filter(batch=batch).values_list("item__external_id", flat=True)
    )
    assert len(leases) == 8
    assert all(leases.count(item) <= 2 for item in set(leases))
    assert sorted(set(leases)) == ["r1", "r2", "r3", "r4"]


# --- refusals ---------------------------------------------------------------------------------


def test_answers_are_refused_unless_assigned_once_and_the_batch_is_open(world: World) -> None:
    batch = open_batch(world)
    qualify(batch, world.charlie)
    services.join_batch(principal=p(world.wendy), batch=batch)
    mine = take(batch, world.charlie)
    before = database_fingerprint()
    with pytest.raises(Forbidden) as caught:  # Wendy answering Charlie's item
        services.submit_answer(principal=p(world.wendy), assignment=mine, value="positive")
    assert caught.value.code == "not_assigned"
    with pytest.raises(InvalidInput) as invalid:
        give(world.charlie, mine, "excellent")
    assert invalid.value.fields == {
        "answer": ["“excellent” is not one of the labels (positive, negative, neutral)."]
    }
    assert database_fingerprint() == before
    give(world.charlie, mine)
    before = database_fingerprint()
    with pytest.raises(Conflict) as caught:
        give(world.charlie, mine)
    assert caught.value.code == "already_answered"
    assert database_fingerprint() == before

    following = take(batch, world.charlie)
    services.change_status(principal=p(world.olivia), batch=batch, status="closed")
    following.refresh_from_db()
    before = database_fingerprint()
    with pytest.raises(Conflict) as caught:
        give(world.charlie, following)
    assert caught.value.code == "batch_closed"
    assert database_fingerprint() == before


def test_answers_after_the_deadline_are_refused(world: World) -> None:
    batch = plain_batch(world, deadline=timezone.localdate() + timedelta(days=1))
    services.join_batch(principal=p(world.charlie), batch=batch)
    assignment = take(batch, world.charlie)
    Batch.objects.filter(pk=batch.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    before = database_fingerprint()
    with pytest.raises(Conflict) as caught:
        give(world.charlie, assignment)
    assert caught.value.code == "batch_closed"
    assert database_fingerprint() == before
    assert services.close_overdue_batches() == 1
    assert Batch.objects.get(pk=batch.pk).status == "closed"


def test_a_skipped_item_does_not_come_back(world: World) -> None:
    batch = plain_batch(world, gold_percent=0)
    services.join_batch(principal=p(world.charlie), batch=batch)
    first = take(batch, world.charlie)
    services.skip_assignment(principal=p(world.charlie), assignment=first)
    assert take(batch, world.charlie).item.external_id == "r2"
    with pytest.raises(Conflict):
        give(world.charlie, Assignment.objects.get(pk=first.pk))


# --- blocking ---------------------------------------------------------------------------------


def test_a_worker_below_the_threshold_is_blocked_and_their_answers_set_aside(
    world: World,
) -> None:
    # The batch's rule sets a blocked worker's answers aside (the default keeps and pays
    # them: tests/test_datatasks_fairness.py).
    batch = plain_batch(
        world, overlap=2, gold_percent=50, min_gold_answers=2, pay_before_ban="discarded"
    )
    services.join_batch(principal=p(world.charlie), batch=batch)
    given = 0
    state = BatchWorker.objects.get(batch=batch, worker=world.charlie)
    while state.status == "qualified":
        assignment = take(batch, world.charlie)
        truth = TRUTH[assignment.item.external_id]
        wrong = next(label for label in LABELS if label != truth)
        state = give(world.charlie, assignment, wrong).state
        given += 1
    assert state.status == "blocked"
    assert state.block_reason == {
        "accuracy": 0.0,
        "threshold": 60,
        "gold_answers": 2,
        "misses": 2,
        "window": 0,
    }
    assert state.notified_at is not None
    notice = Notification.objects.get(recipient=world.charlie, kind="datatasks.blocked")
    assert notice.params["threshold"] == "60" and notice.params["gold"] == "2"
    assert not Answer.objects.filter(worker=world.charlie, discarded=False).exists()
    assert Answer.objects.filter(worker=world.charlie).count() == given
    assert set(Item.objects.filter(batch=batch).values_list("answer_count", flat=True)) == {0}
    with pytest.raises(Forbidden) as caught:
        services.next_assignment(principal=p(world.charlie), batch=batch)
    assert caught.value.code == "blocked"
    assert "60%" in caught.value.message
    # The items went back to others.
    services.join_batch(principal=p(world.wendy), batch=batch)
    assert answer_all(world, world.wendy, batch) == 8


# --- results ----------------------------------------------------------------------------------


def test_closing_aggregates_results_with_confidence_and_agreement(world: World) -> None:
    batch = closed_batch(world)
    results = dict(
        Item.objects.filter(batch=batch, is_gold=False).values_list("external_id", "result")
    )
    assert results == {k: v for k, v in TRUTH.items() if k.startswith("r")}
    item = Item.objects.get(batch=batch, external_id="r1")
    assert item.confidence == pytest.approx(1.0, abs=1e-3)
    assert batch.quality["alpha"] == pytest.approx(1.0)
    assert batch.quality["kappa"] == pytest.approx(1.0)
    assert batch.quality["method"] == "dawid_skene"
    assert batch.quality["items_with_results"] == 6
    states = BatchWorker.objects.filter(batch=batch)
    assert {s.agreement for s in states} == {1.0}


def test_a_reviewer_corrects_a_result_and_the_original_is_kept(world: World) -> None:
    batch = closed_batch(world)
    item = Item.objects.get(batch=batch, external_id="r3")
    services.override_result(
        principal=p(world.olivia), item=item, value="negative", reason="Faint praise is negative"
    )
    item.refresh_from_db()
    assert (item.result, item.override, item.final) == ("neutral", "negative", "negative")
    record = ResultOverride.objects.get(item=item)
    assert (record.previous, record.value, record.by) == ("neutral", "negative", world.olivia)
    services.aggregate_batch(principal=p(world.olivia), batch=batch)
    item.refresh_from_db()
    assert item.final == "negative"  # recomputing keeps the correction
    gold = Item.objects.get(batch=batch, external_id="g1")
    before = database_fingerprint()
    with pytest.raises(Conflict):
        services.override_result(principal=p(world.olivia), item=gold, value="neutral", reason="x")
    with pytest.raises(InvalidInput):
        services.override_result(principal=p(world.olivia), item=item, value="neutral", reason=" ")
    assert database_fingerprint() == before


def test_exports_in_csv_and_json_lines(world: World) -> None:
    batch = closed_batch(world)
    item = Item.objects.get(batch=batch, external_id="r3")
    services.override_result(
        principal=p(world.olivia), item=item, value="negative", reason="Faint praise"
    )
    Item.objects.filter(pk=item.pk).update(text="=HYPERLINK(1)")
    text = "".join(export.csv_rows(batch))
    assert text.startswith("\ufeffid,line,gold,result,confidence,answers,overridden,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["id"] for r in rows] == list(TRUTH)
    by_id = {r["id"]: r for r in rows}
    assert by_id["r3"]["result"] == "negative"
    assert by_id["r3"]["aggregated_result"] == "neutral"
    assert by_id["r3"]["overridden"] == "1" and by_id["r3"]["method"] == "override"
    assert by_id["r3"]["text"] == "'=HYPERLINK(1)"  # not run as a formula
    assert by_id["g1"]["method"] == "gold" and by_id["g1"]["result"] == "positive"
    assert by_id["r1"]["method"] == "dawid_skene" and by_id["r1"]["answers"] == "2"
    lines = [json.loads(line) for line in export.jsonl_lines(batch)]
    assert lines[8]["id"] == "r4"
    assert lines[8]["result"] == "positive" and lines[8]["confidence"] > 0.99
    assert lines[7]["text"] == "=HYPERLINK(1)"  # JSON Lines is exact


# --- acceptance -------------------------------------------------------------------------------


def test_acceptance_fixes_accepted_work_pay_and_verified_skills(world: World) -> None:
    batch = open_batch(world, pay_per_item="0.35")
    for user in (world.charlie, world.wendy):
        joined(world, user, batch)
        answer_all(world, user, batch)
    spammer = nomad("Sam")
    joined(world, spammer, batch)
    qualify_count = answer_all(world, spammer, batch, wrong=True)  # fails the test
    assert qualify_count == 3
    batch = services.change_status(principal=p(world.olivia), batch=batch, status="closed")
    work = services.accept_batch(principal=p(world.olivia), batch=batch)
    assert [(w.user, w.items_accepted) for w in work] == [(world.charlie, 8), (world.wendy, 8)]
    first = work[0]
    assert first.amount == Decimal("2.80") and first.pay_per_item == Decimal("0.35")
    assert first.accuracy == pytest.approx(1.0) and first.agreement == pytest.approx(1.0)
    assert first.skills == [("nc.data-annotation", 4)]
    assert first.batch == batch and first.accepted_at is not None
    assert services.pay_owed(batch) == {
        world.charlie.pk: Decimal("2.80"),
        world.wendy.pk: Decimal("2.80"),
    }
    assert services.accepted_work_for(world.charlie)[0].items_accepted == 8
    assert services.accepted_work_for(spammer) == []
    evidence = SkillEvidence.objects.get(
        skill__profile__user=world.charlie, skill__concept__code="nc.data-annotation"
    )
    assert (evidence.kind, evidence.source, evidence.reference, evidence.level) == (
        "verified_work",
        "datatask",
        str(batch.public_id),
        4,
    )
    assert Notification.objects.filter(recipient=world.wendy, kind="datatasks.accepted").exists()
    batch.refresh_from_db()
    assert batch.status == "accepted" and batch.accepted_by == world.olivia
    before = database_fingerprint()
    with pytest.raises(Conflict):
        services.accept_batch(principal=p(world.olivia), batch=batch)
    with pytest.raises(Conflict):
        services.aggregate_batch(principal=p(world.olivia), batch=batch)
    assert database_fingerprint() == before
    assert AcceptedWork.objects.filter(batch=batch).count() == 2


def test_only_a_closed_batch_is_accepted(world: World) -> None:
    batch = open_batch(world)
    before = database_fingerprint()
    with pytest.raises(Conflict) as caught:
        services.accept_batch(principal=p(world.olivia), batch=batch)
    assert caught.value.code == "not_closed"
    with pytest.raises(Conflict):
        services.change_status(principal=p(world.olivia), batch=batch, status="accepted")
    assert database_fingerprint() == before


# --- the other task types ---------------------------------------------------------------------


def _typed_batch(
    world: World, task_type: str, labels: list[str], lines: list[dict[str, Any]]
) -> Batch:
    data = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    batch = services.create_batch(
        principal=p(world.olivia),
        organisation=world.acme,
        upload=services.Upload(name="items.jsonl", data=data),
        draft=BatchDraft.model_validate(
            {
                "title_en": f"{task_type} batch",
                "instructions_en": "Do it well.",
                "task_type": task_type,
                "labels": labels,
                "overlap": 3,
                "gold_percent": 0,
            }
        ),
    )
    return services.change_status(principal=p(world.olivia), batch=batch, status="open")


def _all_answer(world: World, batch: Batch, answers: dict[str, list[Any]]) -> Batch:
    for index, user in enumerate((world.charlie, world.wendy, world.oscar)):
        services.join_batch(principal=p(user), batch=batch)
        while assignment := services.next_assignment(principal=p(user), batch=batch):
            give(user, assignment, answers[assignment.item.external_id][index])
    return services.change_status(principal=p(world.olivia), batch=batch, status="closed")


def test_multi_label_transcription_and_spans_end_to_end(world: World) -> None:
    multi = _typed_batch(
        world, "multi_label", ["food", "price"], [{"id": "a", "text": "cheap tasty noodles"}]
    )
    multi = _all_answer(world, multi, {"a": [["food", "price"], ["price", "food"], ["food"]]})
    assert Item.objects.get(batch=multi).result == ["food", "price"]
    assert set(multi.quality["per_label_alpha"]) == {"food", "price"}

    text = _typed_batch(world, "transcription", [], [{"id": "t", "text": "image 1"}])
    text = _all_answer(world, text, {"t": ["Yangpu Port", "yangpu  port", "Yangpu Pork"]})
    item = Item.objects.get(batch=text)
    assert item.result in {"Yangpu Port", "yangpu  port"}
    assert item.confidence == pytest.approx(2 / 3)
    assert text.method == "majority"  # text is aggregated by majority

    spans = _typed_batch(world, "spans", ["PER", "LOC"], [{"id": "s", "text": "李雷在洋浦工作"}])
    spans = _all_answer(
        world,
        spans,
        {"s": ["0:2:PER|3:5:LOC", [[0, 2, "PER"]], [{"start": 3, "end": 5, "label": "LOC"}]]},
    )
    assert Item.objects.get(batch=spans).result == [[0, 2, "PER"], [3, 5, "LOC"]]
    with pytest.raises(InvalidInput):
        services.clean_answer(spans, Item.objects.get(batch=spans), "0:99:PER")
