"""The demo data batch: open, with gold items and a qualification test, partly worked by
generated nomads; seeded once."""

from __future__ import annotations

import pytest

from nomadcloud.accounts import demo as accounts_demo
from nomadcloud.datatasks import demo
from nomadcloud.datatasks.models import Answer, Batch, BatchWorker


@pytest.mark.django_db
def test_the_demo_batch_is_seeded_once() -> None:
    accounts_demo.seed(nomads=20)
    counts = demo.seed()
    assert counts["datatask_batches"] == 1
    assert counts["datatask_answers"] == 23 + 19 + 13
    assert demo.seed() == {"datatask_batches": 0, "datatask_answers": 0}
    batch = Batch.objects.get()
    assert batch.status == "open"
    assert (batch.item_count, batch.gold_count, batch.qualification_count) == (28, 7, 3)
    assert batch.organisation.name_zh == "洋浦云帆科技有限公司"
    assert Answer.objects.filter(batch=batch).count() == 55
    assert batch.items.filter(is_gold=False, answer_count__gte=2).count() >= 10
    statuses = sorted(BatchWorker.objects.filter(batch=batch).values_list("status", flat=True))
    assert statuses == ["qualified", "qualified", "qualified"]
    emails = set(BatchWorker.objects.values_list("worker__email", flat=True))
    assert "nomad@demo.nomadcloud.cn" not in emails  # the persona can still try it


@pytest.mark.django_db
def test_without_demo_enterprises_nothing_is_seeded() -> None:
    assert demo.seed() == {"datatask_batches": 0, "datatask_answers": 0}
