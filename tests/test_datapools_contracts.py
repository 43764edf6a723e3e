"""Each released version's data contract in the Open Data Contract Standard v3
(nomadcloud/datapools/contracts.py, decision 0062): public at
``/dataset/<pool>/v<n>/contract.{yaml,json}`` and in the API, validated against the ODCS v3
JSON Schema shipped by the official ``open-data-contract-standard`` package, linked from the
pool page and, as ``dct:conformsTo``, from the DCAT-AP distribution (still SHACL-conformant)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import yaml
from django.utils import translation
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from nomadcloud.accounts.principal import Principal
from nomadcloud.datapools import services
from nomadcloud.datapools.models import Pool
from tests.builders import datapools as b
from tests.conftest import World, client_for
from tests.helpers import api_get, assert_error


def _odcs_schema() -> dict[str, Any]:
    text = resources.files("open_data_contract_standard").joinpath("schema.json").read_text()
    return dict(json.loads(text))


def _released(world: World) -> Pool:
    pool = b.pool_with_contribution(world)
    if not pool.versions.exists():
        services.release_version(principal=Principal.for_user(world.olivia), pool=pool)
    return pool


def _errors(document: dict[str, Any]) -> list[str]:
    schema = _odcs_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_contract_is_valid_odcs_v3_from_the_charter(world: World) -> None:
    pool = _released(world)
    url = f"/dataset/{pool.public_id}/v1/contract"
    with translation.override("en"):
        as_json = client_for(None).get(f"{url}.json", HTTP_ACCEPT_LANGUAGE="en")
    assert as_json.status_code == 200 and as_json["Content-Type"] == "application/json"
    contract = as_json.json()
    assert _errors(contract) == []
    assert contract["apiVersion"] == "v3.2.0" and contract["kind"] == "DataContract"
    assert contract["id"] == f"urn:nomadcloud:contract:{pool.public_id}:v1"
    assert contract["status"] == "active" and contract["version"] == "1.0.0"
    (table,) = contract["schema"]
    charter = pool.charters.order_by("-version").first()
    assert charter is not None
    assert [p["name"] for p in table["properties"]] == [c["name"] for c in charter.columns]
    by_name = {p["name"]: p for p in table["properties"]}
    assert by_name["day"]["logicalType"] == "date" and by_name["day"]["required"] is True
    assert by_name["trips"]["logicalTypeOptions"]["minimum"] == 0
    (enum_rule,) = [q for q in by_name["area"]["quality"] if q["metric"] == "invalidValues"]
    assert set(enum_rule["arguments"]["validValues"]) >= {"yangpu", "sandu"}
    rules = {q["name"]: q for q in table["quality"]}
    version = pool.versions.get()
    assert rules["rows"]["mustBe"] == version.row_count
    assert rules["gbt36344-accuracy"]["dimension"] == "accuracy"
    assert "dimension" not in rules["gbt36344-accessibility"]  # no ODCS dimension
    assert {r["role"] for r in contract["roles"]} == set(charter.access_modes)
    assert contract["roles"][0]["secondLevelApprovers"] == world.department.name_en
    sla = {s["property"]: s for s in contract["slaProperties"]}
    assert sla["retention"]["value"] == charter.retention_days and sla["retention"]["unit"] == "d"
    assert sla["accessDecision"]["value"] == 10
    assert "price" not in contract  # the platform sets no price (decision 0062)
    # The YAML form says the same; the API gives the JSON.
    as_yaml = client_for(None).get(f"{url}.yaml", HTTP_ACCEPT_LANGUAGE="en")
    assert as_yaml["Content-Type"].startswith("application/yaml")
    assert yaml.safe_load(as_yaml.content)["id"] == contract["id"]
    api = api_get(client_for(None), f"/api/v1/datapools/pools/{pool.public_id}/versions/1/contract")
    assert api.status_code == 200 and api.json()["id"] == contract["id"]
    assert _errors(api.json()) == []


def test_contracts_in_chinese_and_the_pool_page_link(world: World) -> None:
    pool = _released(world)
    contract = (
        client_for(None)
        .get(f"/dataset/{pool.public_id}/v1/contract.json", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .json()
    )
    assert contract["name"] == pool.title["zh-Hans"]
    others = {p["property"]: p["value"] for p in contract["customProperties"]}
    assert others["name@en"] == pool.title["en"]
    assert _errors(contract) == []
    page = client_for(world.charlie).get(f"/datapools/{pool.public_id}/").content.decode()
    assert f"/dataset/{pool.public_id}/v1/contract.yaml" in page


def test_no_contract_for_a_hidden_pool_or_a_missing_version(world: World) -> None:
    pool = _released(world)
    hidden = b.traffic_pool(world, Pool.Status.PROPOSED)
    anyone = client_for(None)
    assert anyone.get(f"/dataset/{hidden.public_id}/v1/contract.json").status_code == 404
    assert anyone.get(f"/dataset/{pool.public_id}/v9/contract.json").status_code == 404
    assert anyone.get(f"/dataset/{pool.public_id}/v1/contract.xml").status_code == 404
    assert anyone.get("/dataset/not-a-uuid/v1/contract.json").status_code == 404
    missing = api_get(anyone, f"/api/v1/datapools/pools/{pool.public_id}/versions/9/contract")
    assert_error(missing, "not_found")


def test_the_dcat_distribution_conforms_to_its_contract(world: World) -> None:
    pool = _released(world)
    graph = Graph().parse(
        data=client_for(None).get(f"/dataset/{pool.public_id}.ttl").content, format="turtle"
    )
    distribution = URIRef(f"http://testserver/dataset/{pool.public_id}/v1")
    contract = URIRef(f"http://testserver/dataset/{pool.public_id}/v1/contract.yaml")
    assert (distribution, DCTERMS.conformsTo, contract) in graph
    assert (contract, RDF.type, DCTERMS.Standard) in graph


def test_the_demo_contracts_validate(db: None) -> None:
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    versions = [
        (pool.public_id, v.number)
        for pool in Pool.objects.all()
        for v in pool.versions.order_by("number")
    ]
    assert len(versions) >= 3
    for pool_id, number in versions:
        for fmt in ("yaml", "json"):
            response = client_for(None).get(f"/dataset/{pool_id}/v{number}/contract.{fmt}")
            assert response.status_code == 200
            document = yaml.safe_load(response.content) if fmt == "yaml" else response.json()
            assert _errors(document) == [], (pool_id, number, fmt)
