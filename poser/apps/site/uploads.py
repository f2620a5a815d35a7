"""A file posted in a form: found, size-checked before it is read, and stored.

The FileUpload widget and the workbook forms of the framework take files the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyramid.request import Request

from poser.models.orm import DataSet, Upload
from poser.tasks.uploads import UploadError, max_upload_bytes, store_upload
from poser.utils.tabular import DEFAULT_LIMITS, Limits

# Multipart framing around the file: a request this much over the limit is refused unread.
MULTIPART_SLACK = 64 * 1024


def posted_file(request: Request, name: str = "file") -> Any:
    """The form's file field, rewound; UploadError when it is missing or too large."""
    limit = max_upload_bytes(request.registry.settings)
    if (request.content_length or 0) > limit + MULTIPART_SLACK:
        raise UploadError(f"The file is larger than the limit of {limit:,} bytes.", 413)
    field = request.POST.get(name)
    if field is None or not hasattr(field, "file"):
        raise UploadError("Choose a file to upload.")
    # A request retried after a database conflict (pyramid_retry) gets the parsed form
    # again, with the file already read to its end.
    field.file.seek(0)
    return field


def store_posted(
    request: Request,
    data_set: DataSet,
    field: Any,
    formats: Iterable[str],
    default_name: str,
    limits: Limits = DEFAULT_LIMITS,
) -> Upload:
    """The posted file type-checked by content (a workbook's zip structure too, within
    the ``limits`` of the job that reads it) and kept under the data set's uploads."""
    return store_upload(
        data_set,
        request.find_service(name="files"),
        field.file,
        field.filename or default_name,
        request.identity,
        max_upload_bytes(request.registry.settings),
        formats,
        limits,
    )
