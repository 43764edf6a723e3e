"""Permission cases for the taxonomy: anyone reads skills, tools and occupations; only the
zone operator sees the record of taxonomy imports."""

from __future__ import annotations

from tests.builders.taxonomy import (
    concept,
    import_run,
)
from tests.permissions import (
    AUTHENTICATED,
    EVERYONE,
    OPERATOR_ONLY,
    Case,
)

API = "/api/v1/taxonomy"


API_CASES = [
    Case("api list concepts", "GET", lambda w: f"{API}/concepts", EVERYONE, api=True),
    Case(
        "api search by name",
        "GET",
        lambda w: f"{API}/search?q=sjbz",
        EVERYONE,
        api=True,
        route="/api/v1/taxonomy/search",
    ),
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

# The apps whose tables these requests write (concepts and imports): the fingerprint covers them and
# the audit log.
APPS = ("taxonomy",)
