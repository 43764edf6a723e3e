"""Task types, results, and the categorical aggregators: majority vote with its tie rule, and Dawid
and Skene (1979) expectation maximisation with its confusion matrices."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

EPSILON = 1e-10
NO_SPAN = "O"

SINGLE_LABEL = "single_label"
MULTI_LABEL = "multi_label"
TRANSCRIPTION = "transcription"
SPANS = "spans"
TASK_TYPES = (SINGLE_LABEL, MULTI_LABEL, TRANSCRIPTION, SPANS)

MAJORITY = "majority"
DAWID_SKENE = "dawid_skene"
METHODS = (MAJORITY, DAWID_SKENE)

Span = tuple[int, int, str]  # start, end (exclusive, in characters), label


@dataclass(frozen=True)
class Outcome:
    """One item's aggregated answer: the value, how sure (0–1), and the support per value
    (vote counts for majority vote, posteriors for Dawid–Skene)."""

    value: Any
    confidence: float
    support: dict[str, float] = field(default_factory=dict)


@dataclass
class DawidSkeneResult:
    outcomes: dict[Hashable, Outcome]
    labels: list[str]
    priors: dict[str, float]
    # worker → estimated accuracy (Σ_k prior_k · P(answer = k | true = k))
    worker_accuracy: dict[Hashable, float]
    iterations: int
    converged: bool


@dataclass
class Report:
    """The aggregation of one batch."""

    outcomes: dict[Hashable, Outcome]
    alpha: float | None
    kappa: float | None
    per_label_alpha: dict[str, float | None] = field(default_factory=dict)
    iterations: int = 0


# --- majority vote ----------------------------------------------------------------------------


def _label_order(labels: Sequence[str] | None, seen: Iterable[str]) -> dict[str, int]:
    order = list(labels) if labels is not None else sorted(set(seen))
    ranks = {label: index for index, label in enumerate(order)}
    for label in sorted(set(seen) - set(ranks)):
        ranks[label] = len(ranks)
    return ranks


def pick(
    votes: Mapping[str, float],
    voters: Mapping[str, Iterable[Hashable]],
    order: Mapping[str, int],
    worker_accuracy: Mapping[Any, float] | None,
) -> str:
    """The winner of one vote, by the tie rule in the module's docstring."""
    best = max(votes.values())
    tied = [label for label, count in votes.items() if math.isclose(count, best)]
    if len(tied) == 1:
        return tied[0]
    accuracy = worker_accuracy or {}

    def standing(label: str) -> tuple[float, int]:
        known = [accuracy[w] for w in voters.get(label, ()) if w in accuracy]
        return (-(max(known) if known else -1.0), order.get(label, len(order)))

    return min(tied, key=standing)


def majority_vote(
    answers: Iterable[tuple[Hashable, Hashable, str]],
    *,
    labels: Sequence[str] | None = None,
    worker_accuracy: Mapping[Any, float] | None = None,
) -> dict[Hashable, Outcome]:
    """``answers`` are (item, worker, label) triples."""
    votes: dict[Hashable, Counter[str]] = defaultdict(Counter)
    voters: dict[Hashable, dict[str, list[Hashable]]] = defaultdict(lambda: defaultdict(list))
    seen: set[str] = set()
    for item, worker, label in answers:
        votes[item][label] += 1
        voters[item][label].append(worker)
        seen.add(label)
    order = _label_order(labels, seen)
    outcomes = {}
    for item, counts in votes.items():
        winner = pick(counts, voters[item], order, worker_accuracy)
        total = sum(counts.values())
        outcomes[item] = Outcome(
            value=winner,
            confidence=counts[winner] / total,
            support={label: float(n) for label, n in counts.items()},
        )
    return outcomes


# --- Dawid–Skene ------------------------------------------------------------------------------


def dawid_skene(
    answers: Iterable[tuple[Hashable, Hashable, str]],
    *,
    labels: Sequence[str] | None = None,
    gold: Mapping[Any, str] | None = None,
    max_iterations: int = 100,
    tolerance: float = 1e-7,
) -> DawidSkeneResult:
    """Dawid–Skene EM over (item, worker, label) triples; see the module's docstring."""
    gold = gold or {}
    item_index: dict[Hashable, int] = {}
    worker_index: dict[Hashable, int] = {}
    rows_item: list[int] = []
    rows_worker: list[int] = []
    raw_labels: list[str] = []
    for item, worker, label in answers:
        rows_item.append(item_index.setdefault(item, len(item_index)))
        rows_worker.append(worker_index.setdefault(worker, len(worker_index)))
        raw_labels.append(label)
    order = _label_order(labels, [*raw_labels, *(gold[i] for i in item_index if i in gold)])
    label_list = sorted(order, key=order.__getitem__)
    if not rows_item:
        return DawidSkeneResult({}, label_list, {}, {}, 0, True)
    n_items, n_workers, n_labels = len(item_index), len(worker_index), len(label_list)
    it = np.asarray(rows_item, dtype=np.int64)
    wk = np.asarray(rows_worker, dtype=np.int64)
    lb = np.asarray([order[label] for label in raw_labels], dtype=np.int64)

    clamp_rows = np.asarray(
        [index for item, index in item_index.items() if item in gold], dtype=np.int64
    )
    clamp = np.zeros((len(clamp_rows), n_labels))
    for row, item in enumerate(i for i in item_index if i in gold):
        clamp[row, order[gold[item]]] = 1.0

    # Start from the majority-vote shares.
    counts = np.zeros((n_items, n_labels))
    np.add.at(counts, (it, lb), 1.0)
    posterior = counts / counts.sum(axis=1, keepdims=True)
    if len(clamp_rows):
        posterior[clamp_rows] = clamp

    cell = wk * n_labels + lb  # (worker, observed label) of each answer
    previous = -math.inf
    iterations = 0
    converged = False
    priors, confusion = _m_step(posterior, it, cell, n_workers, n_labels)
    for iterations in range(1, max_iterations + 1):  # noqa: B007 — reported after the loop
        posterior, log_likelihood = _e_step(priors, confusion, it, wk, lb, n_items)
        if len(clamp_rows):
            posterior[clamp_rows] = clamp
        priors, confusion = _m_step(posterior, it, cell, n_workers, n_labels)
        mean = log_likelihood / len(it)
        if mean - previous < tolerance:
            converged = True
            break
        previous = mean

    best = posterior.argmax(axis=1)  # ties: the first label in label order
    outcomes: dict[Hashable, Outcome] = {}
    for item, index in item_index.items():
        row = posterior[index]
        winner = int(best[index])
        outcomes[item] = Outcome(
            value=label_list[winner],
            confidence=float(row[winner]),
            support={label_list[k]: float(row[k]) for k in range(n_labels) if row[k] > 0.0005},
        )
    diagonal = confusion[:, np.arange(n_labels), np.arange(n_labels)]  # (workers, labels)
    accuracy = diagonal @ priors
    return DawidSkeneResult(
        outcomes=outcomes,
        labels=label_list,
        priors={label_list[k]: float(priors[k]) for k in range(n_labels)},
        worker_accuracy={w: float(accuracy[index]) for w, index in worker_index.items()},
        iterations=iterations,
        converged=converged,
    )


FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _m_step(
    posterior: FloatArray, it: IntArray, cell: IntArray, n_workers: int, n_labels: int
) -> tuple[FloatArray, FloatArray]:
    """Class priors and confusion matrices confusion[w, true, observed]."""
    priors = posterior.mean(axis=0)
    confusion = np.empty((n_workers, n_labels, n_labels))
    for true in range(n_labels):
        mass = np.bincount(cell, weights=posterior[it, true], minlength=n_workers * n_labels)
        confusion[:, true, :] = mass.reshape(n_workers, n_labels)
    np.clip(confusion, EPSILON, None, out=confusion)
    confusion /= confusion.sum(axis=2, keepdims=True)
    return priors, confusion


def _e_step(
    priors: FloatArray,
    confusion: FloatArray,
    it: IntArray,
    wk: IntArray,
    lb: IntArray,
    n_items: int,
) -> tuple[FloatArray, float]:
    """Posteriors of each item's true label and the data's log-likelihood."""
    n_labels = len(priors)
    log_confusion = np.log(confusion)
    log_post = np.tile(np.log(np.clip(priors, EPSILON, None)), (n_items, 1))
    for true in range(n_labels):
        log_post[:, true] += np.bincount(it, weights=log_confusion[wk, true, lb], minlength=n_items)
    top = log_post.max(axis=1, keepdims=True)
    scaled = np.exp(log_post - top)
    total = scaled.sum(axis=1, keepdims=True)
    log_likelihood = float((np.log(total) + top).sum())
    return scaled / total, log_likelihood


def categorical(
    answers: Sequence[tuple[Hashable, Hashable, str]],
    *,
    method: str,
    labels: Sequence[str] | None = None,
    gold: Mapping[Any, str] | None = None,
    worker_accuracy: Mapping[Any, float] | None = None,
) -> tuple[dict[Hashable, Outcome], int]:
    """Aggregate labels with the named method; returns the outcomes and EM iterations."""
    if method == DAWID_SKENE:
        result = dawid_skene(answers, labels=labels, gold=gold)
        return result.outcomes, result.iterations
    if method == MAJORITY:
        return majority_vote(answers, labels=labels, worker_accuracy=worker_accuracy), 0
    raise ValueError(f"unknown aggregation method {method!r}")
