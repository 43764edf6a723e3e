"""One batch aggregated by task type: single-label by the chosen method, multi-label one label
at a time as a yes/no question, transcriptions by majority over normalised text, spans by a
majority label per token."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from .agreement import _units, fleiss_from_answers, krippendorff_alpha
from .categorical import (
    DAWID_SKENE,
    MULTI_LABEL,
    NO_SPAN,
    SINGLE_LABEL,
    SPANS,
    TRANSCRIPTION,
    Outcome,
    Report,
    categorical,
    pick,
)
from .text import (
    normalise_text,
    spans_from_tokens,
    token_labels,
    tokenize,
)


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
