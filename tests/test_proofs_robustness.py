"""Bad input never crashes verification or key registration: arbitrary JSON, and a real
credential, bundle, badge or status list with any one value replaced by arbitrary JSON, go
through online and offline verification and come back as failed checks with codes."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nomadcloud.accounts.principal import Principal
from nomadcloud.proofs import services
from nomadcloud.proofs.models import Credential
from tests.builders.proofs import claims
from tests.conftest import World, client_for
from tests.helpers import assert_error

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def samples(world: World) -> dict[str, Any]:
    credential = services.issue_credential(world.rita, claims("robust"))
    assert credential is not None
    services.publish_checkpoint()
    services.revoke(principal=Principal.for_user(world.oscar), credential=credential, reason="r")
    return {
        "bundle": services.bundle(credential),
        "badge": services.openbadge(credential),
        "status": services.status_list_credential(1),
    }


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    out = copy.deepcopy(value)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return out


def assert_reported(result: services.Verification) -> None:
    assert all(c.code and c.message for c in result.checks)
    assert result.valid == all(c.ok for c in result.checks)


@SETTINGS
@given(value=JSON, other=JSON)
def test_arbitrary_json_is_reported_not_raised(
    samples: dict[str, Any], value: Any, other: Any
) -> None:
    assert_reported(services.verify(value))
    assert_reported(services.verify({"credential": value, "log": other}))
    assert_reported(services.verify_offline(value, status_list=other, source=other, did=other))
    assert_reported(services.verify_offline({"credential": value, "log": other}))


@SETTINGS
@given(data=st.data(), new=JSON)
def test_one_changed_value_anywhere_is_reported_not_raised(
    samples: dict[str, Any], data: st.DataObject, new: Any
) -> None:
    name = data.draw(st.sampled_from(["bundle", "badge", "status"]))
    original = samples[name]
    path = data.draw(st.sampled_from(paths(original)))
    changed = replaced(original, path, new)
    bundle, status = samples["bundle"], samples["status"]
    if name == "bundle":
        result = services.verify(changed)
        offline = services.verify_offline(changed, status_list=status)
    elif name == "badge":
        result = services.verify(changed)
        offline = services.verify_offline(changed, status_list=status, source=bundle)
    else:
        result = services.verify(bundle)
        offline = services.verify_offline(bundle, status_list=changed)
    assert_reported(result)
    assert_reported(offline)
    if name == "status" and changed is None:  # None is "no status list given"
        assert {c.name: c.code for c in offline.checks}["status"] == "unchecked"
    else:
        assert not offline.valid  # revoked, or a check broken by the change
    assert Credential.objects.count() == 1


WEIRD_KEYS = [
    "",
    " ",
    "+",
    "a+b+c",
    "+++",
    "z",
    "z0OIl",
    "zzzzzzzz",
    "\x00" * 32,
    "ff" * 32 + "00",
    "é" * 64,
    "n+ffffffff+" + "A" * 44,
    "x" * 200,
]


@pytest.mark.parametrize("key", WEIRD_KEYS)
def test_weird_keys_are_refused_with_422(world: World, key: str) -> None:
    response = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/proofs/keys",
        {"name": "weird", "purpose": "witness", "public_key": key},
        content_type="application/json",
    )
    code = response.json().get("code")
    assert code in {"invalid_input", "key_encoding", "key_invalid_key", "key_length"}, code
    assert_error(response, code, field="public_key", status=422)
