"""A large transparency-log tree for the inclusion-proof figures, built level by level with
the core hashing (``merkle.hash_leaf`` / ``merkle.hash_children``) and kept as one file of
concatenated 32-byte hashes per level, so that each database child process can bulk-load it.

Node ``(level, index)`` is the complete subtree of ``2**level`` leaves starting at leaf
``index * 2**level`` — exactly the rows ``merkle.CompactRange.append`` emits and the
``LogNode`` table stores. ``check_against_compact_range`` proves that on a prefix.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from nomadcloud.proofs.core import merkle

HASH = 32
CHUNK = 1 << 16


def leaf_data(index: int) -> bytes:
    """Stand-in for the canonical JSON of the credential at ``index``."""
    return b"proofsbench leaf %d" % index


def level_path(folder: Path, level: int) -> Path:
    return folder / f"level-{level:02d}.bin"


def build(folder: Path, size: int, progress: bool = True) -> int:
    """Write the node hashes of a tree of ``size`` leaves, one file per level; returns the
    number of levels (files)."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    hash_leaf, hash_children = merkle.hash_leaf, merkle.hash_children
    with level_path(folder, 0).open("wb") as out:
        for begin in range(0, size, CHUNK):
            out.write(
                b"".join([hash_leaf(leaf_data(i)) for i in range(begin, min(size, begin + CHUNK))])
            )
    if progress:
        print(
            f"  level 0: {size:,} leaf hashes ({time.perf_counter() - started:.1f} s)", flush=True
        )
    level, count = 0, size
    while count > 1:
        below = level_path(folder, level).read_bytes()
        count //= 2
        level += 1
        with level_path(folder, level).open("wb") as out:
            for begin in range(0, count, CHUNK):
                end = min(count, begin + CHUNK)
                out.write(
                    b"".join(
                        [
                            hash_children(
                                below[64 * j : 64 * j + 32], below[64 * j + 32 : 64 * j + 64]
                            )
                            for j in range(begin, end)
                        ]
                    )
                )
    if progress:
        inner = sum(size >> k for k in range(1, level + 1))
        seconds = time.perf_counter() - started
        print(f"  levels 1–{level}: {inner:,} inner nodes ({seconds:.1f} s in all)", flush=True)
    return level + 1


class Levels:
    """Read access to the built tree: a ``merkle.NodeReader`` and row iterators."""

    def __init__(self, folder: Path) -> None:
        self.data: list[bytes] = []
        level = 0
        while level_path(folder, level).exists():
            self.data.append(level_path(folder, level).read_bytes())
            level += 1

    def read(self, level: int, index: int) -> bytes:
        node = self.data[level][HASH * index : HASH * index + HASH]
        if len(node) != HASH:
            raise KeyError((level, index))
        return node

    def root(self, size: int) -> bytes:
        return merkle.root_from_nodes(size, self.read)

    def complete_nodes(self, level: int, size: int) -> int:
        """How many nodes of this level are complete in a tree of ``size`` leaves."""
        return min(size >> level, len(self.data[level]) // HASH)

    def rows(self, first_size: int, size: int) -> Iterator[tuple[int, int, bytes]]:
        """(level, index, hash) of the nodes complete at ``size`` but not at ``first_size``,
        level by level, in index order (the unique index's order)."""
        for level, blob in enumerate(self.data):
            start, stop = self.complete_nodes(level, first_size), self.complete_nodes(level, size)
            for index in range(start, stop):
                yield level, index, blob[HASH * index : HASH * index + HASH]

    def count(self, first_size: int, size: int) -> int:
        return sum(
            self.complete_nodes(level, size) - self.complete_nodes(level, first_size)
            for level in range(len(self.data))
        )


def check_against_compact_range(levels: Levels, size: int) -> None:
    """The rows and root of ``merkle.CompactRange`` over the first ``size`` leaves equal the
    level files (raises AssertionError otherwise)."""
    compact = merkle.CompactRange()
    for index in range(size):
        for node, value in compact.append(levels.read(0, index)):
            if levels.read(node.level, node.index) != value:
                raise AssertionError(f"node {node} differs from CompactRange")
    if compact.root() != levels.root(size):
        raise AssertionError("root differs from CompactRange")
