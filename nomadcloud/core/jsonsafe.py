"""JSON from outside, parsed within limits: ``loads_limited`` refuses a document larger than
``max_bytes`` or nested deeper than ``max_depth`` before the parser sees it (the standard
parser recurses once per level and raises ``RecursionError`` on deep input, which escaped as
a 500 and stalled feed syncs), and refuses what is not portable JSON: ``NaN``/``Infinity``,
numbers that overflow to infinity, and strings with lone surrogates (``"\\ud800"``), which
cannot be stored or encoded as UTF-8.

Every entry point that parses JSON from outside uses it: API request bodies (``ApiParser``),
the public credential verification, JSONL imports and demand feeds (docs/security.md)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

from nomadcloud.core.errors import DomainError

MAX_DEPTH = 64
"""Levels of arrays and objects; real documents (credentials, feeds, items) need under 20."""

# A string (with its escapes), one bracket, or the quote of a string that never ends:
# brackets inside strings do not nest.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}"]', re.DOTALL)


class JSONRefused(DomainError):
    """A JSON document refused before or while it was parsed; ``code`` says why:
    ``json_too_large``, ``json_too_deep`` or ``json_invalid``."""

    status = 400
    code = "json_invalid"

    def __init__(self, message: str, *, code: str, limit: int | None = None) -> None:
        super().__init__(message, code=code, fields={"body": [message]})
        self.limit = limit


def too_large(max_bytes: int) -> JSONRefused:
    return JSONRefused(
        _("The JSON document is larger than %(limit)s bytes.") % {"limit": f"{max_bytes:,}"},
        code="json_too_large",
        limit=max_bytes,
    )


def too_deep(max_depth: int) -> JSONRefused:
    return JSONRefused(
        _("The JSON document is nested deeper than %(limit)d levels.") % {"limit": max_depth},
        code="json_too_deep",
        limit=max_depth,
    )


def _not_a_number(name: str) -> Any:
    raise JSONRefused(
        _("The JSON document contains %(value)s, which is not a number in JSON.") % {"value": name},
        code="json_invalid",
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONRefused(
            _("The JSON document contains a number too large to represent: %(value)s.")
            % {"value": text[:40]},
            code="json_invalid",
        )
    return value


def nesting_depth(text: str, *, stop_above: int) -> int:
    """The deepest nesting of arrays and objects, counted without recursion; stops counting
    once it exceeds ``stop_above``. Malformed text may be miscounted only after the point
    where the parser would fail anyway, so the count bounds the parser's recursion."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        piece = match.group()
        if piece == '"':
            break  # a string that never ends: the parser stops here
        if piece in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_above:
                    break
        elif piece in ("]", "}"):
            depth -= 1
            if depth < 0:
                break  # unbalanced: the parser stops here
    return deepest


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def loads_limited(
    data: str | bytes,
    *,
    max_depth: int = MAX_DEPTH,
    max_bytes: int,
    parse_float: Callable[[str], Any] | None = None,
) -> Any:
    """Parse ``data`` like ``json.loads`` within the limits; raise ``JSONRefused`` for a
    limit or a non-portable value, ``ValueError`` (``json.JSONDecodeError`` or
    ``UnicodeDecodeError``) for malformed input. Never raises ``RecursionError``."""
    if isinstance(data, bytes | bytearray):
        if len(data) > max_bytes:
            raise too_large(max_bytes)
        text = bytes(data).decode(json.detect_encoding(data), "strict")
    else:
        text = data
        # A character is 1 to 4 bytes: encode only when the length alone does not decide.
        size = (
            len(text) if len(text) * 4 <= max_bytes else len(text.encode("utf-8", "surrogatepass"))
        )
        if size > max_bytes:
            raise too_large(max_bytes)
    openers = text.count("[") + text.count("{")  # cheap: most documents stop here
    if openers > max_depth and nesting_depth(text, stop_above=max_depth) > max_depth:
        raise too_deep(max_depth)
    value = json.loads(text, parse_constant=_not_a_number, parse_float=parse_float or _finite_float)
    if _has_lone_surrogate(value):
        raise JSONRefused(
            _("The JSON document contains a lone surrogate (half of a UTF-16 pair)."),
            code="json_invalid",
        )
    return value


class ApiParser(Parser):
    """django-ninja's body parser with the limits. Ninja turns any parser error into a 400
    ``HttpError`` raised from it; the API's handler answers with this error's envelope."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        value: dict[str, Any] = loads_limited(
            request.body, max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        )
        return value
