"""Our RFC 8785 canonicalisation (``nomadcloud.proofs.core.jcs``) against the maintained
``rfc8785`` package (PyPI, a dev dependency only) as an oracle, on generated JSON values
where both are defined (docs/decisions/0008-rfc8785.md says why we keep our own)."""

from __future__ import annotations

import struct
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from nomadcloud.proofs.core import jcs

SAFE = 2**53 - 1

# Characters that exercise escaping and UTF-16 key order; lone surrogates are left out
# (both refuse them, for different reasons, which is not what is compared here).
SPECIAL = '\x00\x08\x1f\x7f"\\/\u2028\ufb33\ue000\uffff\U0001f602\U00010000é数'
characters = st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(SPECIAL))
texts = st.text(characters, max_size=10)
doubles = st.integers(min_value=0, max_value=2**64 - 1).map(
    lambda n: struct.unpack(">d", n.to_bytes(8, "big"))[0]
)
numbers = st.one_of(
    st.integers(-SAFE, SAFE),
    st.floats(allow_nan=False, allow_infinity=False),
    doubles.filter(lambda x: x == x and abs(x) != float("inf")),
    st.integers(-(2**60), 2**60).map(float),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(texts, inner, max_size=5)),
    max_leaves=25,
)


def oracle(value: Any) -> bytes | None:
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        return None


@settings(max_examples=400, deadline=None)
@given(values)
def test_our_canonicalisation_equals_the_rfc8785_package(value: Any) -> None:
    expected = oracle(value)
    if expected is None:  # outside the package's domain: nothing to compare
        return
    assert jcs.canonicalize(value) == expected
    assert jcs.reference_canonicalize(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [1.0, -0.0, 1e21, 1e-7, 5e-324, 0.1, 123456789.125]},
        {"\U0001f602": 1, "\ufb33": 2, "\ue000": 3},  # UTF-16 order, not code points
        {"ctl": "".join(chr(c) for c in range(0x20)) + '"\\\x7f\u2028'},
        [SAFE, -SAFE, True, False, None, "数据"],
    ],
)
def test_known_edges_agree(value: Any) -> None:
    assert jcs.canonicalize(value) == rfc8785.dumps(value)
