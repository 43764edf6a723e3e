"""The aggregation module (no database): majority vote and its tie rule, Dawid–Skene,
agreement metrics against textbook examples, multi-label, transcription and spans, and the
public crowdsourcing datasets in ../shared/data/crowd (read in place, never copied)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from nomadcloud.datatasks import aggregation as ag
from tests.helpers import SHARED_DATA, needs_shared_data

CROWD = SHARED_DATA / "crowd"


# --- majority vote ----------------------------------------------------------------------------


def test_majority_vote_takes_the_most_chosen_label_with_its_share() -> None:
    outcomes = ag.majority_vote([("i", "u", "x"), ("i", "v", "x"), ("i", "w", "y")])
    assert outcomes["i"].value == "x"
    assert outcomes["i"].confidence == pytest.approx(2 / 3)
    assert outcomes["i"].support == {"x": 2.0, "y": 1.0}


def test_a_tie_goes_to_the_label_of_the_most_accurate_worker() -> None:
    answers = [("i", "u", "x"), ("i", "v", "y")]
    assert ag.majority_vote(answers, worker_accuracy={"u": 0.6, "v": 0.9})["i"].value == "y"
    assert ag.majority_vote(answers, worker_accuracy={"u": 0.95, "v": 0.9})["i"].value == "x"
    # A known accuracy outranks an unknown one.
    assert ag.majority_vote(answers, worker_accuracy={"v": 0.3})["i"].value == "y"


def test_then_a_tie_goes_to_the_first_label_in_label_order() -> None:
    answers = [("i", "u", "x"), ("i", "v", "y")]
    assert ag.majority_vote(answers)["i"].value == "x"  # sorted order without a label list
    assert ag.majority_vote(answers, labels=["y", "x"])["i"].value == "y"
    same = {"u": 0.8, "v": 0.8}
    assert ag.majority_vote(answers, labels=["y", "x"], worker_accuracy=same)["i"].value == "y"


# --- Dawid–Skene ------------------------------------------------------------------------------


def test_one_em_step_by_hand() -> None:
    """i1: u→a, v→a; i2: u→a, v→b. From the majority-vote shares T(i1) = (1, 0),
    T(i2) = (½, ½): priors (¾, ¼); u answers a whatever the truth; v: P(a|a) = 2/3,
    P(b|a) = 1/3, P(b|b) = 1. Then i2: a ∝ ¾·1·⅓ = ¼ and b ∝ ¼·1·1 = ¼ — a tie at ½,
    which goes to the first label; i1: a ∝ ¾·1·⅔, b ∝ ¼·1·0 → a, certain."""
    result = ag.dawid_skene(
        [("i1", "u", "a"), ("i1", "v", "a"), ("i2", "u", "a"), ("i2", "v", "b")],
        max_iterations=1,
    )
    assert result.outcomes["i1"].value == "a"
    assert result.outcomes["i1"].confidence == pytest.approx(1.0)
    assert result.outcomes["i2"].value == "a"
    assert result.outcomes["i2"].confidence == pytest.approx(0.5)
    assert result.priors == pytest.approx({"a": 0.75, "b": 0.25})


def test_dawid_skene_discounts_workers_who_always_say_the_same() -> None:
    """Two spammers always answer "1"; one careful worker answers the truth. Majority vote
    follows the spammers; Dawid–Skene, anchored by ten gold items, follows the careful one."""
    truth = {f"t{n}": str(n % 2) for n in range(40)}
    answers = []
    for item, label in truth.items():
        answers += [(item, "spam1", "1"), (item, "spam2", "1"), (item, "careful", label)]
    mv = ag.majority_vote(answers)
    assert sum(mv[i].value == t for i, t in truth.items()) == 20
    gold = dict(list(truth.items())[:10])
    result = ag.dawid_skene(answers, gold=gold)
    assert all(result.outcomes[i].value == t for i, t in truth.items())
    assert result.worker_accuracy["careful"] > result.worker_accuracy["spam1"]


def test_dawid_skene_recovers_worker_quality_on_simulated_data() -> None:
    rng = random.Random(7)
    # 20 careful workers and 10 poor ones (below chance-and-a-bit on three classes)
    skills = {
        f"w{n}": rng.uniform(0.7, 0.95) if n < 20 else rng.uniform(0.3, 0.45) for n in range(30)
    }
    truth = {f"i{n}": rng.choice("abc") for n in range(600)}
    answers = []
    for item, label in truth.items():
        for worker in rng.sample(sorted(skills), 5):
            given = label if rng.random() < skills[worker] else rng.choice("abc".replace(label, ""))
            answers.append((item, worker, given))
    result = ag.dawid_skene(answers)
    mv = ag.majority_vote(answers)
    ds_right = sum(result.outcomes[i].value == t for i, t in truth.items())
    mv_right = sum(mv[i].value == t for i, t in truth.items())
    assert ds_right > mv_right
    assert result.converged
    errors = [abs(result.worker_accuracy[w] - s) for w, s in skills.items()]
    assert sum(errors) / len(errors) < 0.05


def test_gold_items_are_clamped_to_their_known_answer() -> None:
    answers = [("g", "u", "x"), ("g", "v", "x"), ("i", "u", "x"), ("i", "v", "y")]
    result = ag.dawid_skene(answers, gold={"g": "y"})
    assert result.outcomes["g"].value == "y"
    assert result.outcomes["g"].confidence == pytest.approx(1.0)


def test_no_answers_no_outcomes() -> None:
    assert ag.dawid_skene([]).outcomes == {}
    assert ag.majority_vote([]) == {}


# --- agreement --------------------------------------------------------------------------------


def test_krippendorffs_alpha_on_krippendorffs_own_example() -> None:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the nominal
    example with 4 observers, 12 units and missing data: α = 0.743."""
    a = [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None]
    b = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3]
    c = [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None]
    d = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]
    units = [[v for v in column if v is not None] for column in zip(a, b, c, d, strict=True)]
    assert ag.krippendorff_alpha(units) == pytest.approx(0.743, abs=5e-4)


def test_krippendorffs_alpha_edge_cases() -> None:
    assert ag.krippendorff_alpha([["x", "x"], ["y", "y"]]) == pytest.approx(1.0)
    assert ag.krippendorff_alpha([["x", "x"], ["x", "x"]]) is None  # no variation
    assert ag.krippendorff_alpha([["x"], ["y"]]) is None  # nothing pairable


def test_fleiss_kappa_on_fleiss_example() -> None:
    """The worked example of Fleiss' kappa (10 subjects, 14 raters, 5 categories):
    P̄ = 0.378, P̄e = 0.213, κ = 0.210."""
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert ag.fleiss_kappa(table) == pytest.approx(0.210, abs=5e-4)
    assert ag.fleiss_kappa([[1, 1], [2, 0, 1]]) is None  # unequal numbers of raters


def test_fleiss_from_answers_counts_only_complete_items() -> None:
    answers = [("a", "u", "x"), ("a", "v", "x"), ("b", "u", "x"), ("b", "v", "y"), ("c", "u", "y")]
    # a: 2×x, b: x+y → P̄ = (1 + 0)/2 = ½; shares x ¾, y ¼ → P̄e = 10/16; κ = −1/3
    assert ag.fleiss_from_answers(answers, raters=2) == pytest.approx(-1 / 3)


# --- other task types -------------------------------------------------------------------------


def test_multi_label_is_aggregated_label_by_label() -> None:
    answers = [
        ("i", "u", ["food", "price"]),
        ("i", "v", ["food"]),
        ("i", "w", ["food", "price"]),
        ("j", "u", []),
        ("j", "v", ["service"]),
        ("j", "w", []),
    ]
    report = ag.aggregate(
        ag.MULTI_LABEL, answers, method=ag.MAJORITY, labels=["food", "price", "service"]
    )
    assert report.outcomes["i"].value == ["food", "price"]
    assert report.outcomes["j"].value == []
    # i: food 3/3, price 2/3, service 3/3 (no) → mean 8/9
    assert report.outcomes["i"].confidence == pytest.approx(8 / 9)
    assert report.per_label_alpha["food"] == pytest.approx(1.0)  # full agreement on food
    assert set(report.per_label_alpha) == {"food", "price", "service"}
    ds = ag.aggregate(ag.MULTI_LABEL, answers, method=ag.DAWID_SKENE, labels=["food", "price"])
    assert ds.outcomes["i"].value == ["food", "price"]


def test_transcriptions_are_compared_after_normalising() -> None:
    assert ag.normalise_text("  Ｈｅｌｌｏ\tWorld ") == "hello world"
    answers = [
        ("i", "u", "Hello World"),
        ("i", "v", "hello  world"),
        ("i", "w", "Hallo Welt"),
    ]
    report = ag.aggregate(ag.TRANSCRIPTION, answers, method=ag.MAJORITY)
    assert report.outcomes["i"].value == "Hello World"  # the first of the tied spellings
    assert report.outcomes["i"].confidence == pytest.approx(2 / 3)


def test_spans_take_the_majority_label_of_each_token() -> None:
    text = "张三 visited New York"
    assert ag.tokenize(text) == [(0, 1), (1, 2), (3, 10), (11, 14), (15, 19)]
    answers = [
        ("i", "u", [[0, 2, "PER"], [11, 19, "LOC"]]),
        ("i", "v", [[0, 2, "PER"], [15, 19, "LOC"]]),
        ("i", "w", [[0, 1, "PER"], [11, 19, "LOC"]]),
    ]
    report = ag.aggregate(ag.SPANS, answers, labels=["PER", "LOC"], texts={"i": text})
    assert report.outcomes["i"].value == [[0, 2, "PER"], [11, 19, "LOC"]]
    # labelled tokens: 张 3/3, 三 2/3, New 2/3, York 3/3
    assert report.outcomes["i"].confidence == pytest.approx((1 + 2 / 3 + 2 / 3 + 1) / 4)


def test_scores_of_one_answer_against_a_reference() -> None:
    assert ag.score(ag.SINGLE_LABEL, "x", "x") == 1.0
    assert ag.score(ag.MULTI_LABEL, ["a", "b"], ["b", "c"]) == pytest.approx(1 / 3)
    assert ag.score(ag.MULTI_LABEL, [], []) == 1.0
    assert ag.score(ag.TRANSCRIPTION, "ＡＢ c", "ab  C") == 1.0
    text = "张三 visited New York"
    f1 = ag.score(ag.SPANS, [[0, 2, "PER"]], [[0, 2, "PER"], [11, 19, "LOC"]], text)
    assert f1 == pytest.approx(2 * 2 / (2 + 4))


# --- public data (read in place; skipped only when the folder is absent, failed under CI) -----

needs_data = needs_shared_data("crowd")


def _csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[1:]


def _tsv(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines() if line.strip()]


def _accuracy(outcomes: dict[object, ag.Outcome], truth: dict[str, str]) -> float:
    return sum(outcomes[t].value == v for t, v in truth.items()) / len(truth)


@needs_data
def test_dawid_skene_beats_majority_vote_on_rte() -> None:
    answers = [(r[0], r[1], r[2]) for r in _tsv(CROWD / "rte" / "rte_crowd.txt")]
    truth = {r[0]: r[1] for r in _tsv(CROWD / "rte" / "rte_truth.txt")}
    mv = _accuracy(ag.majority_vote(answers), truth)
    ds = _accuracy(ag.dawid_skene(answers).outcomes, truth)
    assert mv == pytest.approx(0.91875)  # 65 ties go to label 1, the first in label order
    assert ds >= 0.92
    assert ds > mv


@needs_data
def test_dawid_skene_on_d_product_is_within_half_a_point_of_the_published_figure() -> None:
    folder = CROWD / "d_product"
    answers = [(r[0], r[1], r[2]) for r in _csv(folder / "answer_opaque.csv")]
    truth = {r[0]: r[1] for r in _csv(folder / "truth_opaque.csv")}
    mv = _accuracy(ag.majority_vote(answers), truth)
    ds = _accuracy(ag.dawid_skene(answers).outcomes, truth)
    assert mv == pytest.approx(0.8966, abs=1e-4)
    assert ds >= 0.940 - 0.005
    assert ds > mv
