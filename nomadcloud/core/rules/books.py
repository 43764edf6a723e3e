"""Rule books: the rules of one capability, registered by name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from .parameters import (
    Decision,
    ParameterError,
    Parameters,
)
from .periods import Period

# --- rule books: rules, their parameters and their YAML tests ----------------------------

Rule = Callable[[Mapping[str, Any], Period, Parameters], Decision]


@dataclass(frozen=True)
class RuleBook:
    """The rules of one capability (``incentives``, ``talent.certification``, ``risk``):
    pure functions by name, the parameters they read and the directory of YAML test cases
    (OpenFisca's test format) that must all pass before a version is published."""

    name: str
    version: str
    rules: Mapping[str, Rule]
    parameters: Callable[[], Parameters]
    tests: Path | None = None

    def decide(
        self, rule: str, inputs: Mapping[str, Any], period: Period, params: Parameters | None = None
    ) -> Decision:
        """Run one rule; the decision's ``rule_version`` names the book, its version, the rule
        and the parameter snapshot."""
        function = self.rules.get(rule)
        if function is None:
            raise ParameterError(
                _("No rule %(rule)s in %(book)s.") % {"rule": rule, "book": self.name}
            )
        loaded = params if params is not None else self.parameters()
        decision = function(inputs, period, loaded)
        version = f"{self.name}/{rule}@{self.version}+{loaded.snapshot}"
        return Decision(
            amount=decision.amount,
            eligible=decision.eligible,
            reasons=decision.reasons,
            params_used=decision.params_used,
            rule_version=version,
        )


_BOOKS: dict[str, RuleBook] = {}


def register(book: RuleBook) -> RuleBook:
    """Make a rule book known to ``nomadcloud rules test`` (called from an app's ready)."""
    _BOOKS[book.name] = book
    return book


def books() -> list[RuleBook]:
    return [_BOOKS[name] for name in sorted(_BOOKS)]


def book(name: str) -> RuleBook:
    return _BOOKS[name]
