"""The DCAT-AP 3.0 export of the public pool catalogue (rdflib): the catalogue at
``/catalog.{ttl,jsonld,rdf}`` (Hydra paging, 100 datasets a page) and each dataset at
``/dataset/<id>.{ttl,jsonld,rdf}``. A pool is a ``dcat:Dataset`` (also a DCAT 3
``dcat:DatasetSeries`` of its released versions); each released version is a
``dcat:Distribution`` whose access is restricted (``dct:accessRights``): the rows stay
inside. Titles and descriptions in ``@zh`` and ``@en``. Checked with pyshacl against the
SEMIC DCAT-AP 3.0.0 shapes in the tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from nomadcloud.datapools import catalogue
from nomadcloud.datapools.models import DatasetVersion, Pool

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
PAGE_SIZE = 100
FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
}
RESTRICTED = URIRef("http://publications.europa.eu/resource/authority/access-right/RESTRICTED")
PARQUET = URIRef("http://publications.europa.eu/resource/authority/file-type/PARQUET")
CHINA = URIRef("http://publications.europa.eu/resource/authority/country/CHN")
THEME = {
    Pool.Kind.TRAFFIC: URIRef("http://publications.europa.eu/resource/authority/data-theme/TRAN"),
    Pool.Kind.CONSUMPTION: URIRef(
        "http://publications.europa.eu/resource/authority/data-theme/ECON"
    ),
    Pool.Kind.METAVERSE: URIRef("http://publications.europa.eu/resource/authority/data-theme/EDUC"),
}

THEME_LABELS = {
    Pool.Kind.TRAFFIC: (("交通", "zh"), ("Transport", "en")),
    Pool.Kind.CONSUMPTION: (("经济与财政", "zh"), ("Economy and finance", "en")),
    Pool.Kind.METAVERSE: (("教育、文化与体育", "zh"), ("Education, culture and sport", "en")),
}


def _bind(graph: Graph) -> Graph:
    """Our prefixes on a graph made with only rdflib's core ones (``bind_namespaces="core"``):
    the default set has dozens, and Turtle output looks each URI up against all of them (most
    of a catalogue page's time at 100 datasets)."""
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("hydra", HYDRA),
        ("adms", ADMS),
    ):
        graph.bind(prefix, namespace)
    return graph


def _texts(graph: Graph, node: URIRef | BNode, predicate: URIRef, value: object) -> None:
    if isinstance(value, dict):
        for tag, lang in (("zh-Hans", "zh"), ("en", "en")):
            text = value.get(tag)
            if isinstance(text, str) and text:
                graph.add((node, predicate, Literal(text, lang=lang)))


def _agent(graph: Graph, base: str, org: object) -> URIRef:
    node = URIRef(f"{base}/organisation/{catalogue.organisation_name(org)}")  # type: ignore[arg-type]
    graph.add((node, RDF.type, FOAF.Agent))
    for text, lang in ((getattr(org, "name_zh", ""), "zh"), (getattr(org, "name_en", ""), "en")):
        if text:
            graph.add((node, FOAF.name, Literal(text, lang=lang)))
    return node


def _typed(graph: Graph, node: URIRef, kind: URIRef) -> URIRef:
    graph.add((node, RDF.type, kind))
    return node


def dataset_uri(base: str, pool: Pool) -> URIRef:
    return URIRef(f"{base}/dataset/{pool.public_id}")


def add_dataset(graph: Graph, base: str, pool: Pool) -> URIRef:
    node = dataset_uri(base, pool)
    charter = catalogue.charter_of(pool)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, RDF.type, DCAT.DatasetSeries))
    _texts(graph, node, DCTERMS.title, pool.title)
    _texts(graph, node, DCTERMS.description, pool.description)
    graph.add((node, DCTERMS.identifier, Literal(str(pool.public_id))))
    if pool.registration_code:  # the provincial registry's 登记查询码 (registration.py)
        registered = BNode()
        graph.add((registered, RDF.type, ADMS.Identifier))
        graph.add((registered, SKOS.notation, Literal(pool.registration_code)))
        graph.add((registered, ADMS.schemaAgency, Literal("海南省公共数据资源登记", lang="zh")))
        graph.add((node, ADMS.identifier, registered))
    graph.add((node, DCTERMS.publisher, _agent(graph, base, pool.steward)))
    graph.add((node, DCTERMS.accessRights, _typed(graph, RESTRICTED, DCTERMS.RightsStatement)))
    graph.add((node, DCTERMS.spatial, _typed(graph, CHINA, DCTERMS.Location)))
    theme = _typed(graph, THEME[Pool.Kind(pool.kind)], SKOS.Concept)
    for label, lang in THEME_LABELS[Pool.Kind(pool.kind)]:
        graph.add((theme, SKOS.prefLabel, Literal(label, lang=lang)))
    graph.add((node, DCAT.theme, theme))
    graph.add((node, DCAT.keyword, Literal(pool.kind)))
    for mode in charter.access_modes:
        graph.add((node, DCAT.keyword, Literal(mode)))
    graph.add((node, DCTERMS.issued, Literal(pool.created_at, datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.modified, Literal(catalogue.modified(pool), datatype=XSD.dateTime)))
    page = f"{base}{reverse('datapools:pool', args=[pool.public_id])}"
    graph.add((node, DCAT.landingPage, _typed(graph, URIRef(page), FOAF.Document)))
    for scenario in pool.scenarios.all():  # the scenario library's uses of the data
        used = URIRef(f"{base}{reverse('datapools:scenario', args=[scenario.public_id])}")
        graph.add((node, DCTERMS.isReferencedBy, used))
    versions: list[DatasetVersion] = list(pool.versions.all())
    for version in versions:
        graph.add((node, DCAT.distribution, _distribution(graph, base, pool, version, page)))
    if versions:
        graph.add((node, DCAT.version, Literal(str(versions[-1].number))))
    return node


def _distribution(
    graph: Graph, base: str, pool: Pool, version: DatasetVersion, page: str
) -> URIRef:
    node = URIRef(f"{base}/dataset/{pool.public_id}/v{version.number}")
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCAT.accessURL, URIRef(page)))
    graph.add((node, DCTERMS.title, Literal(f"v{version.number}")))
    graph.add(
        (
            node,
            DCTERMS.description,
            Literal(
                f"{version.row_count} rows, {version.contributor_count} contributors, "
                f"quality {version.quality_score}/100; restricted: aggregates and query "
                "templates inside the platform",
                lang="en",
            ),
        )
    )
    graph.add((node, DCTERMS.format, _typed(graph, PARQUET, DCTERMS.MediaTypeOrExtent)))
    graph.add((node, DCTERMS.rights, _typed(graph, RESTRICTED, DCTERMS.RightsStatement)))
    graph.add((node, DCTERMS.issued, Literal(version.released_at, datatype=XSD.dateTime)))
    return node


def catalogue_graph(base: str, pools: Iterable[Pool], page: int, total: int) -> Graph:
    graph = _bind(Graph(bind_namespaces="core"))
    node = URIRef(f"{base}/catalog")
    graph.add((node, RDF.type, DCAT.Catalog))
    graph.add((node, DCTERMS.title, Literal("洋浦数字游民数据资源目录", lang="zh")))
    graph.add((node, DCTERMS.title, Literal("Yangpu digital nomad data catalogue", lang="en")))
    graph.add(
        (
            node,
            DCTERMS.description,
            Literal("经同意汇聚的数据资源池：元数据开放，原始数据不出域。", lang="zh"),
        )
    )
    graph.add(
        (
            node,
            DCTERMS.description,
            Literal("Data pools under consent: open metadata, raw data kept inside.", lang="en"),
        )
    )
    operator = URIRef(f"{base}/organisation/zone-operator")
    graph.add((operator, RDF.type, FOAF.Agent))
    graph.add((operator, FOAF.name, Literal("洋浦数字游民园区运营方", lang="zh")))
    graph.add((node, DCTERMS.publisher, operator))
    graph.add((node, FOAF.homepage, _typed(graph, URIRef(f"{base}/datapools/"), FOAF.Document)))
    for pool in pools:
        graph.add((node, DCAT.dataset, add_dataset(graph, base, pool)))
    view = URIRef(f"{base}/catalog.ttl?page={page}")
    last = max(1, -(-total // PAGE_SIZE))
    graph.add((node, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.nonNegativeInteger)))
    graph.add((view, HYDRA.first, URIRef(f"{base}/catalog.ttl?page=1")))
    graph.add((view, HYDRA.last, URIRef(f"{base}/catalog.ttl?page={last}")))
    if page > 1:
        graph.add((view, HYDRA.previous, URIRef(f"{base}/catalog.ttl?page={page - 1}")))
    if page < last:
        graph.add((view, HYDRA.next, URIRef(f"{base}/catalog.ttl?page={page + 1}")))
    return graph


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _respond(graph: Graph, fmt: str) -> HttpResponse:
    rdflib_format, content_type = FORMATS[fmt]
    return HttpResponse(graph.serialize(format=rdflib_format), content_type=content_type)


@require_GET
def catalog(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    raw = request.GET.get("page", "1")
    page = int(raw) if raw.isdigit() and 0 < int(raw) < 10**6 else 1
    pools = catalogue.public_pools()
    total = pools.count()
    chosen = pools[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return _respond(catalogue_graph(_base(request), chosen, page, total), fmt)


@require_GET
def dataset(request: HttpRequest, pool_id: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    try:
        public_id = uuid.UUID(pool_id)
    except ValueError:
        raise Http404 from None
    pool = catalogue.public_pools().filter(public_id=public_id).first()
    if pool is None:
        raise Http404
    graph = _bind(Graph(bind_namespaces="core"))
    add_dataset(graph, _base(request), pool)
    return _respond(graph, fmt)
