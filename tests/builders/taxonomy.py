"""Builders for taxonomy tests (moved from tests/permissions/taxonomy.py): the
objects the permission matrix and tests/test_taxonomy*.py start from."""

from __future__ import annotations

from django.utils import timezone

from nomadcloud.taxonomy.models import Alias, Concept, ImportRun
from tests.builders.world import World


def concept(w: World) -> Concept:
    found, created = Concept.objects.get_or_create(
        code="nc.data-labelling",
        defaults={
            "kind": "skill",
            "category": "data",
            "label_zh": "数据标注",
            "label_en": "data labelling",
            "source": "nomadcloud",
        },
    )
    if created:
        Alias.objects.create(
            concept=found, language="en", label="data annotation", normalized="data annotation"
        )
    return found


def import_run(w: World) -> ImportRun:
    file = {
        "file": "skills_en.csv",
        "status": "ok",
        "error": "",
        "rows_read": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "aliases_added": 1,
        "relations_added": 0,
        "relations_updated": 0,
        "skipped": 1,
        "skipped_rows": [{"row": 3, "reason": "no English label"}],
        "unresolved": 0,
        "unresolved_sample": [],
    }
    totals = {k: v for k, v in file.items() if isinstance(v, int)}
    return ImportRun.objects.create(
        source="esco",
        finished_at=timezone.now(),
        report={"source": "esco", "directory": "/srv/esco", "files": [file], "totals": totals},
    )
