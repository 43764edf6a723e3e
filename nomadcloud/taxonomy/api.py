"""The taxonomy part of /api/v1/: search and read skills, tools and occupations (open to
anyone), preview the tags a text would get (signed in), and the record of taxonomy imports
(the zone operator). Handlers only translate HTTP to query calls."""

import base64
import binascii
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PaginationBase, paginate

from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.taxonomy import access, queries
from nomadcloud.taxonomy.schemas import (
    ConceptDetailOut,
    ConceptOut,
    ConceptQuery,
    ImportRunDetailOut,
    ImportRunOut,
    NameQuery,
    NameSearchOut,
    TagIn,
    TagsOut,
)

router = Router(tags=["taxonomy"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


class RankedPagination(PaginationBase):
    """Best matches first, then by id; ``next_cursor`` is opaque and stable under inserts."""

    class Input(Schema):
        cursor: str | None = Field(None, max_length=64)
        limit: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        ordered = queryset.order_by("rank", "pk")
        if pagination.cursor:
            rank, pk = _decode_cursor(pagination.cursor)
            ordered = ordered.filter(Q(rank__gt=rank) | Q(rank=rank, pk__gt=pk))
        rows = list(ordered[: pagination.limit + 1])
        more = len(rows) > pagination.limit
        rows = rows[: pagination.limit]
        last = rows[-1] if more else None
        return {
            "items": rows,
            "next_cursor": _encode_cursor(last.rank, last.pk) if last is not None else None,
        }


def _encode_cursor(rank: int, pk: int) -> str:
    return base64.urlsafe_b64encode(f"rank:{rank}:{pk}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, rank, pk = text.split(":")
        if kind != "rank":
            raise ValueError(kind)
        return int(rank), int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise invalid_field(
            "cursor", _("This cursor is not valid; start from the first page.")
        ) from None


# --- concepts ---------------------------------------------------------------------------------


@router.get("/concepts", **PUBLIC, response=_errors({200: list[ConceptOut]}))
@paginate(RankedPagination)
def list_concepts(request: HttpRequest, filters: Query[ConceptQuery], **kwargs: Any) -> Any:
    """Active skills, tools, languages and occupations. With `q`, the concepts whose Chinese
    or English label, alias or code contains it: equal labels first, then labels starting
    with it, then the rest; without, all of them by id."""
    return queries.search_concepts(
        filters.q,
        kind=filters.kind or "",
        category=filters.category.strip(),
        source=filters.source or "",
        hot_only=filters.hot,
    )


@router.get("/search", **PUBLIC, response=_errors({200: NameSearchOut}))
def search_by_name(request: HttpRequest, filters: Query[NameQuery]) -> dict[str, Any]:
    """Concepts by name as a person types it, for pickers: Chinese or English labels and
    other names, codes, full pinyin and pinyin initials. Ranked: equal, starting with,
    containing, then pinyin; a preferred label above another name. When nothing matches,
    the closest names, marked `similar`. At most 1,000 results in all."""
    offset = _decode_offset(filters.cursor) if filters.cursor else 0
    found = queries.find_by_name(
        filters.q, kinds=tuple(filters.kind), limit=filters.limit, offset=offset
    )
    return {
        "items": [
            {
                "code": hit.code,
                "kind": hit.kind,
                "label": hit.label,
                "matched": hit.matched,
                "match": hit.match.name.lower(),
                "matched_in": hit.via.name.lower(),
            }
            for hit in found.hits
        ],
        "next_cursor": _encode_offset(found.next_offset) if found.next_offset else None,
    }


def _encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(f"name:{offset}".encode()).decode().rstrip("=")


def _decode_offset(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, offset = text.split(":")
        if kind != "name" or int(offset) < 0:
            raise ValueError(kind)
        return int(offset)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise invalid_field(
            "cursor", _("This cursor is not valid; start from the first page.")
        ) from None


@router.get("/concepts/{code}", **PUBLIC, response=_errors({200: ConceptDetailOut}))
def get_concept(request: HttpRequest, code: str) -> Any:
    """One concept by its code, with its other names and the codes of its broader, narrower
    and related concepts."""
    return queries.concept_by_code(code)


@router.post("/tag", response=_errors({200: TagsOut}))
def tag_text(request: HttpRequest, payload: TagIn) -> dict[str, Any]:
    """The skill and tool tags the platform finds in a text (a preview of a job profile, 岗位画像):
    the ones its words name, then, with an embedding model, those close in meaning to one of
    its clauses in any language (`score` is then the similarity); nothing is saved."""
    from nomadcloud.taxonomy.tagging import propose

    tags = propose(payload.text, kinds=payload.kinds)
    return {
        "tags": [
            {
                "code": tag.code,
                "label": localized(tag, "label"),
                "label_zh": tag.label_zh,
                "label_en": tag.label_en,
                "kind": tag.kind,
                "matched": list(tag.matched),
                "score": tag.score,
            }
            for tag in tags
        ]
    }


# --- imports (the zone operator) --------------------------------------------------------------


@router.get("/imports", response=_errors({200: list[ImportRunOut]}), tags=["taxonomy imports"])
@paginate(CursorPagination)
def list_imports(request: HttpRequest, **kwargs: Any) -> Any:
    """Runs of the ESCO and O*NET importers, newest first. Zone operator only."""
    return access.import_runs_for(Principal.of(request))


@router.get(
    "/imports/{run_id}", response=_errors({200: ImportRunDetailOut}), tags=["taxonomy imports"]
)
def get_import(request: HttpRequest, run_id: int) -> Any:
    """One run's report per file: counts, refusals, skipped rows and unresolved references.
    Zone operator only."""
    return access.import_run_for(Principal.of(request), run_id)
