"""The verification page's three outcomes, shown distinctly (icon, colour and text): a valid
credential, a revoked one (signed by the zone but withdrawn) and an invalid one."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

VALID, REVOKED, INVALID = "valid", "revoked", "invalid"


@register.filter
def outcome(result: Any) -> str:
    if result is None:
        return ""
    if result.valid:
        return VALID
    for check in result.checks:
        if check.name == "status" and check.code == "revoked":
            return REVOKED
    return INVALID
