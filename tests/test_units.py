"""The units registry (design §3.5): a unit resolves from its code, either name or an
alias; anything else is refused with suggestions; the demo seeds plan 004's units."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from nomadcloud.accounts import units
from nomadcloud.accounts.models import Organisation, UnitAlias
from nomadcloud.core.errors import Conflict, InvalidInput
from tests.conftest import World
from tests.helpers import api_post, assert_error


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def registry(db: None) -> dict[str, Organisation]:
    kegongxin = Organisation.objects.create(
        kind=Organisation.Kind.DEPARTMENT,
        name_zh="儋州市科学技术工业信息化局",
        name_en="Danzhou Bureau of Science, Technology, Industry and IT",
        code="kegongxin-t",
    )
    guoji = Organisation.objects.create(
        kind=Organisation.Kind.PUBLIC_UNIT, name_zh="洋浦国际", code="yangpu-guoji-t"
    )
    shop = Organisation.objects.create(kind=Organisation.Kind.ENTERPRISE, name_zh="科工信小卖部")
    for alias in ("市科工信局", "科工信局"):
        units.add_alias(text=alias, organisation=kegongxin, actor=None)
    return {"kegongxin": kegongxin, "guoji": guoji, "shop": shop}


def test_a_unit_resolves_from_code_names_and_aliases(registry: dict[str, Organisation]) -> None:
    kegongxin = registry["kegongxin"]
    for text in (
        "市科工信局",
        "科工信局",
        " 科工信局 ",
        "kegongxin-t",
        "儋州市科学技术工业信息化局",
        "danzhou bureau of science, technology, industry and it",
    ):
        assert units.resolve_unit(text) == kegongxin, text
    assert units.resolve_unit("洋浦国际") == registry["guoji"]
    assert registry["guoji"].get_kind_display() == "Public unit"


def test_an_unknown_unit_is_refused_with_suggestions(registry: dict[str, Organisation]) -> None:
    with pytest.raises(units.UnknownUnit) as caught:
        units.resolve_unit("科工局")
    assert caught.value.code == "unknown_unit"
    assert caught.value.suggestions[0] == "儋州市科学技术工业信息化局"
    assert "Did you mean" in caught.value.message
    with pytest.raises(units.UnknownUnit) as caught:
        units.resolve_unit("科工信小卖部")  # an enterprise is not a unit
    with pytest.raises(units.UnknownUnit) as caught:
        units.resolve_unit("zzzz")
    assert caught.value.suggestions == []
    assert caught.value.message == "No unit is called “zzzz”."


def test_aliases_are_unique_and_only_for_units(registry: dict[str, Organisation]) -> None:
    with pytest.raises(Conflict) as caught:
        units.add_alias(text="科工信局", organisation=registry["guoji"], actor=None)
    assert caught.value.code == "alias_taken"
    with pytest.raises(Conflict):
        units.add_alias(text="洋浦国际", organisation=registry["kegongxin"], actor=None)
    with pytest.raises(InvalidInput):
        units.add_alias(text="小卖部", organisation=registry["shop"], actor=None)
    again = units.add_alias(text="科工信局", organisation=registry["kegongxin"], actor=None)
    assert UnitAlias.objects.filter(text="科工信局").get() == again


def test_the_zone_operator_registers_a_public_unit(world: World) -> None:
    body = {"kind": "public_unit", "name_zh": "环湾投资", "name_en": "Huanwan Investment"}
    created = api_post(world.oscar, "/api/v1/organisations", body)
    assert created.status_code == 201, created.content
    unit = Organisation.objects.get(public_id=created.json()["id"])
    assert units.resolve_unit("环湾投资") == unit
    assert_error(api_post(world.olivia, "/api/v1/organisations", body), "forbidden")
