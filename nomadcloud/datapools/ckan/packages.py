"""How the catalogue reads in CKAN's terms: packages, resources, organisations and groups,
the action errors, and the parameters every action shares."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse

from nomadcloud.core.i18n import localized_text
from nomadcloud.datapools import catalogue
from nomadcloud.datapools.access import PUBLIC_STATES
from nomadcloud.datapools.models import CatalogueRecord, Pool

MAX_ROWS = 1000
SEARCHABLE_FACETS = ("organization", "groups", "tags", "res_format", "license_id")


class ActionError(Exception):
    def __init__(self, kind: str, status: int, **error: Any) -> None:
        super().__init__(kind)
        self.kind, self.status, self.error = kind, status, error


def _not_found(what: str) -> ActionError:
    return ActionError("Not Found Error", 404, message=f"Not found: {what}")


def _validation(field: str, message: str) -> ActionError:
    return ActionError("Validation Error", 409, **{field: [message]})


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat()


def _text(value: Any, language: str) -> str:
    return localized_text(value, language)


def _organization(org: catalogue.Agent) -> dict[str, Any]:
    return {
        "id": org.public_id,
        "name": org.name,
        "title": org.name_zh or org.name_en,
        "type": "organization",
        "description": org.name_en,
        "image_url": "",
        "created": _iso(org.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }


def _pages(request: HttpRequest) -> str:
    """The pools' page address without the id: the list's address, reversed once per
    request (a search answers up to 1,000 packages, and reversing each is slow)."""
    prefix = getattr(request, "_datapools_prefix", None)
    if prefix is None:
        prefix = request.build_absolute_uri(reverse("datapools:list"))
        request._datapools_prefix = prefix  # type: ignore[attr-defined]
    return str(prefix)


def _pool_url(request: HttpRequest, public_id: str) -> str:
    """The pool's page."""
    return f"{_pages(request)}{public_id}/"


def _resource(version: catalogue.Version, package_id: str, url: str) -> dict[str, Any]:
    released = _iso(version.released_at)
    return {
        "id": version.public_id,
        "package_id": package_id,
        "url": url,
        "name": f"v{version.number}",
        "description": (
            f"{version.row_count} rows from {version.contributor_count} contributors; "
            f"quality {version.quality_score}/100; access restricted (aggregates and query "
            "templates inside the platform)"
        ),
        "format": "Parquet",
        "mimetype": "application/vnd.apache.parquet",
        "size": None,
        "hash": "",
        "created": released,
        "last_modified": released,
        "position": version.number - 1,
        "resource_type": "restricted",
        "url_type": "",
        "state": "active",
        "restricted": True,
    }


def _group(kind: str, language: str) -> dict[str, Any]:
    group = catalogue.GROUPS[Pool.Kind(kind)]
    title = group.title_zh if language == "zh-Hans" else group.title_en
    return {
        "id": group.name,
        "name": group.name,
        "title": title,
        "display_name": title,
        "description": "",
        "image_display_url": "",
    }


def package(entry: catalogue.Entry, pages: str, language: str) -> dict[str, Any]:
    """One package from an entry of ``catalogue.entries`` (no query); ``pages``: the pools'
    page address without the id."""
    tags = [entry.kind, *entry.access_modes]
    url = f"{pages}{entry.public_id}/"
    steward, department = entry.steward, entry.lead_department
    versions = entry.versions
    return {
        "id": entry.public_id,
        "name": entry.public_id,
        "title": _text(entry.title, language),
        "title_translated": {"zh": entry.title.get("zh-Hans"), "en": entry.title.get("en")},
        "type": "dataset",
        "state": "active",
        "private": False,
        "restricted": True,
        "owner_org": steward.public_id,
        "organization": _organization(steward),
        "author": steward.name_zh or steward.name_en,
        "author_email": None,
        "maintainer": department.name_zh or department.name_en,
        "maintainer_email": None,
        "license_id": "other-closed",
        "license_title": "Restricted: access by agreement",
        "license_url": None,
        "isopen": False,
        "notes": _text(entry.description, language),
        "url": url,
        "version": str(versions[-1].number) if versions else None,
        "metadata_created": _iso(entry.created_at),
        "metadata_modified": _iso(entry.modified),
        "num_resources": len(versions),
        "num_tags": len(tags),
        "tags": [
            {"id": t, "name": t, "display_name": t, "state": "active", "vocabulary_id": None}
            for t in tags
        ],
        "groups": [_group(entry.kind, language)],
        "extras": [
            {"key": "charter_version", "value": str(entry.charter_version)},
            {"key": "classification", "value": entry.classification},
            {"key": "grade", "value": entry.grade},
            {"key": "access_rights", "value": "restricted"},
            *(
                [{"key": "registration_code", "value": entry.registration_code}]
                if entry.registration_code
                else []
            ),
            *(
                [
                    {
                        "key": "application_scenarios",
                        "value": " ".join(f"{pages}scenarios/{s}/" for s in entry.scenarios),
                    }
                ]
                if entry.scenarios
                else []
            ),
        ],
        "resources": [_resource(v, entry.public_id, url) for v in versions],
        "relationships_as_subject": [],
        "relationships_as_object": [],
    }


# A stored package names its pool's page with this prefix instead of the site's address
# (which depends on the request): replaced when it is answered.
PAGES = "nomadcloud:pools/"


def dumps(value: Any) -> str:
    """JSON as the envelope writes it (``JsonResponse`` with ``ensure_ascii=False``)."""
    return json.dumps(value, ensure_ascii=False)


def _packages_json(pks: Sequence[int], request: HttpRequest, language: str) -> str:
    """The packages of these public pools, in this order, as one JSON array: each the text
    stored in its catalogue record (records.py) where the values it was built from are still
    the live ones, else built now (decision 0050)."""
    expressions = catalogue.source_expressions("pool__")
    stored = "package_en" if language == "en" else "package_zh"
    # A pool in the scenario library names the scenarios' addresses: built with the request's.
    cited = Pool.scenarios.through.objects.filter(pool_id=OuterRef("pool_id"))
    texts: dict[int, str] = {}
    for pool_id, text, source, in_library, *values in (
        CatalogueRecord.objects.filter(pool_id__in=pks, pool__status__in=PUBLIC_STATES)
        .annotate(**expressions, in_library=Exists(cited))
        .values_list("pool_id", stored, "source", "in_library", *expressions)
    ):
        if text and not in_library and source == catalogue.source_of(values):
            texts[pool_id] = text
    missing = [pk for pk in pks if pk not in texts]
    for entry in catalogue.entries(missing):
        texts[entry.pk] = dumps(package(entry, _pages(request), language))
    joined = "[" + ", ".join(texts[pk] for pk in pks if pk in texts) + "]"
    pages = dumps(_pages(request))[1:-1]
    return joined.replace(f'"url": "{PAGES}', f'"url": "{pages}')


def _packages(pks: Sequence[int], request: HttpRequest, language: str) -> list[dict[str, Any]]:
    """The packages of these public pools, in this order."""
    found: list[dict[str, Any]] = json.loads(_packages_json(pks, request, language))
    return found


class RawJSON:
    """A value already written as JSON, put into the answer as it is."""

    def __init__(self, text: str) -> None:
        self.text = text


def _find_pool(raw: Any) -> int:
    """The key of the public pool named ``raw``."""
    if not isinstance(raw, str) or not raw.strip():
        raise _validation("id", "Missing value")
    name = raw.strip()
    if not re.fullmatch(r"[0-9a-f-]{36}", name):
        raise _not_found("Dataset")
    pk = catalogue.listed().filter(public_id=name).values_list("pk", flat=True).first()
    if pk is None:
        raise _not_found("Dataset")
    return pk


def _int(params: dict[str, Any], name: str, default: int, high: int) -> int:
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise _validation(name, "Invalid integer") from None
    if value < 0:
        raise _validation(name, "Must be a natural number")
    return min(value, high)
