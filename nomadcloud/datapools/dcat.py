"""The DCAT-AP 3.0 export of the public pool catalogue: the catalogue at
``/catalog.{ttl,jsonld,rdf}`` (Hydra paging, 100 datasets a page) and each dataset at
``/dataset/<id>.{ttl,jsonld,rdf}``. A pool is a ``dcat:Dataset`` (also a DCAT 3
``dcat:DatasetSeries`` of its released versions); each released version is a
``dcat:Distribution`` whose access is restricted (``dct:accessRights``): the rows stay
inside. Titles and descriptions in ``@zh`` and ``@en``. Checked with pyshacl against the
SEMIC DCAT-AP 3.0.0 shapes in the tests.

The statements are built as plain tuples from ``catalogue.entries`` (no model instances);
Turtle, the benchmarked format, is written here directly (an rdflib graph and its
serializer took most of a page's time: decision 0050), JSON-LD and RDF/XML through rdflib
from the same statements. A test checks that the three formats parse to one graph."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from rdflib import BNode, Graph, Literal, URIRef

from nomadcloud.datapools import catalogue
from nomadcloud.datapools.models import Pool

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
HYDRA = "http://www.w3.org/ns/hydra/core#"
ADMS = "http://www.w3.org/ns/adms#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = {
    "dcat": DCAT,
    "dct": DCT,
    "foaf": FOAF,
    "skos": SKOS,
    "hydra": HYDRA,
    "adms": ADMS,
    "xsd": XSD,
}

PAGE_SIZE = 100
CONTENT_TYPES = {
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
RDFLIB_FORMATS = {"jsonld": "json-ld", "rdf": "xml"}
RESTRICTED = "http://publications.europa.eu/resource/authority/access-right/RESTRICTED"
PARQUET = "http://publications.europa.eu/resource/authority/file-type/PARQUET"
CHINA = "http://publications.europa.eu/resource/authority/country/CHN"
_THEMES = "http://publications.europa.eu/resource/authority/data-theme/"
THEME = {
    Pool.Kind.TRAFFIC: f"{_THEMES}TRAN",
    Pool.Kind.CONSUMPTION: f"{_THEMES}ECON",
    Pool.Kind.METAVERSE: f"{_THEMES}EDUC",
    Pool.Kind.LABELLED: f"{_THEMES}TECH",
}
THEME_LABELS = {
    Pool.Kind.TRAFFIC: (("交通", "zh"), ("Transport", "en")),
    Pool.Kind.CONSUMPTION: (("经济与财政", "zh"), ("Economy and finance", "en")),
    Pool.Kind.METAVERSE: (("教育、文化与体育", "zh"), ("Education, culture and sport", "en")),
    Pool.Kind.LABELLED: (("科学技术", "zh"), ("Science and technology", "en")),
}


@dataclass(frozen=True, slots=True)
class Text:
    """A literal: plain, with a language tag, or with a datatype (a full IRI)."""

    value: str
    lang: str | None = None
    datatype: str | None = None


Term = str | Text  # a str object is an IRI, or a blank node when it starts with "_:"
Statement = tuple[str, str, Term]


def _stamp(value: datetime) -> Text:
    """An ``xsd:dateTime`` with the lexical form rdflib gives a datetime."""
    return Text(value.isoformat(), datatype=f"{XSD}dateTime")


def _texts(node: str, predicate: str, value: dict[str, object]) -> list[Statement]:
    found: list[Statement] = []
    for tag, lang in (("zh-Hans", "zh"), ("en", "en")):
        text = value.get(tag)
        if isinstance(text, str) and text:
            found.append((node, predicate, Text(text, lang)))
    return found


def _agent(base: str, org: catalogue.Agent) -> tuple[str, list[Statement]]:
    node = f"{base}/organisation/{org.name}"
    found: list[Statement] = [(node, RDF_TYPE, f"{FOAF}Agent")]
    for text, lang in ((org.name_zh, "zh"), (org.name_en, "en")):
        if text:
            found.append((node, f"{FOAF}name", Text(text, lang)))
    return node, found


def _registration(node: str, entry: catalogue.Entry) -> list[Statement]:
    """The provincial registry's 登记查询码 (registration.py) as an ``adms:Identifier``."""
    if not entry.registration_code:
        return []
    registered = f"_:registration{entry.pk}"
    return [
        (node, f"{ADMS}identifier", registered),
        (registered, RDF_TYPE, f"{ADMS}Identifier"),
        (registered, f"{SKOS}notation", Text(entry.registration_code)),
        (registered, f"{ADMS}schemaAgency", Text("海南省公共数据资源登记", "zh")),
    ]


def dataset_uri(base: str, public_id: str) -> str:
    return f"{base}/dataset/{public_id}"


def dataset_statements(base: str, entry: catalogue.Entry, pages: str) -> list[Statement]:
    """The statements of one pool (``pages``: the pools' page address without the id)."""
    node = dataset_uri(base, entry.public_id)
    kind = Pool.Kind(entry.kind)
    publisher, agent = _agent(base, entry.steward)
    page = f"{pages}{entry.public_id}/"
    theme = THEME[kind]
    found: list[Statement] = [
        (node, RDF_TYPE, f"{DCAT}Dataset"),
        (node, RDF_TYPE, f"{DCAT}DatasetSeries"),
        *_texts(node, f"{DCT}title", entry.title),
        *_texts(node, f"{DCT}description", entry.description),
        (node, f"{DCT}identifier", Text(entry.public_id)),
        *_registration(node, entry),
        (node, f"{DCT}publisher", publisher),
        *agent,
        (node, f"{DCT}accessRights", RESTRICTED),
        (RESTRICTED, RDF_TYPE, f"{DCT}RightsStatement"),
        (node, f"{DCT}spatial", CHINA),
        (CHINA, RDF_TYPE, f"{DCT}Location"),
        (theme, RDF_TYPE, f"{SKOS}Concept"),
        *((theme, f"{SKOS}prefLabel", Text(label, lang)) for label, lang in THEME_LABELS[kind]),
        (node, f"{DCAT}theme", theme),
        (node, f"{DCAT}keyword", Text(entry.kind)),
        *((node, f"{DCAT}keyword", Text(mode)) for mode in entry.access_modes),
        (node, f"{DCT}issued", _stamp(entry.created_at)),
        (node, f"{DCT}modified", _stamp(entry.modified)),
        (node, f"{DCAT}landingPage", page),
        (page, RDF_TYPE, f"{FOAF}Document"),
        # the scenario library's uses of the data (应用场景库)
        *((node, f"{DCT}isReferencedBy", f"{pages}scenarios/{s}/") for s in entry.scenarios),
    ]
    for version in entry.versions:
        distribution = f"{node}/v{version.number}"
        found += [
            (node, f"{DCAT}distribution", distribution),
            (distribution, RDF_TYPE, f"{DCAT}Distribution"),
            (distribution, f"{DCAT}accessURL", page),
            (distribution, f"{DCT}title", Text(f"v{version.number}")),
            (
                distribution,
                f"{DCT}description",
                Text(
                    f"{version.row_count} rows, {version.contributor_count} contributors, "
                    f"quality {version.quality_score}/100; restricted: aggregates and query "
                    "templates inside the platform",
                    "en",
                ),
            ),
            (distribution, f"{DCT}format", PARQUET),
            (PARQUET, RDF_TYPE, f"{DCT}MediaTypeOrExtent"),
            (distribution, f"{DCT}rights", RESTRICTED),
            (distribution, f"{DCT}issued", _stamp(version.released_at)),
            # The version's ODCS v3 data contract (contracts.py, decision 0062).
            (distribution, f"{DCT}conformsTo", f"{distribution}/contract.yaml"),
            (f"{distribution}/contract.yaml", RDF_TYPE, f"{DCT}Standard"),
            (
                f"{distribution}/contract.yaml",
                f"{DCT}title",
                Text(f"Open Data Contract Standard v3 data contract, v{version.number}", "en"),
            ),
        ]
    if entry.versions:
        found.append((node, f"{DCAT}version", Text(str(entry.versions[-1].number))))
    return found


def catalogue_statements(
    base: str, entries: Iterable[catalogue.Entry], pages: str, page: int, total: int
) -> list[Statement]:
    node = f"{base}/catalog"
    operator = f"{base}/organisation/zone-operator"
    home = f"{base}{reverse('datapools:list')}"
    found: list[Statement] = [
        (node, RDF_TYPE, f"{DCAT}Catalog"),
        (node, f"{DCT}title", Text("洋浦数字游民数据资源目录", "zh")),
        (node, f"{DCT}title", Text("Yangpu digital nomad data catalogue", "en")),
        (
            node,
            f"{DCT}description",
            Text("经同意汇聚的数据资源池：元数据开放，原始数据不出域。", "zh"),
        ),
        (
            node,
            f"{DCT}description",
            Text("Data pools under consent: open metadata, raw data kept inside.", "en"),
        ),
        (operator, RDF_TYPE, f"{FOAF}Agent"),
        (operator, f"{FOAF}name", Text("洋浦数字游民园区运营方", "zh")),
        (node, f"{DCT}publisher", operator),
        (node, f"{FOAF}homepage", home),
        (home, RDF_TYPE, f"{FOAF}Document"),
    ]
    for entry in entries:
        found.append((node, f"{DCAT}dataset", dataset_uri(base, entry.public_id)))
        found += dataset_statements(base, entry, pages)
    view = f"{base}/catalog.ttl?page={page}"
    last = max(1, -(-total // PAGE_SIZE))
    found += [
        (node, f"{HYDRA}view", view),
        (view, RDF_TYPE, f"{HYDRA}PartialCollectionView"),
        (view, f"{HYDRA}totalItems", Text(str(total), datatype=f"{XSD}nonNegativeInteger")),
        (view, f"{HYDRA}first", f"{base}/catalog.ttl?page=1"),
        (view, f"{HYDRA}last", f"{base}/catalog.ttl?page={last}"),
    ]
    if page > 1:
        found.append((view, f"{HYDRA}previous", f"{base}/catalog.ttl?page={page - 1}"))
    if page < last:
        found.append((view, f"{HYDRA}next", f"{base}/catalog.ttl?page={page + 1}"))
    return found


# --- writing --------------------------------------------------------------------------

_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_STRING_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_STRING_UNSAFE = re.compile(r'["\\\x00-\x1f\x7f]')


def _iri(value: str) -> str:
    """An IRI in Turtle: ``<…>``, with the characters an IRIREF cannot hold escaped as UCHAR;
    a blank node label as it is."""
    if value.startswith("_:"):
        return value
    if _IRI_UNSAFE.search(value):
        value = _IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", value)
    return f"<{value}>"


def _name(iri: str) -> str:
    """A predicate or class as a prefixed name where one of ours fits, else ``<…>``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", local):
                return f"{prefix}:{local}"
    return _iri(iri)


def _string(value: str) -> str:
    if _STRING_UNSAFE.search(value):
        value = _STRING_UNSAFE.sub(
            lambda m: _STRING_ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), value
        )
    return f'"{value}"'


def _object(term: Term, names: dict[str, str]) -> str:
    if isinstance(term, str):
        return _iri(term)
    if term.lang:
        return f"{_string(term.value)}@{term.lang}"
    if term.datatype:
        datatype = names.get(term.datatype) or _name(term.datatype)
        return f"{_string(term.value)}^^{datatype}"
    return _string(term.value)


def _class(term: Term, names: dict[str, str]) -> str:
    """The object of ``a``: a class as a prefixed name."""
    if not isinstance(term, str):
        return _object(term, names)
    found = names.get(term)
    if found is None:
        found = names[term] = _name(term)
    return found


def turtle(statements: Sequence[Statement]) -> str:
    """Turtle of the statements (each once), grouped by subject in order of appearance."""
    by_subject: dict[str, dict[str, list[Term]]] = {}
    for subject, predicate, term in dict.fromkeys(statements):
        by_subject.setdefault(subject, {}).setdefault(predicate, []).append(term)
    names: dict[str, str] = {}
    lines = [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in PREFIXES.items()]
    for subject, predicates in by_subject.items():
        parts = []
        for predicate, terms in predicates.items():
            verb = "a" if predicate == RDF_TYPE else names.get(predicate)
            if verb is None:
                verb = names[predicate] = _name(predicate)
            objects = ", ".join(
                _class(t, names) if predicate == RDF_TYPE else _object(t, names) for t in terms
            )
            parts.append(f"{verb} {objects}")
        lines.append(f"\n{_iri(subject)} " + " ;\n    ".join(parts) + " .")
    return "\n".join(lines) + "\n"


def graph(statements: Iterable[Statement]) -> Graph:
    """An rdflib graph of the statements (for JSON-LD and RDF/XML)."""
    found = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        found.bind(prefix, namespace)

    def node(value: str) -> URIRef | BNode:
        return BNode(value[2:]) if value.startswith("_:") else URIRef(value)

    for subject, predicate, term in statements:
        if isinstance(term, str):
            value: URIRef | BNode | Literal = node(term)
        elif term.datatype:
            value = Literal(term.value, datatype=URIRef(term.datatype))
        else:
            value = Literal(term.value, lang=term.lang)
        found.add((node(subject), URIRef(predicate), value))
    return found


def _respond(statements: Sequence[Statement], fmt: str) -> HttpResponse:
    if fmt == "ttl":
        body: str | bytes = turtle(statements)
    else:
        body = graph(statements).serialize(format=RDFLIB_FORMATS[fmt])
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt])


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _pages(base: str) -> str:
    """The pools' page address without the id (``datapools:pool`` is the list's + id/)."""
    return f"{base}{reverse('datapools:list')}"


@require_GET
def catalog(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    raw = request.GET.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < int(raw) < 10**6 else 1
    listed = catalogue.listed()
    total = listed.count()
    pks = list(listed.values_list("pk", flat=True)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    base = _base(request)
    statements = catalogue_statements(base, catalogue.entries(pks), _pages(base), page, total)
    return _respond(statements, fmt)


@require_GET
def dataset(request: HttpRequest, pool_id: str, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    try:
        public_id = uuid.UUID(pool_id)
    except ValueError:
        raise Http404 from None
    pk = catalogue.listed().filter(public_id=public_id).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404
    base = _base(request)
    (entry,) = catalogue.entries([pk])
    return _respond(dataset_statements(base, entry, _pages(base)), fmt)
