"""Checking a large uploaded contribution in the background (decision 0064).

A contribution larger than the form's 1 MB, or any Parquet file, arrives through a presigned
upload (uploads.py) and is received as ``validating``; the job ``datapools.uploads_check.
validate_upload`` then runs ``validate`` here, which never holds the file in memory:

1. the stored upload is read as a local file (the filesystem storage's own file, or a copy
   streamed in 1 MB chunks from the object store) and its size and SHA-256 checked against
   the slot's declaration, in chunks;
2. its rows are read in batches of ``BATCH`` — a CSV by Python's csv reader over a streamed
   UTF-8 decoder (the line numbers of the form's check), a Parquet file by pyarrow's
   ``iter_batches`` (each column read as text) — checked against the pool's schema row by
   row with the form's own rules (``validation.check_header``, ``type_row``) and scanned
   for undeclared personal data (``validation.scan_personal``);
3. the typed rows are written, batch by batch, to a Parquet file in storage
   (``datapools/contributions/<contribution>.parquet``), which releases read instead of the
   JSON rows of small contributions.

Outcomes: the first ``MAX_ERRORS`` errors make it **rejected** (kept in every language of
the site, shown to the contributor; nothing of the file kept); personal data in columns the
charter does not declare makes it **quarantined** (its first ``MAX_FINDINGS`` findings kept,
no row); otherwise **accepted**. The raw upload is deleted whatever the outcome.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from nomadcloud.core import audit
from nomadcloud.datapools import poolfiles, validation
from nomadcloud.datapools.models import Contribution, UploadSlot

logger = logging.getLogger(__name__)

BATCH = 10_000
MAX_ERRORS = 50
MAX_FINDINGS = 100
CACHE_LIMIT = 200_000  # values kept per file while checking (then cleared)
CONTRIBUTIONS = "datapools/contributions"
PARQUET = "application/vnd.apache.parquet"
# The languages errors are kept in (core/i18n.py's required languages).
LANGUAGES = (("zh-Hans", "zh-hans"), ("en", "en"))


def rows_name(contribution: Contribution) -> str:
    return f"{CONTRIBUTIONS}/{contribution.public_id}.parquet"


def in_every_language(render: Callable[[], str]) -> dict[str, str]:
    """``render()`` (a gettext message) in each language of the site, as a multilingual
    value the pages show with ``|tr`` and the API in the reader's language."""
    out: dict[str, str] = {}
    for key, code in LANGUAGES:
        with translation.override(code):
            out[key] = str(render())
    return out


@dataclass
class Outcome:
    rows: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    finding_count: int = 0

    def error(self, render: Callable[[], str]) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(in_every_language(render))

    @property
    def full(self) -> bool:
        return len(self.errors) >= MAX_ERRORS


def _row_error(error: validation.RowError, parquet: bool) -> Callable[[], str]:
    """An error of the form's check, rendered again in each language (its message is
    rebuilt from the row in that language by ``retype``)."""
    if parquet:
        return lambda: (
            _("Row %(line)s, %(column)s: %(message)s")
            % {
                "line": error.line - 1,
                "column": error.column,
                "message": error.message,
            }
        )
    return lambda: _("Line %(line)s, %(column)s: %(message)s") % error.as_dict()


# --- reading ------------------------------------------------------------------------------------


class Unreadable(Exception):
    """The file cannot be read as its format; ``render`` says why in a language."""

    def __init__(self, render: Callable[[], str]) -> None:
        super().__init__("unreadable")
        self.render = render


def _csv_batches(path: Path) -> tuple[list[str], Iterator[tuple[int, list[dict[str, str]]]]]:
    """The header and the rows of a UTF-8 CSV file in batches, each with the line of its
    first row (the header is line 1). A line with more cells than the header, text that is
    not UTF-8 or a NUL byte stops the reading with ``Unreadable``."""
    stream = open(path, "rb")  # noqa: SIM115 - closed by the generator below
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        stream.close()
        raise _unreadable_csv(exc, 1) from exc
    if header is None:
        stream.close()
        raise Unreadable(
            lambda: (
                _("Line %(line)s: %(message)s") % {"line": 1, "message": _("The file has no rows.")}
            )
        )
    header = [h.strip() for h in header]

    def batches() -> Iterator[tuple[int, list[dict[str, str]]]]:
        try:
            batch: list[dict[str, str]] = []
            first = 2
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except (UnicodeDecodeError, csv.Error) as exc:
                    raise _unreadable_csv(exc, reader.line_num + 1) from exc
                if len(cells) > len(header):
                    raise _too_many_cells(reader.line_num)
                batch.append(dict(zip(header, cells, strict=False)))
                if len(batch) >= BATCH:
                    yield first, batch
                    first += len(batch)
                    batch = []
            if batch:
                yield first, batch
        finally:
            stream.close()

    return header, batches()


def _not_text(name: str) -> Unreadable:
    return Unreadable(lambda: _("Column %(name)s cannot be read as text.") % {"name": name})


def _too_many_cells(line: int) -> Unreadable:
    return Unreadable(
        lambda: (
            _("Line %(line)s: %(message)s")
            % {"line": line, "message": _("This line has more cells than the header.")}
        )
    )


def _unreadable_csv(exc: Exception, line: int) -> Unreadable:
    if isinstance(exc, UnicodeDecodeError):
        return Unreadable(
            lambda: (
                _("Line %(line)s: %(message)s")
                % {"line": line, "message": _("The file is not UTF-8 text.")}
            )
        )
    return Unreadable(
        lambda: (
            _("Line %(line)s: %(message)s")
            % {"line": line, "message": _("The file is not a text file.")}
        )
    )


def _parquet_batches(
    path: Path,
) -> tuple[list[str], Iterator[tuple[int, list[dict[str, Any]]]]]:
    """The column names and the rows of a Parquet file in batches, every value read as text
    (a date as YYYY-MM-DD, a number as written); the first row counts as line 2, so that
    errors say "Row 1" for it."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise Unreadable(lambda: _("The file is not a Parquet file.")) from exc
    header = list(parquet.schema_arrow.names)

    def batches() -> Iterator[tuple[int, list[dict[str, Any]]]]:
        first = 2
        for batch in parquet.iter_batches(batch_size=BATCH):
            columns = {}
            for name in batch.schema.names:
                try:
                    columns[name] = pc.cast(batch.column(name), pa.string())
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise _not_text(name) from exc
            rows = pa.table(columns).to_pylist()
            yield first, rows
            first += len(rows)

    return header, batches()


# --- checking -----------------------------------------------------------------------------------


def check_file(path: Path, *, parquet: bool, schema: list[dict[str, Any]], out: Path) -> Outcome:
    """Check the file at ``path`` against ``schema`` in batches; the typed rows of a file
    without errors are written to ``out`` (Parquet, every column as text)."""
    outcome = Outcome()
    names = [str(c["name"]) for c in schema]
    try:
        header, batches = _parquet_batches(path) if parquet else _csv_batches(path)
    except Unreadable as exc:
        outcome.error(exc.render)
        return outcome
    for index, _error in enumerate(validation.check_header(schema, header)):
        outcome.error(_header_error(schema, header, index))
    if outcome.errors:
        return outcome
    arrow_schema = pa.schema([(n, pa.string()) for n in names])
    with pq.ParquetWriter(out, arrow_schema) as writer:
        try:
            cache: dict[tuple[str, str], tuple[Any, str | None]] = {}
            for first, rows in batches:
                typed: list[dict[str, Any]] = []
                if len(cache) > CACHE_LIMIT:
                    cache.clear()
                for line, row in enumerate(rows, start=first):
                    out_row, errors = validation.type_row(schema, row, line, cache)
                    for error in errors:
                        outcome.error(_retyped(schema, row, error, parquet))
                    typed.append(out_row)
                    if outcome.full:
                        return outcome
                outcome.rows += len(typed)
                if outcome.errors:
                    continue  # keep reading for the first errors; nothing is written
                found = validation.scan_personal(schema, typed, first_line=first)
                outcome.finding_count += len(found)
                room = MAX_FINDINGS - len(outcome.findings)
                outcome.findings += [
                    {**f.as_dict(), "line": f.line - 1 if parquet else f.line}
                    for f in found[: max(0, room)]
                ]
                if not outcome.finding_count:
                    writer.write_table(_as_text(typed, names, arrow_schema))
        except Unreadable as exc:
            outcome.error(exc.render)
            return outcome
    if outcome.rows == 0 and not outcome.errors:
        outcome.error(
            lambda: (
                _("Line %(line)s: %(message)s") % {"line": 1, "message": _("The file has no rows.")}
            )
        )
    return outcome


def _header_error(schema: list[dict[str, Any]], header: list[str], index: int) -> Callable[[], str]:
    """The header's ``index``-th error, checked again in the language it is rendered in."""
    return lambda: _row_error(validation.check_header(schema, header)[index], parquet=False)()


def _retyped(
    schema: list[dict[str, Any]], row: dict[str, Any], error: validation.RowError, parquet: bool
) -> Callable[[], str]:
    """The error rendered in a language: the row is typed again in that language, so the
    cell's own message (Not a date, Below the minimum …) is translated too."""

    def render() -> str:
        _typed, errors = validation.type_row(schema, row, error.line)
        again = next((e for e in errors if e.column == error.column), error)
        return _row_error(again, parquet)()

    return render


def _as_text(rows: list[dict[str, Any]], names: list[str], schema: pa.Schema) -> pa.Table:
    return pa.table(
        {n: [None if r.get(n) is None else str(r.get(n)) for r in rows] for n in names},
        schema=schema,
    )


def _checksum(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while chunk := stream.read(poolfiles.CHUNK):
            size += len(chunk)
            digest.update(chunk)
    return size, digest.hexdigest()


# --- the job ------------------------------------------------------------------------------------


def validate(contribution_id: str) -> str:
    """Check one received contribution (the job's body); its new status. Runs once: a
    contribution no longer ``validating`` (done, or its consent withdrawn) is left alone."""
    contribution = (
        Contribution.objects.filter(public_id=contribution_id)
        .select_related("charter", "pool")
        .first()
    )
    if contribution is None or contribution.status != Contribution.Status.VALIDATING:
        return "skipped"
    slot = UploadSlot.objects.filter(contribution=contribution).first()
    storage = poolfiles.storage()
    outcome = Outcome()
    stored = ""
    handle, temporary = tempfile.mkstemp(suffix=".parquet", dir=_scratch())
    os.close(handle)
    out = Path(temporary)
    cached: Path | None = None
    try:
        if slot is None or not storage.exists(slot.key):
            outcome.error(lambda: _("No part of the file has arrived."))
        else:
            local = poolfiles.local_path(slot.key)
            cached = None if _is_storage_file(local, slot.key) else local
            size, digest = _checksum(local)
            if size != slot.size:
                outcome.error(
                    lambda: _("The file is not the declared %(n)s bytes.") % {"n": slot.size}
                )
            elif digest != slot.sha256:
                outcome.error(lambda: _("The file's SHA-256 is not the one declared."))
            else:
                outcome = check_file(
                    local,
                    parquet=slot.content_type == PARQUET,
                    schema=contribution.charter.columns,
                    out=out,
                )
        if not outcome.errors and not outcome.findings:
            with open(out, "rb") as stream:
                stored = storage.save(
                    rows_name(contribution), File(stream, name=f"{contribution.public_id}.parquet")
                )
        return _record(contribution, outcome, stored)
    except Exception:
        logger.exception("datapools: checking contribution %s failed", contribution_id)
        if stored:
            storage.delete(stored)
        # The contributor is not left waiting: the file is refused, saying so (the job still
        # fails, for the operators to see).
        failed = Outcome()
        failed.error(lambda: _("The file could not be checked; send it again."))
        with contextlib.suppress(Exception):
            _record(contribution, failed, "")
        raise
    finally:
        out.unlink(missing_ok=True)
        if cached is not None:
            cached.unlink(missing_ok=True)
        if slot is not None:
            with contextlib.suppress(Exception):
                if storage.exists(slot.key):
                    storage.delete(slot.key)


def _scratch() -> str:
    folder = Path(settings.DATA_DIR) / "cache" / "datapools" / "checks"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder)


def _is_storage_file(local: Path, key: str) -> bool:
    try:
        return Path(poolfiles.storage().path(key)) == local
    except NotImplementedError:
        return False


def _record(contribution: Contribution, outcome: Outcome, stored: str) -> str:
    with transaction.atomic():
        current = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if current.status != Contribution.Status.VALIDATING:
            if stored:  # its consent was withdrawn meanwhile: nothing of the file is kept
                transaction.on_commit(lambda: poolfiles.storage().delete(stored))
            return str(current.status)
        if outcome.errors:
            current.status = Contribution.Status.REJECTED
        elif outcome.findings:
            current.status = Contribution.Status.QUARANTINED
        else:
            current.status = Contribution.Status.ACCEPTED
            current.rows_file = stored
        current.row_count = outcome.rows
        current.errors = outcome.errors
        current.findings = outcome.findings
        current.validated_at = timezone.now()
        current.save(
            update_fields=["status", "rows_file", "row_count", "errors", "findings", "validated_at"]
        )
        audit.record(
            actor=None,
            action="datapools.contribution.check",
            obj=current,
            after={
                "status": current.status,
                "rows": outcome.rows,
                "errors": len(outcome.errors),
                "findings": outcome.finding_count,
            },
        )
    return str(current.status)


def measure(
    schema: list[dict[str, Any]], inline: list[dict[str, Any]], files: list[str]
) -> tuple[int, int, int]:
    """Rows, filled cells and distinct rows of a release holding large contributions (their
    Parquet files) besides ``inline`` rows, counted by DuckDB without loading the files."""
    import duckdb

    names = [str(c["name"]) for c in schema]
    arrow_schema = pa.schema([(n, pa.string()) for n in names])
    quoted = [f'"{n}"' for n in names]
    filled = " + ".join(f"count(NULLIF({q}, ''))" for q in quoted) or "0"

    def ask(sql: str) -> tuple[Any, ...]:
        connection = duckdb.connect()  # one per query: the registered readers are spent
        try:
            union = _register(connection, names, inline, files, arrow_schema)
            found = connection.execute(sql.format(union=union)).fetchall()
        finally:
            connection.close()
        return tuple(found[0])

    counted = ask(f"SELECT count(*), {filled} FROM ({{union}})")  # noqa: S608
    unique = ask("SELECT count(*) FROM (SELECT DISTINCT * FROM ({union}))")
    rows, cells, distinct = counted[0], counted[1], unique[0]
    return int(rows), int(cells), int(distinct)


def _register(
    connection: Any,
    names: list[str],
    inline: list[dict[str, Any]],
    files: list[str],
    schema: pa.Schema,
) -> str:
    """Register the inline rows and each file (streamed, with the release's columns) and
    return the SQL of their union."""
    connection.register("inline_rows", _as_text(inline, names, schema))
    parts = ["SELECT * FROM inline_rows"]
    for index, name in enumerate(files):
        batches = poolfiles.file_batches(name, names, schema)
        connection.register(f"file_{index}", pa.RecordBatchReader.from_batches(schema, batches))
        parts.append(f"SELECT * FROM file_{index}")  # noqa: S608 - our own view names
    return " UNION ALL ".join(parts)


# Defined beside what it runs, so uploads.py queues it without importing tasks.py.
@task(queue_name="pools")
def validate_upload(contribution_id: str) -> str:
    """Check a large uploaded contribution against its pool's schema and for undeclared
    personal data, streaming the file (decision 0064); its new status."""
    return validate(contribution_id)
