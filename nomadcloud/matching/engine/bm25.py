"""Okapi BM25 over a growing collection of documents, with numpy postings.

Documents live in slots; replacing a document kills its slot and adds a new one. Statistics
(document frequency, average length) count live documents only, so a document scores the
same whether it came in the first build or in a later update. ``score_tokens`` scores one
document from its tokens with the same statistics, for explanations.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np

from nomadcloud.matching.engine.growable import Column, Postings

K1 = 1.2
B = 0.75


class BM25:
    def __init__(self) -> None:
        self.terms: dict[str, int] = {}
        self.names: list[str] = []  # term id → word
        self.postings: list[Postings] = []  # per term: (slot, term frequency)
        self.df: list[int] = []
        self.lengths = Column(np.float32)
        self._doc_start = Column(np.int64)  # per slot, into _doc_terms
        self._doc_terms = Column(np.int32)  # the distinct terms of each slot, for removal
        self.live = 0
        self.total_length = 0

    def add(self, tokens: Iterable[str]) -> int:
        """Index a document in the next slot; returns the slot."""
        slot = len(self.lengths)
        counts = Counter(tokens)
        self._doc_start.append(len(self._doc_terms))
        term_ids = []
        for term, tf in counts.items():
            term_id = self.terms.get(term)
            if term_id is None:
                term_id = self.terms[term] = len(self.postings)
                self.names.append(term)
                self.postings.append(Postings(np.float32))
                self.df.append(0)
            self.postings[term_id].append(slot, float(tf))
            self.df[term_id] += 1
            term_ids.append(term_id)
        self._doc_terms.extend(term_ids)
        length = sum(counts.values())
        self.lengths.append(float(length))
        self.live += 1
        self.total_length += length
        return slot

    def remove(self, slot: int) -> None:
        """Take the document at ``slot`` out of the statistics (callers mask the slot)."""
        starts = self._doc_start.array()
        end = starts[slot + 1] if slot + 1 < len(starts) else len(self._doc_terms)
        for term_id in self._doc_terms.array()[starts[slot] : end]:
            self.df[int(term_id)] -= 1
        self.live -= 1
        self.total_length -= int(self.lengths.array()[slot])

    def idf(self, term_id: int) -> float:
        df = self.df[term_id]
        return math.log(1 + (self.live - df + 0.5) / (df + 0.5))

    def query(self, tokens: Iterable[str]) -> dict[int, int]:
        """The query's words this collection knows, with their counts."""
        counts = Counter(t for t in tokens if t in self.terms)
        return {self.terms[t]: n for t, n in counts.items() if self.df[self.terms[t]] > 0}

    def _average(self) -> float:
        return self.total_length / self.live if self.live else 1.0

    def scores(self, query: dict[int, int], size: int) -> np.ndarray:
        """BM25 of every slot below ``size`` (dead slots must be masked by the caller)."""
        result = np.zeros(size, dtype=np.float32)
        slots, values = self.sparse_scores(query, size)
        result[slots] = values
        return result

    def sparse_scores(self, query: dict[int, int], size: int) -> tuple[np.ndarray, np.ndarray]:
        """The slots below ``size`` holding a word of the query (ascending, each once) and
        their BM25: what ``scores`` holds there (0 elsewhere), computed only there, the terms
        added in the query's order as ``scores`` always added them."""
        if not query:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        lengths = self.lengths.array()
        average = np.float32(self._average())
        found, parts = [], []
        for term_id, query_count in query.items():
            slots, tf = self.postings[term_id].arrays()
            if len(slots) and slots[-1] >= size:
                keep = slots < size
                slots, tf = slots[keep], tf[keep]
            norm = (K1 * (1 - B + B * lengths[slots] / average)).astype(np.float32)
            weight = np.float32(self.idf(term_id) * query_count)
            found.append(slots)
            parts.append(weight * tf * np.float32(K1 + 1) / (tf + norm))
        if len(found) == 1:  # a term's slots are distinct and ascending
            return found[0], parts[0]
        every = np.concatenate(found)
        slots, inverse = np.unique(every, return_inverse=True)
        values = np.zeros(len(slots), dtype=np.float32)
        np.add.at(values, inverse, np.concatenate(parts))  # in the query's order per slot
        return slots, values

    def score_tokens(self, query: dict[int, int], tokens: list[str]) -> tuple[float, list[str]]:
        """BM25 of one document given by its tokens, and the query words it contains."""
        counts = Counter(tokens)
        norm = K1 * (1 - B + B * len(tokens) / self._average())
        total = 0.0
        matched = []
        for term_id, query_count in query.items():
            tf = counts.get(self.names[term_id], 0)
            if tf:
                total += self.idf(term_id) * query_count * tf * (K1 + 1) / (tf + norm)
                matched.append(self.names[term_id])
        return total, matched
