"""Reading a batch's items file (CSV or JSON Lines), completely, before anything is stored.

Every problem is reported with its line number and field, in the reader's language; the
import is all-or-nothing, so one error refuses the whole file. Only UTF-8 (with or without
a byte-order mark) is read. See docs/datatasks.md for the formats.

CSV: a header line, then one item per line (quoted fields may span lines; an item's line
is where it starts). Columns: ``id`` and ``text`` (required), ``gold``, ``qualification``,
``context``, ``media_url``, ``explanation`` (optional; why a gold answer is right, shown as
feedback). JSON Lines: one object per line with the same keys;
blank lines are skipped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from nomadcloud.core.errors import InvalidInput, invalid_field
from nomadcloud.core.jsonsafe import JSONRefused, loads_limited
from nomadcloud.datatasks import aggregation

CSV, JSONL = "csv", "jsonl"
FORMATS = (CSV, JSONL)
COLUMNS = ("id", "text", "gold", "qualification", "context", "media_url", "explanation")
REQUIRED = ("id", "text")
MAX_ID = 100
MAX_TEXT = 20_000
MAX_CONTEXT = 5_000
MAX_URL = 1_000
MAX_REPORTED = 30
TRUE = frozenset({"1", "true", "yes", "y", "x", "是"})
FALSE = frozenset({"", "0", "false", "no", "n", "否"})
UTF8_BOM = b"\xef\xbb\xbf"
OTHER_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def max_bytes() -> int:
    return int(getattr(settings, "DATATASKS_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def max_items() -> int:
    return int(getattr(settings, "DATATASKS_MAX_ITEMS", 50_000))


@dataclass(frozen=True)
class LineError:
    line: int  # 0 for the file as a whole
    field: str
    message: str

    def __str__(self) -> str:
        if self.line and self.field:
            return _("Line %(line)d, field “%(field)s”: %(message)s") % {
                "line": self.line,
                "field": self.field,
                "message": self.message,
            }
        if self.line:
            return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


class FileRejected(InvalidInput):
    """The file was refused; ``errors`` lists every problem found (up to a limit)."""

    code = "invalid_file"

    def __init__(self, errors: Sequence[LineError], *, more: int = 0) -> None:
        self.errors = list(errors)
        messages = [str(e) for e in self.errors]
        if more:
            messages.append(
                _("… and %(n)d more problems; fix these first.") % {"n": more}
                if more > 1
                else _("… and 1 more problem; fix these first.")
            )
        summary = (
            _("The file was not imported; nothing was stored. %(first)s") % {"first": messages[0]}
            if len(self.errors) == 1 and not more
            else _(
                "The file was not imported; nothing was stored. It has %(n)d problems, "
                "the first: %(first)s"
            )
            % {"n": len(self.errors) + more, "first": messages[0]}
        )
        super().__init__(summary, fields={"file": messages})


@dataclass
class ParsedItem:
    line: int
    external_id: str
    text: str
    gold: Any = None
    is_gold: bool = False
    is_qualification: bool = False
    context: str = ""
    media_url: str = ""
    explanation: str = ""


@dataclass
class ParsedFile:
    format: str
    sha256: str
    size: int
    items: list[ParsedItem] = field(default_factory=list)

    @property
    def gold_count(self) -> int:
        return sum(1 for i in self.items if i.is_gold)

    @property
    def qualification_count(self) -> int:
        return sum(1 for i in self.items if i.is_qualification)


@dataclass(frozen=True)
class Spec:
    """What the items must fit: the batch's task type and labels."""

    task_type: str
    labels: tuple[str, ...]


def size_error(size: int) -> FileRejected:
    limit = max_bytes()
    return FileRejected(
        [
            LineError(
                0,
                "",
                _("The file is %(size)s; at most %(limit)s can be imported at once.")
                % {"size": human_size(size), "limit": human_size(limit)},
            )
        ]
    )


def human_size(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    if size >= 1024**2:
        return f"{size / 1024**2:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} B"


def format_for(name: str, declared: str = "") -> str:
    """The format named explicitly, else the one the file name's extension says."""
    if declared:
        if declared not in FORMATS:
            raise FileRejected(
                [LineError(0, "", _("Choose the format: csv or jsonl."))],
            )
        return declared
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in {"csv", "txt"}:
        return CSV
    if extension in {"jsonl", "ndjson"}:
        return JSONL
    raise FileRejected([LineError(0, "", _("Name the file .csv or .jsonl, or choose its format."))])


def decode(data: bytes) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is dropped); anything else is refused, naming
    the line of the first byte that is not UTF-8."""
    for bom, name in OTHER_BOMS.items():
        if data.startswith(bom):
            raise FileRejected(
                [
                    LineError(
                        1,
                        "",
                        _("The file is %(encoding)s; only UTF-8 is accepted. Save it as UTF-8.")
                        % {"encoding": name},
                    )
                ]
            )
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileRejected(
            [
                LineError(
                    line,
                    "",
                    _(
                        "byte 0x%(byte)02X is not UTF-8 (is the file GBK or another "
                        "encoding?); only UTF-8 is accepted. Save it as UTF-8."
                    )
                    % {"byte": data[exc.start]},
                )
            ]
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FileRejected(
            [LineError(line, "", _("The file contains NUL characters; is it a text file?"))]
        )
    return text


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


# --- reading rows -----------------------------------------------------------------------------


def _csv_rows(text: str, errors: list[LineError]) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        errors.append(
            LineError(1, "", _("the header cannot be read (%(error)s).") % {"error": exc})
        )
        return
    columns = [name.strip().lower() for name in header]
    bad = False
    for index, name in enumerate(columns):
        if name not in COLUMNS:
            errors.append(
                LineError(
                    1,
                    header[index].strip()[:40] or str(index + 1),
                    _("unknown column; the columns are %(columns)s.")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
            bad = True
        elif columns.index(name) != index:
            errors.append(LineError(1, name, _("this column appears twice.")))
            bad = True
    for name in REQUIRED:
        if name not in columns:
            errors.append(LineError(1, name, _("this column is required.")))
            bad = True
    if bad:
        return
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(
                LineError(line, "", _("this line cannot be read (%(error)s).") % {"error": exc})
            )
            return
        start, line = line, reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        if len(row) != len(columns):
            errors.append(
                LineError(
                    start,
                    "",
                    _("expected %(expected)d fields like the header, found %(found)d.")
                    % {"expected": len(columns), "found": len(row)},
                )
            )
            continue
        yield start, dict(zip(columns, row, strict=True))


def _jsonl_rows(text: str, errors: list[LineError]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = loads_limited(raw, max_bytes=max_bytes())
        except JSONRefused as exc:  # too deep, NaN/Infinity, a lone surrogate
            errors.append(LineError(number, "", exc.message))
            continue
        except json.JSONDecodeError as exc:
            errors.append(
                LineError(
                    number,
                    "",
                    _("not valid JSON (%(error)s at column %(column)d).")
                    % {"error": exc.msg, "column": exc.colno},
                )
            )
            continue
        if not isinstance(record, dict):
            errors.append(LineError(number, "", _("each line must be a JSON object.")))
            continue
        unknown = sorted(set(record) - set(COLUMNS))
        if unknown:
            errors.append(
                LineError(
                    number,
                    str(unknown[0])[:40],
                    _("unknown field; the fields are %(columns)s.")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
            continue
        yield number, record


# --- checking one item ------------------------------------------------------------------------


def _string(
    line: int, record: dict[str, Any], name: str, limit: int, errors: list[LineError]
) -> str | None:
    value = record.get(name, "")
    if value is None:
        value = ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors.append(LineError(line, name, _("must be text.")))
        return None
    text = str(value).strip()
    if len(text) > limit:
        errors.append(
            LineError(line, name, _("too long: at most %(n)d characters.") % {"n": limit})
        )
        return None
    return text


def _item(
    line: int,
    record: dict[str, Any],
    spec: Spec,
    errors: list[LineError],
    *,
    from_csv: bool,
) -> ParsedItem | None:
    before = len(errors)
    external_id = _string(line, record, "id", MAX_ID, errors)
    text = _string(line, record, "text", MAX_TEXT, errors)
    context = _string(line, record, "context", MAX_CONTEXT, errors)
    media_url = _string(line, record, "media_url", MAX_URL, errors)
    explanation = _string(line, record, "explanation", MAX_CONTEXT, errors)
    if external_id == "":
        errors.append(LineError(line, "id", _("every item needs an id.")))
    if text == "":
        errors.append(LineError(line, "text", _("every item needs a text.")))
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append(LineError(line, "media_url", _("not an http(s) address.")))
    qualification = _flag(line, record.get("qualification", ""), errors)
    raw_gold = record.get("gold")
    has_gold = raw_gold is not None and not (from_csv and str(raw_gold).strip() == "")
    gold = None
    if has_gold:
        gold = clean_value(
            spec,
            raw_gold,
            text=text or "",
            from_csv=from_csv,
            line=line,
            field="gold",
            errors=errors,
        )
    if qualification and not has_gold:
        errors.append(
            LineError(
                line,
                "qualification",
                _("a qualification item needs its known answer in “gold”."),
            )
        )
    if len(errors) > before:
        return None
    assert external_id is not None and text is not None
    return ParsedItem(
        line=line,
        external_id=external_id,
        text=text,
        gold=gold,
        is_gold=has_gold,
        is_qualification=bool(qualification),
        context=context or "",
        media_url=media_url or "",
        explanation=(explanation or "") if has_gold else "",
    )


def _flag(line: int, value: Any, errors: list[LineError]) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    errors.append(LineError(line, "qualification", _("write 1 or 0 (or true/false).")))
    return False


def clean_value(
    spec: Spec,
    raw: Any,
    *,
    text: str,
    from_csv: bool = False,
    line: int = 0,
    field: str = "answer",
    errors: list[LineError] | None = None,
) -> Any:
    """A gold answer or a worker's answer in the batch's shape: a label, a sorted list of
    labels, a text, or sorted ``[start, end, label]`` spans. With ``errors``, problems are
    appended and None returned; without, the first is raised as an error on ``field``."""
    found: list[LineError] = []
    value = _shape(spec, raw, text, from_csv, line, field, found)
    if found:
        if errors is None:
            message = found[0].message
            raise invalid_field(field, message[:1].upper() + message[1:])
        errors.extend(found)
        return None
    return value


def _shape(
    spec: Spec,
    raw: Any,
    text: str,
    from_csv: bool,
    line: int,
    field: str,
    errors: list[LineError],
) -> Any:
    labels = spec.labels
    listed = ", ".join(labels)
    if spec.task_type == aggregation.SINGLE_LABEL:
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            errors.append(LineError(line, field, _("must be one label.")))
            return None
        label = str(raw).strip()
        if label not in labels:
            errors.append(
                LineError(
                    line,
                    field,
                    _("“%(value)s” is not one of the labels (%(labels)s).")
                    % {"value": label[:60], "labels": listed},
                )
            )
            return None
        return label
    if spec.task_type == aggregation.MULTI_LABEL:
        if from_csv or isinstance(raw, str):
            raw = [part for part in str(raw).split("|") if part.strip()]
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            errors.append(LineError(line, field, _("must be a list of labels.")))
            return None
        chosen = [v.strip() for v in raw]
        for value in chosen:
            if value not in labels:
                errors.append(
                    LineError(
                        line,
                        field,
                        _("“%(value)s” is not one of the labels (%(labels)s).")
                        % {"value": value[:60], "labels": listed},
                    )
                )
                return None
        if len(set(chosen)) != len(chosen):
            errors.append(LineError(line, field, _("a label is listed twice.")))
            return None
        return sorted(chosen, key=labels.index)
    if spec.task_type == aggregation.TRANSCRIPTION:
        if not isinstance(raw, str):
            errors.append(LineError(line, field, _("must be text.")))
            return None
        value = raw.strip()
        if not value:
            errors.append(LineError(line, field, _("must not be empty.")))
            return None
        if len(value) > MAX_TEXT:
            errors.append(
                LineError(line, field, _("too long: at most %(n)d characters.") % {"n": MAX_TEXT})
            )
            return None
        return value
    if spec.task_type == aggregation.SPANS:
        return _spans(raw, text, labels, from_csv, line, field, errors)
    raise ValueError(spec.task_type)


def _offset(raw: Any) -> int:
    """A span offset exactly as written: a JSON integer or ASCII digits. Not a boolean
    (``true`` is not 1), not a float (1.9 is not 1), not other scripts' digits."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        return int(raw)
    raise ValueError(raw)


def _spans(
    raw: Any,
    text: str,
    labels: Sequence[str],
    from_csv: bool,
    line: int,
    field: str,
    errors: list[LineError],
) -> list[list[Any]] | None:
    shape_error = _(
        "spans are written start:end:label separated by | (in JSON: a list of "
        '{"start", "end", "label"} objects).'
    )
    entries: list[tuple[Any, Any, Any]] = []
    if from_csv or isinstance(raw, str):
        for part in (p.strip() for p in str(raw).split("|")):
            if not part:
                continue
            pieces = part.split(":", 2)
            if len(pieces) != 3:
                errors.append(LineError(line, field, shape_error))
                return None
            entries.append((pieces[0].strip(), pieces[1].strip(), pieces[2].strip()))
    elif isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, dict) and set(entry) == {"start", "end", "label"}:
                entries.append((entry["start"], entry["end"], entry["label"]))
            elif isinstance(entry, list) and len(entry) == 3:
                entries.append((entry[0], entry[1], entry[2]))
            else:
                errors.append(LineError(line, field, shape_error))
                return None
    else:
        errors.append(LineError(line, field, shape_error))
        return None
    spans: list[list[Any]] = []
    for start_raw, end_raw, label in entries:
        try:
            start, end = _offset(start_raw), _offset(end_raw)
        except (TypeError, ValueError):
            errors.append(LineError(line, field, shape_error))
            return None
        if not 0 <= start < end <= len(text):
            errors.append(
                LineError(
                    line,
                    field,
                    _("the span %(start)s:%(end)s is outside the text (0–%(length)d).")
                    % {"start": start, "end": end, "length": len(text)},
                )
            )
            return None
        if not isinstance(label, str) or label not in labels:
            errors.append(
                LineError(
                    line,
                    field,
                    _("“%(value)s” is not one of the labels (%(labels)s).")
                    % {"value": str(label)[:60], "labels": ", ".join(labels)},
                )
            )
            return None
        spans.append([start, end, label])
    spans.sort(key=lambda s: (s[0], s[1]))
    for previous, current in itertools.pairwise(spans):
        if current[0] < previous[1]:
            errors.append(LineError(line, field, _("spans must not overlap.")))
            return None
    return spans
