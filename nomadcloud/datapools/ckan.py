"""A read subset of the CKAN Action API (CKAN 2.11) over the public pool catalogue, at
``/api/3/action/<name>`` and ``/api/action/<name>``: GET with query parameters or POST with
a JSON object, CKAN's envelope (``help``, ``success``, ``result`` | ``error`` with
``__type``) and its error statuses, no redirects. Written from the documented contract
(CKAN is AGPL-3.0; nothing copied). docs/datapools.md lists what each action answers."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, TextField, Value, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from nomadcloud.core.i18n import localized_text
from nomadcloud.datapools import catalogue
from nomadcloud.datapools.access import PUBLIC_STATES
from nomadcloud.datapools.models import CatalogueRecord, Charter, DatasetVersion, Pool

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


# --- the search (in SQL: filters, sort, count and facets; packages built for the page) ----

_CLAUSE = re.compile(r'([+-]?)([a-z_]+):("[^"]*"|\[[^\]]*\]|\S+)')
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _searchable() -> QuerySet[Pool]:
    """The public pools with what the search filters and sorts on, from their catalogue
    records (models.CatalogueRecord, one indexed join instead of three correlated subqueries
    per pool): the last modification (the newest release, else the proposal), whether any
    version is released, the newest charter's access modes (as JSON text), and the titles as
    text."""
    return Pool.objects.filter(status__in=PUBLIC_STATES).annotate(
        modified_at=Coalesce(F("catalogue_record__modified_at"), F("created_at")),
        released=Coalesce(F("catalogue_record__released"), Value(False)),
        modes=Cast(F("catalogue_record__access_modes"), TextField()),
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


class _Found:
    """The matching pools' counts, each read once: the kinds and access modes in one
    grouped query serve the groups and tags facets and the count."""

    def __init__(self, found: QuerySet[Pool]) -> None:
        self.plain = found.order_by()
        self._combos: list[tuple[str, str | None, int]] | None = None
        self.count: int | None = None

    def combos(self) -> list[tuple[str, str | None, int]]:
        """(kind, access modes as JSON text, number of pools), one row per combination."""
        if self._combos is None:
            self._combos = [
                (r["kind"], r["modes"], r["n"])
                for r in self.plain.values("kind", "modes").annotate(n=Count("pk"))  # type: ignore[misc]
            ]
            self.count = sum(n for _kind, _modes, n in self._combos)
        return self._combos

    def total(self) -> int:
        if self.count is None:
            self.count = self.plain.count()
        return self.count

    def facet(self, field: str) -> Counter[str]:
        if field == "organization":
            rows = self.plain.values("steward__code", "steward__public_id").annotate(n=Count("pk"))
            return Counter(
                {
                    (r["steward__code"] or f"org-{r['steward__public_id']}").lower(): r["n"]
                    for r in rows
                }
            )
        if field == "groups":
            groups: Counter[str] = Counter()
            for kind, _modes, n in self.combos():
                groups[kind] += n
            return groups
        if field == "tags":
            tags: Counter[str] = Counter()
            for kind, modes, n in self.combos():
                for tag in {kind, *json.loads(modes or "[]")}:
                    tags[tag] += n
            return tags
        if field == "res_format":
            released = self.plain.filter(released=True).count()  # type: ignore[misc]
            return Counter({"Parquet": released} if released else {})
        if field == "license_id":
            total = self.total()
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
    counted = _Found(found)
    # The page with the number of matches (a window over the whole match, before the limit).
    page: list[int] = []
    for pk, total in ordered.annotate(total=Window(Count("pk"))).values_list("pk", "total")[
        start : start + rows
    ]:
        page.append(pk)
        counted.count = total
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field in facet_fields:
        counts = counted.facet(field)
        facets[field] = dict(counts)
        search_facets[field] = {
            "title": field,
            "items": [
                {"name": name, "display_name": name, "count": count}
                for name, count in counts.most_common()
            ],
        }
    return {
        "count": counted.total(),
        "results": RawJSON(_packages_json(page, request, language)),
        "facets": facets,
        "search_facets": search_facets,
        "sort": sort,
    }


# --- the other actions ------------------------------------------------------------------


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
    return _answer({"help": help_url, "success": True, "result": result})


def _answer(body: dict[str, Any]) -> HttpResponse:
    """The envelope as ``JsonResponse`` writes it, with any ``RawJSON`` value of the result
    (a search's packages) put in as it is, in place of a marker no value can hold."""
    result = body["result"]
    raw = (
        {k: v for k, v in result.items() if isinstance(v, RawJSON)}
        if isinstance(result, dict)
        else {}
    )
    if not raw:
        return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    marker = f"raw-{uuid.uuid4()}"
    text = json.dumps(
        {**body, "result": {k: (marker if k in raw else v) for k, v in result.items()}},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
    )
    before, after = text.split(f'"{marker}"', 1)
    (value,) = raw.values()
    return HttpResponse(before + value.text + after, content_type="application/json")
