"""The file's limits and formats, its errors (each with a line and a field), the item
specification, and decoding to text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from nomadcloud.core.errors import InvalidInput

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
