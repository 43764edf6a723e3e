"""Demands as others read them: schema.org JobPosting (JSON-LD on each page and the JSON
feed), RSS 2.0 and CSV for operators."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.safestring import SafeString, mark_safe

from nomadcloud.core.csv import safe_cell
from nomadcloud.core.i18n import localized
from nomadcloud.demands.models import Demand

EMPLOYMENT_TYPE = {
    Demand.Kind.JOB: "FULL_TIME",
    Demand.Kind.PROJECT: "CONTRACTOR",
    Demand.Kind.DATA_TASK: "CONTRACTOR",
    Demand.Kind.TRAINING: "INTERN",
}
UNIT_TEXT = {"hour": "HOUR", "day": "DAY", "month": "MONTH", "year": "YEAR", "total": "PROJECT"}


def demand_url(demand: Demand) -> str:
    return settings.SITE_URL + reverse("demands:detail", args=[demand.public_id])


def jobposting(demand: Demand) -> dict[str, Any]:
    """The demand as a schema.org JobPosting; a feed of these can be pulled back in."""
    posting: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "identifier": {
            "@type": "PropertyValue",
            "name": "NomadCloud",
            "value": str(demand.public_id),
        },
        "url": demand_url(demand),
        "title": localized(demand, "title"),
        "description": localized(demand, "description") or localized(demand, "title"),
        "datePosted": (demand.published_at or demand.created_at).date().isoformat(),
        "employmentType": EMPLOYMENT_TYPE[Demand.Kind(demand.kind)],
        "hiringOrganization": {
            "@type": "Organization",
            "name": str(demand.organisation),
            "identifier": str(demand.organisation.public_id),
        },
        "totalJobOpenings": demand.headcount,
        "skills": [localized(s.concept, "label") for s in demand.skills.all()]
        + [localized(t, "label") for t in demand.tools.all()],
    }
    if demand.deadline:
        posting["validThrough"] = demand.deadline.isoformat()
    if demand.is_remote:
        posting["jobLocationType"] = "TELECOMMUTE"
        posting["applicantLocationRequirements"] = {"@type": "Country", "name": "CN"}
    if demand.location:
        posting["jobLocation"] = {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": demand.location,
                "addressCountry": "CN",
            },
        }
    if demand.budget_min is not None or demand.budget_max is not None:
        value: dict[str, Any] = {
            "@type": "QuantitativeValue",
            "unitText": UNIT_TEXT[demand.pay_period],
        }
        if demand.budget_min is not None:
            value["minValue"] = str(demand.budget_min)
        if demand.budget_max is not None:
            value["maxValue"] = str(demand.budget_max)
        posting["baseSalary"] = {"@type": "MonetaryAmount", "currency": "CNY", "value": value}
    if demand.years_experience:
        posting["experienceRequirements"] = {
            "@type": "OccupationalExperienceRequirements",
            "monthsOfExperience": demand.years_experience * 12,
        }
    languages = [lang.code for lang in demand.languages.all()]
    if languages:
        posting["inLanguage"] = languages
    return posting


def json_ld(data: dict[str, Any]) -> SafeString:
    """JSON safe inside <script>: <, > and & escaped as in Django's json_script."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 — escaped above


def rss(demands: Iterable[Demand], *, title: str, link: str, description: str) -> str:
    feed = Rss201rev2Feed(title=title, link=link, description=description, language="zh-cn")
    for demand in demands:
        feed.add_item(
            title=localized(demand, "title"),
            link=demand_url(demand),
            description=(localized(demand, "description") or "")[:2000],
            unique_id=demand_url(demand),
            unique_id_is_permalink=True,
            pubdate=demand.published_at or demand.created_at,
            categories=[s.concept.code for s in demand.skills.all()],
            author_name=str(demand.organisation),
        )
    return feed.writeString("utf-8")


CSV_COLUMNS = [
    "id",
    "organisation",
    "kind",
    "status",
    "title_zh",
    "title_en",
    "work_mode",
    "location",
    "budget_min",
    "budget_max",
    "pay_period",
    "currency",
    "headcount",
    "deadline",
    "skills",
    "tools",
    "languages",
    "source",
    "external_id",
    "published_at",
]


def csv_rows(demands: Iterable[Demand]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so that Excel reads UTF-8 Chinese
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for d in demands:
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    d.public_id,
                    d.organisation,
                    d.kind,
                    d.status,
                    d.title_zh,
                    d.title_en,
                    d.work_mode,
                    d.location,
                    d.budget_min,
                    d.budget_max,
                    d.pay_period,
                    "CNY",
                    d.headcount,
                    d.deadline,
                    " ".join(f"{s.concept.code}:{s.min_level}" for s in d.skills.all()),
                    " ".join(t.code for t in d.tools.all()),
                    " ".join(lang.code for lang in d.languages.all()),
                    d.source,
                    d.external_id,
                    d.published_at.isoformat() if d.published_at else "",
                )
            ]
        )
    return out.getvalue()
