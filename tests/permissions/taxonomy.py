"""Permission cases for the taxonomy: anyone reads skills, tools and occupations; only the
zone operator sees the record of taxonomy imports."""

from __future__ import annotations

from django.utils import timezone

from nomadcloud.taxonomy.models import Alias, Concept, ImportRun
from tests.conftest import PERSONAS, World
from tests.permissions import ALLOW, AUTHENTICATED, OPERATOR_ONLY, Case

EVERYONE = dict.fromkeys(PERSONAS, ALLOW)
API = "/api/v1/taxonomy"


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


API_CASES = [
    Case("api list concepts", "GET", lambda w: f"{API}/concepts", EVERYONE, api=True),
    Case("api search by name", "GET", lambda w: f"{API}/search?q=sjbz", EVERYONE, api=True),
    Case(
        "api get concept",
        "GET",
        lambda w: f"{API}/concepts/{concept(w).code}",
        EVERYONE,
        api=True,
        route=f"{API}/concepts/{{code}}",
    ),
    Case(
        "api tag preview",
        "POST",
        lambda w: f"{API}/tag",
        AUTHENTICATED,
        body=lambda w: {"text": "熟悉C++和Python开发"},
        api=True,
        changes=False,
    ),
    Case("api list imports", "GET", lambda w: f"{API}/imports", OPERATOR_ONLY, api=True),
    Case(
        "api get import",
        "GET",
        lambda w: f"{API}/imports/{import_run(w).pk}",
        OPERATOR_ONLY,
        api=True,
        route=f"{API}/imports/{{run_id}}",
    ),
]

PAGE_CASES = [
    Case(
        "taxonomy search",
        "GET",
        lambda w: "/taxonomy/?q=数据",
        EVERYONE,
        url_name="taxonomy:search",
    ),
    Case(
        "taxonomy concept",
        "GET",
        lambda w: f"/taxonomy/concepts/{concept(w).code}/",
        EVERYONE,
        url_name="taxonomy:concept",
    ),
    Case(
        "taxonomy imports",
        "GET",
        lambda w: "/taxonomy/imports/",
        OPERATOR_ONLY,
        url_name="taxonomy:imports",
    ),
    Case(
        "taxonomy import run",
        "GET",
        lambda w: f"/taxonomy/imports/{import_run(w).pk}/",
        OPERATOR_ONLY,
        url_name="taxonomy:import_run",
    ),
]

# The search and concept pages are open to anyone (their cases above check it).
PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()
