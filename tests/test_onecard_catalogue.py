"""The service catalogue: the 25 seeded items (24 of the specification and the data export
whitelist), publication rules, immutable versions, the
public pages, and the CPSV-AP 3.2 export validated with pyshacl against the pinned SHACL
shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from nomadcloud.accounts.models import Organisation
from nomadcloud.core.errors import DomainError, InvalidInput
from nomadcloud.onecard import catalogue_data, demo
from nomadcloud.onecard.models import ServiceItem
from nomadcloud.onecard.services import catalogue
from nomadcloud.onecard.transitions import Role
from tests.builders.onecard import onecard_zone
from tests.conftest import World
from tests.helpers import shared_data

pytestmark = pytest.mark.django_db


def test_twenty_five_items_are_published_with_departments(world: World) -> None:
    onecard_zone(world)
    items = ServiceItem.objects.select_related("department", "current_version")
    assert items.count() == 25  # the specification's 24 and the data export whitelist
    assert all(i.status == "published" for i in items)
    assert all(i.department.kind == Organisation.Kind.DEPARTMENT for i in items)
    assert {i.handler for i in items} == {"internal", "deep_link", "external"}
    assert all(not catalogue.publication_problems(i) for i in items)
    assert demo.seed()["service_items"] == 0  # idempotent


def _draft(**changes: object) -> catalogue.VersionDraft:
    draft = demo.draft_for(catalogue_data.ITEMS[1])
    for key, value in changes.items():
        setattr(draft, key, value)
    return draft


def test_publishing_needs_both_languages_a_legal_basis_and_a_department(world: World) -> None:
    zone = onecard_zone(world)
    draft = _draft()
    draft.content = {**draft.content, "name": {"zh-Hans": "只有中文"}, "legal_basis": {}}
    item = catalogue.create_item(
        actor=world.oscar,
        code="T-1",
        number=99,
        kind="public",
        department=zone.kegongxin,
        handler="internal",
        draft=draft,
    )
    with pytest.raises(DomainError) as refused:
        catalogue.move_item(item, "submit_review", actor=world.oscar, roles={Role.OPERATOR})
    assert refused.value.code == "not_publishable"
    assert set(refused.value.fields) == {"name", "legal_basis"}
    enterprise_item = catalogue.create_item(
        actor=world.oscar,
        code="T-2",
        number=98,
        kind="public",
        department=world.acme,
        handler="internal",
        draft=_draft(),
    )
    with pytest.raises(DomainError) as not_department:
        catalogue.move_item(
            enterprise_item, "submit_review", actor=world.oscar, roles={Role.OPERATOR}
        )
    assert "department" in not_department.value.fields
    item.refresh_from_db()
    assert item.status == "draft"


def test_a_change_is_a_new_version_and_bad_guides_are_refused(world: World) -> None:
    zone = onecard_zone(world)
    item = zone.visa
    first = item.current_version
    version = catalogue.save_draft(
        item, actor=world.oscar, roles={Role.OPERATOR}, draft=_draft(promised_days=3)
    )
    assert version.number == 2 and first.number == 1
    first.refresh_from_db()
    assert first.promised_days == 5  # the published version is unchanged
    item.refresh_from_db()
    assert item.current_version_id == first.pk  # applicants still see version 1
    with pytest.raises(InvalidInput) as bad:
        catalogue.save_draft(
            item,
            actor=world.oscar,
            roles={Role.OPERATOR},
            draft=_draft(promised_days=30, form_schema={"type": "nonsense"}),
        )
    assert {"promised_days", "form_schema"} <= set(bad.value.fields)
    with pytest.raises(DomainError):
        catalogue.save_draft(item, actor=world.charlie, roles=set(), draft=_draft())


def test_item_life_suspend_resume_retire(world: World) -> None:
    zone = onecard_zone(world)
    item = zone.visa
    catalogue.move_item(item, "suspend", actor=world.oscar, roles={Role.EDITOR})
    catalogue.move_item(item, "resume", actor=world.oscar, roles={Role.EDITOR})
    with pytest.raises(DomainError) as refused:
        catalogue.move_item(item, "retire", actor=world.oscar, roles={Role.EDITOR})
    assert refused.value.code == "role_not_allowed"
    catalogue.move_item(item, "retire", actor=world.oscar, roles={Role.OPERATOR})
    assert item.status == "retired"


def test_public_pages_in_both_languages(world: World) -> None:
    onecard_zone(world)
    client = Client()
    page = client.get("/services/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Visa-facilitation recommendation letter" in page.content.decode()
    item = client.get("/services/KGX-GF-002/?stay_months=8", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = item.content.decode()
    assert "外籍数字游民签证便利化推荐函" in body
    assert 'data-testid="criterion-stay" data-met="yes"' in body
    assert 'data-testid="criterion-foreign" data-met="unknown"' in body
    ld = json.loads(
        body.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    )
    assert ld["@type"] == "GovernmentService"
    assert ld["availableChannel"]["processingTime"] == "P5D"
    assert client.get("/services/NOPE/").status_code == 404
    journey = client.get("/services/journeys/arriving-foreign/", HTTP_ACCEPT_LANGUAGE="en")
    assert journey.status_code == 200 and "Arriving as a foreign nomad" in journey.content.decode()


def test_drafts_are_not_public(world: World) -> None:
    zone = onecard_zone(world)
    catalogue.create_item(
        actor=world.oscar,
        code="T-3",
        number=97,
        kind="public",
        department=zone.kegongxin,
        handler="internal",
        draft=_draft(),
    )
    assert Client().get("/services/T-3/").status_code == 404
    assert Client().get("/services/T-3.jsonld").status_code == 404


def _validate(data: dict[str, object]) -> tuple[bool, str]:
    import pyshacl
    from rdflib import Graph

    shapes = shared_data("standards", "cpsv-ap", "cpsv-ap-SHACL.ttl")
    graph = Graph().parse(data=json.dumps(data), format="json-ld")
    conforms, _graph, text = pyshacl.validate(graph, shacl_graph=str(shapes), inference="none")
    return bool(conforms), str(text)


def test_the_catalogue_export_conforms_to_cpsv_ap(world: World) -> None:
    onecard_zone(world)
    response = Client().get("/services/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    data = response.json()
    services = [n for n in data["@graph"] if n.get("@type") == "cpsv:PublicService"]
    assert len(services) == 25
    conforms, report = _validate(data)
    assert conforms, report
    one = Client().get("/services/KGX-GF-002.jsonld").json()
    conforms, report = _validate(one)
    assert conforms, report


def test_the_export_fails_the_shapes_without_its_concepts(world: World) -> None:
    """The reason the export declares its code-list values: without them the shapes fail,
    as the official example does."""
    onecard_zone(world)
    data = Client().get("/services/KGX-GF-002.jsonld").json()
    data["@graph"] = [n for n in data["@graph"] if n.get("@type") != "skos:Concept"]
    conforms, _report = _validate(data)
    assert not conforms


def test_shared_shapes_file_is_the_pinned_one() -> None:
    shapes: Path = shared_data("standards", "cpsv-ap", "cpsv-ap-SHACL.ttl")
    assert "PublicServiceShape" in shapes.read_text()
