"""Permission cases for data-processing work (来数加工), and the shared setup the datatasks
tests use (tests/test_datatasks_*.py).

Acme's batches are created and edited by its owner, admins and members (Olivia among the
personas), reviewed by owners, admins and reviewers, accepted by owners and admins; every
member of Acme (Rita) and the zone operator (Oscar) sees them. Open batches are worked by
digital nomads who are not Acme's members: Charlie, Wendy and Oscar among the personas
(Olivia is not a nomad; Rita is Acme's member). Workers see only their own assignments.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.datatasks import services
from nomadcloud.datatasks.models import Assignment, Batch
from nomadcloud.datatasks.schemas import BatchDraft
from tests.conftest import PERSONAS, World, client_for
from tests.permissions import (
    ALLOW,
    AUTHENTICATED,
    DENY,
    MEMBERS_AND_OPERATOR,
    OWNER_ONLY,
    Case,
    org,
)
from tests.permissions.demands import concept

# --- shared setup ----------------------------------------------------------------------------

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
WORKERS = {"outsider": ALLOW, "reviewer": ALLOW, "operator": ALLOW}
WORKER_ONLY = dict.fromkeys(PERSONAS, DENY) | WORKERS
CHARLIE_ONLY = dict.fromkeys(PERSONAS, DENY) | {"outsider": ALLOW}


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


# --- the matrix ------------------------------------------------------------------------------

API = "/api/v1/datatasks"


def _b(batch: Batch) -> str:
    return str(batch.public_id)


API_CASES = [
    Case("datatasks list batches", "GET", lambda w: f"{API}/batches", AUTHENTICATED, api=True),
    Case(
        "datatasks create batch",
        "POST",
        lambda w: f"{API}/batches",
        OWNER_ONLY,
        lambda w: {**batch_fields(), "organisation": org(w)},
        api=True,
    ),
    Case(
        "datatasks get draft batch",
        "GET",
        lambda w: f"{API}/batches/{_b(draft_batch(w))}",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/batches/{{batch_id}}",
    ),
    Case(
        "datatasks get open batch",
        "GET",
        lambda w: f"{API}/batches/{_b(open_batch(w))}",
        AUTHENTICATED,
        api=True,
        route=f"{API}/batches/{{batch_id}}",
    ),
    Case(
        "datatasks patch batch",
        "PATCH",
        lambda w: f"{API}/batches/{_b(draft_batch(w))}",
        OWNER_ONLY,
        lambda w: {"overlap": 3, "title_en": "Review sentiment"},
        api=True,
        route=f"{API}/batches/{{batch_id}}",
    ),
    Case(
        "datatasks import items",
        "PUT",
        lambda w: f"{API}/batches/{_b(draft_batch(w))}/items?format=jsonl&name=more.jsonl",
        OWNER_ONLY,
        lambda w: {"id": "n1", "text": "不错", "gold": "positive"},  # one JSON line
        api=True,
        route=f"{API}/batches/{{batch_id}}/items",
    ),
    Case(
        "datatasks open batch",
        "POST",
        lambda w: f"{API}/batches/{_b(draft_batch(w))}/status",
        OWNER_ONLY,
        lambda w: {"status": "open"},
        api=True,
        route=f"{API}/batches/{{batch_id}}/status",
    ),
    Case(
        "datatasks aggregate",
        "POST",
        lambda w: f"{API}/batches/{_b(closed_batch(w))}/aggregate",
        OWNER_ONLY,
        api=True,
        route=f"{API}/batches/{{batch_id}}/aggregate",
    ),
    Case(
        "datatasks accept",
        "POST",
        lambda w: f"{API}/batches/{_b(closed_batch(w))}/accept",
        OWNER_ONLY,
        api=True,
        route=f"{API}/batches/{{batch_id}}/accept",
    ),
    Case(
        "datatasks list items",
        "GET",
        lambda w: f"{API}/batches/{_b(draft_batch(w))}/items",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/batches/{{batch_id}}/items",
    ),
    Case(
        "datatasks get item",
        "GET",
        lambda w: (lambda b: f"{API}/batches/{_b(b)}/items/{item_of(b).pk}")(closed_batch(w)),
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/batches/{{batch_id}}/items/{{item_id}}",
    ),
    Case(
        "datatasks override",
        "POST",
        lambda w: (lambda b: f"{API}/batches/{_b(b)}/items/{item_of(b).pk}/override")(
            closed_batch(w)
        ),
        OWNER_ONLY,
        lambda w: {"label": "neutral", "reason": "Sarcasm"},
        api=True,
        route=f"{API}/batches/{{batch_id}}/items/{{item_id}}/override",
    ),
    Case(
        "datatasks list workers",
        "GET",
        lambda w: f"{API}/batches/{_b(closed_batch(w))}/workers",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/batches/{{batch_id}}/workers",
    ),
    Case(
        "datatasks accepted work of a batch",
        "GET",
        lambda w: f"{API}/batches/{_b(closed_batch(w))}/accepted-work",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/batches/{{batch_id}}/accepted-work",
    ),
    Case(
        "datatasks export",
        "GET",
        lambda w: f"{API}/batches/{_b(closed_batch(w))}/export?format=jsonl",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/batches/{{batch_id}}/export",
    ),
    Case(
        "datatasks join",
        "POST",
        lambda w: f"{API}/batches/{_b(open_batch(w))}/join",
        WORKER_ONLY,
        api=True,
        route=f"{API}/batches/{{batch_id}}/join",
    ),
    Case(
        "datatasks me",
        "GET",
        lambda w: f"{API}/batches/{_b(joined(w, w.charlie))}/me",
        CHARLIE_ONLY,
        api=True,
        route=f"{API}/batches/{{batch_id}}/me",
    ),
    Case(
        "datatasks next assignment",
        "POST",
        lambda w: f"{API}/batches/{_b(joined(w, w.charlie))}/assignments/next",
        CHARLIE_ONLY,
        api=True,
        route=f"{API}/batches/{{batch_id}}/assignments/next",
    ),
    Case(
        "datatasks answer",
        "POST",
        lambda w: (lambda a: f"{API}/batches/{_b(a.batch)}/assignments/{a.pk}/answer")(
            assignment_of(w, w.charlie)
        ),
        CHARLIE_ONLY,
        lambda w: {"label": "positive"},
        api=True,
        route=f"{API}/batches/{{batch_id}}/assignments/{{assignment_id}}/answer",
    ),
    Case(
        "datatasks skip",
        "POST",
        lambda w: (lambda a: f"{API}/batches/{_b(a.batch)}/assignments/{a.pk}/skip")(
            work_assignment_of(w, w.charlie)
        ),
        CHARLIE_ONLY,
        api=True,
        route=f"{API}/batches/{{batch_id}}/assignments/{{assignment_id}}/skip",
    ),
    Case(
        "datatasks own answers",
        "GET",
        lambda w: f"{API}/batches/{_b(open_batch(w))}/answers",
        AUTHENTICATED,
        api=True,
        route=f"{API}/batches/{{batch_id}}/answers",
    ),
    Case(
        "datatasks my accepted work",
        "GET",
        lambda w: f"{API}/accepted-work",
        AUTHENTICATED,
        api=True,
    ),
]

PAGES = "/datatasks"
PAGE_CASES = [
    Case("datatasks list", "GET", lambda w: f"{PAGES}/", AUTHENTICATED, url_name="datatasks:list"),
    Case(
        "datatasks organisation",
        "GET",
        lambda w: f"{PAGES}/organisations/{org(w)}/",
        MEMBERS_AND_OPERATOR,
        url_name="datatasks:organisation",
    ),
    Case(
        "datatasks new batch form",
        "GET",
        lambda w: f"{PAGES}/organisations/{org(w)}/new/",
        OWNER_ONLY,
        url_name="datatasks:create",
    ),
    Case(
        "datatasks create batch",
        "POST",
        lambda w: f"{PAGES}/organisations/{org(w)}/new/",
        OWNER_ONLY,
        lambda w: {**form_fields(), "file": csv_file()},
        url_name="datatasks:create",
    ),
    Case(
        "datatasks draft batch page",
        "GET",
        lambda w: f"{PAGES}/{_b(draft_batch(w))}/",
        MEMBERS_AND_OPERATOR,
        url_name="datatasks:detail",
    ),
    Case(
        "datatasks open batch page",
        "GET",
        lambda w: f"{PAGES}/{_b(open_batch(w))}/",
        AUTHENTICATED,
        url_name="datatasks:detail",
    ),
    Case(
        "datatasks edit form",
        "GET",
        lambda w: f"{PAGES}/{_b(draft_batch(w))}/edit/",
        OWNER_ONLY,
        url_name="datatasks:edit",
    ),
    Case(
        "datatasks edit",
        "POST",
        lambda w: f"{PAGES}/{_b(draft_batch(w))}/edit/",
        OWNER_ONLY,
        lambda w: form_fields(overlap="3"),
        url_name="datatasks:edit",
    ),
    Case(
        "datatasks upload",
        "POST",
        lambda w: f"{PAGES}/{_b(draft_batch(w))}/upload/",
        OWNER_ONLY,
        lambda w: {"file": csv_file(ITEMS_CSV.replace(b"r6,", b"r7,"))},
        url_name="datatasks:upload",
    ),
    Case(
        "datatasks open",
        "POST",
        lambda w: f"{PAGES}/{_b(draft_batch(w))}/status/",
        OWNER_ONLY,
        lambda w: {"status": "open"},
        url_name="datatasks:status",
    ),
    Case(
        "datatasks aggregate page",
        "POST",
        lambda w: f"{PAGES}/{_b(closed_batch(w))}/aggregate/",
        OWNER_ONLY,
        url_name="datatasks:aggregate",
    ),
    Case(
        "datatasks accept page",
        "POST",
        lambda w: f"{PAGES}/{_b(closed_batch(w))}/accept/",
        OWNER_ONLY,
        url_name="datatasks:accept",
    ),
    Case(
        "datatasks items",
        "GET",
        lambda w: f"{PAGES}/{_b(closed_batch(w))}/items/",
        MEMBERS_AND_OPERATOR,
        url_name="datatasks:items",
    ),
    Case(
        "datatasks item",
        "GET",
        lambda w: (lambda b: f"{PAGES}/{_b(b)}/items/{item_of(b).pk}/")(closed_batch(w)),
        MEMBERS_AND_OPERATOR,
        url_name="datatasks:item",
    ),
    Case(
        "datatasks override page",
        "POST",
        lambda w: (lambda b: f"{PAGES}/{_b(b)}/items/{item_of(b).pk}/override/")(closed_batch(w)),
        OWNER_ONLY,
        lambda w: {"value": "neutral", "reason": "Sarcasm"},
        url_name="datatasks:override",
    ),
    Case(
        "datatasks export csv",
        "GET",
        lambda w: f"{PAGES}/{_b(closed_batch(w))}/export.csv",
        MEMBERS_AND_OPERATOR,
        url_name="datatasks:export_csv",
    ),
    Case(
        "datatasks export jsonl",
        "GET",
        lambda w: f"{PAGES}/{_b(closed_batch(w))}/export.jsonl",
        MEMBERS_AND_OPERATOR,
        url_name="datatasks:export_jsonl",
    ),
    Case(
        "datatasks join page",
        "POST",
        lambda w: f"{PAGES}/{_b(open_batch(w))}/join/",
        WORKER_ONLY,
        url_name="datatasks:join",
    ),
    Case(
        "datatasks work page",
        "GET",
        lambda w: f"{PAGES}/{_b(joined(w, w.charlie))}/work/",
        AUTHENTICATED,
        url_name="datatasks:work",
    ),
    Case(
        "datatasks next item",
        "POST",
        lambda w: f"{PAGES}/{_b(joined(w, w.charlie))}/work/next/",
        CHARLIE_ONLY,
        url_name="datatasks:next",
    ),
    Case(
        "datatasks answer page",
        "POST",
        lambda w: (lambda a: f"{PAGES}/{_b(a.batch)}/work/{a.pk}/answer/")(
            assignment_of(w, w.charlie)
        ),
        CHARLIE_ONLY,
        lambda w: {"label": "positive"},
        url_name="datatasks:answer",
    ),
    Case(
        "datatasks skip page",
        "POST",
        lambda w: (lambda a: f"{PAGES}/{_b(a.batch)}/work/{a.pk}/skip/")(
            work_assignment_of(w, w.charlie)
        ),
        CHARLIE_ONLY,
        url_name="datatasks:skip",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()
