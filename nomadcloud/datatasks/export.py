"""A batch's results as CSV or JSON Lines (one item per row/line, in file order).

Values are written as in the items file: a label; labels joined with ``|``; a text; spans
as ``start:end:label`` joined with ``|`` (JSON Lines keeps lists and ``[start, end, label]``).
For gold items the result is the known answer (``method`` ``gold``); a reviewer's
correction replaces the aggregated result, which stays in ``aggregated_result``. CSV cells
that start with = + - @ get a leading apostrophe so that spreadsheets do not run them as
formulas; JSON Lines is exact.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from nomadcloud.core.csv import safe_cell
from nomadcloud.datatasks.models import Batch, Item

CSV_COLUMNS = (
    "id",
    "line",
    "gold",
    "result",
    "confidence",
    "answers",
    "overridden",
    "aggregated_result",
    "method",
    "text",
)


def as_text(task_type: str, value: Any) -> str:
    if value is None:
        return ""
    if task_type == Batch.TaskType.MULTI_LABEL:
        return "|".join(str(v) for v in value)
    if task_type == Batch.TaskType.SPANS:
        return "|".join(f"{s[0]}:{s[1]}:{s[2]}" for s in value)
    return str(value)


def _method(batch: Batch, item: Item) -> str:
    if item.is_gold:
        return "gold"
    if item.override is not None:
        return "override"
    return batch.method if item.result is not None else ""


def record(batch: Batch, item: Item) -> dict[str, Any]:
    return {
        "id": item.external_id,
        "line": item.position,
        "gold": item.is_gold,
        "result": item.final,
        "confidence": 1.0 if item.is_gold else item.confidence,
        "answers": item.answer_count,
        "overridden": item.override is not None,
        "aggregated_result": None if item.is_gold else item.result,
        "method": _method(batch, item),
        "support": item.support,
        "text": item.text,
    }


def _items(batch: Batch) -> Iterator[Item]:
    return Item.objects.filter(batch=batch).order_by("position").iterator(chunk_size=2000)


def csv_rows(batch: Batch) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flush()  # a BOM, so that spreadsheet programs read UTF-8
    for item in _items(batch):
        data = record(batch, item)
        writer.writerow(
            [
                safe_cell(data["id"]),
                data["line"],
                "1" if data["gold"] else "0",
                safe_cell(as_text(batch.task_type, data["result"])),
                "" if data["confidence"] is None else f"{data['confidence']:.4f}",
                data["answers"],
                "1" if data["overridden"] else "0",
                safe_cell(as_text(batch.task_type, data["aggregated_result"])),
                data["method"],
                safe_cell(data["text"]),
            ]
        )
        yield flush()


def jsonl_lines(batch: Batch) -> Iterator[str]:
    for item in _items(batch):
        yield json.dumps(record(batch, item), ensure_ascii=False) + "\n"


def filename(batch: Batch, extension: str) -> str:
    return f"nomadcloud-batch-{batch.public_id}.{extension}"
