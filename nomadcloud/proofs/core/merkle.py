"""RFC 9162 (and RFC 6962) Merkle tree hashing, inclusion and consistency proofs.

Hashing: ``leaf = SHA-256(0x00 ‖ data)``, ``node = SHA-256(0x01 ‖ left ‖ right)``, the empty
tree's root is ``SHA-256("")``; a tree of n > 1 leaves splits at k, the largest power of
two below n (RFC 9162 §2.1.1).

Storage. A node is named by ``NodeId(level, index)``: the complete (perfect) subtree of
``2**level`` leaves starting at leaf ``index * 2**level``; level 0 is the leaf hashes. Once
the log has ``(index + 1) * 2**level`` entries such a node never changes, so a store only
ever inserts rows. Every hash needed by a proof is a fold of such nodes, so proof
generation takes a ``NodeReader`` — any callable ``(level, index) -> bytes`` — and needs
O(log n) of them:

- ``inclusion_plan`` / ``consistency_plan`` list the node ids a proof needs (at most
  about 2·log2 n), so a database layer can fetch them all in one query and then call
  ``proof_from_plan`` with a mapping;
- ``inclusion_proof`` / ``consistency_proof`` do both steps with a reader;
- ``CompactRange`` appends leaves in memory and returns the nodes each append completes
  (to be stored), plus the current root — O(log n) memory, no reads.

Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2, with the strict input rules of
transparency-dev/merkle (all sizes and lengths checked; never raises on bad input).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

__all__ = [
    "EMPTY_ROOT",
    "CompactRange",
    "MemoryTree",
    "NodeId",
    "NodeReader",
    "consistency_plan",
    "consistency_proof",
    "hash_children",
    "hash_leaf",
    "inclusion_plan",
    "inclusion_proof",
    "nodes_for_range",
    "plan_node_ids",
    "proof_from_plan",
    "range_hash",
    "root",
    "root_from_nodes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class NodeId(NamedTuple):
    """The complete subtree of ``2**level`` leaves starting at leaf ``index * 2**level``.
    (A named tuple: proofs for a batch build tens of thousands, and a frozen dataclass
    cost several times more to create.)"""

    level: int
    index: int  # type: ignore[assignment]  # shadows tuple.index, unused here


NodeReader = Callable[[int, int], bytes]
Plan = list[list[NodeId]]  # one entry per proof element: the nodes folded into it


def hash_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly less than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """Merkle tree hash of a list of leaf hashes (MTH of RFC 9162 §2.1.1)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    compact = CompactRange()
    for h in leaf_hashes:
        compact.append(h)
    return compact.root()


# --- node decomposition ----------------------------------------------------------------------


def nodes_for_range(begin: int, end: int) -> list[NodeId]:
    """The complete subtrees covering leaves [begin, end), left to right, greedily largest.

    For the ranges that occur in RFC 9162 trees (the subtree at each recursion step), the
    hash of the range is the right-to-left fold of these nodes (see ``range_hash``).
    """
    if not 0 <= begin <= end:
        raise ValueError("bad range")
    out: list[NodeId] = []
    while begin < end:
        level = (end - begin).bit_length() - 1  # the largest that fits…
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)  # …and that begin aligns to
        out.append(NodeId(level, begin >> level))
        begin += 1 << level
    return out


def _fold(hashes: Sequence[bytes]) -> bytes:
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = hash_children(h, acc)
    return acc


def range_hash(begin: int, end: int, read: NodeReader) -> bytes:
    """Hash of the subtree over leaves [begin, end) (begin aligned as in RFC 9162 trees)."""
    if begin == end:
        return EMPTY_ROOT
    return _fold([read(n.level, n.index) for n in nodes_for_range(begin, end)])


def root_from_nodes(size: int, read: NodeReader) -> bytes:
    """Root of the tree of ``size`` leaves from stored nodes: at most log2(size)+1 reads."""
    return range_hash(0, size, read)


# --- proof plans -------------------------------------------------------------------------------


def inclusion_plan(index: int, size: int) -> Plan:
    """Nodes needed for PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), leaf-side first."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    plan: Plan = []
    begin, end = 0, size
    while end - begin > 1:
        k = _split(end - begin)
        if index < begin + k:
            plan.append(nodes_for_range(begin + k, end))
            end = begin + k
        else:
            plan.append(nodes_for_range(begin, begin + k))
            begin += k
    plan.reverse()
    return plan


def consistency_plan(size1: int, size2: int) -> Plan:
    """Nodes needed for PROOF(size1, D[0:size2]) (RFC 9162 §2.1.4.1)."""
    if not 0 < size1 <= size2:
        raise ValueError("need 0 < size1 <= size2")
    plan: Plan = []
    if size1 == size2:
        return plan
    begin, end, m, complete = 0, size2, size1, True
    while True:
        n = end - begin
        if m == n:
            if not complete:
                plan.append(nodes_for_range(begin, end))
            break
        k = _split(n)
        if m <= k:
            plan.append(nodes_for_range(begin + k, end))
            end = begin + k
        else:
            plan.append(nodes_for_range(begin, begin + k))
            begin += k
            m -= k
            complete = False
    plan.reverse()
    return plan


def proof_from_plan(plan: Plan, hashes: Mapping[NodeId, bytes] | NodeReader) -> list[bytes]:
    """Fold the fetched node hashes into proof elements."""
    read: NodeReader = (
        hashes if callable(hashes) else (lambda level, index: hashes[NodeId(level, index)])
    )
    return [_fold([read(n.level, n.index) for n in element]) for element in plan]


def inclusion_proof(index: int, size: int, read: NodeReader) -> list[bytes]:
    return proof_from_plan(inclusion_plan(index, size), read)


def consistency_proof(size1: int, size2: int, read: NodeReader) -> list[bytes]:
    return proof_from_plan(consistency_plan(size1, size2), read)


def plan_node_ids(plan: Plan) -> set[NodeId]:
    """Distinct node ids of a plan (what to fetch)."""
    return {n for element in plan for n in element}


# --- verification ------------------------------------------------------------------------------


def _all_hashes(values: Iterable[bytes]) -> bool:
    return all(isinstance(v, bytes) and len(v) == HASH_SIZE for v in values)


# What a malformed proof can raise inside a verifier (None or a number for the proof, a
# string for a hash, …): the public verifiers answer False for all of them.
_MALFORMED = (TypeError, ValueError, AttributeError, IndexError, KeyError, OverflowError)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 §2.1.3.2; exact proof length, 32-byte hashes. Never raises: whatever the
    arguments (None, wrong types, a proof that is not a list), a malformed proof is False."""
    try:
        return _verify_inclusion(leaf_hash, index, size, proof, root_hash)
    except _MALFORMED:
        return False


def _verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    if not (isinstance(index, int) and isinstance(size, int) and 0 <= index < size):
        return False
    if not _all_hashes([leaf_hash, root_hash, *proof]):
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hash_children(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2; size1 must be > 0. Never raises (a malformed proof is False)."""
    try:
        return _verify_consistency(size1, size2, root1, root2, proof)
    except _MALFORMED:
        return False


def _verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    if not (isinstance(size1, int) and isinstance(size2, int) and 0 < size1 <= size2):
        return False
    if size1 == size2:
        return len(proof) == 0 and root1 == root2
    if not proof or not _all_hashes([root1, root2, *proof]):
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # power of two: the old root is the first node
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = hash_children(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


# --- building ----------------------------------------------------------------------------------


class CompactRange:
    """The perfect-subtree roots of a tree's compact range [0, size), largest first.

    ``append`` returns every node the new leaf completes (level 0 included), which is
    exactly what an append-only node table must insert. Start from an existing log with
    ``CompactRange.from_nodes(size, read)``.
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[NodeId, bytes]] = []

    @classmethod
    def from_nodes(cls, size: int, read: NodeReader) -> CompactRange:
        compact = cls()
        compact.size = size
        compact._stack = [(n, read(n.level, n.index)) for n in nodes_for_range(0, size)]
        return compact

    @property
    def nodes(self) -> list[tuple[NodeId, bytes]]:
        return list(self._stack)

    def append(self, leaf_hash: bytes) -> list[tuple[NodeId, bytes]]:
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        node, h = NodeId(0, self.size), leaf_hash
        created = [(node, h)]
        while self._stack and self._stack[-1][0].level == node.level:
            _, left = self._stack.pop()
            h = hash_children(left, h)
            node = NodeId(node.level + 1, node.index >> 1)
            created.append((node, h))
        self._stack.append((node, h))
        self.size += 1
        return created

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        return _fold([h for _, h in self._stack])


class MemoryTree:
    """An in-memory log keeping every complete node: a reference ``NodeReader``."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._compact = CompactRange()
        self._nodes: dict[NodeId, bytes] = {}
        for h in leaf_hashes:
            self.append(h)

    @property
    def size(self) -> int:
        return self._compact.size

    def append(self, leaf_hash: bytes) -> int:
        index = self._compact.size
        self._nodes.update(self._compact.append(leaf_hash))
        return index

    def read(self, level: int, index: int) -> bytes:
        return self._nodes[NodeId(level, index)]

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError("size beyond the tree")
        return root_from_nodes(size, self.read)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self.read)

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        return consistency_proof(size1, self.size if size2 is None else size2, self.read)
