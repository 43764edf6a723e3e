"""A read subset of the CKAN Action API (CKAN 2.11) over the public pool catalogue, at
``/api/3/action/<name>`` and ``/api/action/<name>``: GET with query parameters or POST with
a JSON object, CKAN's envelope (``help``, ``success``, ``result`` | ``error`` with
``__type``) and its error statuses, no redirects. Written from the documented contract
(CKAN is AGPL-3.0; nothing copied). docs/datapools.md lists what each action answers."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from nomadcloud.core.i18n import localized_text
from nomadcloud.datapools import catalogue
from nomadcloud.datapools.access import PUBLIC_STATES
from nomadcloud.datapools.models import Charter, DatasetVersion, Pool

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


def _organization(pool: Pool, request: HttpRequest) -> dict[str, Any]:
    org = pool.steward
    return {
        "id": str(org.public_id),
        "name": catalogue.organisation_name(org),
        "title": org.name_zh or org.name_en,
        "type": "organization",
        "description": org.name_en,
        "image_url": "",
        "created": _iso(org.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }


def _pool_url(request: HttpRequest, pool: Pool) -> str:
    """The pool's page: the list's address, reversed once per request, and the id (a search
    answers up to 1,000 packages, and reversing each is slow)."""
    prefix = getattr(request, "_datapools_prefix", None)
    if prefix is None:
        prefix = request.build_absolute_uri(reverse("datapools:list"))
        request._datapools_prefix = prefix  # type: ignore[attr-defined]
    return f"{prefix}{pool.public_id}/"


def _resource(version: DatasetVersion, pool: Pool, request: HttpRequest) -> dict[str, Any]:
    url = _pool_url(request, pool)
    return {
        "id": str(version.public_id),
        "package_id": str(pool.public_id),
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
        "created": _iso(version.released_at),
        "last_modified": _iso(version.released_at),
        "position": version.number - 1,
        "resource_type": "restricted",
        "url_type": "",
        "state": "active",
        "restricted": True,
    }


def _package(pool: Pool, request: HttpRequest, language: str = "zh-Hans") -> dict[str, Any]:
    charter = catalogue.charter_of(pool)
    group = catalogue.GROUPS[Pool.Kind(pool.kind)]
    tags = [pool.kind, *charter.access_modes]
    versions = list(pool.versions.all())
    return {
        "id": str(pool.public_id),
        "name": str(pool.public_id),
        "title": _text(pool.title, language),
        "title_translated": {"zh": pool.title.get("zh-Hans"), "en": pool.title.get("en")},
        "type": "dataset",
        "state": "active",
        "private": False,
        "restricted": True,
        "owner_org": str(pool.steward.public_id),
        "organization": _organization(pool, request),
        "author": pool.steward.name_zh or pool.steward.name_en,
        "author_email": None,
        "maintainer": pool.lead_department.name_zh or pool.lead_department.name_en,
        "maintainer_email": None,
        "license_id": "other-closed",
        "license_title": "Restricted: access by agreement",
        "license_url": None,
        "isopen": False,
        "notes": _text(pool.description, language),
        "url": _pool_url(request, pool),
        "version": str(versions[-1].number) if versions else None,
        "metadata_created": _iso(pool.created_at),
        "metadata_modified": _iso(catalogue.modified(pool)),
        "num_resources": len(versions),
        "num_tags": len(tags),
        "tags": [
            {"id": t, "name": t, "display_name": t, "state": "active", "vocabulary_id": None}
            for t in tags
        ],
        "groups": [
            {
                "id": group.name,
                "name": group.name,
                "title": group.title_zh if language == "zh-Hans" else group.title_en,
                "display_name": group.title_zh if language == "zh-Hans" else group.title_en,
                "description": "",
                "image_display_url": "",
            }
        ],
        "extras": [
            {"key": "charter_version", "value": str(charter.version)},
            {"key": "classification", "value": charter.classification},
            {"key": "grade", "value": charter.grade},
            {"key": "access_rights", "value": "restricted"},
            *(
                [{"key": "registration_code", "value": pool.registration_code}]
                if pool.registration_code
                else []
            ),
            *(
                [{"key": "application_scenarios", "value": " ".join(scenarios)}]
                if (scenarios := _scenario_urls(pool, request))
                else []
            ),
        ],
        "resources": [_resource(v, pool, request) for v in versions],
        "relationships_as_subject": [],
        "relationships_as_object": [],
    }


def _scenario_urls(pool: Pool, request: HttpRequest) -> list[str]:
    """The scenario library's entries using the pool (应用场景库)."""
    return [
        request.build_absolute_uri(reverse("datapools:scenario", args=[s.public_id]))
        for s in pool.scenarios.all()
    ]


def _find_pool(raw: Any) -> Pool:
    if not isinstance(raw, str) or not raw.strip():
        raise _validation("id", "Missing value")
    name = raw.strip()
    if not re.fullmatch(r"[0-9a-f-]{36}", name):
        raise _not_found("Dataset")
    pool = catalogue.public_pools().filter(public_id=name).first()
    if pool is None:
        raise _not_found("Dataset")
    return pool


def _int(params: dict[str, Any], name: str, default: int, high: int) -> int:
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise _validation(name, "Invalid integer") from None
    if value < 0:
        raise _validation(name, "Must be a natural number")
    return min(value, high)


# --- the search (in SQL: filters, sort, count and facets; packages built for the page) ----

_CLAUSE = re.compile(r'([+-]?)([a-z_]+):("[^"]*"|\[[^\]]*\]|\S+)')
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _searchable() -> QuerySet[Pool]:
    """The public pools with what the search filters and sorts on: the last modification
    (the newest release, else the proposal), whether any version is released, the newest
    charter's access modes (as JSON text) and the titles as text."""
    newest_modes = Charter.objects.filter(pool=OuterRef("pk")).order_by("-version")
    newest_release = DatasetVersion.objects.filter(pool=OuterRef("pk")).order_by("-number")
    return Pool.objects.filter(status__in=PUBLIC_STATES).annotate(
        modified_at=Coalesce(Subquery(newest_release.values("released_at")[:1]), F("created_at")),
        released=Exists(newest_release),
        modes=Cast(Subquery(newest_modes.values("access_modes")[:1]), TextField()),
        title_zh=KeyTextTransform("zh-Hans", "title"),
        title_en=KeyTextTransform("en", "title"),
        description_zh=KeyTextTransform("zh-Hans", "description"),
        description_en=KeyTextTransform("en", "description"),
    )


def _stamp(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.rstrip("Z"))
    except ValueError:
        raise ActionError("Search Query Error", 400, message=f"Invalid date: {value}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _clause(field: str, value: str) -> Q:
    """One ``field:value`` clause as a filter."""
    if field in ("metadata_modified", "metadata_created"):
        match = re.fullmatch(r"\[(\S+) TO (\S+)\]", value)
        if not match:
            raise ActionError("Search Query Error", 400, message=f"Invalid range: {value}")
        column = "modified_at" if field == "metadata_modified" else "created_at"
        low, high = match.groups()
        found = Q()
        if low != "*":
            found &= Q(**{f"{column}__gte": _stamp(low)})
        if high != "*":
            found &= Q(**{f"{column}__lte": _stamp(high)})
        return found
    if field == "organization":
        if value.startswith("org-") and _UUID.fullmatch(value[4:]):
            unnamed = Q(steward__code__isnull=True) | Q(steward__code="")
            return Q(steward__public_id=value[4:]) & unnamed
        return Q(steward__code__iexact=value) if value else Q(pk__in=[])
    if field == "groups":
        return Q(kind=value)
    if field == "tags":
        return Q(kind=value) | Q(modes__contains=f'"{value}"')
    if field == "res_format":
        return Q(released=True) if value.lower() == "parquet" else Q(pk__in=[])
    if field == "license_id":
        return Q() if value == "other-closed" else Q(pk__in=[])
    if field in ("name", "id"):
        return Q(public_id=value) if _UUID.fullmatch(value) else Q(pk__in=[])
    if field == "owner_org":
        return Q(steward__public_id=value) if _UUID.fullmatch(value) else Q(pk__in=[])
    if field in ("type", "dataset_type"):
        return Q() if value == "dataset" else Q(pk__in=[])
    if field == "state":
        return Q() if value == "active" else Q(pk__in=[])
    return Q(pk__in=[])


def _fq_filter(fq: str) -> Q:
    """The harvester's fq grammar: ``field:value`` clauses (``+`` or none: must; ``-``: must
    not), quoted values, ``metadata_modified:[FROM TO *]`` ranges; ``AND`` is implied."""
    rest = _CLAUSE.sub("", fq).replace("AND", "").strip()
    if rest:
        raise ActionError("Search Query Error", 400, message=f"Search Query Error: {fq}")
    found = Q()
    for sign, field, value in _CLAUSE.findall(fq):
        clause = _clause(field, value.strip('"'))
        found &= ~clause if sign == "-" else clause
    return found


def _q_filter(q: str) -> Q:
    if q in ("", "*:*"):
        return Q()
    if ":" in q and not q.startswith('"'):
        return _fq_filter(q)
    found = Q()
    for word in q.replace('"', "").split():
        found &= (
            Q(title_zh__icontains=word)
            | Q(title_en__icontains=word)
            | Q(description_zh__icontains=word)
            | Q(description_en__icontains=word)
            | Q(kind__iexact=word)
            | Q(modes__icontains=f'"{word}"')
            | (Q(public_id=word) if _UUID.fullmatch(word) else Q(pk__in=[]))
        )
    return found


_SORTS = {
    "metadata_modified": "modified_at",
    "metadata_created": "created_at",
    "name": "public_id",
    "title_string": "title_zh",
    "score": "modified_at",
}


def _order(sort: str, language: str) -> list[Any]:
    order: list[Any] = []
    for clause in [c.strip() for c in sort.split(",") if c.strip()]:
        parts = clause.split()
        column = _SORTS.get(parts[0])
        if (
            column is None
            or len(parts) > 2
            or (len(parts) == 2 and parts[1] not in ("asc", "desc"))
        ):
            raise ActionError("Search Query Error", 400, message=f"Invalid sort: {clause}")
        if column == "title_zh" and language == "en":
            column = "title_en"
        order.append(
            F(column).desc() if len(parts) == 2 and parts[1] == "desc" else F(column).asc()
        )
    return [*order, "pk"]


def _facets(found: QuerySet[Pool], field: str) -> Counter[str]:
    plain = found.order_by()
    if field == "organization":
        rows = plain.values("steward__code", "steward__public_id").annotate(
            n=Count("pk", distinct=True)
        )
        return Counter(
            {(r["steward__code"] or f"org-{r['steward__public_id']}").lower(): r["n"] for r in rows}
        )
    if field == "groups":
        return Counter(
            {r["kind"]: r["n"] for r in plain.values("kind").annotate(n=Count("pk", distinct=True))}
        )
    if field == "tags":
        counts: Counter[str] = Counter()
        for kind, modes in plain.values_list("kind", "modes"):  # type: ignore[misc]
            counts.update({kind, *json.loads(modes or "[]")})
        return counts
    if field == "res_format":
        released = plain.filter(released=True).count()  # type: ignore[misc]
        return Counter({"Parquet": released} if released else {})
    if field == "license_id":
        total = plain.count()
        return Counter({"other-closed": total} if total else {})
    return Counter()


def package_search(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    rows = _int(params, "rows", 10, MAX_ROWS)
    start = _int(params, "start", 0, 10**9)
    q, fq = str(params.get("q", "") or ""), str(params.get("fq", "") or "")
    sort = str(params.get("sort", "") or "score desc, metadata_modified desc")
    facet_fields = params.get("facet.field", "[]")
    if isinstance(facet_fields, str):
        try:
            facet_fields = json.loads(facet_fields or "[]")
        except json.JSONDecodeError:
            raise _validation("facet.field", "Not a JSON list") from None
    if not isinstance(facet_fields, list) or not all(isinstance(f, str) for f in facet_fields):
        raise _validation("facet.field", "Not a JSON list")
    found = _searchable().filter(_q_filter(q), _fq_filter(fq))
    ordered = found.order_by(*_order(sort, language))
    page = list(ordered.values_list("pk", flat=True)[start : start + rows])
    pools = {p.pk: p for p in catalogue.public_pools().filter(pk__in=page)}
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field in facet_fields:
        counts = _facets(found, field)
        facets[field] = dict(counts)
        search_facets[field] = {
            "title": field,
            "items": [
                {"name": name, "display_name": name, "count": count}
                for name, count in counts.most_common()
            ],
        }
    return {
        "count": found.count(),
        "results": [_package(pools[pk], request, language) for pk in page],
        "facets": facets,
        "search_facets": search_facets,
        "sort": sort,
    }


# --- the other actions ------------------------------------------------------------------


def package_list(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    limit = _int(params, "limit", 10**6, 10**6)
    offset = _int(params, "offset", 0, 10**9)
    names = [str(p) for p in catalogue.public_pools().values_list("public_id", flat=True)]
    return names[offset : offset + limit]


def package_show(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    return _package(_find_pool(params.get("id") or params.get("name_or_id")), request, language)


def resource_show(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    raw = params.get("id")
    if not isinstance(raw, str) or not re.fullmatch(r"[0-9a-f-]{36}", raw.strip()):
        raise _not_found("Resource") if raw else _validation("id", "Missing value")
    version = (
        DatasetVersion.objects.filter(public_id=raw.strip(), pool__in=catalogue.public_pools())
        .select_related("pool")
        .first()
    )
    if version is None:
        raise _not_found("Resource")
    return _resource(version, version.pool, request)


def _organisations(request: HttpRequest) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for pool in catalogue.public_pools():
        entry = found.setdefault(
            catalogue.organisation_name(pool.steward),
            {**_organization(pool, request), "package_count": 0},
        )
        entry["package_count"] += 1
    return found


def organization_list(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    organisations = _organisations(request)
    if str(params.get("all_fields", "")).lower() in ("true", "1"):
        return list(organisations.values())
    return sorted(organisations)


def organization_show(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    raw = str(params.get("id", "") or "")
    if not raw:
        raise _validation("id", "Missing value")
    for name, entry in _organisations(request).items():
        if raw in (name, entry["id"]):
            if str(params.get("include_datasets", "")).lower() in ("true", "1"):
                entry["packages"] = [
                    _package(p, request, language)
                    for p in catalogue.public_pools()
                    if catalogue.organisation_name(p.steward) == name
                ]
            return entry
    raise _not_found("Organization")


def group_list(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    kinds = set(catalogue.public_pools().values_list("kind", flat=True))
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
    pools = catalogue.public_pools().filter(kind=raw)
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
        shown["packages"] = [_package(p, request, language) for p in pools[:MAX_ROWS]]
    return shown


def tag_list(params: dict[str, Any], request: HttpRequest, language: str) -> Any:
    tags: set[str] = set()
    for pool in catalogue.public_pools():
        tags |= {pool.kind, *catalogue.charter_of(pool).access_modes}
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


def _params(request: HttpRequest) -> dict[str, Any] | None:
    if request.method == "POST" and request.body:
        try:
            body = json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None
    return {k: request.GET.get(k) for k in request.GET}


@csrf_exempt
def action(request: HttpRequest, name: str) -> HttpResponse:
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={name}")
    handler = ACTIONS.get(name)
    if request.method not in ("GET", "POST"):
        return JsonResponse("Bad request - Method not allowed", safe=False, status=405)
    if handler is None:
        return JsonResponse(f"Bad request - Action name not known: {name}", safe=False, status=400)
    params = _params(request)
    if params is None:
        return JsonResponse(
            "Bad request - JSON Error: request body is not a JSON object", safe=False, status=400
        )
    language = "en" if str(params.get("lang", "")).startswith("en") else "zh-Hans"
    try:
        result = handler(params, request, language)
    except ActionError as exc:
        return JsonResponse(
            {"help": help_url, "success": False, "error": {"__type": exc.kind, **exc.error}},
            status=exc.status,
        )
    return JsonResponse(
        {"help": help_url, "success": True, "result": result},
        json_dumps_params={"ensure_ascii": False},
    )
