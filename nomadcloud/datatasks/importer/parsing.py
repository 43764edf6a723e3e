"""Reading and checking the whole file; every problem found is raised at once."""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext as _

from .items import _item
from .limits import (
    CSV,
    MAX_REPORTED,
    UTF8_BOM,
    FileRejected,
    LineError,
    ParsedFile,
    Spec,
    decode,
    max_bytes,
    max_items,
    size_error,
)
from .rows import _csv_rows, _jsonl_rows


def parse(data: bytes, *, format: str, spec: Spec) -> ParsedFile:
    """Read and check the whole file; raise ``FileRejected`` with every problem found."""
    if len(data) > max_bytes():
        raise size_error(len(data))
    if not data.strip(UTF8_BOM + b" \r\n\t"):
        raise FileRejected([LineError(0, "", _("The file is empty."))])
    text = decode(data)
    parsed = ParsedFile(format=format, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    limit = max_items()
    rows = _csv_rows(text, errors) if format == CSV else _jsonl_rows(text, errors)
    for line, record in rows:
        if len(parsed.items) >= limit:
            errors.append(
                LineError(
                    line,
                    "",
                    _("a batch holds at most %(n)d items; split the file.") % {"n": limit},
                )
            )
            break
        item = _item(line, record, spec, errors, from_csv=format == CSV)
        if item is None:
            continue
        if item.external_id in seen:
            errors.append(
                LineError(
                    line,
                    "id",
                    _("the id “%(id)s” is already used on line %(first)d.")
                    % {"id": item.external_id, "first": seen[item.external_id]},
                )
            )
            continue
        seen[item.external_id] = line
        parsed.items.append(item)
        if len(errors) > MAX_REPORTED * 4:
            break
    if not errors and not parsed.items:
        errors.append(LineError(0, "", _("The file has no items.")))
    if errors:
        raise FileRejected(errors[:MAX_REPORTED], more=max(0, len(errors) - MAX_REPORTED))
    return parsed
