"""Loading a data set from an uploaded workbook (one that "Export to Excel" wrote).

Shared by the app home (a new data set) and a data set's settings page (an empty one).
Checks that need only the request refuse the file at once; the job finds row problems.
"""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

from poser.apps.widgets.file_upload import MULTIPART_SLACK, max_upload_bytes
from poser.models.orm import DataSet, Job
from poser.tasks import jobs
from poser.tasks.dataset_io import check_data_set_workbook
from poser.tasks.jobs import TaskError
from poser.tasks.uploads import UploadError, store_upload

FIELD = "file"


def posted_workbook(request: Request) -> Any:
    """The file field of the form; UploadError when there is none or it is too large."""
    limit = max_upload_bytes(request.registry.settings)
    if (request.content_length or 0) > limit + MULTIPART_SLACK:
        raise UploadError(f"The file is larger than the limit of {limit:,} bytes.", 413)
    field = request.POST.get(FIELD)
    if field is None or not hasattr(field, "file"):
        raise UploadError("Choose a file to upload.")
    return field


def start_import(request: Request, data_set: DataSet, field: Any) -> Job:
    """Store the workbook in the data set's uploads and submit the job that loads it.

    Raises UploadError (nothing is left in storage then; the caller rolls back rows).
    """
    files = request.find_service(name="files")
    field.file.seek(0)  # a retried request (pyramid_retry) gets the parsed form again
    upload = store_upload(
        data_set,
        files,
        field.file,
        field.filename or "upload.xlsx",
        request.identity,
        max_upload_bytes(request.registry.settings),
        ("xlsx",),
    )
    try:
        field.file.seek(0)  # the request's own spooled copy: no read back from storage
        check_data_set_workbook(field.file)
    except TaskError as error:
        files.remove(upload.key)
        raise UploadError(str(error)) from None
    return jobs.submit(
        request.dbsession,
        request.find_service(name="jobs"),
        "datasets.import_upload",
        data_set=data_set,
        user=request.identity,
        parameters={"upload_id": upload.id},
    )
