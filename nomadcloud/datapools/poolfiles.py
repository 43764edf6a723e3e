"""Pool files through Django's storage API (``STORAGES["default"]``: the local filesystem,
or S3-compatible object storage configured by ``STORAGE_OPTIONS``; docs/operations.md).

A released version is written once as Parquet under ``datapools/releases/<version>.parquet``
(every column, for the engines inside the platform) and, for downloads, as a de-identified
extract without the charter's personal columns under ``datapools/extracts/<version>.parquet``.
DuckDB reads a local file: on the filesystem storage that is the stored file itself; on an
object store the file is copied once, streamed in chunks, into a local cache
(``DATA_DIR/cache/datapools``). Decision record 0048."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage

from nomadcloud.datapools.models import DatasetVersion

RELEASES = "datapools/releases"
EXTRACTS = "datapools/extracts"
CHUNK = 1024 * 1024


def storage() -> Storage:
    return default_storage


def release_name(version: DatasetVersion) -> str:
    return f"{RELEASES}/{version.public_id}.parquet"


def extract_name(version: DatasetVersion) -> str:
    return f"{EXTRACTS}/{version.public_id}.parquet"


def _table(rows: list[dict[str, Any]], names: list[str]) -> pa.Table:
    return pa.table(
        {n: [str(r.get(n)) if r.get(n) is not None else None for r in rows] for n in names},
        schema=pa.schema([(n, pa.string()) for n in names]),
    )


def save_table(name: str, table: pa.Table) -> str:
    """Write ``table`` as Parquet to a local temporary file, then hand it to the storage
    (which streams it to the object store); returns the stored name."""
    handle, temporary = tempfile.mkstemp(suffix=".parquet")
    os.close(handle)
    try:
        pq.write_table(table, temporary)
        with open(temporary, "rb") as stream:
            if storage().exists(name):
                return name
            return storage().save(name, File(stream, name=Path(name).name))
    finally:
        os.unlink(temporary)


def ensure_release(version: DatasetVersion) -> str:
    """The version's Parquet file in the storage, written once (a release never changes)."""
    name = release_name(version)
    if not storage().exists(name):
        name = _write_version(name, version, [c["name"] for c in version.charter.columns])
    return name


def ensure_extract(version: DatasetVersion) -> str:
    """The de-identified extract for downloads: the release without personal columns."""
    name = extract_name(version)
    if not storage().exists(name):
        names = [c["name"] for c in version.charter.columns if not c.get("personal")]
        name = _write_version(name, version, names)
    return name


def _write_version(name: str, version: DatasetVersion, names: list[str]) -> str:
    """The rows of the version's contributions in order, written batch by batch: the JSON
    rows of small contributions, and the Parquet files of large ones (decision 0064) read
    in batches, so a release never sits whole in memory."""
    schema = pa.schema([(n, pa.string()) for n in names])
    handle, temporary = tempfile.mkstemp(suffix=".parquet")
    os.close(handle)
    try:
        with pq.ParquetWriter(temporary, schema) as writer:
            pending: list[dict[str, Any]] = []
            contributions = version.contributions.order_by("pk").only("rows", "rows_file")
            for contribution in contributions.iterator(chunk_size=500):
                if not contribution.rows_file:
                    pending += contribution.rows
                    continue
                if pending:
                    writer.write_table(_table(pending, names))
                    pending = []
                for batch in file_batches(contribution.rows_file, names, schema):
                    writer.write_batch(batch)
            if pending:
                writer.write_table(_table(pending, names))
        with open(temporary, "rb") as stream:
            if storage().exists(name):
                return name
            return storage().save(name, File(stream, name=Path(name).name))
    finally:
        os.unlink(temporary)


def file_batches(stored: str, names: list[str], schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """A large contribution's stored rows in batches, with exactly ``names`` as columns
    (those its charter did not have are empty)."""
    parquet = pq.ParquetFile(local_path(stored))
    present = set(parquet.schema_arrow.names)
    for batch in parquet.iter_batches(
        batch_size=65_536, columns=[n for n in names if n in present]
    ):
        yield pa.RecordBatch.from_arrays(
            [
                batch.column(n) if n in present else pa.nulls(batch.num_rows, pa.string())
                for n in names
            ],
            schema=schema,
        )


def local_path(name: str) -> Path:
    """A local file DuckDB can read for the stored ``name``."""
    try:
        return Path(storage().path(name))
    except NotImplementedError:
        pass
    cached = Path(settings.DATA_DIR) / "cache" / name
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        with storage().open(name, "rb") as source, open(partial, "wb") as target:
            shutil.copyfileobj(source, target, CHUNK)
        partial.replace(cached)
    return cached


def release_path(version: DatasetVersion) -> Path:
    """The version's Parquet file as a local path (written first if needed)."""
    return local_path(ensure_release(version))
