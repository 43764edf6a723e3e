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


def _rows(version: DatasetVersion) -> list[dict[str, Any]]:
    return [row for c in version.contributions.order_by("pk") for row in c.rows]


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
        names = [c["name"] for c in version.charter.columns]
        name = save_table(name, _table(_rows(version), names))
    return name


def ensure_extract(version: DatasetVersion) -> str:
    """The de-identified extract for downloads: the release without personal columns."""
    name = extract_name(version)
    if not storage().exists(name):
        names = [c["name"] for c in version.charter.columns if not c.get("personal")]
        name = save_table(name, _table(_rows(version), names))
    return name


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
