"""The PSY explosive-root test: SADF, GSADF and the backward SADF sequence used to date a
bubble, written from the papers (decision 0042; docs/valuation.md):

- Phillips, Wu & Yu (2011), "Explosive behavior in the 1990s Nasdaq" (SADF);
- Phillips, Shi & Yu (2015), "Testing for multiple bubbles: historical episodes of
  exuberance and collapse in the S&P 500", International Economic Review 56(4) (GSADF,
  BSADF date-stamping, minimum window r0 = 0.01 + 1.8/√T, minimum duration δ·log T).

For every sample [r1, r2] the ADF regression

    Δy_t = α + β·y_{t−1} + Σ_{i=1..k} ψ_i·Δy_{t−i} + ε_t

is fitted by least squares and its statistic is t(β̂) = β̂ / se(β̂). The sums of every
window come from prefix sums of the regressors' cross products, so all the windows ending at
one point are solved as one batch (numpy only: statsmodels' ``adfuller`` fits one window per
call and brings pandas and patsy along). The t-statistic is unchanged by adding a constant to
``y`` (the regression has an intercept), so the series is centred first for conditioning.

Critical values come from Monte Carlo under the paper's null (a random walk with an
asymptotically negligible drift, y_t = d·T^(−η) + y_{t−1} + ε_t, d = η = 1), for the same T,
window and lag order, with a fixed seed so that they are reproducible; or by the wild
bootstrap of the observed series' own differences (``wild_bootstrap_critical_values``), which
keeps its volatility path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


class SeriesTooShort(ValueError):
    """The series has fewer observations than the test needs (its minimum window)."""

    def __init__(self, length: int, needed: int) -> None:
        super().__init__(f"series of {length} observations; at least {needed} needed")
        self.length = length
        self.needed = needed


def minimum_window(T: int) -> int:
    """The smallest sample the recursion uses: ⌊T·(0.01 + 1.8/√T)⌋ observations (PSY 2015)."""
    return math.floor(T * (0.01 + 1.8 / math.sqrt(T)))


def needed_length(lags: int) -> int:
    """The shortest series the test accepts: its minimum window must leave at least
    ``lags + 4`` regression rows (a regression with 2 + lags coefficients and 2 degrees of
    freedom)."""
    T = lags + 6
    while minimum_window(T) - 1 - lags < lags + 4:
        T += 1
    return T


def minimum_duration(T: int, delta: float = 1.0) -> int:
    """A dated episode must last at least ⌊δ·log T⌋ periods (PSY 2015, section 4)."""
    return max(1, math.floor(delta * math.log(T)))


def _design(y: Array, lags: int) -> tuple[Array, Array]:
    """Rows t = lags+1 .. T−1: regressors [1, y_{t−1}, Δy_{t−1} .. Δy_{t−lags}] and Δy_t."""
    dy = np.diff(y)
    rows = len(y) - 1 - lags
    X = np.empty((rows, 2 + lags))
    X[:, 0] = 1.0
    X[:, 1] = y[lags : len(y) - 1]
    for i in range(1, lags + 1):
        X[:, 1 + i] = dy[lags - i : len(dy) - i]
    return X, dy[lags:]


@dataclass(frozen=True)
class Statistics:
    """One series' statistics. ``bsadf[j]`` is the backward SADF at the observation with
    index ``first + j`` (the end of the sample); ``sadf`` is the forward SADF."""

    T: int
    window: int
    lags: int
    first: int
    adf: float  # the ADF statistic of the whole sample
    sadf: float
    gsadf: float
    bsadf: list[float] = field(default_factory=list)


def statistics(series: Sequence[float] | Array, *, lags: int = 0) -> Statistics:
    """SADF, GSADF and the BSADF sequence of ``series`` (levels; use log prices)."""
    y = np.asarray(series, dtype=np.float64)
    T = len(y)
    if lags < 0:
        raise ValueError("lags must be 0 or more")
    if needed_length(lags) > T or not np.all(np.isfinite(y)):
        raise SeriesTooShort(T, needed_length(lags))
    y = y - y.mean()
    window = minimum_window(T)
    X, z = _design(y, lags)
    p = X.shape[1]
    # prefix sums: S[m] = Σ_{rows < m} x xᵀ, etc.
    outer = np.einsum("ti,tj->tij", X, X)
    S_xx = np.concatenate([np.zeros((1, p, p)), np.cumsum(outer, axis=0)])
    S_xz = np.concatenate([np.zeros((1, p)), np.cumsum(X * z[:, None], axis=0)])
    S_zz = np.concatenate([[0.0], np.cumsum(z * z)])
    # A sample of observations [s, e] (inclusive) covers regression rows s .. e−1−lags.
    rows_min = window - 1 - lags
    first = window - 1  # the first observation that can end a sample
    bsadf: list[float] = []
    sadf = -math.inf
    adf = math.nan
    for e in range(first, T):
        end_row = e - lags  # exclusive
        starts = np.arange(0, end_row - rows_min + 1)
        xx = S_xx[end_row] - S_xx[starts]
        xz = S_xz[end_row] - S_xz[starts]
        zz = S_zz[end_row] - S_zz[starts]
        n = (end_row - starts).astype(np.float64)
        t_stats = _t_beta(xx, xz, zz, n, p)
        sadf = max(sadf, float(t_stats[0]))  # the window starting at the first row
        adf = float(t_stats[0])
        bsadf.append(float(np.max(t_stats)))
    return Statistics(
        T=T,
        window=window,
        lags=lags,
        first=first,
        adf=adf,
        sadf=sadf,
        gsadf=max(bsadf),
        bsadf=bsadf,
    )


def _t_beta(xx: Array, xz: Array, zz: Array, n: Array, p: int) -> Array:
    """t(β̂) of the coefficient on y_{t−1} for a batch of normal equations."""
    try:
        inverse = np.linalg.inv(xx)
    except np.linalg.LinAlgError:
        inverse = np.linalg.pinv(xx)
    coef = np.einsum("bij,bj->bi", inverse, xz)
    rss = zz - np.einsum("bi,bi->b", coef, xz)
    dof = np.maximum(n - p, 1.0)
    sigma2 = np.maximum(rss, 0.0) / dof
    se = np.sqrt(np.maximum(sigma2 * inverse[:, 1, 1], 1e-300))
    result: Array = coef[:, 1] / se
    return result


@dataclass(frozen=True)
class CriticalValues:
    T: int
    lags: int
    level: float
    repetitions: int
    seed: int
    sadf: float
    gsadf: float
    bsadf: list[float]  # per end point, aligned with Statistics.bsadf


def critical_values(
    T: int, *, lags: int = 0, level: float = 0.95, repetitions: int = 500, seed: int = 20150401
) -> CriticalValues:
    """Monte Carlo critical values under the null y_t = T^(−1) + y_{t−1} + ε_t, ε ~ N(0, 1)."""
    if not 0.5 < level < 1:
        raise ValueError("level must be between 0.5 and 1")
    rng = np.random.default_rng(seed)
    sadfs: list[float] = []
    gsadfs: list[float] = []
    bsadfs: list[list[float]] = []
    drift = 1.0 / T
    for _ in range(repetitions):
        y = np.cumsum(drift + rng.standard_normal(T))
        stats = statistics(y, lags=lags)
        sadfs.append(stats.sadf)
        gsadfs.append(stats.gsadf)
        bsadfs.append(stats.bsadf)
    return CriticalValues(
        T=T,
        lags=lags,
        level=level,
        repetitions=repetitions,
        seed=seed,
        sadf=float(np.quantile(sadfs, level)),
        gsadf=float(np.quantile(gsadfs, level)),
        bsadf=[float(v) for v in np.quantile(np.asarray(bsadfs), level, axis=0)],
    )


def wild_bootstrap_critical_values(
    series: Sequence[float] | Array,
    *,
    lags: int = 0,
    level: float = 0.95,
    repetitions: int = 199,
    seed: int = 20150401,
) -> CriticalValues:
    """Critical values by the wild bootstrap of Harvey, Leybourne, Sollis & Taylor (2016,
    "Tests for explosive financial bubbles in the presence of non-stationary volatility",
    Journal of Empirical Finance 38) as used by Phillips & Shi (2020): under the null the
    differences e_t = Δy_t are kept with their own size and given random signs/scales,
    y*_t = y*_{t−1} + w_t·e_t, w_t ~ N(0, 1), so a series whose volatility changes over time
    is compared with series of the same volatility path."""
    if not 0.5 < level < 1:
        raise ValueError("level must be between 0.5 and 1")
    y = np.asarray(series, dtype=np.float64)
    T = len(y)
    if needed_length(lags) > T:
        raise SeriesTooShort(T, needed_length(lags))
    e = np.diff(y)
    rng = np.random.default_rng(seed)
    sadfs: list[float] = []
    gsadfs: list[float] = []
    bsadfs: list[list[float]] = []
    for _ in range(repetitions):
        w = rng.standard_normal(T - 1)
        path = np.concatenate([[y[0]], y[0] + np.cumsum(w * e)])
        stats = statistics(path, lags=lags)
        sadfs.append(stats.sadf)
        gsadfs.append(stats.gsadf)
        bsadfs.append(stats.bsadf)
    return CriticalValues(
        T=T,
        lags=lags,
        level=level,
        repetitions=repetitions,
        seed=seed,
        sadf=float(np.quantile(sadfs, level)),
        gsadf=float(np.quantile(gsadfs, level)),
        bsadf=[float(v) for v in np.quantile(np.asarray(bsadfs), level, axis=0)],
    )


@dataclass(frozen=True)
class Episode:
    """An explosive episode: the observations (0-based) where it starts and ends."""

    start: int
    end: int  # the last observation inside the episode


@dataclass(frozen=True)
class Verdict:
    statistics: Statistics
    critical: CriticalValues
    explosive: bool  # GSADF above its critical value
    episodes: list[Episode]


def date_stamp(stats: Statistics, critical: CriticalValues, *, delta: float = 1.0) -> list[Episode]:
    """The episodes where BSADF exceeds its critical value for at least ⌊δ·log T⌋ periods:
    origin = the first crossing above, end = the first crossing back below (PSY 2015, eq. 7–8)."""
    duration = minimum_duration(stats.T, delta)
    episodes: list[Episode] = []
    above = [b > c for b, c in zip(stats.bsadf, critical.bsadf, strict=True)]
    j = 0
    while j < len(above):
        if not above[j]:
            j += 1
            continue
        k = j
        while k < len(above) and above[k]:
            k += 1
        if k - j >= duration:
            episodes.append(Episode(start=stats.first + j, end=stats.first + k - 1))
        j = k
    return episodes


def test_series(
    series: Sequence[float] | Array,
    *,
    lags: int = 0,
    critical: CriticalValues | None = None,
    delta: float = 1.0,
) -> Verdict:
    stats = statistics(series, lags=lags)
    cv = critical or critical_values(stats.T, lags=lags)
    if cv.T != stats.T or cv.lags != stats.lags:
        raise ValueError("critical values are for another length or lag order")
    return Verdict(
        statistics=stats,
        critical=cv,
        explosive=stats.gsadf > cv.gsadf,
        episodes=date_stamp(stats, cv, delta=delta),
    )


def simulated_bubble(
    T: int,
    *,
    start: int,
    end: int,
    rate: float = 0.04,
    seed: int = 0,
    sigma: float = 1.0,
    level: float = 100.0,
) -> Array:
    """A random walk with one explosive window: y_t = (1 + rate)·y_{t−1} + ε_t for
    start ≤ t ≤ end, then a collapse back to where the walk began the episode (the
    Phillips–Shi–Yu simulation design with a single episode)."""
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal(T) * sigma
    y = np.empty(T)
    y[0] = level + eps[0]
    for t in range(1, T):
        if start <= t <= end:
            y[t] = (1 + rate) * y[t - 1] + eps[t]
        elif t == end + 1:
            y[t] = y[start - 1] + eps[t]
        else:
            y[t] = y[t - 1] + eps[t]
    return y
