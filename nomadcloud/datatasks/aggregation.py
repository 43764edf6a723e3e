"""Answer aggregation and agreement for data-processing work, with no Django imports, so that
the product (``services.aggregate_batch``) and the benchmark (``benchmarks/datatasks/run``)
run exactly the same code.

Categorical answers (single-label classification):

- ``majority_vote``: the label most workers chose. **Tie rule**: among the tied labels, the
  one chosen by the worker with the best known gold accuracy wins (workers without a known
  accuracy rank below every known one); if that still ties, the label that comes first in
  the label order (the batch's label list; sorted labels when none is given).
  Confidence = the winning label's share of the votes.
- ``dawid_skene``: Dawid & Skene (1979) expectation maximisation. Each worker has a
  confusion matrix P(answer | true label), the classes have priors; EM starts from the
  majority-vote shares and alternates the M-step (priors and confusion matrices from the
  current posteriors, floored at 1e-10) and the E-step (posteriors of each item's true
  label). Items with a known (gold) answer are clamped to it, so gold anchors the worker
  estimates. Stops when the mean log-likelihood per answer changes by less than
  ``tolerance`` or after ``max_iterations``. Confidence = the posterior of the chosen label;
  argmax ties go to the first label in label order.

Other task types:

- multi-label classification: every label is aggregated on its own as a yes/no question
  (with either method); confidence = the mean over labels of the chosen decision's
  probability.
- transcription / normalisation: majority over normalised text (``normalise_text``: Unicode
  NFKC, case-folded, whitespace collapsed); the result is the most frequent original
  spelling in the winning group; ties as above.
- span labelling: text is split into tokens (``tokenize``: each CJK character is a token,
  runs of other letters/digits are one token, each other symbol is one); each answer gives
  every token a label or ``O`` (no span); each token takes the majority label (ties as
  above, ``O`` first in label order), and runs of adjacent tokens with the same label
  become the result's spans.

Agreement: Krippendorff's alpha for nominal data (any number of answers per item, missing
answers allowed) and Fleiss' kappa (a fixed number of answers per item), both computed from
their textbook formulas.
"""

from __future__ import annotations

import math
import re
import unicodedata
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


# --- agreement --------------------------------------------------------------------------------


def krippendorff_alpha(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal data. Each unit is the list of values given to one
    item (one per answer; missing answers are simply absent). Units with fewer than two
    values cannot be paired and are left out. None when there is no variation at all (or
    nothing to pair), where alpha is undefined.

    α = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k, with the coincidences
    o_ck = Σ_u (pairs of c and k in unit u) / (m_u − 1).
    """
    disagreement = 0.0
    totals: Counter[Hashable] = Counter()
    for unit in units:
        m = len(unit)
        if m < 2:
            continue
        counts = Counter(unit)
        disagreement += (m * m - sum(c * c for c in counts.values())) / (m - 1)
        totals.update(counts)
    n = sum(totals.values())
    expected = n * n - sum(c * c for c in totals.values())
    if n < 2 or expected == 0:
        return None
    return 1.0 - (n - 1) * disagreement / expected


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a subjects × categories table of counts; every subject must have
    the same number of ratings (at least two). None when undefined."""
    rows = [list(row) for row in table if sum(row) > 0]
    if not rows:
        return None
    raters = sum(rows[0])
    if raters < 2 or any(sum(row) != raters for row in rows):
        return None
    subjects = len(rows)
    agreement = (
        sum((sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in rows) / subjects
    )
    categories = len(rows[0])
    shares = [sum(row[j] for row in rows) / (subjects * raters) for j in range(categories)]
    chance = sum(p * p for p in shares)
    if math.isclose(chance, 1.0):
        return None
    return (agreement - chance) / (1.0 - chance)


def fleiss_from_answers(
    answers: Iterable[tuple[Hashable, Hashable, str]], raters: int
) -> float | None:
    """Fleiss' kappa over the items that have exactly ``raters`` answers."""
    per_item: dict[Hashable, Counter[str]] = defaultdict(Counter)
    for item, _worker, label in answers:
        per_item[item][label] += 1
    complete = [c for c in per_item.values() if sum(c.values()) == raters]
    categories = sorted({label for c in complete for label in c})
    return fleiss_kappa([[c[label] for label in categories] for c in complete])


def _units(answers: Iterable[tuple[Hashable, Hashable, Hashable]]) -> list[list[Hashable]]:
    units: dict[Hashable, list[Hashable]] = defaultdict(list)
    for item, _worker, value in answers:
        units[item].append(value)
    return list(units.values())


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


# --- one batch --------------------------------------------------------------------------------


def aggregate(
    task_type: str,
    answers: Sequence[tuple[Hashable, Hashable, Any]],
    *,
    method: str = DAWID_SKENE,
    labels: Sequence[str] = (),
    texts: Mapping[Any, str] | None = None,
    gold: Mapping[Any, Any] | None = None,
    worker_accuracy: Mapping[Any, float] | None = None,
    raters: int = 0,
) -> Report:
    """Aggregate a batch's answers (item, worker, value), where a value is a label (single),
    a collection of labels (multi), a text (transcription) or a list of (start, end, label)
    spans. ``gold`` items are clamped in Dawid–Skene; ``raters`` (the overlap) selects the
    items counted in Fleiss' kappa."""
    gold = gold or {}
    if task_type == SINGLE_LABEL:
        triples = [(i, w, str(v)) for i, w, v in answers]
        outcomes, iterations = categorical(
            triples,
            method=method,
            labels=list(labels) or None,
            gold={i: str(v) for i, v in gold.items()},
            worker_accuracy=worker_accuracy,
        )
        regular = [t for t in triples if t[0] not in gold]
        return Report(
            outcomes=outcomes,
            alpha=krippendorff_alpha(_units(regular)),
            kappa=fleiss_from_answers(regular, raters) if raters >= 2 else None,
            iterations=iterations,
        )
    if task_type == MULTI_LABEL:
        return _multi_label(answers, method, labels, gold, worker_accuracy)
    if task_type == TRANSCRIPTION:
        return _transcription(answers, worker_accuracy, gold)
    if task_type == SPANS:
        return _spans(answers, labels, texts or {}, worker_accuracy, gold)
    raise ValueError(f"unknown task type {task_type!r}")


def _multi_label(
    answers: Sequence[tuple[Hashable, Hashable, Any]],
    method: str,
    labels: Sequence[str],
    gold: Mapping[Any, Any],
    worker_accuracy: Mapping[Any, float] | None,
) -> Report:
    chosen: dict[Hashable, list[str]] = defaultdict(list)
    sureness: dict[Hashable, list[float]] = defaultdict(list)
    support: dict[Hashable, dict[str, float]] = defaultdict(dict)
    per_label_alpha: dict[str, float | None] = {}
    iterations = 0
    for label in labels:
        triples = [(i, w, "1" if label in set(v) else "0") for i, w, v in answers]
        label_gold = {i: "1" if label in set(v) else "0" for i, v in gold.items()}
        outcomes, n = categorical(
            triples,
            method=method,
            labels=["0", "1"],
            gold=label_gold,
            worker_accuracy=worker_accuracy,
        )
        iterations = max(iterations, n)
        per_label_alpha[label] = krippendorff_alpha(
            _units([t for t in triples if t[0] not in gold])
        )
        for item, outcome in outcomes.items():
            total = sum(outcome.support.values()) or 1.0
            yes = outcome.support.get("1", 0.0) / total
            if outcome.value == "1":
                chosen[item].append(label)
            sureness[item].append(outcome.confidence)
            support[item][label] = yes
    items = {i for i, _w, _v in answers}
    outcomes_all = {
        item: Outcome(
            value=chosen.get(item, []),
            confidence=sum(sureness[item]) / len(sureness[item]) if sureness[item] else 1.0,
            support=support.get(item, {}),
        )
        for item in items
    }
    values = [a for a in per_label_alpha.values() if a is not None]
    return Report(
        outcomes=outcomes_all,
        alpha=sum(values) / len(values) if values else None,
        kappa=None,
        per_label_alpha=per_label_alpha,
        iterations=iterations,
    )


def _transcription(
    answers: Sequence[tuple[Hashable, Hashable, Any]],
    worker_accuracy: Mapping[Any, float] | None,
    gold: Mapping[Any, Any],
) -> Report:
    groups: dict[Hashable, dict[str, list[tuple[Hashable, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for item, worker, text in answers:
        groups[item][normalise_text(str(text))].append((worker, str(text)))
    outcomes = {}
    for item, by_form in groups.items():
        votes = {form: float(len(members)) for form, members in by_form.items()}
        voters = {form: [w for w, _t in members] for form, members in by_form.items()}
        order = {form: index for index, form in enumerate(sorted(by_form))}
        form = pick(votes, voters, order, worker_accuracy)
        spellings = Counter(t for _w, t in by_form[form])
        top = max(spellings.values())
        spelling = min(s for s, n in spellings.items() if n == top)
        total = sum(votes.values())
        outcomes[item] = Outcome(value=spelling, confidence=votes[form] / total, support=votes)
    alpha = krippendorff_alpha(
        _units([(i, w, normalise_text(str(t))) for i, w, t in answers if i not in gold])
    )
    return Report(outcomes=outcomes, alpha=alpha, kappa=None)


def _spans(
    answers: Sequence[tuple[Hashable, Hashable, Any]],
    labels: Sequence[str],
    texts: Mapping[Any, str],
    worker_accuracy: Mapping[Any, float] | None,
    gold: Mapping[Any, Any],
) -> Report:
    order = {NO_SPAN: 0} | {label: index + 1 for index, label in enumerate(labels)}
    per_item: dict[Hashable, list[tuple[Hashable, list[str]]]] = defaultdict(list)
    token_units: list[list[Hashable]] = []
    tokens_of: dict[Hashable, list[tuple[int, int]]] = {}
    for item, worker, spans in answers:
        if item not in tokens_of:
            tokens_of[item] = tokenize(texts.get(item, ""))
        labelled = token_labels(tokens_of[item], [tuple(s) for s in spans])
        per_item[item].append((worker, labelled))
    outcomes = {}
    for item, rows in per_item.items():
        tokens = tokens_of[item]
        result_labels: list[str] = []
        shares: list[float] = []
        for position in range(len(tokens)):
            votes: Counter[str] = Counter()
            voters: dict[str, list[Hashable]] = defaultdict(list)
            for worker, labelled in rows:
                votes[labelled[position]] += 1
                voters[labelled[position]].append(worker)
            if item not in gold:
                token_units.append([labelled[position] for _w, labelled in rows])
            winner = pick(votes, voters, order, worker_accuracy)
            result_labels.append(winner)
            if set(votes) != {NO_SPAN}:
                shares.append(votes[winner] / len(rows))
        spans = spans_from_tokens(tokens, result_labels)
        outcomes[item] = Outcome(
            value=[list(s) for s in spans],
            confidence=sum(shares) / len(shares) if shares else 1.0,
            support={},
        )
    return Report(outcomes=outcomes, alpha=krippendorff_alpha(token_units), kappa=None)
