"""Data-pool connectors (docs/datapools.md, decision 0057): accepted labelling work of
batches whose enterprise agreed goes into a labelled-data pool, one contribution per
consenting worker, never twice, never the worker's identity in the rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from nomadcloud.datapools import connectors
from nomadcloud.datapools.models import BatchRelease, Contribution
from nomadcloud.datatasks import services as datatasks
from tests.builders import datapools as b
from tests.builders import datatasks as t
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_datatasks_connector_reads_agreed_batches_of_consenting_workers_once(
    world: World,
) -> None:
    pool = b.labelled_pool(world)
    olivia = Principal.for_user(world.olivia)
    batch = t.closed_batch(world)
    # Not accepted yet: the enterprise cannot release it.
    with pytest.raises(InvalidInput) as early:
        connectors.agree_release(principal=olivia, pool=pool, batch=batch)
    assert early.value.code == "batch_not_accepted"
    assert early.value.fields is not None and "batch" in early.value.fields
    datatasks.accept_batch(principal=olivia, batch=batch)
    batch.refresh_from_db()
    # Without the enterprise's agreement nothing is read, even from consenting workers.
    b.consent_to(world, pool, "charlie")
    assert connectors.import_accepted_work(principal=olivia, pool=pool) == []
    # Another pool kind refuses the connector.
    with pytest.raises(Conflict) as kind:
        connectors.agree_release(principal=olivia, pool=b.traffic_pool(world), batch=batch)
    assert kind.value.code == "connector_not_allowed"
    with translation.override("zh-hans"), pytest.raises(Conflict) as zh:
        connectors.import_accepted_work(principal=olivia, pool=b.traffic_pool(world))
    assert zh.value.message == "只有标注数据池可以读取已验收的标注成果。"
    # Only the steward imports.
    connectors.agree_release(principal=olivia, pool=pool, batch=batch)
    connectors.agree_release(principal=olivia, pool=pool, batch=batch)  # kept once
    assert BatchRelease.objects.filter(pool=pool, batch=batch).count() == 1
    with pytest.raises(Forbidden):
        connectors.import_accepted_work(principal=Principal.for_user(world.charlie), pool=pool)
    (made,) = connectors.import_accepted_work(principal=olivia, pool=pool)
    # Charlie consented, Wendy did not: one contribution, Charlie's.
    assert made.contributor == world.charlie
    assert made.source == Contribution.Source.DATATASKS
    assert made.status == Contribution.Status.ACCEPTED
    assert made.row_count == len(made.rows) > 0
    assert set(made.rows[0]) == set(connectors.COLUMNS)
    flat = str(made.rows)
    for identity in (world.charlie.email, str(world.charlie)):
        assert identity not in flat
    # Idempotent: a second import adds nothing.
    assert connectors.import_accepted_work(principal=olivia, pool=pool) == []
    # Wendy consents later: the next import reads her work, and only hers.
    b.consent_to(world, pool, "wendy")
    (later,) = connectors.import_accepted_work(principal=olivia, pool=pool)
    assert later.contributor == world.wendy
    assert connectors.import_accepted_work(principal=olivia, pool=pool) == []
    assert pool.contributions.count() == 2


def test_connector_api_page_and_refusals(world: World) -> None:
    pool = b.labelled_pool(world)
    batch = b.accepted_batch(world)
    b.consent_to(world, pool, "charlie")
    url = f"/api/v1/datapools/pools/{pool.public_id}"
    # Someone outside the batch's enterprise cannot release it (the batch does not exist).
    refused = api_post(
        client_for(world.charlie), f"{url}/batch-releases", {"batch": str(batch.public_id)}
    )
    assert refused.status_code == 404
    owner = client_for(world.olivia)
    page = owner.get(f"/datapools/{pool.public_id}/")
    assert b'data-testid="agree-batch-form"' in page.content
    assert str(batch.public_id).encode() in page.content
    made = owner.post(f"/datapools/{pool.public_id}/agree_batch/", {"batch": str(batch.public_id)})
    assert made.status_code == 302
    assert BatchRelease.objects.filter(pool=pool, batch=batch).exists()
    again = api_post(owner, f"{url}/batch-releases", {"batch": str(batch.public_id)})
    assert again.status_code == 201, again.content
    assert again.json()["batch"] == str(batch.public_id)
    page = owner.get(f"/datapools/{pool.public_id}/")
    assert b'data-testid="batch-releases"' in page.content
    assert b'data-testid="import-work"' in page.content
    read = api_post(owner, f"{url}/connector/datatasks", {})
    assert read.status_code == 200, read.content
    assert [c["source"] for c in read.json()] == ["datatasks"]
    assert api_post(owner, f"{url}/connector/datatasks", {}).json() == []
    # The wrong kind of pool: a localized conflict, nothing read.
    traffic = b.traffic_pool(world)
    wrong = api_post(owner, f"/api/v1/datapools/pools/{traffic.public_id}/connector/datatasks", {})
    assert_error(wrong, "connector_not_allowed")
    with pytest.raises(NotFound):
        from nomadcloud.datatasks import access as batches

        batches.batch_for(Principal.for_user(world.charlie), batch.public_id, batches.Action.EDIT)
