"""Uploaded work files (training materials and submissions, order deliverables, conversion
documents): checked for type and size before anything is stored, then stored through
Django's storage API under a random name, with the original name, type, size and SHA-256
kept in the row. Shared by the apps that take files (training, orders).

The type is decided by the extension *and* the file's first bytes (a renamed executable is
refused); plain-text types must be UTF-8 without NUL bytes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.core.errors import invalid_field

DEFAULT_MAX_BYTES = 10 * 1_048_576
ZIP = (b"PK\x03\x04",)
# extension → (content type, accepted first bytes; None = UTF-8 text)
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "zip": ("application/zip", ZIP),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    "txt": ("text/plain; charset=utf-8", None),
    "md": ("text/markdown; charset=utf-8", None),
    "csv": ("text/csv; charset=utf-8", None),
}
TEXT_SNIFF_BYTES = 65536


class StoredFile(models.Model):
    """What every stored upload keeps beside the file itself (subclasses add ``file``)."""

    original_name = models.CharField(gettext_lazy("file name"), max_length=255)
    content_type = models.CharField(gettext_lazy("type"), max_length=100)
    size = models.PositiveIntegerField(gettext_lazy("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(gettext_lazy("uploaded"), auto_now_add=True)

    file: models.FileField

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


def max_bytes() -> int:
    return int(getattr(settings, "WORK_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_extensions() -> str:
    return ", ".join(sorted(FILE_TYPES))


@dataclass(frozen=True)
class CheckedFile:
    file: UploadedFile[Any]
    name: str
    extension: str
    content_type: str
    size: int


def check_file(file: UploadedFile[Any], *, field: str) -> CheckedFile:
    """Refuse a file of the wrong type or size, naming the field; nothing is stored."""
    name = (file.name or "").replace("\\", "/").rsplit("/", 1)[-1][-255:]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    limit = max_bytes()
    size = file.size or 0
    if size > limit:
        raise invalid_field(
            field,
            _("%(name)s is too large: at most %(mb)s MB per file.")
            % {"name": name, "mb": f"{limit / 1_048_576:g}"},
            code="file_too_large",
        )
    if size == 0:
        raise invalid_field(field, _("%(name)s is empty.") % {"name": name}, code="file_empty")
    kind = FILE_TYPES.get(extension)
    file.seek(0)
    head = file.read(TEXT_SNIFF_BYTES)
    file.seek(0)
    if kind is None or not _matches(head, kind[1], complete=size <= TEXT_SNIFF_BYTES):
        raise invalid_field(
            field,
            _("%(name)s is not one of the accepted file types (%(types)s).")
            % {"name": name, "types": allowed_extensions()},
            code="file_type",
        )
    return CheckedFile(file=file, name=name, extension=extension, content_type=kind[0], size=size)


def _matches(head: bytes, magic: tuple[bytes, ...] | None, *, complete: bool) -> bool:
    if magic is not None:
        return any(head.startswith(m) for m in magic)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed part is fine.
        return not complete and exc.start >= len(head) - 3
    return True


def store(row: StoredFile, checked: CheckedFile) -> None:
    """Fill the row's file, name, type, size and hash (the row is not saved here)."""
    digest = hashlib.sha256()
    for chunk in checked.file.chunks():
        digest.update(chunk)
    checked.file.seek(0)
    row.original_name = checked.name
    row.content_type = checked.content_type
    row.size = checked.size
    row.sha256 = digest.hexdigest()
    # A random stored name: the original name is kept in the row, never in the path.
    row.file.save(f"{secrets.token_hex(16)}.{checked.extension}", checked.file, save=False)


def delete_stored(rows: list[StoredFile]) -> None:
    """Remove the stored files of rows whose transaction failed."""
    for row in rows:
        if row.file:
            row.file.delete(save=False)


def check_files(files: list[UploadedFile[Any]], *, field: str, limit: int) -> list[CheckedFile]:
    if len(files) > limit:
        raise invalid_field(field, _("At most %(n)d files, please.") % {"n": limit})
    return [check_file(f, field=field) for f in files]


def decode_base64_file(name: str, content_base64: str, *, field: str) -> UploadedFile[Any]:
    """A file sent to the API as base64 text."""
    import base64
    import binascii

    from django.core.files.uploadedfile import SimpleUploadedFile

    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_field(field, _("This is not valid base64.")) from None
    return SimpleUploadedFile(name, content)


def download(row: StoredFile) -> FileResponse:
    """The stored file as an attachment under its original name, opened through storage."""
    handle = row.file.open("rb")
    response = FileResponse(
        handle, as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
