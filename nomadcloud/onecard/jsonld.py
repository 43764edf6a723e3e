"""The catalogue as linked data:

- CPSV-AP 3.2.0 (SEMIC) JSON-LD for ``/services/catalog.jsonld`` and
  ``/services/<code>.jsonld``: each item a ``cpsv:PublicService`` with its competent
  authority (``cv:PublicOrganisation``), requirements, evidence, channels, contact point,
  cost, output, legal resource, processing time and life events. Every code-list value it
  uses is declared a ``skos:Concept`` (and the authority's area a ``dct:Location``): the
  SHACL shapes check ``sh:class`` on them, which the official example fails for want of
  exactly that.
- schema.org ``GovernmentService`` for the item page (search engines, the provincial
  portal): operator, provider, area and jurisdiction, channels with languages (BCP-47),
  processing time as an ISO 8601 duration, URL and phone.

Both are built from the current version; the context is inline (no remote fetch)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from nomadcloud.onecard import content
from nomadcloud.onecard.models import ItemVersion, ServiceItem

CONTEXT: dict[str, str] = {
    "cpsv": "http://purl.org/vocab/cpsv#",
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "schema": "https://schema.org/",
}
EU = "http://publications.europa.eu/resource/authority/"
CHANNEL_TYPES = {
    "online": f"{EU}channel-type/WEBSITE",  # "Website" in the EU channel code list
    "window": f"{EU}channel-type/ASSISTED",
    "phone": f"{EU}channel-type/PHONE",
}
LIFE_EVENTS = {
    # EU life-event code list (the closest events for the zone's four)
    "arriving": "http://data.europa.eu/cpsv-ap/lifeevent/MovingAbroad",
    "working": "http://data.europa.eu/cpsv-ap/lifeevent/StartingAJob",
    "housing": "http://data.europa.eu/cpsv-ap/lifeevent/ChangingAddress",
    "leaving": "http://data.europa.eu/cpsv-ap/lifeevent/LeavingTheCountry",
}
LIFE_EVENT_NAMES = {
    "arriving": content.both("抵达入驻", "Arriving"),
    "working": content.both("工作创业", "Working"),
    "housing": content.both("安居住宿", "Housing"),
    "leaving": content.both("离开", "Leaving"),
}
CNY = f"{EU}currency/CNY"
AREA = "https://www.geonames.org/1814087"  # Danzhou, Hainan
TAG = {"zh-Hans": "zh-Hans", "en": "en"}


def base() -> str:
    return str(getattr(settings, "SITE_URL", "http://localhost:8000")).rstrip("/")


def item_iri(item: ServiceItem) -> str:
    return base() + reverse("onecard:item", args=[item.code])


def _lang(value: Any) -> list[dict[str, str]]:
    """A language map as JSON-LD language-tagged strings (machine translations included,
    their tag unchanged: CPSV-AP has no flag for them)."""
    if not isinstance(value, dict):
        return []
    return [
        {"@value": str(text), "@language": tag}
        for tag, text in value.items()
        if not tag.startswith("_") and str(text or "").strip()
    ]


def _concept(iri: str, label: dict[str, str] | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": iri, "@type": "skos:Concept"}
    if label:
        node["skos:prefLabel"] = _lang(label)
    return node


def duration(days: int) -> dict[str, str]:
    return {"@value": f"P{int(days)}D", "@type": "xsd:duration"}


def _service(
    item: ServiceItem, version: ItemVersion, concepts: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    iri = item_iri(item)
    text = version.content
    department = item.department
    org_iri = f"{base()}/organisations/{department.public_id}"
    nodes: list[dict[str, Any]] = []
    requirements = []
    for condition in version.conditions:
        req_iri = f"{iri}#requirement-{condition['code']}"
        requirements.append({"@id": req_iri})
        nodes.append(
            {
                "@id": req_iri,
                "@type": "cv:Requirement",
                "dct:identifier": f"{item.code}-{condition['code']}",
                "dct:title": _lang(condition.get("text")),
            }
        )
    evidences = []
    for material in version.materials:
        ev_iri = f"{iri}#evidence-{material['code']}"
        evidences.append({"@id": ev_iri})
        nodes.append(
            {
                "@id": ev_iri,
                "@type": "cv:Evidence",
                "dct:identifier": f"{item.code}-{material['code']}",
                "dct:title": _lang(material.get("name")),
            }
        )
    channels = []
    for channel in version.channels or ["online"]:
        ch_iri = f"{iri}#channel-{channel}"
        channels.append({"@id": ch_iri})
        type_iri = CHANNEL_TYPES.get(channel, CHANNEL_TYPES["online"])
        concepts[type_iri] = _concept(type_iri)
        nodes.append(
            {
                "@id": ch_iri,
                "@type": "cv:Channel",
                "dct:identifier": f"{item.code}-{channel}",
                "dct:type": {"@id": type_iri},
                "cv:processingTime": duration(version.promised_days),
            }
        )
    cost_iri = f"{iri}#cost"
    concepts[CNY] = _concept(CNY, content.both("人民币", "Chinese yuan"))
    nodes.append(
        {
            "@id": cost_iri,
            "@type": "cv:Cost",
            "dct:identifier": f"{item.code}-fee",
            "cv:hasValue": {"@value": str(float(Decimal(version.fee))), "@type": "xsd:double"},
            "cv:currency": {"@id": CNY},
            "dct:description": _lang(content.both("办理费用", "Fee")),
        }
    )
    output_iri = f"{iri}#output"
    nodes.append(
        {
            "@id": output_iri,
            "@type": "cv:Output",
            "dct:identifier": f"{item.code}-{version.result_type}",
            "dct:title": _lang(text.get("name")),
        }
    )
    contact_iri = f"{iri}#contact"
    nodes.append(
        {
            "@id": contact_iri,
            "@type": "cv:ContactPoint",
            "cv:telephone": version.phone,
        }
    )
    legal_iri = version.legal_basis_url or f"{iri}#legal-basis"
    nodes.append(
        {
            "@id": legal_iri,
            "@type": "eli:LegalResource",
            "dct:description": _lang(text.get("legal_basis")),
        }
    )
    events = []
    for event in item.life_events:
        ev = LIFE_EVENTS.get(event)
        if ev is None:
            continue
        le_iri = f"{base()}/services/life-events/{event}"
        events.append({"@id": le_iri})
        concepts[ev] = _concept(ev)
        concepts[le_iri] = {
            "@id": le_iri,
            "@type": ["cv:LifeEvent", "cv:Event"],
            "dct:identifier": event,
            "dct:title": _lang(LIFE_EVENT_NAMES[event]),
            "dct:type": {"@id": ev},
        }
    service: dict[str, Any] = {
        "@id": iri,
        "@type": "cpsv:PublicService",
        "dct:identifier": item.code,
        "dct:title": _lang(text.get("name")),
        "dct:description": _lang(text.get("summary")),
        "cv:hasCompetentAuthority": {"@id": org_iri},
        "cv:holdsRequirement": requirements,
        "cpsv:hasInput": evidences,
        "cv:hasChannel": channels,
        "cv:hasContactPoint": {"@id": contact_iri},
        "cv:hasCost": {"@id": cost_iri},
        "cpsv:produces": {"@id": output_iri},
        "cv:hasLegalResource": {"@id": legal_iri},
        "cv:processingTime": duration(version.promised_days),
        "dct:language": [{"@id": f"{EU}language/ZHO"}, {"@id": f"{EU}language/ENG"}],
        "cv:isGroupedBy": events,
    }
    for lang_iri in (f"{EU}language/ZHO", f"{EU}language/ENG"):
        concepts[lang_iri] = {"@id": lang_iri, "@type": "dct:LinguisticSystem"}
    concepts[org_iri] = {
        "@id": org_iri,
        "@type": "cv:PublicOrganisation",
        "skos:prefLabel": _lang(content.both(department.name_zh, department.name_en)),
        "dct:spatial": {"@id": AREA},
    }
    concepts[AREA] = {
        "@id": AREA,
        "@type": "dct:Location",
        "skos:prefLabel": _lang(content.both("儋州市", "Danzhou")),
    }
    return [service, *nodes]


def catalogue(items: Iterable[ServiceItem]) -> dict[str, Any]:
    """The whole published catalogue as one JSON-LD graph."""
    concepts: dict[str, dict[str, Any]] = {}
    graph: list[dict[str, Any]] = []
    for item in items:
        if item.current_version is not None:
            graph.extend(_service(item, item.current_version, concepts))
    return {"@context": CONTEXT, "@graph": [*graph, *concepts.values()]}


def one(item: ServiceItem) -> dict[str, Any]:
    return catalogue([item])


def government_service(item: ServiceItem, url: str) -> dict[str, Any]:
    """schema.org GovernmentService for the item page's ``<script type="application/ld+json">``."""
    version = item.current_version
    assert version is not None
    department = item.department
    provider = {
        "@type": "GovernmentOrganization",
        "name": department.name_zh,
        "alternateName": department.name_en,
    }
    channel: dict[str, Any] = {
        "@type": "ServiceChannel",
        "availableLanguage": [
            {"@type": "Language", "name": tag, "alternateName": tag}
            for tag in content.languages(version.content.get("name"))
        ],
        "processingTime": f"P{version.promised_days}D",
        "serviceUrl": url,
    }
    if version.phone:
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": version.phone}
    if "window" in version.channels:
        channel["serviceLocation"] = {
            "@type": "Place",
            "name": content.text(version.content.get("location")) or department.name_zh,
        }
    return {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "identifier": item.code,
        "name": content.text(version.content.get("name")),
        "description": content.text(version.content.get("summary")),
        "serviceType": item.get_kind_display(),
        "serviceOperator": provider,
        "provider": provider,
        "areaServed": {"@type": "AdministrativeArea", "name": "儋州市 Danzhou"},
        "jurisdiction": {"@type": "AdministrativeArea", "name": "海南自由贸易港 Hainan FTP"},
        "availableChannel": channel,
        "url": url,
    }
