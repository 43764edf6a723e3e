"""The rules, their parameters and stored decisions: every decision stores its inputs, the rule
version (book/rule@version+snapshot) and the trace; the parameter files of each snapshot are
kept (``ParameterSnapshot``), so ``reproduce`` re-runs any stored decision to the cent."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from nomadcloud.core import rules
from nomadcloud.core.rules import Decision, Parameters
from nomadcloud.incentives import policies
from nomadcloud.incentives.models import (
    ParameterSnapshot,
    Policy,
)


def parameters() -> Parameters:
    return policies.parameters()


def keep_snapshot(params: Parameters) -> None:
    """Store the parameter files of a snapshot once (for ``reproduce``)."""
    if ParameterSnapshot.objects.filter(snapshot=params.snapshot).exists():
        return
    texts = {name: _parameter_text(p) for name, p in sorted(params.items.items())}
    ParameterSnapshot.objects.get_or_create(snapshot=params.snapshot, defaults={"texts": texts})


def _parameter_text(p: rules.Parameter) -> str:
    lines = [
        f"description: {_quoted(p.description)}",
        "metadata:",
        f"  unit: {p.unit}",
        f"  reference: {_quoted(p.reference)}",
        "values:",
    ]
    for start, value in p.values:
        if isinstance(value, Decimal):
            text = f'"{value}"'
        elif value is None:
            text = "null"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = _quoted(value)
        lines += [f"  {start.isoformat()}:", f"    value: {text}"]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def snapshot_parameters(snapshot: str) -> Parameters:
    """The parameters of a stored snapshot (the shipped ones when it is current)."""
    current = parameters()
    if snapshot == current.snapshot:
        return current
    stored = ParameterSnapshot.objects.get(snapshot=snapshot)
    loaded = rules.load_texts(stored.texts.items())
    return rules.Parameters(loaded.items, snapshot)


def decide(
    policy: Policy, year: int, inputs: Mapping[str, Any], params: Parameters | None = None
) -> Decision:
    return policies.BOOK.decide(policy.rule, inputs, rules.parse_period(str(year)), params)


def trace(decision: Decision, rule: str, year: int) -> dict[str, Any]:
    """The flat trace in OpenFisca's shape: variable<period> → value, dependencies and the
    parameters with the date their value took effect."""
    return {
        f"{rule}<{year}>": {
            "value": [str(decision.amount)],
            "dependencies": [f"items<{year}>"],
            "parameters": {
                f"{name}<{start.isoformat()}>": str(value)
                for name, (start, value) in sorted(decision.params_used.items())
            },
        }
    }


def decision_record(
    decision: Decision, policy: Policy, year: int, inputs: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "amount": str(decision.amount),
        "eligible": decision.eligible,
        "reasons": list(decision.reasons),
        "params_used": rules.plain(decision.params_used),
        "rule_version": decision.rule_version,
        "inputs": dict(inputs),
        "trace": trace(decision, policy.rule, year),
    }


def snapshot_of(rule_version: str) -> str:
    return rule_version.rsplit("+", 1)[-1]


def reproduce(policy: Policy, year: int, record: Mapping[str, Any]) -> Decimal:
    """Re-run a stored decision with its own inputs and parameter snapshot."""
    params = snapshot_parameters(snapshot_of(str(record["rule_version"])))
    return decide(policy, year, record["inputs"], params).amount
