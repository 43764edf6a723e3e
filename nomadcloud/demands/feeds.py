"""Reading a pulled feed: a JSON list of schema.org JobPosting objects, or of demands in the
platform's own push schema (``DemandPushIn``). Each entry becomes either the draft for
``upsert_demand`` or an error naming the field and the reason, so that one malformed entry is
skipped and reported while the rest of the feed is applied."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from nomadcloud.core.errors import InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.jsonsafe import JSONRefused, loads_limited
from nomadcloud.core.numbers import NumberRefused, parse_decimal
from nomadcloud.demands.schemas import DemandDraft, DemandPushIn
from nomadcloud.taxonomy.models import Concept

CJK = re.compile(r"[\u3400-\u9fff]")
TAG = re.compile(r"<[^>]+>")
PERIODS = {"HOUR": "hour", "DAY": "day", "MONTH": "month", "YEAR": "year"}
PROJECT_TYPES = {"CONTRACTOR", "TEMPORARY", "PER_DIEM"}


class FeedEntryError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason

    def as_report(self, index: int, external_id: str) -> dict[str, Any]:
        return {
            "index": index,
            "external_id": external_id,
            "field": self.field,
            "reason": self.reason,
        }


@dataclass
class Entry:
    index: int
    external_id: str
    draft: DemandDraft | None = None
    status: str | None = None
    error: FeedEntryError | None = None


def parse_feed(body: bytes, format: str) -> list[Entry]:
    try:
        data = loads_limited(body.decode("utf-8-sig"), max_bytes=len(body), parse_float=Decimal)
    except JSONRefused as exc:  # too deep (RecursionError stopped the sync), NaN, …
        raise FeedEntryError("", exc.message) from None
    except (UnicodeDecodeError, ValueError):
        raise FeedEntryError("", _("The feed is not valid JSON (UTF-8).")) from None
    if isinstance(data, dict) and isinstance(data.get("@graph"), list):
        data = data["@graph"]
    elif isinstance(data, dict) and isinstance(data.get("itemListElement"), list):
        data = [e.get("item", e) if isinstance(e, dict) else e for e in data["itemListElement"]]
    if not isinstance(data, list):
        raise FeedEntryError("", _("The feed must be a JSON list of entries."))
    return [_entry(index, raw, format) for index, raw in enumerate(data)]


def _entry(index: int, raw: Any, format: str) -> Entry:
    if not isinstance(raw, dict):
        return Entry(index, "", error=FeedEntryError("", _("The entry is not a JSON object.")))
    external_id = _external_id(raw, format)
    try:
        mapped = from_jobposting(raw) if format == "jobposting" else raw
        model = parse_draft(DemandPushIn, mapped)
    except FeedEntryError as exc:
        return Entry(index, external_id, error=exc)
    except InvalidInput as exc:
        field, messages = next(iter(exc.fields.items()))
        return Entry(index, external_id, error=FeedEntryError(field, messages[0]))
    return Entry(index, model.external_id.strip(), draft=model.draft(), status=model.status)


def _external_id(raw: dict[str, Any], format: str) -> str:
    if format != "jobposting":
        value = raw.get("external_id")
        return value.strip()[:200] if isinstance(value, str) else ""
    identifier = raw.get("identifier")
    if isinstance(identifier, dict):
        identifier = identifier.get("value")
    if isinstance(identifier, str | int) and not isinstance(identifier, bool):
        return str(identifier).strip()[:200]
    url = raw.get("url")
    return url.strip()[:200] if isinstance(url, str) else ""


def _plain_text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FeedEntryError(field, _("This value has the wrong type."))
    return html.unescape(TAG.sub(" ", value)).strip()


def _date(value: Any, field: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            try:
                return date.fromisoformat(value[:10]).isoformat()
            except ValueError:
                pass
    raise FeedEntryError(field, _("Enter a date as YYYY-MM-DD."))


def _amount(value: Any, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise FeedEntryError(field, _("This value has the wrong type."))
    try:  # core/numbers.py: "1e26", "NaN", "١٢" refused; JSON numbers arrive as Decimal
        return parse_decimal(value, max_digits=15, decimal_places=2)
    except NumberRefused as exc:
        raise FeedEntryError(field, exc.message) from None


def _salary(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise FeedEntryError("baseSalary", _("This value has the wrong type."))
    currency = str(raw.get("currency", "CNY")).upper()
    if currency != "CNY":
        raise FeedEntryError(
            "baseSalary.currency",
            _("Only amounts in CNY are accepted, not %(currency)s.") % {"currency": currency[:8]},
        )
    value = raw.get("value")
    unit = "MONTH"
    low = high = None
    if isinstance(value, dict):
        unit = str(value.get("unitText", "MONTH")).upper()
        exact = _amount(value.get("value"), "baseSalary.value.value")
        low = _amount(value.get("minValue"), "baseSalary.value.minValue") or exact
        high = _amount(value.get("maxValue"), "baseSalary.value.maxValue") or exact
    else:
        low = high = _amount(value, "baseSalary.value")
    if unit not in PERIODS:
        raise FeedEntryError(
            "baseSalary.value.unitText",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(PERIODS)},
        )
    return {"budget_min": low, "budget_max": high, "pay_period": PERIODS[unit]}


def _location(raw: dict[str, Any]) -> str:
    place = raw.get("jobLocation")
    if isinstance(place, list):
        place = place[0] if place else None
    if not isinstance(place, dict):
        return ""
    address = place.get("address")
    if isinstance(address, str):
        return address.strip()[:200]
    if isinstance(address, dict):
        parts = [
            address.get(k)
            for k in ("addressLocality", "addressRegion", "addressCountry")
            if isinstance(address.get(k), str)
        ]
        return ", ".join(p for p in parts if p)[:200]
    name = place.get("name")
    return name.strip()[:200] if isinstance(name, str) else ""


def _skills(raw: Any) -> list[dict[str, Any]]:
    """JobPosting ``skills`` are free text: those naming a concept (by code or label) become
    required skills; the rest still feed the job profile through the description."""
    names = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []
    names = [n.strip() for item in names if isinstance(item, str) for n in item.split(",")]
    names = [n for n in names if n][:50]
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(code__iexact=name) | Q(label_en__iexact=name) | Q(label_zh=name)
    codes: dict[str, str] = {}
    for concept in Concept.objects.filter(query, is_active=True):
        for key in (concept.code, concept.label_en, concept.label_zh):
            if key:
                codes.setdefault(key.lower(), concept.code)
    found = dict.fromkeys(codes[n.lower()] for n in names if n.lower() in codes)
    return [{"code": code, "min_level": 5, "required": True} for code in found]  # any level


def from_jobposting(raw: dict[str, Any]) -> dict[str, Any]:
    kind = raw.get("@type")
    if kind != "JobPosting" and not (isinstance(kind, list) and "JobPosting" in kind):
        raise FeedEntryError("@type", _("The entry is not a schema.org JobPosting."))
    external_id = _external_id(raw, "jobposting")
    if not external_id:
        raise FeedEntryError("identifier", _("The entry has neither an identifier nor a url."))
    title = _plain_text(raw.get("title"), "title")
    if not title:
        raise FeedEntryError("title", _("This field is required."))
    description = _plain_text(raw.get("description"), "description")
    chinese = bool(CJK.search(title))
    employment = raw.get("employmentType")
    types = {str(t).upper() for t in (employment if isinstance(employment, list) else [employment])}
    remote = str(raw.get("jobLocationType", "")).upper() == "TELECOMMUTE"
    fields: dict[str, Any] = {
        "external_id": external_id,
        "kind": "project" if types & PROJECT_TYPES else "job",
        "title_zh" if chinese else "title_en": title,
        "description_zh" if CJK.search(description or title) else "description_en": description,
        "work_mode": "remote" if remote else "onsite",
        "location": _location(raw),
        "deadline": _date(raw.get("validThrough"), "validThrough"),
        "skills": _skills(raw.get("skills")),
        **_salary(raw.get("baseSalary")),
    }
    if not remote and not fields["location"]:
        raise FeedEntryError(
            "jobLocation", _("An on-site posting needs a jobLocation with an address.")
        )
    openings = raw.get("totalJobOpenings")
    if openings is not None:
        fields["headcount"] = openings
    experience = raw.get("experienceRequirements")
    if isinstance(experience, dict) and isinstance(experience.get("monthsOfExperience"), int):
        fields["years_experience"] = experience["monthsOfExperience"] // 12
    languages = raw.get("inLanguage")
    if isinstance(languages, str):
        fields["languages"] = [languages]
    elif isinstance(languages, list):
        fields["languages"] = [str(x) for x in languages]
    return fields
