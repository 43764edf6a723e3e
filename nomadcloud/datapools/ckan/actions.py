"""The other read actions: lists and shows of packages, resources, organisations, groups
and tags, and the site's status; ``ACTIONS`` names every action served."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from nomadcloud.datapools import catalogue
from nomadcloud.datapools.access import PUBLIC_STATES
from nomadcloud.datapools.models import Charter, DatasetVersion, Pool

from .packages import (
    MAX_ROWS,
    _find_pool,
    _int,
    _not_found,
    _organization,
    _packages,
    _pool_url,
    _resource,
    _validation,
)
from .search import package_search


def package_list(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    limit = _int(params, "limit", 10**6, 10**6)
    offset = _int(params, "offset", 0, 10**9)
    names = [str(p) for p in catalogue.listed().values_list("public_id", flat=True)]
    return names[offset : offset + limit]


def package_show(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    pk = _find_pool(params.get("id") or params.get("name_or_id"))
    return _packages([pk], request, language)[0]


def resource_show(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    raw = params.get("id")
    if not isinstance(raw, str) or not re.fullmatch(r"[0-9a-f-]{36}", raw.strip()):
        raise _not_found("Resource") if raw else _validation("id", "Missing value")
    found = (
        DatasetVersion.objects.filter(public_id=raw.strip(), pool__status__in=PUBLIC_STATES)
        .values_list("pool__public_id", *catalogue.VERSION_FIELDS[1:])
        .first()
    )
    if found is None:
        raise _not_found("Resource")
    pool_id, public_id, number, row_count, contributors, score, released_at = found
    version = catalogue.Version(str(public_id), number, row_count, contributors, score, released_at)
    return _resource(version, str(pool_id), _pool_url(request, str(pool_id)))


def _organisations() -> tuple[dict[str, dict[str, Any]], dict[str, list[int]]]:
    """The stewards of public pools by name (in the catalogue's order of their first pool),
    and the keys of each one's pools."""
    found: dict[str, dict[str, Any]] = {}
    pools: dict[str, list[int]] = {}
    fields = ("public_id", "code", "name_zh", "name_en", "created_at")
    for pk, *values in catalogue.listed().values_list("pk", *(f"steward__{f}" for f in fields)):
        public_id, code, name_zh, name_en, created_at = values
        org = catalogue.Agent(str(public_id), code or "", name_zh or "", name_en or "", created_at)
        entry = found.setdefault(org.name, {**_organization(org), "package_count": 0})
        entry["package_count"] += 1
        pools.setdefault(org.name, []).append(pk)
    return found, pools


def organization_list(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    organisations, _pools = _organisations()
    if str(params.get("all_fields", "")).lower() in ("true", "1"):
        return list(organisations.values())
    return sorted(organisations)


def organization_show(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    raw = str(params.get("id", "") or "")
    if not raw:
        raise _validation("id", "Missing value")
    organisations, pools = _organisations()
    for name, entry in organisations.items():
        if raw in (name, entry["id"]):
            if str(params.get("include_datasets", "")).lower() in ("true", "1"):
                entry["packages"] = _packages(pools[name], request, language)
            return entry
    raise _not_found("Organization")


def group_list(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    kinds = set(catalogue.listed().values_list("kind", flat=True))
    groups = [catalogue.GROUPS[Pool.Kind(k)] for k in sorted(kinds)]
    if str(params.get("all_fields", "")).lower() in ("true", "1"):
        return [
            {
                "id": g.name,
                "name": g.name,
                "title": g.title_zh if language == "zh-Hans" else g.title_en,
                "display_name": g.title_zh if language == "zh-Hans" else g.title_en,
                "type": "group",
                "is_organization": False,
                "state": "active",
            }
            for g in groups
        ]
    return [g.name for g in groups]


def group_show(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    """A group (a kind of pool) with its count of public pools; ``include_datasets`` adds
    them (at most 1,000, as CKAN caps it)."""
    raw = str(params.get("id", "") or "").strip()
    if not raw:
        raise _validation("id", "Missing value")
    if raw not in Pool.Kind.values:
        raise _not_found("Group")
    group = catalogue.GROUPS[Pool.Kind(raw)]
    pools = catalogue.listed().filter(kind=raw).values_list("pk", flat=True)
    title = group.title_zh if language == "zh-Hans" else group.title_en
    shown: dict[str, Any] = {
        "id": group.name,
        "name": group.name,
        "title": title,
        "display_name": title,
        "description": "",
        "type": "group",
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
        "image_display_url": "",
        "package_count": pools.count(),
        "extras": [],
        "tags": [],
        "groups": [],
        "users": [],
    }
    if str(params.get("include_datasets", "")).lower() in ("true", "1"):
        shown["packages"] = _packages(list(pools[:MAX_ROWS]), request, language)
    return shown


def tag_list(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    tags = set(catalogue.listed().values_list("kind", flat=True))
    newest: set[int] = set()
    for pool_id, modes in (
        Charter.objects.filter(pool__status__in=PUBLIC_STATES)
        .order_by("pool_id", "-version")
        .values_list("pool_id", "access_modes")
    ):
        if pool_id not in newest:
            newest.add(pool_id)
            tags.update(modes or [])
    return sorted(tags)


def status_show(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    return {
        "site_title": "NomadCloud",
        "site_description": "Data resource pools of the Yangpu digital nomad zone",
        "site_url": request.build_absolute_uri("/").rstrip("/"),
        "ckan_version": "2.11.5",
        "error_emails_to": None,
        "locale_default": settings.LANGUAGE_CODE,
        "extensions": ["nomadcloud-datapools"],
    }


def site_read(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    return True


ACTIONS: dict[str, Callable[[dict[str, Any], HttpRequest, str], Any]] = {
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "resource_show": resource_show,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "group_show": group_show,
    "tag_list": tag_list,
    "status_show": status_show,
    "site_read": site_read,
}
