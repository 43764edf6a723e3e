"""Typed input and output of the taxonomy API: concepts, tag previews and import runs."""

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.urls import reverse
from ninja import Field, Schema

from nomadcloud.core.i18n import localized
from nomadcloud.core.schemas import Input
from nomadcloud.taxonomy import queries
from nomadcloud.taxonomy.models import Concept, ImportRun

KindName = Literal["skill", "knowledge", "tool", "language", "occupation"]
SourceName = Literal["nomadcloud", "esco", "onet"]


class ConceptQuery(Schema):
    q: str = Field(
        "",
        max_length=200,
        description="Words of a Chinese or English label or alias, or a concept code.",
    )
    kind: KindName | None = None
    category: str = Field("", max_length=40)
    source: SourceName | None = None
    hot: bool = Field(False, description="Only concepts O*NET marks as hot technologies.")


class AliasOut(Schema):
    language: str = Field(..., description="zh-hans or en.")
    label: str


class ConceptOut(Schema):
    code: str
    kind: str
    category: str
    label: str = Field(..., description="The label in the language of the request.")
    label_zh: str
    label_en: str
    source: str
    hot_technology: bool
    in_demand: bool
    esco_uri: str
    onet_code: str = Field(
        ..., description="O*NET-SOC code for occupations, UNSPSC commodity code for tools."
    )
    url: str

    @staticmethod
    def resolve_label(obj: Concept) -> str:
        return localized(obj, "label")

    @staticmethod
    def resolve_url(obj: Concept) -> str:
        return settings.SITE_URL + reverse("taxonomy:concept", args=[obj.code])


class ConceptDetailOut(ConceptOut):
    active: bool = Field(..., description="False for concepts no longer in use.")
    description_zh: str
    description_en: str
    aliases: list[AliasOut]
    broader: list[str] = Field(..., description="Codes of the broader concepts.")
    narrower: list[str] = Field(..., description="Codes of the narrower concepts.")
    related: list[str] = Field(..., description="Codes of the related concepts.")

    @staticmethod
    def resolve_active(obj: Concept) -> bool:
        return obj.is_active

    @staticmethod
    def resolve_aliases(obj: Concept) -> list[Any]:
        return sorted(obj.aliases.all(), key=lambda a: (a.language, a.label.casefold()))

    @staticmethod
    def resolve_broader(obj: Concept) -> list[str]:
        return list(queries.broader_of(obj).values_list("code", flat=True))

    @staticmethod
    def resolve_narrower(obj: Concept) -> list[str]:
        return list(queries.narrower_of(obj).values_list("code", flat=True))

    @staticmethod
    def resolve_related(obj: Concept) -> list[str]:
        return list(queries.related_of(obj).values_list("code", flat=True))


class TagIn(Input):
    text: str = Field(
        ..., max_length=20000, description="A job profile or other text, Chinese or English."
    )
    kinds: list[KindName] | None = Field(
        None, max_length=5, description="Only tags of these kinds (default: all)."
    )


class TagOut(Schema):
    code: str
    label: str = Field(..., description="The label in the language of the request.")
    label_zh: str
    label_en: str
    kind: str
    matched: list[str] = Field(..., description="The words of the text the tag came from.")
    score: float = Field(..., description="0–1; higher for labels and repeated mentions.")


class TagsOut(Schema):
    tags: list[TagOut] = Field(..., description="Best first.")


class SkippedRowOut(Schema):
    row: int | None = None
    reason: str = ""


class ImportFileOut(Schema):
    file: str = ""
    status: str = Field("", description="ok, or refused (nothing of the file was written).")
    error: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases_added: int = 0
    relations_added: int = 0
    relations_updated: int = 0
    skipped: int = 0
    skipped_rows: list[SkippedRowOut] = Field(
        default_factory=list, description="A sample of the skipped rows, with the reason."
    )
    unresolved: int = 0
    unresolved_sample: list[str] = Field(
        default_factory=list, description="A sample of the references to unknown concepts."
    )


def _report(run: ImportRun) -> dict[str, Any]:
    return run.report if isinstance(run.report, dict) else {}


class ImportRunOut(Schema):
    id: int
    source: str
    started_at: datetime
    finished_at: datetime | None
    actor: str | None = Field(..., description="Who ran it; null for the command line.")
    totals: dict[str, int]

    @staticmethod
    def resolve_actor(obj: ImportRun) -> str | None:
        return str(obj.actor) if obj.actor is not None else None

    @staticmethod
    def resolve_totals(obj: ImportRun) -> dict[str, int]:
        totals = _report(obj).get("totals", {})
        return {k: v for k, v in totals.items() if isinstance(v, int)}


class ImportRunDetailOut(ImportRunOut):
    directory: str
    files: list[ImportFileOut]

    @staticmethod
    def resolve_directory(obj: ImportRun) -> str:
        return str(_report(obj).get("directory", ""))

    @staticmethod
    def resolve_files(obj: ImportRun) -> list[Any]:
        return [f for f in _report(obj).get("files", []) if isinstance(f, dict)]


class NameQuery(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="What a person typed: a Chinese or English name, another name, a code, "
        "full pinyin or pinyin initials (sjbz → 数据标注).",
    )
    kind: list[KindName] = Field(
        [], description="Only concepts of these kinds (repeat the parameter for several)."
    )
    limit: int = Field(10, ge=1, le=50)
    cursor: str | None = Field(None, max_length=64)


class NameHitOut(Schema):
    code: str
    kind: str
    label: str = Field(..., description="The label in the language of the request.")
    matched: str = Field(
        ..., description="The name that matched, as written (for pinyin, the Chinese name)."
    )
    match: Literal["exact", "prefix", "contains", "pinyin", "similar", "semantic"] = Field(
        ...,
        description="Why it matched, best first; `similar` when nothing matched and this is "
        "one of the closest names; `semantic` when it is close in meaning (another language, "
        "a misspelling).",
    )
    matched_in: Literal["label", "code", "alias", "pinyin"]


class NameSearchOut(Schema):
    items: list[NameHitOut]
    next_cursor: str | None
