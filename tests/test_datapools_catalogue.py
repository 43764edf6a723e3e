"""The interoperable catalogue (docs/datapools.md): the CKAN Action API subset with CKAN's
envelope and errors, read by the unmodified ``ckanapi`` client against a live server
(``ckanapi dump datasets --all`` returns every public pool), and the DCAT-AP 3 export
validated with pyshacl against the SEMIC shapes (read by path from the shared data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyshacl
import pytest
from rdflib import Graph

from nomadcloud.datapools.models import Pool
from tests.builders import datapools as b
from tests.conftest import World, client_for
from tests.helpers import shared_data

CKAN = "/api/3/action"


def _published(world: World) -> tuple[Pool, Pool]:
    """An open pool with a released version, and a proposed (hidden) one."""
    from nomadcloud.accounts.principal import Principal
    from nomadcloud.datapools import services

    pool = b.pool_with_contribution(world)
    if not pool.versions.exists():
        services.release_version(principal=Principal.for_user(world.olivia), pool=pool)
    return pool, b.traffic_pool(world, Pool.Status.PROPOSED)


def _get(path: str, **params: Any) -> Any:
    return client_for(None).get(path, params)


def test_envelope_and_read_actions(world: World) -> None:
    pool, hidden = _published(world)
    for prefix in ("/api/3/action", "/api/action"):
        body = _get(f"{prefix}/package_list").json()
        assert set(body) == {"help", "success", "result"}
        assert body["success"] is True and body["result"] == [str(pool.public_id)]
    package = _get(f"{CKAN}/package_show", id=str(pool.public_id)).json()["result"]
    assert package["private"] is False and package["restricted"] is True
    assert package["organization"]["name"] == f"org-{world.acme.public_id}"
    (resource,) = package["resources"]
    assert resource["format"] == "Parquet"
    shown = _get(f"{CKAN}/resource_show", id=resource["id"]).json()["result"]
    assert shown["package_id"] == str(pool.public_id)
    posted = client_for(None).post(
        f"{CKAN}/package_show", {"id": str(pool.public_id)}, content_type="application/json"
    )
    assert posted.json()["result"]["id"] == str(pool.public_id)
    assert _get(f"{CKAN}/group_list").json()["result"] == ["traffic"]
    assert _get(f"{CKAN}/tag_list").json()["result"] == ["aggregate", "query_template", "traffic"]
    organisations = _get(f"{CKAN}/organization_list").json()["result"]
    assert len(organisations) == 1
    org = _get(f"{CKAN}/organization_show", id=organisations[0]).json()["result"]
    assert org["package_count"] == 1
    assert _get(f"{CKAN}/status_show").json()["result"]["ckan_version"] == "2.11.5"
    assert _get(f"{CKAN}/site_read").json()["result"] is True
    missing = _get(f"{CKAN}/package_show", id=str(hidden.public_id))
    assert missing.status_code == 404
    assert missing.json() == {
        "help": missing.json()["help"],
        "success": False,
        "error": {"__type": "Not Found Error", "message": "Not found: Dataset"},
    }
    invalid = _get(f"{CKAN}/package_show")
    assert invalid.status_code == 409
    assert invalid.json()["error"] == {"__type": "Validation Error", "id": ["Missing value"]}
    unknown = _get(f"{CKAN}/package_create")
    assert unknown.status_code == 400
    assert unknown.json().startswith("Bad request - Action name not known")


def test_package_search_parameters(world: World) -> None:
    pool, _hidden = _published(world)
    result = _get(
        f"{CKAN}/package_search",
        q="traffic",
        fq="+groups:traffic -tags:download",
        rows="5",
        start="0",
        sort="metadata_modified desc",
        **{"facet.field": '["organization","groups","res_format"]'},
    ).json()["result"]
    assert result["count"] == 1
    assert [p["id"] for p in result["results"]] == [str(pool.public_id)]
    assert result["search_facets"]["groups"]["items"] == [
        {"name": "traffic", "display_name": "traffic", "count": 1}
    ]
    assert _get(f"{CKAN}/package_search", fq="groups:metaverse").json()["result"]["count"] == 0
    ranged = _get(
        f"{CKAN}/package_search", fq="metadata_modified:[2020-01-01T00:00:00Z TO *]"
    ).json()
    assert ranged["result"]["count"] == 1
    assert _get(f"{CKAN}/package_search", start="1").json()["result"]["results"] == []
    bad_rows = _get(f"{CKAN}/package_search", rows="many")
    assert bad_rows.status_code == 409
    assert bad_rows.json()["error"]["__type"] == "Validation Error"
    bad_sort = _get(f"{CKAN}/package_search", sort="nonsense desc")
    assert bad_sort.status_code == 400
    assert bad_sort.json()["error"]["__type"] == "Search Query Error"


def _shapes() -> Graph:
    return Graph().parse(shared_data("standards", "dcat-ap", "dcat-ap-SHACL.ttl"))


def test_dcat_ap_export_conforms_in_every_format(world: World) -> None:
    pool, hidden = _published(world)
    shapes = _shapes()
    turtle = _get("/catalog.ttl")
    assert turtle["Content-Type"].startswith("text/turtle")
    for path, fmt in (
        ("/catalog.ttl", "turtle"),
        ("/catalog.jsonld", "json-ld"),
        ("/catalog.rdf", "xml"),
        (f"/dataset/{pool.public_id}.ttl", "turtle"),
    ):
        response = _get(path)
        assert response.status_code == 200, path
        graph = Graph().parse(data=response.content, format=fmt)
        conforms, _report, text = pyshacl.validate(graph, shacl_graph=shapes, inference="rdfs")
        assert conforms, f"{path}\n{text}"
    catalog = Graph().parse(data=turtle.content, format="turtle")
    titles = {str(o) for o in catalog.objects(None, None) if getattr(o, "language", None) == "zh"}
    assert "智慧交通出行行为数据池" in titles
    assert str(hidden.public_id) not in turtle.content.decode()
    assert _get(f"/dataset/{hidden.public_id}.ttl").status_code == 404
    assert _get("/catalog.xyz").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_unmodified_ckanapi_client_dumps_every_public_dataset(
    world: World, live_server: Any, audit_triggers_lifted_for_flush: None, tmp_path: Path
) -> None:
    from ckanapi import RemoteCKAN

    pool, _hidden = _published(world)
    ckan = RemoteCKAN(live_server.url, user_agent="nomadcloud-test")
    assert ckan.action.package_list() == [str(pool.public_id)]
    assert ckan.action.package_search(rows=1000)["count"] == 1
    out = tmp_path / "datasets.jsonl"
    completed = subprocess.run(
        [
            str(Path(sys.executable).with_name("ckanapi")),
            "dump",
            "datasets",
            "--all",
            "-r",
            live_server.url,
            "-O",
            str(out),
            "-p",
            "1",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        # its workers start ``ckanapi`` again by name
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"},
    )
    assert completed.returncode == 0, completed.stderr
    dumped = [json.loads(line) for line in out.read_text().splitlines()]
    assert [d["id"] for d in dumped] == [str(pool.public_id)]
    assert dumped[0]["resources"][0]["format"] == "Parquet"


def test_search_reads_stored_packages_in_a_fixed_number_of_queries(world: World) -> None:
    """Query-count pin of package_search (decision 0050): the page with its count, then the
    stored packages; facets add one grouped query each (groups and tags share one)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pool, _hidden = _published(world)
    with CaptureQueriesContext(connection) as plain:
        result = _get(f"{CKAN}/package_search", rows="1000").json()["result"]
    assert result["count"] == 1 and len(plain.captured_queries) == 2
    with CaptureQueriesContext(connection) as faceted:
        _get(
            f"{CKAN}/package_search",
            rows="1000",
            **{"facet.field": '["organization","groups","tags","license_id"]'},
        )
    assert len(faceted.captured_queries) == 4
    # The stored package answers exactly what a package built now answers.
    assert result["results"] == [
        _get(f"{CKAN}/package_show", id=str(pool.public_id)).json()["result"]
    ]


def test_a_stored_package_is_not_used_once_what_it_was_built_from_changed(world: World) -> None:
    """A steward renamed (another app's use case, which does not refresh the catalogue) or a
    new release: the search answers the live values, never the stored text."""
    from nomadcloud.accounts.models import Organisation
    from nomadcloud.accounts.principal import Principal
    from nomadcloud.datapools import services
    from nomadcloud.datapools.models import CatalogueRecord

    pool, _hidden = _published(world)
    Organisation.objects.filter(pk=pool.steward_id).update(name_zh="改名后的运营方")
    (package,) = _get(f"{CKAN}/package_search", rows="10").json()["result"]["results"]
    assert package["author"] == "改名后的运营方"
    assert package["organization"]["title"] == "改名后的运营方"
    assert "改名后的运营方" not in CatalogueRecord.objects.get(pool=pool).package_zh
    services.release_version(principal=Principal.for_user(world.olivia), pool=pool)
    record = CatalogueRecord.objects.get(pool=pool)
    assert "改名后的运营方" in record.package_zh  # the release rewrote it
    (package,) = _get(f"{CKAN}/package_search", rows="10").json()["result"]["results"]
    assert package["num_resources"] == 2
    assert package["metadata_modified"] == package["resources"][-1]["created"]


def test_turtle_written_directly_says_what_json_ld_and_rdf_xml_say(world: World) -> None:
    """The hand-written Turtle escapes quotes, backslashes and line breaks, and parses to
    the graph rdflib writes as JSON-LD and RDF/XML from the same statements."""
    from rdflib import Literal
    from rdflib.compare import isomorphic

    pool, _hidden = _published(world)
    title = {"zh-Hans": '交通 "引号" \\ 反斜杠\n换行', "en": 'A "quoted" \\ title\r\twith\x07'}
    Pool.objects.filter(pk=pool.pk).update(title=title)
    graphs = {
        fmt: Graph().parse(data=_get(f"/dataset/{pool.public_id}.{ext}").content, format=fmt)
        for ext, fmt in (("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"))
        if ext != "rdf"  # RDF/XML cannot hold the control character of the English title
    }
    assert isomorphic(graphs["turtle"], graphs["json-ld"])
    assert Literal(title["zh-Hans"], lang="zh") in set(graphs["turtle"].objects())
    assert Literal(title["en"], lang="en") in set(graphs["turtle"].objects())
    Pool.objects.filter(pk=pool.pk).update(title={"zh-Hans": "交通 <池>", "en": "Pool & co"})
    turtle = Graph().parse(data=_get("/catalog.ttl").content, format="turtle")
    xml = Graph().parse(data=_get("/catalog.rdf").content, format="xml")
    assert isomorphic(turtle, xml)
