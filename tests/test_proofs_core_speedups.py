"""The speed-ups of the proof core (benchmarks/proofs) change no result:

- JCS: the ``json``-based fast path of ``canonicalize`` gives the bytes of
  ``reference_canonicalize`` (the direct RFC 8785 implementation) on the RFC 8785 vectors and
  on generated JSON values, and refuses exactly what the reference refuses;
- Ed25519: cached key objects sign identically, memoised verification answers as a fresh
  check would (also after a tampering), and bad keys keep failing;
- Data Integrity: the faster deep copy leaves the input untouched;
- signed notes: the regular expressions match exactly what the per-character checks did.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nomadcloud.proofs.core import dataintegrity, ed25519, jcs, merkle, note
from tests.helpers import SHARED_DATA, needs_shared_data

VECTORS = SHARED_DATA / "vectors"
JCS_CASES = ["arrays", "french", "structures", "unicode", "values", "weird"]


def outcome(function: Any, value: Any) -> tuple[str, Any]:
    try:
        return ("bytes", function(value))
    except jcs.JCSError:
        return ("refused", None)
    except RecursionError:
        return ("recursion", None)


def same(value: Any) -> None:
    assert outcome(jcs.canonicalize, value) == outcome(jcs.reference_canonicalize, value)


# --- JCS ----------------------------------------------------------------------------------------


@needs_shared_data("vectors", "jcs")
@pytest.mark.parametrize("case", JCS_CASES)
def test_jcs_fast_path_equals_reference_on_rfc8785_vectors(case: str) -> None:
    folder = VECTORS / "jcs"
    value = json.loads((folder / "input" / f"{case}.json").read_text(encoding="utf-8"))
    expected = (folder / "output" / f"{case}.json").read_bytes()
    assert jcs.canonicalize(value) == jcs.reference_canonicalize(value) == expected


CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:2f1c7a0e-8c1f-4a38-9a47-2f7e0d1c9b11",
    "type": ["VerifiableCredential", "ProofOfWorkCredential"],
    "issuer": "did:web:zone.example",
    "credentialSubject": {
        "id": "urn:nomadcloud:subject:0123456789abcdef0123456789abcdef",
        "work": {
            "name": {"zh": "图像标注", "en": "Image labelling"},
            "quantity": {"items": 125, "hours": "12.5"},
            "quality": {"accuracy": 1.0, "rating": 4.5},
            "skills": [{"id": "nc.data-labelling", "label": {"zh": "数据标注", "en": "x"}}],
            "workUnits": "12.50",
        },
    },
}


@pytest.mark.parametrize(
    "value",
    [
        CREDENTIAL,
        [1.0, -0.0, 0.0, 2.0**52, 2.0**53 - 1, 2.0**53, 2.0**60, -(2.0**53) + 1],
        [0.1, 1e-4, 1e-6, 1e-7, 5e-324, 1e16, 1e20, 1e21, 1e22, 123456789.125, -1.5e-9],
        [2**53, -(2**53), 2**53 + 1, -(2**53) - 1, True, False, None],
        {"\ufb33": 1, "\U0001f602": 2, "a": {"é": [], "\ue000": {}}},
        {"ctl": "".join(chr(c) for c in range(0x20)) + '"\\\x7f\u2028\u2029'},
        {"lone": "\ud800"},
        {"\udfff": 1},
        {1: "not a string key"},
        {None: 1},
        {"nan": float("nan")},
        [float("inf")],
        ("tuple", ("nested", 1.0)),
        [b"bytes"],
        {"set": {1, 2}},
        "top-level string",
        7.0,
        None,
    ],
)
def test_jcs_fast_path_equals_reference_on_edge_cases(value: Any) -> None:
    same(value)


def test_jcs_integral_floats_are_written_as_ecmascript_does() -> None:
    assert jcs.canonicalize({"a": 1.0, "b": -0.0, "c": [2.5, 3.0]}) == b'{"a":1,"b":0,"c":[2.5,3]}'
    assert jcs.canonicalize(2.0**60) == b"1152921504606847000"


def test_jcs_deep_nesting_behaves_like_the_reference() -> None:
    deep: Any = "x"
    for _ in range(50_000):
        deep = [deep]
    same(deep)


def floats() -> st.SearchStrategy[float]:
    bits = st.integers(min_value=0, max_value=2**64 - 1).map(
        lambda n: struct.unpack(">d", n.to_bytes(8, "big"))[0]
    )
    return st.one_of(st.floats(), bits, st.integers(-(2**60), 2**60).map(float))


SPECIAL = '\x00\x1f\x7f"\\\u2028\ufb33\ue000\uffff\U0001f602\ud800\udc00é数'
characters = st.one_of(
    st.characters(exclude_categories=()),  # includes lone surrogates
    st.sampled_from(SPECIAL),
)
texts = st.text(characters, max_size=12)
keys = st.one_of(
    texts, texts, texts, st.integers(-3, 3), st.none(), st.booleans(), st.sampled_from([1.5])
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**54), max_value=2**54),
    st.integers(),
    floats(),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=40,
)


# What json.loads gives: the common case, which takes the fast path.
parsed_json = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=600, deadline=None)
@given(st.one_of(json_values, parsed_json))
def test_jcs_fast_path_equals_reference_on_generated_values(value: Any) -> None:
    same(value)


SAFE = 2**53 - 1


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(texts, st.one_of(texts, st.floats(min_value=-SAFE, max_value=SAFE))))
def test_jcs_roundtrip_through_json_text(value: dict[str, Any]) -> None:
    """What a verifier parses back from canonical bytes canonicalises to the same bytes
    (numbers within ±2^53, beyond which integers are refused by design)."""
    result = outcome(jcs.canonicalize, value)
    if result[0] == "bytes":
        reparsed = json.loads(result[1])
        assert jcs.canonicalize(reparsed) == result[1]
        assert all(
            isinstance(v, str) or (isinstance(v, int | float) and math.isfinite(v))
            for v in reparsed.values()
        )


def halves_outcome(value: dict[Any, Any], key: str, inserted: Any) -> tuple[str, Any]:
    """(without key, with key set to ``inserted``) built from the halves, or refused."""
    try:
        before, after = jcs.canonical_halves(value, key)
        member = jcs.member(key, jcs.canonicalize(inserted))
        return ("bytes", (jcs.join_members(before, after), jcs.join_members(before, member, after)))
    except jcs.JCSError:
        return ("refused", None)


def whole_outcome(value: dict[Any, Any], key: str, inserted: Any) -> tuple[str, Any]:
    without = {k: v for k, v in value.items() if k != key}
    try:
        return ("bytes", (jcs.canonicalize(without), jcs.canonicalize({**without, key: inserted})))
    except jcs.JCSError:
        return ("refused", None)


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(keys, st.one_of(json_values, parsed_json), max_size=8),
    st.one_of(texts, st.sampled_from(["proof", "", "\U0001f602", "\ufb33", "z"])),
    parsed_json,
)
def test_jcs_halves_build_the_object_with_and_without_a_member(
    value: dict[Any, Any], key: str, inserted: Any
) -> None:
    """Signing and logging share one canonicalisation: the halves around a member give the
    canonical object without it and with it, whatever the member's name sorts among (also
    astral and private-use names, where UTF-16 and code-point order differ)."""
    assert halves_outcome(value, key, inserted) == whole_outcome(value, key, inserted)


def test_add_proof_canonical_and_verify_proof_give_the_secured_documents_jcs() -> None:
    seed = ed25519.generate_seed()
    method = "did:web:zone.example#" + ed25519.multikey_encode_public(
        ed25519.public_key_from_seed(seed)
    )
    secured, canonical = dataintegrity.add_proof_canonical(
        CREDENTIAL, seed, verification_method=method, created="2026-11-22T00:00:00Z"
    )
    assert canonical == jcs.canonicalize(secured)
    result = dataintegrity.verify_proof(secured, ed25519.public_key_from_seed(seed))
    assert result.verified and result.canonical == canonical
    # The proof's context is a prefix of a longer document context: the signature was made
    # over the proof's context, so the secured document's JCS is not the signed one's.
    longer = json.loads(json.dumps(secured))
    longer["@context"] = [*longer["@context"], "https://example.org/extra"]
    result = dataintegrity.verify_proof(longer, ed25519.public_key_from_seed(seed))
    assert result.verified and result.canonical is None
    tampered = json.loads(json.dumps(secured))
    tampered["credentialSubject"]["work"]["workUnits"] = "99.99"
    result = dataintegrity.verify_proof(tampered, ed25519.public_key_from_seed(seed))
    assert not result.verified and result.canonical is None


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, st.one_of(json_values, parsed_json), max_size=8))
def test_a_batch_prover_secures_like_add_proof_canonical(extra: dict[Any, Any]) -> None:
    """Issuing signs a batch with one ``Prover`` (the proof configuration canonicalised and
    hashed once): each document, its proof and its JCS are byte for byte those of
    ``add_proof_canonical``; a document with another context, none, or one that cannot be
    canonicalised behaves as ``add_proof_canonical`` does."""
    seed = ed25519.generate_seed()
    method = "did:web:zone.example#" + ed25519.multikey_encode_public(
        ed25519.public_key_from_seed(seed)
    )
    created = "2026-12-07T12:00:00Z"
    prover = dataintegrity.Prover(
        CREDENTIAL["@context"], seed, verification_method=method, created=created
    )
    documents = [
        CREDENTIAL,
        {**CREDENTIAL, **extra},
        {**extra, "@context": CREDENTIAL["@context"]},
        {**CREDENTIAL, "@context": ["https://www.w3.org/ns/credentials/v2", "https://x.example"]},
        {key: value for key, value in CREDENTIAL.items() if key != "@context"},
        {**extra, "proof": {}},
    ]
    for document in documents:
        expected = outcome_of(
            lambda d: dataintegrity.add_proof_canonical(
                d, seed, verification_method=method, created=created
            ),
            document,
        )
        assert outcome_of(prover.secure, document) == expected


def outcome_of(secure: Any, document: dict[Any, Any]) -> tuple[str, Any]:
    try:
        secured, canonical = secure(document)
    except (dataintegrity.ProofError, jcs.JCSError) as exc:
        return ("refused", type(exc).__name__)
    return ("secured", (json.dumps(secured, default=repr), canonical))


# --- Ed25519 --------------------------------------------------------------------------------------


def test_cached_keys_sign_and_verify_like_fresh_ones() -> None:
    seed = ed25519.generate_seed()
    message = b"proof of work"
    first = ed25519.sign(seed, message)
    assert ed25519.sign(bytearray(seed), message) == first  # same cached key, any bytes type
    ed25519.clear_caches()
    assert ed25519.sign(seed, message) == first  # deterministic with a fresh key object
    public = ed25519.public_key_from_seed(seed)
    assert public == ed25519.public_key_from_seed(bytearray(seed))
    with pytest.raises(ed25519.InvalidKey):
        ed25519.sign(seed[:31], message)


def test_memoised_verification_answers_like_a_fresh_check() -> None:
    seed = ed25519.generate_seed()
    public = ed25519.public_key_from_seed(seed)
    other = ed25519.public_key_from_seed(ed25519.generate_seed())
    for message in (b"x" * 64, b"y" * 5000):  # memoised, and too long to memoise
        signature = ed25519.sign(seed, message)
        tampered = bytes([signature[0] ^ 1]) + signature[1:]
        changed = bytes([message[0] ^ 1]) + message[1:]
        for _ in range(2):  # the second round answers from the memo
            assert ed25519.verify(public, message, signature)
            assert not ed25519.verify(public, message, tampered)
            assert not ed25519.verify(public, changed, signature)
            assert not ed25519.verify(other, message, signature)
            assert not ed25519.verify(public[:31], message, signature)
        ed25519.clear_caches()
        assert ed25519.verify(bytearray(public), bytearray(message), bytearray(signature))


def test_multikey_decoding_cache_still_refuses_bad_keys() -> None:
    public = ed25519.public_key_from_seed(ed25519.generate_seed())
    text = ed25519.multikey_encode_public(public)
    assert ed25519.multikey_decode_public(text) == public
    assert ed25519.multikey_decode_public(text) == public
    for bad in ("z0OIl", "x" + text[1:], ed25519.multikey_encode_private(b"\x02" * 32)):
        for _ in range(2):
            with pytest.raises(ed25519.InvalidKey):
                ed25519.multikey_decode_public(bad)


# --- Data Integrity -------------------------------------------------------------------------------


def test_add_proof_copies_its_input_deeply() -> None:
    seed = ed25519.generate_seed()
    doc: dict[str, Any] = json.loads(json.dumps(CREDENTIAL))
    doc["tuple"] = ("a", ["b"])
    before = json.dumps(doc, sort_keys=True)
    secured = dataintegrity.add_proof(
        doc, seed, verification_method="did:web:zone.example#k", created="2025-01-01T00:00:00Z"
    )
    secured["credentialSubject"]["work"]["skills"][0]["label"]["zh"] = "changed"
    secured["@context"].append("https://example.org/extra")
    secured["tuple"][1].append("c")
    assert json.dumps(doc, sort_keys=True) == before
    assert secured["proof"]["@context"] == ["https://www.w3.org/ns/credentials/v2"]


# --- signed notes ---------------------------------------------------------------------------------


def test_note_name_and_text_checks_match_the_character_rules() -> None:
    for code in range(0x110000):
        char = chr(code)
        assert bool(note._SPACE.search(char)) == char.isspace()
        assert bool(note._CONTROL.search(char)) == (code < 0x20 and char != "\n")


# --- Merkle node decomposition -----------------------------------------------------------------


def test_nodes_for_range_is_the_greedy_aligned_cover() -> None:
    """Every range up to 130 leaves: the nodes are aligned complete subtrees that tile it left
    to right, each the largest that fits and that its start aligns to."""
    for begin in range(130):
        for end in range(begin, 130):
            position = begin
            for node in merkle.nodes_for_range(begin, end):
                width = 1 << node.level
                assert node.index * width == position
                assert position + width <= end
                bigger = 2 * width
                assert position % bigger != 0 or position + bigger > end
                position += width
            assert position == end


# --- base58btc ------------------------------------------------------------------------------------

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def reference_b58encode(data: bytes) -> str:
    """One digit per big-number division, as the Bitcoin reference does."""
    n, out = int.from_bytes(data, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


@settings(max_examples=500, deadline=None)
@given(
    st.binary(max_size=90)
    | st.builds(lambda zeros, rest: bytes(zeros) + rest, st.integers(0, 4), st.binary(max_size=70))
)
def test_chunked_base58_matches_the_per_digit_reference(data: bytes) -> None:
    text = ed25519.b58encode(data)
    assert text == reference_b58encode(data)
    assert ed25519.b58decode(text) == data


def test_base58_refuses_characters_outside_the_alphabet() -> None:
    for bad in ["0", "O", "I", "l", "z0", "+", "é"]:
        with pytest.raises(ValueError):
            ed25519.b58decode("2" * 11 + bad)
