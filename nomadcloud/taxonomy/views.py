"""Pages of the taxonomy: search and browse skills, tools and occupations (open to anyone),
each concept's page with its names, hierarchy and the occupations or skills it is linked to,
and the zone operator's record of taxonomy imports. Views read through queries.py."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.pages import domain_errors
from nomadcloud.taxonomy import access, queries
from nomadcloud.taxonomy.forms import ConceptFilterForm, category_label
from nomadcloud.taxonomy.models import Concept, ImportRun, OccupationSkill

PAGE_SIZE = 50
LIST_CAP = 50  # concepts shown per list on a concept's page
SKIPPED_ROWS_SHOWN = 1000
ONET_SOC = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
ONET_OCCUPATION_URL = "https://www.onetonline.org/link/summary/"
COUNTERS = (
    ("rows_read", gettext_lazy("Rows read")),
    ("created", gettext_lazy("Created")),
    ("updated", gettext_lazy("Updated")),
    ("unchanged", gettext_lazy("Unchanged")),
    ("aliases_added", gettext_lazy("Other names added")),
    ("relations_added", gettext_lazy("Relations added")),
    ("relations_updated", gettext_lazy("Relations updated")),
    ("skipped", gettext_lazy("Rows skipped")),
    ("unresolved", gettext_lazy("References not found")),
)


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _english_first() -> bool:
    return (translation.get_language() or "").lower().startswith("en")


# --- public -----------------------------------------------------------------------------------


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = ConceptFilterForm(request.GET or None)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # filters that are valid still apply when another is not
        data = form.cleaned_data
    concepts = queries.search_concepts(
        data.get("q", ""),
        kind=data.get("kind", ""),
        category=data.get("category", ""),
        source=data.get("source", ""),
        hot_only=bool(data.get("hot")),
    )
    page = Paginator(concepts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "taxonomy/search.html",
        {
            "form": form,
            "page": page,
            "rows": [(c, category_label(c.category)) for c in page],
            "query": query.urlencode(),
            "filtered": bool(form.errors)
            or any(data.get(f) for f in ("kind", "category", "source", "hot")),
        },
    )


def _names(concept: Concept) -> list[dict[str, str]]:
    """The concept's label and description in each language, the reader's language first."""
    names = [
        {
            "lang": "zh-Hans",
            "language": _("Chinese"),
            "label": concept.label_zh,
            "description": concept.description_zh,
        },
        {
            "lang": "en",
            "language": _("English"),
            "label": concept.label_en,
            "description": concept.description_en,
        },
    ]
    return names[::-1] if _english_first() else names


def _alias_groups(concept: Concept) -> list[dict[str, Any]]:
    """Other names by language, the reader's language first."""
    groups: dict[str, list[str]] = {}
    display: dict[str, str] = {}
    for alias in concept.aliases.all():
        groups.setdefault(alias.language, []).append(alias.label)
        display[alias.language] = alias.get_language_display()
    order = ["en", "zh-hans"] if _english_first() else ["zh-hans", "en"]
    languages = sorted(groups, key=lambda lang: (order.index(lang) if lang in order else 9, lang))
    return [
        {
            "lang": "zh-Hans" if language == "zh-hans" else language,
            "language": display[language],
            "labels": sorted(groups[language], key=str.casefold),
        }
        for language in languages
    ]


def _web_link(uri: str) -> str:
    """The URI when it is safe to link to (http or https), else ""."""
    parts = urlsplit(uri)
    return uri if parts.scheme in {"http", "https"} and parts.netloc else ""


@require_GET
@domain_errors
def concept(request: HttpRequest, code: str) -> HttpResponse:
    found = queries.concept_by_code(code)
    is_occupation = found.kind == Concept.Kind.OCCUPATION
    context: dict[str, Any] = {
        "concept": found,
        "names": _names(found),
        "alias_groups": _alias_groups(found),
        "category": category_label(found.category),
        "esco_link": _web_link(found.esco_uri),
        "onet_link": (
            ONET_OCCUPATION_URL + found.onet_code
            if is_occupation and ONET_SOC.match(found.onet_code)
            else ""
        ),
        "broader": queries.capped(queries.broader_of(found), LIST_CAP),
        "narrower": queries.capped(queries.narrower_of(found), LIST_CAP),
        "related": queries.capped(queries.related_of(found), LIST_CAP),
        "is_occupation": is_occupation,
    }
    if is_occupation:
        essential = queries.skills_of(found, OccupationSkill.Relation.ESSENTIAL)
        optional = queries.skills_of(found, OccupationSkill.Relation.OPTIONAL)
        context["essential"] = queries.capped(essential, LIST_CAP)
        context["optional"] = queries.capped(optional, LIST_CAP)
    else:
        context["occupations"] = queries.capped(queries.occupations_needing(found), LIST_CAP)
    return render(request, "taxonomy/concept.html", context)


# --- the zone operator's import record ----------------------------------------------------------


def _counters(counts: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(str(label), counts.get(name, 0)) for name, label in COUNTERS]


def _files(run: ImportRun) -> list[dict[str, Any]]:
    files = run.report.get("files", []) if isinstance(run.report, dict) else []
    return [f for f in files if isinstance(f, dict)]


@login_required
@require_GET
@domain_errors
def imports(request: HttpRequest) -> HttpResponse:
    runs = access.import_runs_for(_principal(request))
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for run in page:
        files = _files(run)
        rows.append(
            {
                "run": run,
                "totals": run.report.get("totals", {}) if isinstance(run.report, dict) else {},
                "files": len(files),
                "refused": sum(1 for f in files if f.get("status") == "refused"),
            }
        )
    return render(request, "taxonomy/imports.html", {"page": page, "rows": rows})


@login_required
@require_GET
@domain_errors
def import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access.import_run_for(_principal(request), run_id)
    report = run.report if isinstance(run.report, dict) else {}
    files = [
        {
            "name": f.get("file", ""),
            "refused": f.get("status") == "refused",
            "error": f.get("error", ""),
            "counters": _counters(f),
            "skipped_rows": list(f.get("skipped_rows", []))[:SKIPPED_ROWS_SHOWN],
            "skipped": f.get("skipped", 0),
            "unresolved": f.get("unresolved", 0),
            "unresolved_sample": list(f.get("unresolved_sample", [])),
        }
        for f in _files(run)
    ]
    return render(
        request,
        "taxonomy/import_run.html",
        {
            "run": run,
            "directory": report.get("directory", ""),
            "totals": _counters(report.get("totals", {})),
            "files": files,
        },
    )
