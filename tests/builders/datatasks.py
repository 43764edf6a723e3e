"""Builders for datatasks tests (moved from tests/permissions/datatasks.py): the
objects the permission matrix and tests/test_datatasks*.py start from."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.datatasks import services
from nomadcloud.datatasks.models import Answer, Assignment, Batch, GoldAppeal
from nomadcloud.datatasks.schemas import BatchDraft
from tests.builders.demands import concept
from tests.builders.world import World
from tests.conftest import client_for

LABELS = ["positive", "negative", "neutral"]
# 3 qualification items, 2 gold items mixed into the work, 6 items to label.
ITEMS_CSV = (
    "id,text,gold,qualification\n"
    "q1,物流很快，包装完好,positive,1\n"
    "q2,质量差，用了一天就坏了,negative,1\n"
    "q3,还行吧，没什么特别的,neutral,1\n"
    "g1,非常满意，会回购,positive,\n"
    "g2,客服态度很差,negative,\n"
    "r1,颜色和图片一样,,\n"
    "r2,发货太慢了,,\n"
    "r3,一般般,,\n"
    "r4,超出预期，推荐,,\n"
    "r5,有点小瑕疵但能用,,\n"
    "r6,再也不买了,,\n"
).encode()
# Correct answers for every item (the regular items' answers are what careful workers give).
TRUTH = {
    "q1": "positive",
    "q2": "negative",
    "q3": "neutral",
    "g1": "positive",
    "g2": "negative",
    "r1": "positive",
    "r2": "negative",
    "r3": "neutral",
    "r4": "positive",
    "r5": "neutral",
    "r6": "negative",
}


def labelling_skill() -> Any:
    return concept("nc.data-annotation", "Data labelling", "数据标注")


def batch_fields(**extra: Any) -> dict[str, Any]:
    labelling_skill()
    return {
        "title_zh": "商品评论情感分类",
        "title_en": "Product review sentiment",
        "instructions_zh": "阅读评论，选择情感：正面、负面或中性。",
        "instructions_en": "Read the review and choose its sentiment.",
        "task_type": "single_label",
        "labels": list(LABELS),
        "overlap": 2,
        "pay_per_item": "0.35",
        "min_accuracy_percent": 60,
        "min_gold_answers": 2,
        "qualification_min_percent": 66,
        "gold_percent": 20,
        "skills": [{"code": "nc.data-annotation", "level": 4}],
        **extra,
    }


def upload(data: bytes = ITEMS_CSV, name: str = "items.csv", fmt: str = "") -> services.Upload:
    return services.Upload(name=name, data=data, format=fmt)


def batch_draft(**extra: Any) -> BatchDraft:
    return BatchDraft.model_validate(batch_fields(**extra))


def draft_batch(w: World, data: bytes = ITEMS_CSV, **extra: Any) -> Batch:
    return services.create_batch(
        principal=Principal.for_user(w.olivia),
        organisation=w.acme,
        upload=upload(data),
        draft=batch_draft(**extra),
    )


def open_batch(w: World, data: bytes = ITEMS_CSV, **extra: Any) -> Batch:
    batch = draft_batch(w, data, **extra)
    return services.change_status(
        principal=Principal.for_user(w.olivia), batch=batch, status="open"
    )


def plain_batch(w: World, **extra: Any) -> Batch:
    """An open batch without a qualification test (regular and gold items only)."""
    data = b"\n".join(line for line in ITEMS_CSV.split(b"\n") if not line.startswith(b"q"))
    return open_batch(w, data, **extra)


def joined(w: World, user: User, batch: Batch | None = None) -> Batch:
    batch = batch or open_batch(w)
    services.join_batch(principal=Principal.for_user(user), batch=batch)
    return batch


def assignment_of(w: World, user: User, batch: Batch | None = None) -> Assignment:
    batch = joined(w, user, batch)
    assignment = services.next_assignment(principal=Principal.for_user(user), batch=batch)
    assert assignment is not None
    return assignment


def work_assignment_of(w: World, user: User) -> Assignment:
    """A work-phase assignment (a batch without a qualification test)."""
    return assignment_of(w, user, plain_batch(w, gold_percent=0))


def answer_all(w: World, user: User, batch: Batch, wrong: bool = False) -> int:
    """Answer everything the worker is given, correctly (or always wrongly)."""
    principal = Principal.for_user(user)
    count = 0
    while True:
        assignment = services.next_assignment(principal=principal, batch=batch)
        if assignment is None:
            return count
        truth = TRUTH[assignment.item.external_id]
        value = next(label for label in LABELS if label != truth) if wrong else truth
        submitted = services.submit_answer(principal=principal, assignment=assignment, value=value)
        count += 1
        if submitted.state.status not in {"qualifying", "qualified"}:
            return count


def closed_batch(w: World) -> Batch:
    batch = open_batch(w)
    for user in (w.charlie, w.wendy):
        joined(w, user, batch)
        answer_all(w, user, batch)
    return services.change_status(
        principal=Principal.for_user(w.olivia), batch=batch, status="closed"
    )


def item_of(batch: Batch, external_id: str = "r1") -> Any:
    return batch.items.get(external_id=external_id)


def csv_file(data: bytes = ITEMS_CSV, name: str = "items.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def english(user: User) -> Client:
    """A signed-in client that reads English (the language cookie overrides the person's
    saved preference, which is Chinese by default)."""
    client = client_for(user, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["nomadcloud_language"] = "en"
    return client


def form_fields(**extra: Any) -> dict[str, Any]:
    fields = batch_fields()
    return {
        **{k: v for k, v in fields.items() if k not in {"labels", "skills"}},
        "labels": "\n".join(LABELS),
        "skills": "nc.data-annotation 4",
        "method": "dawid_skene",
        **extra,
    }


def missed_gold_answer(w: World) -> Answer:
    """Charlie's wrong answer to the first qualification item of an open batch."""
    assignment = assignment_of(w, w.charlie)
    truth = TRUTH[assignment.item.external_id]
    value = next(label for label in LABELS if label != truth)
    return services.submit_answer(
        principal=Principal.for_user(w.charlie), assignment=assignment, value=value
    ).answer


def pending_appeal(w: World) -> GoldAppeal:
    """Charlie's appeal of a qualification item he missed, awaiting a reviewer."""
    return services.appeal_gold(
        principal=Principal.for_user(w.charlie), answer=missed_gold_answer(w), reason="ambiguous"
    )
