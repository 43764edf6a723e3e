"""The data-processing pages: creating a batch from a file, the worker's keyboard page (htmx
swaps the next item in), reviewing and correcting results, exports and acceptance."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.datatasks import services
from nomadcloud.datatasks.models import Assignment, Batch, BatchWorker, Item
from nomadcloud.datatasks.schemas import BatchDraft
from tests.builders.datatasks import (
    LABELS,
    TRUTH,
    closed_batch,
    csv_file,
    english,
    form_fields,
    labelling_skill,
    open_batch,
    plain_batch,
)
from tests.conftest import World
from tests.helpers import assert_page_refused

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English (outside requests the default is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _skill(db: None) -> None:
    labelling_skill()


def en(user: Any) -> Client:
    return english(user)


def test_an_owner_creates_a_batch_from_a_file(world: World) -> None:
    client = en(world.olivia)
    form = client.get(f"/datatasks/organisations/{world.acme.public_id}/new/")
    assert form.status_code == 200
    assert 'data-testid="format-help"' in form.content.decode()
    response = client.post(
        f"/datatasks/organisations/{world.acme.public_id}/new/",
        {**form_fields(), "file": csv_file()},
    )
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/datatasks/{batch.public_id}/"
    assert (batch.item_count, batch.labels, batch.pay_per_item) == (11, LABELS, Decimal("0.35"))
    assert list(batch.skills.values_list("concept__code", "level")) == [("nc.data-annotation", 4)]
    page = client.get(response["Location"]).content.decode()
    assert "0 of 6 items have all their answers (11 items including 5 gold items" in page
    assert 'data-testid="status-open"' in page
    listing = client.get(f"/datatasks/organisations/{world.acme.public_id}/").content.decode()
    assert "Product review sentiment" in listing


def test_form_errors_come_back_on_their_fields(world: World) -> None:
    client = en(world.olivia)
    response = client.post(
        f"/datatasks/organisations/{world.acme.public_id}/new/",
        {**form_fields(labels="only one", skills="nc.nope 3"), "file": csv_file()},
    )
    # The form reads the skill lines first: an unknown one is named on its line.
    assert_page_refused(response, 422, "Line 1: No skill, tool or language is called “nc.nope”.")
    response = client.post(
        f"/datatasks/organisations/{world.acme.public_id}/new/",
        {**form_fields(labels="only one", skills=""), "file": csv_file()},
    )
    assert_page_refused(response, 422, "Give at least 2 labels.")
    assert not Batch.objects.exists()


def test_a_nomad_joins_and_works_with_the_keyboard_page(world: World) -> None:
    batch = open_batch(world)
    client = en(world.charlie)
    listing = client.get("/datatasks/").content.decode()
    assert f"/datatasks/{batch.public_id}/" in listing
    about = client.get(f"/datatasks/{batch.public_id}/").content.decode()
    assert 'data-testid="join-batch"' in about and "Take the qualification test" in about
    assert client.post(f"/datatasks/{batch.public_id}/join/")["Location"] == (
        f"/datatasks/{batch.public_id}/work/"
    )
    page = client.get(f"/datatasks/{batch.public_id}/work/").content.decode()
    assert "Start the qualification test" in page
    assert "datatasks/work.js" in page

    panel = client.post(f"/datatasks/{batch.public_id}/work/next/", **HTMX)
    assert panel.status_code == 200
    html = panel.content.decode()
    assert html.startswith('<section id="work"')  # only the panel, for htmx to swap
    assert "物流很快，包装完好" in html and "<kbd>1</kbd> positive" in html
    assignment = Assignment.objects.get(worker=world.charlie)
    # A wrong label value is refused in the panel; htmx still swaps it in (200).
    refused = client.post(
        f"/datatasks/{batch.public_id}/work/{assignment.pk}/answer/", {"label": "great"}, **HTMX
    )
    assert refused.status_code == 200
    assert "“great” is not one of the labels" in refused.content.decode()
    # Answering swaps in the next item straight away.
    following = client.post(
        f"/datatasks/{batch.public_id}/work/{assignment.pk}/answer/",
        {"label": "positive"},
        **HTMX,
    ).content.decode()
    assert "质量差，用了一天就坏了" in following
    # Without htmx: redirect back to the work page; a refusal answers 422.
    second = Assignment.objects.get(worker=world.charlie, item__external_id="q2")
    plain = client.post(
        f"/datatasks/{batch.public_id}/work/{second.pk}/answer/", {"label": "negative"}
    )
    assert plain.status_code == 302
    again = client.post(
        f"/datatasks/{batch.public_id}/work/{second.pk}/answer/", {"label": "negative"}
    )
    assert_page_refused(again, 422, "You have already answered this item.")


def test_the_work_page_says_when_a_worker_is_blocked(world: World) -> None:
    # No grace: the batch's rule blocks on the first miss.
    batch = plain_batch(world, gold_percent=50, min_gold_answers=1, ban_after_misses=1)
    client = en(world.charlie)
    client.post(f"/datatasks/{batch.public_id}/join/")
    client.post(f"/datatasks/{batch.public_id}/work/next/")
    assignment = Assignment.objects.get(worker=world.charlie)
    truth = TRUTH[assignment.item.external_id]
    wrong = next(label for label in LABELS if label != truth)
    html = client.post(
        f"/datatasks/{batch.public_id}/work/{assignment.pk}/answer/", {"label": wrong}, **HTMX
    ).content.decode()
    assert BatchWorker.objects.get(worker=world.charlie).status == "blocked"
    assert 'data-testid="blocked-message"' in html
    assert "You can no longer work on this batch." in html


def test_members_see_the_enterprise_side_and_cannot_join(world: World) -> None:
    batch = open_batch(world)
    page = en(world.rita).get(f"/datatasks/{batch.public_id}/").content.decode()
    assert 'data-testid="quality"' in page and 'data-testid="join-batch"' not in page
    assert 'data-testid="status-closed"' not in page  # read-only
    refused = en(world.rita).post(f"/datatasks/{batch.public_id}/join/")
    assert refused.status_code == 403


def test_reviewing_correcting_exporting_and_accepting_on_pages(world: World) -> None:
    batch = closed_batch(world)
    client = en(world.olivia)
    items = client.get(f"/datatasks/{batch.public_id}/items/?kind=regular").content.decode()
    assert "颜色和图片一样" in items and ">q1</a>" not in items
    low = client.get(f"/datatasks/{batch.public_id}/items/?max_confidence=50").content.decode()
    assert "No items match." in low
    item = Item.objects.get(batch=batch, external_id="r5")
    page = client.get(f"/datatasks/{batch.public_id}/items/{item.pk}/").content.decode()
    assert 'data-testid="override-form"' in page
    response = client.post(
        f"/datatasks/{batch.public_id}/items/{item.pk}/override/",
        {"value": "positive", "reason": "Usable means satisfied"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Usable means satisfied" in page and "neutral → <strong>positive</strong>" in page
    empty = client.post(
        f"/datatasks/{batch.public_id}/items/{item.pk}/override/", {"value": "negative"}
    )
    assert empty.status_code == 422
    download = client.get(f"/datatasks/{batch.public_id}/export.csv")
    assert download["Content-Disposition"] == (
        f'attachment; filename="nomadcloud-batch-{batch.public_id}.csv"'
    )
    text = b"".join(download.streaming_content).decode()
    assert "r5,11,0,positive," in text
    accepted = client.post(f"/datatasks/{batch.public_id}/accept/")
    assert accepted.status_code == 302
    page = client.get(f"/datatasks/{batch.public_id}/").content.decode()
    assert 'data-testid="total-owed">¥5.60<' in page
    worker_view = en(world.charlie).get(f"/datatasks/{batch.public_id}/").content.decode()
    assert "Accepted: 8 items, ¥2.80 owed to you." in worker_view
    mine = en(world.charlie).get("/datatasks/").content.decode()
    assert "¥2.80" in mine


def test_a_draft_is_edited_and_its_items_replaced(world: World) -> None:
    batch = services.create_batch(
        principal=Principal.for_user(world.olivia),
        organisation=world.acme,
        draft=BatchDraft.model_validate(
            {
                **{
                    k: v
                    for k, v in form_fields().items()
                    if k not in {"labels", "skills", "method"}
                },
                "labels": LABELS,
            }
        ),
    )
    client = en(world.olivia)
    edited = client.post(f"/datatasks/{batch.public_id}/edit/", form_fields(overlap="4"))
    assert edited.status_code == 302
    batch.refresh_from_db()
    assert batch.overlap == 4
    bad = client.post(
        f"/datatasks/{batch.public_id}/upload/", {"file": csv_file(b"id,text\na,x\na,y\n")}
    )
    assert_page_refused(bad, 422, "the id “a” is already used on line 2.")
    good = client.post(f"/datatasks/{batch.public_id}/upload/", {"file": csv_file()})
    assert good.status_code == 302
    batch.refresh_from_db()
    assert batch.item_count == 11
