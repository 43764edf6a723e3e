"""The pure-Python proof core (nomadcloud.proofs.core) against the published vectors in
../shared/data/vectors (see its README). Skipped only when that folder is absent, and then
failed instead under CI (tests/helpers.py ``shared_data``)."""

from __future__ import annotations

import base64
import copy
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from nomadcloud.proofs.core import dataintegrity, ed25519, jcs, merkle, note
from tests.helpers import SHARED_DATA, needs_shared_data, shared_cases

VECTORS = SHARED_DATA / "vectors"
needs_vectors = needs_shared_data("vectors")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _cases(folder: str) -> list[Path]:
    root = VECTORS / "merkle" / "testdata" / folder
    return sorted(root.rglob("*.json")) if root.is_dir() else []


def _id(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


# --- RFC 8785 JCS ---------------------------------------------------------------------------

JCS_CASES = ["arrays", "french", "structures", "unicode", "values", "weird"]


@needs_vectors
@pytest.mark.parametrize("case", JCS_CASES)
def test_jcs_vectors(case: str) -> None:
    folder = VECTORS / "jcs"
    value = json.loads((folder / "input" / f"{case}.json").read_text(encoding="utf-8"))
    expected = (folder / "output" / f"{case}.json").read_bytes()
    assert jcs.canonicalize(value) == expected
    assert expected == bytes.fromhex((folder / "outhex" / f"{case}.txt").read_text())


# RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialisations.
ES6_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "text"), ES6_NUMBERS)
def test_jcs_es6_numbers(bits: str, text: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert jcs.serialize_number(value) == text


@pytest.mark.parametrize(
    "bad", [float("nan"), float("inf"), -float("inf"), 2**53 + 1, {1: "x"}, "\ud800", b"x"]
)
def test_jcs_refuses_what_has_no_canonical_form(bad: Any) -> None:
    with pytest.raises(jcs.JCSError):
        jcs.canonicalize(bad)


def test_jcs_sorts_by_utf16_code_units() -> None:
    # U+1F602 (surrogates D83D DE02) sorts before U+FB33 in UTF-16, after it in code points.
    assert jcs.canonicalize({"\ufb33": 1, "\U0001f602": 2}) == (
        '{"\U0001f602":2,"\ufb33":1}'.encode()
    )
    assert jcs.canonicalize([True, False, None, 0, -0.0, 1.0, "a\x1f"]) == (
        b'[true,false,null,0,0,1,"a\\u001f"]'
    )


# --- Ed25519: Wycheproof ----------------------------------------------------------------------


def _wycheproof() -> list[tuple[str, dict[str, Any], bytes]]:
    path = VECTORS / "ed25519" / "ed25519_test.json"
    if not path.is_file():
        return []
    data = _json(path)
    return [
        (f"tc{test['tcId']}", test, bytes.fromhex(group["publicKey"]["pk"]))
        for group in data["testGroups"]
        for test in group["tests"]
    ]


WYCHEPROOF = _wycheproof()


@needs_vectors
def test_wycheproof_file_is_complete() -> None:
    data = _json(VECTORS / "ed25519" / "ed25519_test.json")
    assert len(WYCHEPROOF) == data["numberOfTests"] == 151


@needs_vectors
@pytest.mark.parametrize(
    ("test", "pk"),
    shared_cases([pytest.param(*w[1:], id=w[0]) for w in WYCHEPROOF], width=2),
)
def test_wycheproof_ed25519(test: dict[str, Any], pk: bytes) -> None:
    ok = ed25519.verify(pk, bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"]))
    assert ok == (test["result"] == "valid"), test["comment"]
    # Every Wycheproof key is an honestly generated key and passes screening.
    assert ed25519.screen_public_key(pk) == pk


def _torsion_points() -> set[bytes]:
    """The encodings of the 8 points of order dividing 8, found as [L]P for points P."""
    found: set[bytes] = set()
    y = 2
    while len(found) < 8 and y < 10_000:
        for sign in (0, 1):
            enc = (y | (sign << 255)).to_bytes(32, "little")
            try:
                point = ed25519._decode_point(enc)
            except ed25519.InvalidKey:
                continue
            torsion = ed25519._mul(ed25519.L, point)
            x, yy, z, _ = torsion
            zi = pow(z, ed25519.P - 2, ed25519.P)
            ax, ay = x * zi % ed25519.P, yy * zi % ed25519.P
            found.add((ay | ((ax & 1) << 255)).to_bytes(32, "little"))
        y += 1
    return found


def test_screening_refuses_small_order_keys() -> None:
    points = _torsion_points()
    assert len(points) == 8
    identity = (1).to_bytes(32, "little")
    assert identity in points
    for enc in points:
        with pytest.raises(ed25519.InvalidKey) as exc:
            ed25519.screen_public_key(enc)
        assert exc.value.reason == "small_order"


def test_screening_refuses_non_canonical_and_bad_keys() -> None:
    p = ed25519.P
    cases = {
        # y = p + 1 encodes the identity non-canonically; y = p encodes y = 0.
        (p + 1).to_bytes(32, "little"): "non_canonical",
        p.to_bytes(32, "little"): "non_canonical",
        (2**255 - 1).to_bytes(32, "little"): "non_canonical",
        # x = 0 with the sign bit set ("negative zero"), y = 1.
        (1 | (1 << 255)).to_bytes(32, "little"): "non_canonical",
        (2).to_bytes(32, "little"): "not_on_curve",
        b"\x00" * 31: "length",
    }
    for enc, reason in cases.items():
        with pytest.raises(ed25519.InvalidKey) as exc:
            ed25519.screen_public_key(enc)
        assert exc.value.reason == reason, enc.hex()


def test_screening_refuses_mixed_order_key() -> None:
    seed = bytes(range(32))
    pub = ed25519.public_key_from_seed(seed)
    point = ed25519._add(ed25519._decode_point(pub), ed25519._decode_point(b"\x00" * 32))
    x, y, z, _ = point  # add the point (sqrt(-1), 0) of order 4
    zi = pow(z, ed25519.P - 2, ed25519.P)
    ax, ay = x * zi % ed25519.P, y * zi % ed25519.P
    mixed = (ay | ((ax & 1) << 255)).to_bytes(32, "little")
    with pytest.raises(ed25519.InvalidKey) as exc:
        ed25519.screen_public_key(mixed)
    assert exc.value.reason == "mixed_order"
    assert ed25519.screen_public_key(mixed, require_prime_order=False) == mixed
    assert ed25519.screen_public_key(pub) == pub


def test_sign_verify_roundtrip_and_malleability() -> None:
    seed = ed25519.generate_seed()
    pub = ed25519.public_key_from_seed(seed)
    sig = ed25519.sign(seed, b"hello")
    assert ed25519.verify(pub, b"hello", sig)
    assert not ed25519.verify(pub, b"hellp", sig)
    s = int.from_bytes(sig[32:], "little") + ed25519.L
    assert not ed25519.verify(pub, b"hello", sig[:32] + s.to_bytes(32, "little"))
    assert not ed25519.verify(pub, b"hello", sig[:63])
    assert not ed25519.verify(pub[:31], b"hello", sig)


def test_base58_and_multikey() -> None:
    assert ed25519.b58encode(b"") == ""
    assert ed25519.b58encode(b"\0\0\x01") == "112"
    assert ed25519.b58decode("112") == b"\0\0\x01"
    assert ed25519.b58encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"
    with pytest.raises(ValueError):
        ed25519.b58decode("0OIl")
    for data in (b"\0", b"\0\xff", bytes(range(40))):
        assert ed25519.b58decode(ed25519.b58encode(data)) == data
    pub = ed25519.public_key_from_seed(b"\x07" * 32)
    mk = ed25519.multikey_encode_public(pub)
    assert mk.startswith("z6Mk")
    assert ed25519.multikey_decode_public(mk) == pub
    with pytest.raises(ed25519.InvalidKey):
        ed25519.multikey_decode_public(ed25519.multikey_encode_private(b"\x07" * 32))


# --- W3C Data Integrity eddsa-jcs-2022 --------------------------------------------------------

DI = VECTORS / "vc-di-eddsa"


def _di_keys() -> tuple[bytes, bytes]:
    pair = _json(DI / "keyPair.json")
    seed = ed25519.multikey_decode_private(pair["privateKeyMultibase"])
    pub = ed25519.multikey_decode_public(pair["publicKeyMultibase"])
    assert ed25519.public_key_from_seed(seed) == pub
    assert ed25519.multikey_encode_public(pub) == pair["publicKeyMultibase"]
    assert ed25519.multikey_encode_private(seed) == pair["privateKeyMultibase"]
    return seed, pub


@needs_vectors
def test_eddsa_jcs_2022_intermediate_values() -> None:
    seed, _ = _di_keys()
    folder = DI / "eddsa-jcs-2022"
    unsigned = _json(DI / "unsigned.json")
    config = _json(folder / "proofConfigJCS.json")
    canon_doc = jcs.canonicalize(unsigned)
    assert canon_doc == (folder / "canonDocJCS.txt").read_bytes()
    canon_config = dataintegrity.proof_configuration(unsigned, config)
    assert canon_config == (folder / "proofCanonJCS.txt").read_bytes()
    combined = dataintegrity.hash_data(canon_doc, canon_config)
    assert combined[32:].hex() == (folder / "docHashJCS.txt").read_text()
    assert combined[:32].hex() == (folder / "proofHashJCS.txt").read_text()
    assert combined.hex() == (folder / "combinedHashJCS.txt").read_text()
    signature = ed25519.sign(seed, combined)
    assert signature.hex() == (folder / "sigHexJCS.txt").read_text()
    assert ed25519.multibase_encode(signature) == (folder / "sigBTC58JCS.txt").read_text()


@needs_vectors
def test_eddsa_jcs_2022_proof_is_reproduced_and_verifies() -> None:
    seed, pub = _di_keys()
    folder = DI / "eddsa-jcs-2022"
    config = _json(folder / "proofConfigJCS.json")
    signed = _json(folder / "signedJCS.json")
    made = dataintegrity.add_proof(
        _json(DI / "unsigned.json"),
        seed,
        verification_method=config["verificationMethod"],
        proof_purpose=config["proofPurpose"],
        created=config["created"],
    )
    assert made == signed
    assert jcs.canonicalize(made) == jcs.canonicalize(signed)
    result = dataintegrity.verify_proof(signed, pub)
    assert result.verified and result.reason == "ok"
    assert result.verification_method == config["verificationMethod"]


def _tampered(signed: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for key in ("id", "name", "description", "issuer", "validFrom"):
        doc = copy.deepcopy(signed)
        doc[key] = doc[key][:-1] + ("X" if doc[key][-1] != "X" else "Y")
        out.append((key, doc))
    doc = copy.deepcopy(signed)
    doc["credentialSubject"]["alumniOf"] += "."
    out.append(("credentialSubject", doc))
    doc = copy.deepcopy(signed)
    doc["type"].append("Extra")
    out.append(("type", doc))
    doc = copy.deepcopy(signed)
    doc["proof"]["created"] = "2023-02-24T23:36:39Z"
    out.append(("proof.created", doc))
    doc = copy.deepcopy(signed)
    doc["proof"]["proofPurpose"] = "authentication"
    out.append(("proof.proofPurpose", doc))
    return out


@needs_vectors
def test_eddsa_jcs_2022_tampered_documents_fail() -> None:
    _, pub = _di_keys()
    signed = _json(DI / "eddsa-jcs-2022" / "signedJCS.json")
    for what, doc in _tampered(signed):
        result = dataintegrity.verify_proof(doc, pub)
        assert not result.verified, what
        assert result.reason == "signature", what


@needs_vectors
def test_eddsa_jcs_2022_bad_inputs_say_which_check_failed() -> None:
    _, pub = _di_keys()
    signed = _json(DI / "eddsa-jcs-2022" / "signedJCS.json")
    other = ed25519.public_key_from_seed(b"\x01" * 32)
    assert dataintegrity.verify_proof(signed, other).reason == "signature"
    assert dataintegrity.verify_proof("not a doc", pub).reason == "malformed"
    assert dataintegrity.verify_proof({"a": 1}, pub).reason == "no_proof"
    cases: list[tuple[str, Any, str]] = [
        ("proofValue", "not-multibase", "proof_value"),
        ("proofValue", "z0OIl", "proof_value"),
        ("proofValue", None, "proof_value"),
        ("cryptosuite", "eddsa-rdfc-2022", "cryptosuite"),
        ("type", "Ed25519Signature2020", "cryptosuite"),
        ("created", "yesterday", "created"),
        ("@context", ["https://example.org/other"], "context_mismatch"),
    ]
    for key, value, reason in cases:
        doc = copy.deepcopy(signed)
        doc["proof"][key] = value
        assert dataintegrity.verify_proof(doc, pub).reason == reason, key
    doc = copy.deepcopy(signed)
    doc["amount"] = float("nan")
    assert dataintegrity.verify_proof(doc, pub).reason == "not_canonicalizable"


def test_eddsa_jcs_2022_roundtrip_with_new_key() -> None:
    seed = ed25519.generate_seed()
    pub = ed25519.public_key_from_seed(seed)
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:web:zone.example",
        "credentialSubject": {"id": "urn:uuid:0", "workUnits": 12.5, "label": "数据标注"},
    }
    secured = dataintegrity.add_proof(
        doc, seed, verification_method="did:web:zone.example#key-1", created="2025-01-01T00:00:00Z"
    )
    assert dataintegrity.verify_proof(json.loads(json.dumps(secured)), pub).verified
    secured["credentialSubject"]["workUnits"] = 125
    assert dataintegrity.verify_proof(secured, pub).reason == "signature"
    with pytest.raises(dataintegrity.ProofError):
        dataintegrity.add_proof(secured, seed, verification_method="x")


# --- RFC 9162 Merkle trees ----------------------------------------------------------------------


def _reference() -> dict[str, Any]:
    data: dict[str, Any] = _json(VECTORS / "merkle" / "reference_trees.json")
    return data


@needs_vectors
def test_merkle_reference_roots_and_nodes() -> None:
    ref = _reference()
    leaves = [bytes.fromhex(leaf["data_hex"]) for leaf in ref["leaves"]]
    hashes = [merkle.hash_leaf(data) for data in leaves]
    assert [h.hex() for h in hashes] == [leaf["leaf_hash_hex"] for leaf in ref["leaves"]]
    tree = merkle.MemoryTree()
    compact = merkle.CompactRange()
    for n in range(9):
        expected = ref["roots"][n]
        assert expected["tree_size"] == n
        assert merkle.root(hashes[:n]).hex() == expected["root_hex"]
        assert tree.root().hex() == expected["root_hex"]
        assert compact.root().hex() == expected["root_hex"]
        assert base64.b64encode(tree.root()).decode() == expected["root_b64"]
        assert [h.hex() for _, h in compact.nodes] == ref["compact_trees"]["by_tree_size"][n]
        if n < 8:
            tree.append(hashes[n])
            compact.append(hashes[n])
    assert merkle.root([]) == merkle.EMPTY_ROOT
    for level, row in enumerate(ref["node_hashes"]["levels"]):
        for index, value in enumerate(row):
            assert tree.read(level, index).hex() == value


@needs_vectors
@pytest.mark.parametrize("path", shared_cases(_cases("inclusion")), ids=_id)
def test_merkle_inclusion_vectors(path: Path) -> None:
    case = _json(path)
    proof = [_b64(p) for p in case["proof"] or []]
    accepted = merkle.verify_inclusion(
        _b64(case["leafHash"]), case["leafIdx"], case["treeSize"], proof, _b64(case["root"])
    )
    assert accepted == (not case["wantErr"]), case["desc"]


@needs_vectors
@pytest.mark.parametrize("path", shared_cases(_cases("consistency")), ids=_id)
def test_merkle_consistency_vectors(path: Path) -> None:
    case = _json(path)
    proof = [_b64(p) for p in case["proof"] or []]
    accepted = merkle.verify_consistency(
        case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), proof
    )
    assert accepted == (not case["wantErr"]), case["desc"]


@needs_vectors
def test_merkle_vector_counts() -> None:
    for folder in ("inclusion", "consistency"):
        cases = [_json(p) for p in _cases(folder)]
        assert len(cases) == 98
        assert sum(not c["wantErr"] for c in cases) == 6


@needs_vectors
def test_merkle_generated_proofs_equal_published_happy_paths() -> None:
    ref = _reference()
    tree = merkle.MemoryTree(bytes.fromhex(leaf["leaf_hash_hex"]) for leaf in ref["leaves"])
    checked = 0
    for path in _cases("inclusion"):
        case = _json(path)
        if case["wantErr"] or path.parent.name not in "01234":
            continue
        made = tree.inclusion_proof(case["leafIdx"], case["treeSize"])
        assert [base64.b64encode(p).decode() for p in made] == (case["proof"] or [])
        checked += 1
    for path in _cases("consistency"):
        case = _json(path)
        if case["wantErr"] or path.parent.name not in "01234":
            continue
        made = tree.consistency_proof(case["size1"], case["size2"])
        assert [base64.b64encode(p).decode() for p in made] == (case["proof"] or [])
        checked += 1
    assert checked == 10


def test_merkle_all_proofs_verify_up_to_40_leaves() -> None:
    tree = merkle.MemoryTree(merkle.hash_leaf(i.to_bytes(4, "big")) for i in range(40))
    roots = [tree.root(n) for n in range(41)]
    for n in range(1, 41):
        for i in range(n):
            proof = tree.inclusion_proof(i, n)
            assert merkle.verify_inclusion(tree.read(0, i), i, n, proof, roots[n])
            assert not merkle.verify_inclusion(tree.read(0, i), i, n, proof, roots[n - 1])
        for m in range(1, n + 1):
            proof = tree.consistency_proof(m, n)
            assert merkle.verify_consistency(m, n, roots[m], roots[n], proof)
            if m < n:
                assert not merkle.verify_consistency(m, n, roots[n], roots[m], proof)


def test_merkle_plans_are_logarithmic_and_batchable() -> None:
    size = 10_000_019
    plan = merkle.inclusion_plan(1234567, size)
    ids = merkle.plan_node_ids(plan)
    assert len(ids) <= 2 * size.bit_length()
    assert all(
        n.index * (1 << n.level) + (1 << n.level) <= size for n in ids
    )  # complete nodes only
    cplan = merkle.consistency_plan(3_000_001, size)
    assert len(merkle.plan_node_ids(cplan)) <= 3 * size.bit_length()


def test_merkle_store_backed_proofs_and_append_rows() -> None:
    """A dict of the rows CompactRange.append emits serves as the node table."""
    table: dict[merkle.NodeId, bytes] = {}
    compact = merkle.CompactRange()
    hashes = [merkle.hash_leaf(str(i).encode()) for i in range(100)]
    for h in hashes:
        for node, value in compact.append(h):
            assert node not in table  # append-only: rows are never rewritten
            table[node] = value
    reads: list[merkle.NodeId] = []

    def read(level: int, index: int) -> bytes:
        reads.append(merkle.NodeId(level, index))
        return table[merkle.NodeId(level, index)]

    assert merkle.root_from_nodes(100, read) == merkle.root(hashes) == compact.root()
    reads.clear()
    proof = merkle.inclusion_proof(37, 100, read)
    assert len(reads) <= 2 * (100).bit_length()
    assert merkle.verify_inclusion(hashes[37], 37, 100, proof, compact.root())
    plan = merkle.consistency_plan(37, 100)
    fetched = {n: table[n] for n in merkle.plan_node_ids(plan)}
    proof = merkle.proof_from_plan(plan, fetched)
    assert merkle.verify_consistency(37, 100, merkle.root(hashes[:37]), compact.root(), proof)
    resumed = merkle.CompactRange.from_nodes(100, read)
    assert resumed.root() == compact.root()
    extra = merkle.hash_leaf(b"next")
    assert resumed.append(extra) == compact.append(extra)


def test_merkle_verifiers_never_raise() -> None:
    h = merkle.hash_leaf(b"")
    assert not merkle.verify_inclusion(h, -1, 1, [], h)
    assert not merkle.verify_inclusion(h, 0, 0, [], h)
    assert not merkle.verify_inclusion(h, 0, 1, [], h[:31])
    assert not merkle.verify_consistency(0, 0, h, h, [])
    assert not merkle.verify_consistency(2, 1, h, h, [h])
    assert not merkle.verify_consistency(1, 2, h, h, [])
    with pytest.raises(ValueError):
        merkle.inclusion_plan(5, 5)
    with pytest.raises(ValueError):
        merkle.consistency_plan(0, 5)


# --- C2SP signed note and checkpoints -----------------------------------------------------------


def _note_vector() -> dict[str, Any]:
    data: dict[str, Any] = _json(VECTORS / "signed-note" / "peter_neumann_sign.json")
    return data


@needs_vectors
def test_signed_note_vector() -> None:
    v = _note_vector()
    signer = note.Signer.parse(v["private_key"])
    verifier = note.Verifier.parse(v["verifier_key"])
    assert signer.name == verifier.name == v["key_name"]
    assert f"{signer.key_id:08x}" == f"{verifier.key_id:08x}" == v["key_id_hex"]
    assert signer.seed.hex() == v["ed25519_seed_hex"]
    assert verifier.public_key.hex() == v["ed25519_public_key_hex"]
    assert signer.encode() == v["private_key"] and verifier.encode() == v["verifier_key"]
    signed = note.sign_note(v["text"], [signer])
    assert signed == v["expected_signed_note"]
    assert signed.endswith(v["expected_signature_line"])
    opened = note.open_note(signed.encode(), [verifier])
    assert opened.text == v["text"]
    assert [s.b64 for s in opened.verified] == [v["expected_signature_b64"]]
    assert opened.verified[0].signature.hex() == v["expected_ed25519_signature_hex"]


@needs_vectors
def test_signed_note_changed_byte_fails() -> None:
    v = _note_vector()
    verifier = note.Verifier.parse(v["verifier_key"])
    signed: str = v["expected_signed_note"]
    changed_text = signed.replace("cryptography", "cryptographY", 1)
    with pytest.raises(note.NoteError) as exc:
        note.open_note(changed_text, [verifier])
    assert exc.value.reason == "invalid_signature"
    sig_b64 = v["expected_signature_b64"]
    flipped = sig_b64[:10] + ("A" if sig_b64[10] != "A" else "B") + sig_b64[11:]
    with pytest.raises(note.NoteError) as exc:
        note.open_note(signed.replace(sig_b64, flipped), [verifier])
    assert exc.value.reason == "invalid_signature"
    other = note.Verifier.parse(note.generate_signer_key("Other")[1])
    with pytest.raises(note.NoteError) as exc:
        note.open_note(signed, [other])
    assert exc.value.reason == "unverified"
    for broken in (signed.replace("\n\n", "\n"), signed[:-1], signed.replace("— ", "- ")):
        with pytest.raises(note.NoteError) as exc:
            note.open_note(broken, [verifier])
        assert exc.value.reason == "malformed"


@needs_vectors
def test_signed_note_other_sign_cases() -> None:
    v = _note_vector()
    signer = note.Signer.parse(v["private_key"])
    for case in v["other_cases_from_TestSign"]:
        signers = [signer] if case["signers"] == ["this key"] else []
        existing: tuple[note.Signature, ...] = ()
        if "presigned_name" in case:
            existing = (
                note.Signature(
                    case["presigned_name"],
                    int(case["presigned_key_id_hex"], 16),
                    case["presigned_b64"],
                ),
            )
        if "expected_error" in case:
            with pytest.raises(note.NoteError) as exc:
                note.sign_note(case["text"], signers, existing)
            assert exc.value.reason == "malformed", case["case"]
        else:
            assert note.sign_note(case["text"], signers, existing) == case["expected_signed_note"]


def test_checkpoint_roundtrip() -> None:
    skey, vkey = note.generate_signer_key("zone.example/log")
    signer, verifier = note.Signer.parse(skey), note.Verifier.parse(vkey)
    root = merkle.root([merkle.hash_leaf(b"a"), merkle.hash_leaf(b"b")])
    cp = note.Checkpoint("zone.example/log", 2, root)
    text = note.format_checkpoint(cp)
    assert text == f"zone.example/log\n2\n{base64.b64encode(root).decode()}\n"
    signed = note.sign_note(text, [signer])
    opened = note.open_note(signed, [verifier])
    assert note.parse_checkpoint(opened.text, origin="zone.example/log") == cp
    with pytest.raises(note.NoteError):
        note.parse_checkpoint(opened.text, origin="another.example/log")
    for bad in ("o\n02\n" + text.split("\n")[2] + "\n", "o\n2\nAAAA\n", "o\n2\n", "o\n-1\nx\n"):
        with pytest.raises(note.NoteError):
            note.parse_checkpoint(bad)
    ext = note.Checkpoint("o", 0, merkle.EMPTY_ROOT, ("ext line",))
    assert note.parse_checkpoint(note.format_checkpoint(ext)) == ext
