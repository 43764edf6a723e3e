"""Differential privacy for aggregates (decision 0048): the Laplace mechanism of OpenDP
(``opendp`` 0.16, the library the specification names) on counts (discrete Laplace,
sensitivity 1: one contribution row changes a count by one) and on sums of a bounded column
(continuous Laplace, sensitivity = the larger absolute bound of the charter's column).

The privacy loss of a query is the ε it spends; a pool's charter sets an ε budget per
agreement, and the uses logged under the agreement (``UsageEvent.epsilon``) are what was
spent. OpenDP marks its mechanisms "contrib" (not yet vetted); they are enabled here, once."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

# The submodules, not ``opendp.prelude``: the prelude also imports OpenDP's scikit-learn
# extras whenever scikit-learn is installed (a development dependency), ~4 s at every start of
# a process that loads the API (decision 0060).
import opendp.domains as domains
import opendp.measurements as measurements
import opendp.metrics as metrics
from opendp.mod import enable_features


@cache
def _enabled() -> bool:
    enable_features("contrib")
    return True


def _laplace(value: float, scale: float, *, integer: bool) -> float:
    _enabled()
    if integer:
        mechanism: Any = measurements.make_laplace(
            domains.atom_domain(T=int), metrics.absolute_distance(T=int), scale=scale
        )
        return float(mechanism(int(value)))
    mechanism = measurements.make_laplace(
        domains.atom_domain(T=float, nan=False), metrics.absolute_distance(T=float), scale=scale
    )
    return float(mechanism(float(value)))


def noisy_count(count: int, epsilon: Decimal) -> int:
    """A count with discrete Laplace noise of scale 1/ε, never below zero."""
    return max(0, round(_laplace(count, 1 / float(epsilon), integer=True)))


def noisy_sum(total: float, epsilon: Decimal, bound: float) -> float:
    """A sum of values clamped to ±``bound`` with Laplace noise of scale bound/ε."""
    return round(_laplace(total, max(bound, 1e-9) / float(epsilon), integer=False), 2)


def loss(count_scale: float) -> float:
    """The ε a count mechanism of ``count_scale`` spends (OpenDP's privacy map at d_in=1)."""
    _enabled()
    mechanism: Any = measurements.make_laplace(
        domains.atom_domain(T=int), metrics.absolute_distance(T=int), scale=count_scale
    )
    return float(mechanism.map(1))
