"""Fair quality control of data work (issue 14 item 6): a warning after the first missed gold
item, feedback on each qualification answer, the grace before a block, pay for the answers
given before a block as the batch's rule states, and appeals of gold items that a reviewer
decides (audited; upholding corrects the item and restores the worker)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict
from nomadcloud.core.models import AuditEvent
from nomadcloud.datatasks import services
from nomadcloud.datatasks.models import (
    AcceptedWork,
    Answer,
    Batch,
    BatchWorker,
    GoldAppeal,
    Item,
)
from nomadcloud.notifications.models import Notification
from tests.builders.datatasks import (
    ITEMS_CSV,
    LABELS,
    TRUTH,
    english,
    labelling_skill,
    open_batch,
    plain_batch,
)
from tests.conftest import World, database_fingerprint
from tests.helpers import api_get, api_post, as_client, assert_error

API = "/api/v1/datatasks"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _skill(db: None) -> None:
    labelling_skill()


def p(user: User) -> Principal:
    return Principal.for_user(user)


def wrong(external_id: str) -> str:
    return next(label for label in LABELS if label != TRUTH[external_id])


def work(batch: Batch, user: User, *, right: Iterable[str] = (), limit: int = 100) -> list[Any]:
    """Answer what the worker is given: wrongly unless the item's id is in ``right``; stops
    when nothing is left or the worker may not go on. Returns the Submitted results."""
    right = set(right)
    results = []
    for _ in range(limit):
        try:
            assignment = services.next_assignment(principal=p(user), batch=batch)
        except Conflict:
            break
        if assignment is None:
            break
        key = assignment.item.external_id
        value = TRUTH[key] if key in right else wrong(key)
        submitted = services.submit_answer(principal=p(user), assignment=assignment, value=value)
        results.append(submitted)
        if submitted.state.status not in {"qualifying", "qualified"}:
            break
    return results


def gold_batch(w: World, **extra: Any) -> Batch:
    """Only gold items in the work (both gold items first), no qualification test."""
    return plain_batch(w, overlap=2, gold_percent=50, min_gold_answers=1, **extra)


def state_of(batch: Batch, user: User) -> BatchWorker:
    return BatchWorker.objects.get(batch=batch, worker=user)


# --- warning and grace ------------------------------------------------------------------------


def test_the_first_gold_miss_warns_and_the_grace_delays_the_block(world: World) -> None:
    batch = gold_batch(world)  # default grace: a block needs 2 misses
    services.join_batch(principal=p(world.charlie), batch=batch)
    results = work(batch, world.charlie, right={k for k in TRUTH if k.startswith("r")})
    misses = [r for r in results if r.answer.score is not None]
    assert len(misses) == 2
    first, second = misses
    assert first.state.status == "qualified"
    assert "Careful: 1 of your answers" in first.warning
    assert "1 more miss" in first.warning
    assert second.state.status == "blocked"
    assert second.warning == ""
    warnings = Notification.objects.filter(recipient=world.charlie, kind="datatasks.warning")
    assert warnings.count() == 1
    assert AuditEvent.objects.filter(action="datatasks.worker.warn").count() == 1
    state = state_of(batch, world.charlie)
    assert state.warned_at is not None and state.gold_misses == 2
    assert state.block_reason["misses"] == 2


def test_a_longer_grace_keeps_a_worker_going(world: World) -> None:
    batch = gold_batch(world, ban_after_misses=3)
    services.join_batch(principal=p(world.charlie), batch=batch)
    work(batch, world.charlie)
    state = state_of(batch, world.charlie)
    # Two gold items in the batch: two misses, never the three the rule asks for.
    assert state.gold_misses == 2
    assert state.status == "qualified"
    assert state.work_answers == Answer.objects.filter(worker=world.charlie).count()


def test_accuracy_is_measured_over_the_window(world: World) -> None:
    # g1 right and g2 wrong, in either order: over all answers 50 % (the mark: no block);
    # over the window of the latest answer, 0 % once g2 is answered.
    batch = gold_batch(world, accuracy_window=1, ban_after_misses=1, min_accuracy_percent=50)
    services.join_batch(principal=p(world.charlie), batch=batch)
    work(batch, world.charlie, right={"g1", *[k for k in TRUTH if k.startswith("r")]})
    state = state_of(batch, world.charlie)
    assert state.status == "blocked"
    assert state.block_reason["accuracy"] == 0.0
    assert state.block_reason["window"] == 1


# --- pay before a block ------------------------------------------------------------------------


def _close_and_accept(world: World, batch: Batch) -> None:
    services.change_status(principal=p(world.olivia), batch=batch, status="closed")
    services.accept_batch(principal=p(world.olivia), batch=batch)


def test_answers_before_a_block_are_paid_when_the_rule_keeps_them(world: World) -> None:
    batch = gold_batch(world)
    services.join_batch(principal=p(world.charlie), batch=batch)
    work(batch, world.charlie, right={k for k in TRUTH if k.startswith("r")})
    state = state_of(batch, world.charlie)
    assert state.status == "blocked"
    assert not Answer.objects.filter(worker=world.charlie, discarded=True).exists()
    assert Notification.objects.filter(
        recipient=world.charlie, kind="datatasks.blocked_paid"
    ).exists()
    work_answers = Answer.objects.filter(worker=world.charlie, phase="work").count()
    _close_and_accept(world, batch)
    row = AcceptedWork.objects.get(batch=batch, worker=world.charlie)
    assert row.items_accepted == work_answers
    assert row.amount == Decimal("0.35") * work_answers


def test_answers_before_a_block_are_not_paid_when_the_rule_sets_them_aside(
    world: World,
) -> None:
    batch = gold_batch(world, pay_before_ban="discarded")
    services.join_batch(principal=p(world.charlie), batch=batch)
    work(batch, world.charlie, right={k for k in TRUTH if k.startswith("r")})
    assert state_of(batch, world.charlie).status == "blocked"
    assert not Answer.objects.filter(worker=world.charlie, discarded=False).exists()
    _close_and_accept(world, batch)
    assert not AcceptedWork.objects.filter(batch=batch, worker=world.charlie).exists()


def test_the_rules_are_batch_settings(world: World) -> None:
    response = api_post(
        world.olivia,
        f"{API}/batches",
        {
            "organisation": str(world.acme.public_id),
            "title_en": "x",
            "instructions_en": "y",
            "task_type": "single_label",
            "labels": ["a", "b"],
            "ban_after_misses": 4,
            "accuracy_window": 20,
            "pay_before_ban": "discarded",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["ban_after_misses"], body["accuracy_window"], body["pay_before_ban"]) == (
        4,
        20,
        "discarded",
    )
    refused = api_post(
        world.olivia,
        f"{API}/batches",
        {
            "organisation": str(world.acme.public_id),
            "title_en": "x",
            "instructions_en": "y",
            "task_type": "single_label",
            "labels": ["a", "b"],
            "ban_after_misses": 0,
        },
    )
    assert_error(refused, "invalid_input", "ban_after_misses")


# --- feedback during qualification -------------------------------------------------------------


def _explained(data: bytes) -> bytes:
    """Every line gets an explanation column (empty but for q1)."""
    lines = data.decode().split("\n")
    out = [lines[0] + ",explanation"]
    for line in lines[1:]:
        if not line:
            out.append(line)
        elif line.startswith("q1,"):
            out.append(line + ",快和完好都是称赞")
        else:
            out.append(line + ",")
    return "\n".join(out).encode()


def test_each_qualification_answer_gets_feedback(world: World) -> None:
    batch = open_batch(world, _explained(ITEMS_CSV))
    assert Item.objects.get(batch=batch, external_id="q1").explanation == "快和完好都是称赞"
    services.join_batch(principal=p(world.charlie), batch=batch)
    first = services.next_assignment(principal=p(world.charlie), batch=batch)
    assert first is not None and first.item.external_id == "q1"
    submitted = services.submit_answer(
        principal=p(world.charlie), assignment=first, value="negative"
    )
    assert submitted.feedback is not None
    assert submitted.feedback.correct is False
    assert submitted.feedback.expected == "positive"
    assert submitted.feedback.explanation == "快和完好都是称赞"
    # The page shows it in the swapped panel.
    client = english(world.charlie)
    second = services.next_assignment(principal=p(world.charlie), batch=batch)
    assert second is not None
    html = client.post(
        f"/datatasks/{batch.public_id}/work/{second.pk}/answer/",
        {"label": TRUTH[second.item.external_id]},
        **HTMX,
    ).content.decode()
    assert 'data-testid="qualification-feedback"' in html
    assert "Right." in html
    # And the API says it too.
    third = services.next_assignment(principal=p(world.charlie), batch=batch)
    assert third is not None
    response = api_post(
        world.charlie,
        f"{API}/batches/{batch.public_id}/assignments/{third.pk}/answer",
        {"label": wrong(third.item.external_id)},
    )
    assert response.status_code == 201
    assert response.json()["feedback"]["correct"] is False
    assert response.json()["feedback"]["expected"] == TRUTH[third.item.external_id]


# --- appeals ---------------------------------------------------------------------------------


def _blocked_charlie(world: World, **extra: Any) -> Batch:
    """Charlie misses both gold items and is blocked; Wendy answers everything right."""
    batch = gold_batch(world, **extra)
    services.join_batch(principal=p(world.charlie), batch=batch)
    work(batch, world.charlie, right={k for k in TRUTH if k.startswith("r")})
    assert state_of(batch, world.charlie).status == "blocked"
    services.join_batch(principal=p(world.wendy), batch=batch)
    work(batch, world.wendy, right=set(TRUTH))
    return batch


def _answer(batch: Batch, user: User, external_id: str) -> Answer:
    return Answer.objects.get(batch=batch, worker=user, item__external_id=external_id)


def test_an_upheld_appeal_corrects_the_gold_item_and_restores_the_worker(
    world: World,
) -> None:
    batch = _blocked_charlie(world, pay_before_ban="discarded")
    answer = _answer(batch, world.charlie, "g1")
    appeal = services.appeal_gold(principal=p(world.charlie), answer=answer, reason="它是反讽")
    assert appeal.status == "pending"
    assert Notification.objects.filter(
        recipient=world.olivia, kind="datatasks.appeal_received"
    ).exists()
    decided = services.decide_appeal(principal=p(world.olivia), appeal=appeal, uphold=True)
    assert decided.status == "upheld"
    assert decided.previous_gold == "positive" and decided.corrected_gold == answer.value
    assert Item.objects.get(pk=answer.item_id).gold == answer.value
    charlie = state_of(batch, world.charlie)
    assert charlie.status == "qualified"
    assert charlie.gold_misses == 1 and charlie.blocked_at is None
    # The answers set aside by the block count again.
    assert not Answer.objects.filter(worker=world.charlie, discarded=True).exists()
    # Wendy's answer to the corrected item is scored again: now a miss, within the grace.
    wendy = state_of(batch, world.wendy)
    assert _answer(batch, world.wendy, "g1").score == 0.0
    assert wendy.gold_misses == 1 and wendy.status == "qualified"
    actions = set(
        AuditEvent.objects.filter(action__startswith="datatasks.").values_list("action", flat=True)
    )
    assert {"datatasks.appeal.create", "datatasks.appeal.decide", "datatasks.worker.restore"} <= (
        actions
    )
    assert Notification.objects.filter(
        recipient=world.charlie, kind="datatasks.appeal_upheld"
    ).exists()


def test_an_upheld_appeal_can_pass_a_failed_qualification_test(world: World) -> None:
    batch = open_batch(world)  # pass mark 66 % on 3 items
    services.join_batch(principal=p(world.charlie), batch=batch)
    work(batch, world.charlie, right={"q3"})
    assert state_of(batch, world.charlie).status == "failed"
    appeal = services.appeal_gold(
        principal=p(world.charlie), answer=_answer(batch, world.charlie, "q1"), reason="r"
    )
    services.decide_appeal(
        principal=p(world.olivia), appeal=appeal, uphold=True, note="The item was ambiguous."
    )
    assert state_of(batch, world.charlie).status == "qualified"


def test_a_rejected_appeal_changes_nothing_but_its_status(world: World) -> None:
    batch = _blocked_charlie(world)
    appeal = services.appeal_gold(
        principal=p(world.charlie), answer=_answer(batch, world.charlie, "g2"), reason="no"
    )
    services.decide_appeal(principal=p(world.olivia), appeal=appeal, uphold=False, note="No.")
    assert GoldAppeal.objects.get(pk=appeal.pk).status == "rejected"
    assert Item.objects.get(batch=batch, external_id="g2").gold == "negative"
    assert state_of(batch, world.charlie).status == "blocked"
    assert Notification.objects.filter(
        recipient=world.charlie, kind="datatasks.appeal_rejected"
    ).exists()


def test_bad_appeals_and_decisions_are_refused_with_their_codes(world: World) -> None:
    batch = _blocked_charlie(world)
    base = f"{API}/batches/{batch.public_id}"
    charlie, wendy = as_client(world.charlie), as_client(world.wendy)
    g1 = _answer(batch, world.charlie, "g1")
    created = api_post(charlie, f"{base}/answers/{g1.pk}/appeal", {"reason": "ironic"})
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "pending"
    before = database_fingerprint()
    twice = api_post(charlie, f"{base}/answers/{g1.pk}/appeal", {"reason": "again"})
    assert_error(twice, "already_appealed")
    regular = Answer.objects.filter(batch=batch, worker=world.charlie, item__is_gold=False).first()
    assert regular is not None
    not_gold = api_post(charlie, f"{base}/answers/{regular.pk}/appeal", {"reason": "x"})
    assert_error(not_gold, "not_gold")
    right = _answer(batch, world.wendy, "g1")
    not_missed = api_post(wendy, f"{base}/answers/{right.pk}/appeal", {"reason": "x"})
    assert_error(not_missed, "not_missed")
    others = api_post(wendy, f"{base}/answers/{g1.pk}/appeal", {"reason": "x"})
    assert_error(others, "not_found")
    empty = api_post(charlie, f"{base}/answers/{g1.pk}/appeal", {"reason": ""})
    assert_error(empty, "invalid_input", "reason")
    assert database_fingerprint() == before
    appeal_id = created.json()["id"]
    listed = api_get(world.rita, f"{base}/appeals")
    assert [a["id"] for a in listed.json()["items"]] == [appeal_id]
    decided = api_post(
        world.olivia, f"{base}/appeals/{appeal_id}/decision", {"uphold": True, "label": "neutral"}
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["corrected_gold"] == "neutral"
    again = api_post(world.olivia, f"{base}/appeals/{appeal_id}/decision", {"uphold": False})
    assert_error(again, "already_decided")
    with translation.override("zh-hans"):
        zh = api_post(
            world.olivia,
            f"{base}/appeals/{appeal_id}/decision",
            {"uphold": False},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert zh.json()["code"] == "already_decided"


def test_the_pages_appeal_and_decide(world: World) -> None:
    batch = _blocked_charlie(world)
    charlie = english(world.charlie)
    page = charlie.get(f"/datatasks/{batch.public_id}/").content.decode()
    assert 'data-testid="gold-answers"' in page and 'data-testid="appeal-form"' in page
    g1 = _answer(batch, world.charlie, "g1")
    sent = charlie.post(f"/datatasks/{batch.public_id}/answers/{g1.pk}/appeal/", {"reason": "x"})
    assert sent.status_code == 302
    appeal = GoldAppeal.objects.get()
    olivia = english(world.olivia)
    listing = olivia.get(f"/datatasks/{batch.public_id}/appeals/").content.decode()
    assert 'data-testid="decision-form"' in listing
    decided = olivia.post(
        f"/datatasks/{batch.public_id}/appeals/{appeal.pk}/decide/",
        {"decision": "uphold", "value": "", "note": ""},
    )
    assert decided.status_code == 302
    assert GoldAppeal.objects.get().status == "upheld"
    assert state_of(batch, world.charlie).status == "qualified"
    shown = charlie.get(f"/datatasks/{batch.public_id}/").content.decode()
    assert 'data-testid="appeal-status"' in shown
