"""What the datapools app holds about a person (core/privacy.py): the contributions they
gave (their rows and findings) and the pools they proposed. Erasure removes the rows of
their contributions and keeps the counts, so released versions still add up."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.datapools import poolfiles
from nomadcloud.datapools.models import Contribution, Pool


def export(user: Any) -> dict[str, Any]:
    return {
        "contributions": privacy.dump(Contribution.objects.filter(contributor=user)),
        "pools_proposed": privacy.dump(Pool.objects.filter(proposed_by=user)),
    }


def erase(user: Any) -> None:
    mine = Contribution.objects.filter(contributor=user)
    storage = poolfiles.storage()
    for name in mine.exclude(rows_file="").values_list("rows_file", flat=True):
        if storage.exists(name):  # a large contribution's rows (decision 0064)
            storage.delete(name)
    mine.update(rows=[], findings=[], errors=[], rows_file="")
