"""Uploads on the data-task pages: a file that is too large is refused while it arrives."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from nomadcloud.datatasks import importer, services
from nomadcloud.datatasks.views._common import View

# --- uploads: refuse a file that is too large while it arrives ---------------------------------


class LimitedUpload(FileUploadHandler):
    """Stops reading an uploaded file once it passes DATATASKS_MAX_UPLOAD_BYTES, so that a
    1 GB file is never written anywhere; the form then reports the size."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = importer.max_bytes()
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limited_uploads(view: View) -> View:
    """Install ``LimitedUpload`` before the CSRF check reads the body (Django's documented
    pattern: exempt the outer view, protect the inner one)."""
    protected = csrf_protect(view)

    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = LimitedUpload(request)
        request.upload_handlers.insert(0, handler)
        request.datatasks_upload = handler  # type: ignore[attr-defined]
        return protected(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _upload(request: HttpRequest, form: Any) -> services.Upload | None:
    """The uploaded file, or None with the error put on the form."""
    handler = getattr(request, "datatasks_upload", None)
    if handler is not None and handler.too_large:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        form.add_error("file", importer.size_error(size).fields["file"][0])
        return None
    if not form.is_valid():
        return None
    file = form.cleaned_data["file"]
    if file.size is not None and file.size > importer.max_bytes():
        form.add_error("file", importer.size_error(file.size).fields["file"][0])
        return None
    return services.Upload(
        name=file.name or "", data=file.read(), format=form.cleaned_data.get("format") or ""
    )
