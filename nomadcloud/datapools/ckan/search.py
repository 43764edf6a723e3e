"""``package_search`` in SQL: the harvester's ``fq`` grammar, ``q``, sorting, the count
and the facets; packages are built only for the page asked for."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet, TextField, Value, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest

from nomadcloud.datapools.access import PUBLIC_STATES
from nomadcloud.datapools.models import Pool

from .packages import (
    MAX_ROWS,
    ActionError,
    RawJSON,
    _int,
    _packages_json,
    _validation,
)

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
