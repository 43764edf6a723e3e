"""The PSY explosive-root test (nomadcloud/valuation/psy.py) on simulated series with known
bubble windows: a random walk finds none at 95 %, an explosive window is detected and dated
within three periods of its true start, the batched ADF statistic equals a plain least-squares
fit, and a short series is refused. No database; critical values once per module."""

from __future__ import annotations

import numpy as np
import pytest

from nomadcloud.valuation import psy

T = 100


@pytest.fixture(scope="module")
def cv() -> psy.CriticalValues:
    return psy.critical_values(T, repetitions=200)


def _plain_adf(y: np.ndarray, lags: int) -> float:
    dy = np.diff(y)
    rows = len(y) - 1 - lags
    X = np.column_stack(
        [np.ones(rows), y[lags:-1], *[dy[lags - i : len(dy) - i] for i in range(1, lags + 1)]]
    )
    z = dy[lags:]
    coef, *_ = np.linalg.lstsq(X, z, rcond=None)
    resid = z - X @ coef
    sigma2 = resid @ resid / (rows - X.shape[1])
    se = np.sqrt(sigma2 * np.linalg.inv(X.T @ X)[1, 1])
    return float(coef[1] / se)


def test_the_minimum_window_is_the_papers() -> None:
    assert psy.minimum_window(100) == 19  # ⌊100 × (0.01 + 1.8/10)⌋
    assert psy.minimum_window(400) == 40  # ⌊400 × (0.01 + 1.8/20)⌋
    assert psy.minimum_duration(100) == 4  # ⌊log 100⌋


@pytest.mark.parametrize("lags", [0, 2])
def test_the_batched_adf_statistic_is_the_least_squares_one(lags: int) -> None:
    y = np.cumsum(np.random.default_rng(7).standard_normal(60)) + 50
    stats = psy.statistics(y, lags=lags)
    whole = _plain_adf(y, lags)
    assert abs(stats.adf - whole) < 1e-8
    # the whole sample is one of the windows of SADF and of the last BSADF
    assert stats.sadf >= whole - 1e-8
    assert stats.bsadf[-1] >= whole - 1e-8


def test_critical_values_are_in_the_papers_range(cv: psy.CriticalValues) -> None:
    # PSY (2015) report about 2.0 for the 95 % GSADF critical value at T = 100, r0 = 0.19
    assert 1.6 < cv.gsadf < 2.4
    assert cv.sadf < cv.gsadf
    assert len(cv.bsadf) == T - psy.minimum_window(T) + 1


def test_a_random_walk_has_no_bubble_at_95_percent(cv: psy.CriticalValues) -> None:
    y = np.cumsum(np.random.default_rng(1000).standard_normal(T)) + 100
    verdict = psy.test_series(y, critical=cv)
    assert not verdict.explosive
    assert verdict.statistics.gsadf < cv.gsadf


def test_an_explosive_window_is_found_and_dated_near_its_start(cv: psy.CriticalValues) -> None:
    y = psy.simulated_bubble(T, start=40, end=60, seed=0)
    verdict = psy.test_series(np.log(y), critical=cv)
    assert verdict.explosive
    inside = [e for e in verdict.episodes if e.end >= 40 and e.start <= 61]
    assert inside, verdict.episodes
    assert 40 <= inside[0].start <= 43  # at most three periods' delay


def test_recall_and_false_alarms_on_twenty_series_each(cv: psy.CriticalValues) -> None:
    found = 0
    for seed in range(20):
        verdict = psy.test_series(psy.simulated_bubble(T, start=40, end=60, seed=seed), critical=cv)
        found += any(40 <= e.start <= 43 for e in verdict.episodes)
    alarms = sum(
        psy.test_series(
            np.cumsum(np.random.default_rng(2000 + s).standard_normal(T)) + 100, critical=cv
        ).explosive
        for s in range(20)
    )
    assert found / 20 >= 0.9
    assert alarms / 20 <= 0.1


def test_a_series_shorter_than_the_minimum_window_is_refused() -> None:
    with pytest.raises(psy.SeriesTooShort) as caught:
        psy.statistics([1.0, 2.0, 3.0, 4.0, 5.0])
    assert caught.value.needed == psy.needed_length(0)
    with pytest.raises(psy.SeriesTooShort):
        psy.statistics([1.0] * 30 + [float("nan")])
