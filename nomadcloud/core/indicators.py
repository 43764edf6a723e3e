"""The indicator registry (design §3.8): what the platform can count, registered by the app
that counts it, so the dashboard and supervision read numbers without importing any app.

Each app registers its indicators at start-up (``AppConfig.ready``)::

    indicators.indicator(
        "communities.visits",
        unit="count",
        definition={"zh-Hans": "…", "en": "Visits to the zone, counted in the year of arrival"},
        period="year",
        dimensions=("nationality",),
        compute=queries.visits_in,          # (Period, {"nationality": "CN"}) -> Decimal | int
    )

An indicator without ``compute`` is *official*: its values come only from department reports
and statistics imports (the dashboard's observations), never from the platform. Periods are
ISO 8601 labels: ``2026`` (year), ``2026-Q2`` (quarter), ``2026-05`` (month), ``2026-05-17``
(day). Units are those of ``core.rules.UNITS``; a value is rounded to the unit's places.
The interface is documented in docs/dashboard.md ("Registering an indicator")."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from nomadcloud.core.errors import DomainError
from nomadcloud.core.rules import UNITS

PERIOD_KINDS = ("day", "month", "quarter", "year")
SOURCES = ("platform", "official")
AGGREGATIONS = ("sum", "last")
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class UnknownIndicator(DomainError):
    code = "unknown_indicator"

    def __init__(self, code: str) -> None:
        message = _("No indicator is called “%(code)s”.") % {"code": code}
        super().__init__(message, fields={"indicator": [message]})


class BadPeriod(DomainError):
    code = "invalid_period"

    def __init__(self, label: str, reason: str = "") -> None:
        message = reason or _(
            "“%(label)s” is not a period: write 2026, 2026-Q2, 2026-05 or 2026-05-17."
        ) % {"label": label}
        super().__init__(message, fields={"period": [message]})


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period with its ISO 8601 label; ``start`` and ``end`` are inclusive."""

    start: date
    end: date
    kind: str

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return self.start.isoformat()

    def __str__(self) -> str:
        return self.label

    @classmethod
    def of(cls, kind: str, day: date) -> Period:
        """The period of ``kind`` that contains ``day``."""
        if kind == "year":
            return cls(date(day.year, 1, 1), date(day.year, 12, 31), kind)
        if kind == "quarter":
            first = 3 * ((day.month - 1) // 3) + 1
            last = first + 2
            return cls(
                date(day.year, first, 1),
                date(day.year, last, calendar.monthrange(day.year, last)[1]),
                kind,
            )
        if kind == "month":
            days = calendar.monthrange(day.year, day.month)[1]
            return cls(date(day.year, day.month, 1), date(day.year, day.month, days), kind)
        if kind == "day":
            return cls(day, day, kind)
        raise BadPeriod(kind)

    @classmethod
    def parse(cls, label: str) -> Period:
        text = (label or "").strip()
        try:
            if re.fullmatch(r"\d{4}", text):
                return cls.of("year", date(int(text), 1, 1))
            match = re.fullmatch(r"(\d{4})-Q([1-4])", text)
            if match:
                return cls.of("quarter", date(int(match[1]), 3 * int(match[2]) - 2, 1))
            match = re.fullmatch(r"(\d{4})-(\d{2})", text)
            if match:
                return cls.of("month", date(int(match[1]), int(match[2]), 1))
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return cls.of("day", date.fromisoformat(text))
        except ValueError:
            pass
        raise BadPeriod(label)

    def previous(self) -> Period:
        return Period.of(self.kind, self.start - timedelta(days=1))


Compute = Callable[[Period, Mapping[str, str]], Decimal | int]


@dataclass(frozen=True)
class Indicator:
    code: str
    unit: str
    definition: Mapping[str, str]
    period: str
    dimensions: tuple[str, ...] = ()
    compute: Compute | None = None
    aggregation: str = "sum"
    cumulative: bool = False
    owner: str = ""  # the unit (accounts/units.py code) that owns and approves the figures
    app: str = ""
    order: int = 50
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return "platform" if self.compute is not None else "official"

    @property
    def places(self) -> int:
        return UNITS[self.unit].places

    def text(self, language: str | None = None) -> str:
        from django.utils import translation

        lang = language or translation.get_language() or "zh-Hans"
        if lang.lower().startswith("zh"):
            return self.definition.get("zh-Hans") or self.definition.get("en", "")
        return self.definition.get("en") or self.definition.get("zh-Hans", "")

    def quantize(self, value: Decimal | int) -> Decimal:
        exponent = Decimal(1).scaleb(-self.places)
        return Decimal(value).quantize(exponent, rounding=ROUND_HALF_UP)

    def value(self, period: Period, dimensions: Mapping[str, str] | None = None) -> Decimal:
        """The platform's value for ``period`` (official indicators have none)."""
        if self.compute is None:
            raise DomainError(
                _("This indicator is reported by its owner, not computed."), code="not_computed"
            )
        given = dict(dimensions or {})
        unknown = set(given) - set(self.dimensions)
        if unknown:
            raise DomainError(
                _("Unknown dimension: %(names)s.") % {"names": ", ".join(sorted(unknown))},
                code="unknown_dimension",
            )
        return self.quantize(self.compute(period, given))


_registry: dict[str, Indicator] = {}


def indicator(
    code: str,
    *,
    unit: str,
    definition: Mapping[str, str],
    period: str,
    dimensions: tuple[str, ...] = (),
    compute: Compute | None = None,
    aggregation: str = "sum",
    cumulative: bool = False,
    owner: str = "",
    app: str = "",
    order: int = 50,
) -> Indicator:
    """Register an indicator (idempotent for the same code); checked at once so a mistake
    fails at start-up rather than on the dashboard."""
    if not CODE.match(code):
        raise ValueError(f"indicator code {code!r}: write app.name in lower case")
    if unit not in UNITS or UNITS[unit].kind != "number":
        raise ValueError(f"indicator {code}: unit {unit!r} is not a number unit of core.rules")
    if period not in PERIOD_KINDS:
        raise ValueError(f"indicator {code}: period must be one of {PERIOD_KINDS}")
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"indicator {code}: aggregation must be one of {AGGREGATIONS}")
    if not definition.get("zh-Hans") or not definition.get("en"):
        raise ValueError(f"indicator {code}: the definition needs zh-Hans and en")
    found = Indicator(
        code=code,
        unit=unit,
        definition=dict(definition),
        period=period,
        dimensions=tuple(dimensions),
        compute=compute,
        aggregation=aggregation,
        cumulative=cumulative,
        owner=owner,
        app=app or code.split(".")[0],
        order=order,
    )
    _registry[code] = found
    return found


def get(code: str) -> Indicator:
    try:
        return _registry[code]
    except KeyError:
        raise UnknownIndicator(code) from None


def registered() -> list[Indicator]:
    return sorted(_registry.values(), key=lambda i: (i.order, i.code))


def platform() -> list[Indicator]:
    return [i for i in registered() if i.compute is not None]
