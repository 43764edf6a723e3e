"""Text and spans: normalised transcriptions, CJK-aware tokens, spans as token labels and back, and
one answer scored against a reference (gold accuracy, agreement with the result)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from .categorical import (
    MULTI_LABEL,
    NO_SPAN,
    SINGLE_LABEL,
    SPANS,
    TRANSCRIPTION,
    Span,
)

# --- text and spans ---------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]")


def normalise_text(text: str) -> str:
    """NFKC (full-width letters and digits become half-width), case-folded, whitespace
    collapsed to single spaces and trimmed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def tokenize(text: str) -> list[tuple[int, int]]:
    """Token boundaries (start, end) in characters."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def token_labels(tokens: Sequence[tuple[int, int]], spans: Iterable[Span]) -> list[str]:
    """Each token's label: the label of the span that overlaps it, else ``O``."""
    labels = [NO_SPAN] * len(tokens)
    for start, end, label in spans:
        for index, (t_start, t_end) in enumerate(tokens):
            if t_start < end and start < t_end:
                labels[index] = label
    return labels


def spans_from_tokens(tokens: Sequence[tuple[int, int]], labels: Sequence[str]) -> list[Span]:
    """Runs of adjacent tokens with the same label (other than ``O``) as spans."""
    spans: list[Span] = []
    current: list[Any] | None = None
    for (start, end), label in zip(tokens, labels, strict=True):
        if current is not None and label == current[2]:
            current[1] = end
            continue
        if current is not None:
            spans.append((current[0], current[1], current[2]))
            current = None
        if label != NO_SPAN:
            current = [start, end, label]
    if current is not None:
        spans.append((current[0], current[1], current[2]))
    return spans


# --- scoring one answer against a reference (gold accuracy, agreement with the result) -------


def score(task_type: str, answer: Any, reference: Any, text: str = "") -> float:
    """How well ``answer`` matches ``reference``, from 0 to 1: exact match for single
    labels, Jaccard similarity of the label sets for multi-label, equality after
    ``normalise_text`` for transcriptions, token-level F1 of labelled tokens for spans
    (1 when neither marks anything)."""
    if task_type == SINGLE_LABEL:
        return 1.0 if answer == reference else 0.0
    if task_type == MULTI_LABEL:
        mine, theirs = set(answer), set(reference)
        union = mine | theirs
        return 1.0 if not union else len(mine & theirs) / len(union)
    if task_type == TRANSCRIPTION:
        return 1.0 if normalise_text(str(answer)) == normalise_text(str(reference)) else 0.0
    if task_type == SPANS:
        tokens = tokenize(text)
        mine_labels = token_labels(tokens, [tuple(s) for s in answer])
        ref_labels = token_labels(tokens, [tuple(s) for s in reference])
        predicted = sum(1 for label in mine_labels if label != NO_SPAN)
        actual = sum(1 for label in ref_labels if label != NO_SPAN)
        if predicted == 0 and actual == 0:
            return 1.0
        hits = sum(
            1 for a, b in zip(mine_labels, ref_labels, strict=True) if a == b and a != NO_SPAN
        )
        return 2 * hits / (predicted + actual)
    raise ValueError(f"unknown task type {task_type!r}")
