"""Permission cases for data-processing work (来数加工); the builders are in
tests/builders/datatasks.py.

Acme's batches are created and edited by its owner, admins and members (Olivia among the
personas), reviewed by owners, admins and reviewers, accepted by owners and admins; every
member of Acme (Rita) and the zone operator (Oscar) sees them. Open batches are worked by
digital nomads who are not Acme's members: Charlie, Wendy and Oscar among the personas
(Olivia is not a nomad; Rita is Acme's member). Workers see only their own assignments.
"""

from __future__ import annotations

from nomadcloud.datatasks.models import Batch
from tests.builders.datatasks import (
    ITEMS_CSV,
    assignment_of,
    batch_fields,
    closed_batch,
    csv_file,
    draft_batch,
    form_fields,
    item_of,
    joined,
    missed_gold_answer,
    open_batch,
    pending_appeal,
    work_assignment_of,
)
from tests.permissions import (
    AUTHENTICATED,
    CONFLICT,
    INVALID,
    MEMBERS_AND_OPERATOR,
    OWNER_ONLY,
    Case,
    expect,
    org,
)

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
        expect(
            "outsider", "reviewer", "operator", sees=("readonly", "owner"), because="own_enterprise"
        ),
        api=True,
        route=f"{API}/batches/{{batch_id}}/join",
    ),
    Case(
        "datatasks me",
        "GET",
        lambda w: f"{API}/batches/{_b(joined(w, w.charlie))}/me",
        expect(
            "outsider",
            readonly=CONFLICT("not_joined"),
            owner=CONFLICT("not_joined"),
            reviewer=CONFLICT("not_joined"),
            operator=CONFLICT("not_joined"),
        ),
        api=True,
        route=f"{API}/batches/{{batch_id}}/me",
    ),
    Case(
        "datatasks next assignment",
        "POST",
        lambda w: f"{API}/batches/{_b(joined(w, w.charlie))}/assignments/next",
        expect(
            "outsider",
            sees=("readonly", "owner"),
            because="own_enterprise",
            reviewer=CONFLICT("not_joined"),
            operator=CONFLICT("not_joined"),
        ),
        api=True,
        route=f"{API}/batches/{{batch_id}}/assignments/next",
    ),
    Case(
        "datatasks answer",
        "POST",
        lambda w: (lambda a: f"{API}/batches/{_b(a.batch)}/assignments/{a.pk}/answer")(
            assignment_of(w, w.charlie)
        ),
        expect("outsider"),
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
        expect("outsider"),
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
        "datatasks appeal a gold item",
        "POST",
        lambda w: (lambda a: f"{API}/batches/{_b(a.batch)}/answers/{a.pk}/appeal")(
            missed_gold_answer(w)
        ),
        expect("outsider"),
        lambda w: {"reason": "The review is ironic."},
        api=True,
        route=f"{API}/batches/{{batch_id}}/answers/{{answer_id}}/appeal",
    ),
    Case(
        "datatasks list appeals",
        "GET",
        lambda w: f"{API}/batches/{_b(pending_appeal(w).batch)}/appeals",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/batches/{{batch_id}}/appeals",
    ),
    Case(
        "datatasks decide an appeal",
        "POST",
        lambda w: (lambda a: f"{API}/batches/{_b(a.batch)}/appeals/{a.pk}/decision")(
            pending_appeal(w)
        ),
        OWNER_ONLY,
        lambda w: {"uphold": False, "note": "The known answer stands."},
        api=True,
        route=f"{API}/batches/{{batch_id}}/appeals/{{appeal_id}}/decision",
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
        expect("outsider", "reviewer", "operator", sees=("readonly", "owner")),
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
        expect(
            "outsider", readonly=INVALID(), owner=INVALID(), reviewer=INVALID(), operator=INVALID()
        ),
        url_name="datatasks:next",
    ),
    Case(
        "datatasks answer page",
        "POST",
        lambda w: (lambda a: f"{PAGES}/{_b(a.batch)}/work/{a.pk}/answer/")(
            assignment_of(w, w.charlie)
        ),
        expect("outsider"),
        lambda w: {"label": "positive"},
        url_name="datatasks:answer",
    ),
    Case(
        "datatasks skip page",
        "POST",
        lambda w: (lambda a: f"{PAGES}/{_b(a.batch)}/work/{a.pk}/skip/")(
            work_assignment_of(w, w.charlie)
        ),
        expect("outsider"),
        url_name="datatasks:skip",
    ),
    Case(
        "datatasks appeal page",
        "POST",
        lambda w: (lambda a: f"{PAGES}/{_b(a.batch)}/answers/{a.pk}/appeal/")(
            missed_gold_answer(w)
        ),
        expect("outsider"),
        lambda w: {"reason": "The review is ironic."},
        url_name="datatasks:appeal",
    ),
    Case(
        "datatasks appeals page",
        "GET",
        lambda w: f"{PAGES}/{_b(pending_appeal(w).batch)}/appeals/",
        MEMBERS_AND_OPERATOR,
        url_name="datatasks:appeals",
    ),
    Case(
        "datatasks decide page",
        "POST",
        lambda w: (lambda a: f"{PAGES}/{_b(a.batch)}/appeals/{a.pk}/decide/")(pending_appeal(w)),
        OWNER_ONLY,
        lambda w: {"decision": "reject", "note": "The known answer stands."},
        url_name="datatasks:decide",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

# The tables these requests write (batches and their work, which notify; accepting work issues
# proofs (proofs.Credential), credits points (points.Transfer) and records skill evidence): the
# fingerprint covers them and the audit log.
APPS = (
    "datatasks",
    "notifications",
    "proofs.Credential",
    "points.Transfer",
    "talent.SkillEvidence",
)
