"""Loading a data set from an uploaded workbook (one that "Export to Excel" wrote).

Shared by the app home (a new data set) and a data set's settings page (an empty one).
The cheap checks (type, size, zip structure) refuse the file at once; the job opens the
workbook, and refuses one without the sheets and columns, or finds row problems.
"""

from __future__ import annotations

from typing import Any

from pyramid.request import Request

from poser.apps.site.uploads import posted_file, store_posted
from poser.models.orm import DataSet, Job
from poser.tasks import jobs
from poser.tasks.datasets import jobs as data_set_jobs
from poser.tasks.datasets.workbook import IMPORT_LIMITS

FIELD = "file"


def posted_workbook(request: Request) -> Any:
    """The file field of the form; UploadError when there is none or it is too large."""
    return posted_file(request, FIELD)


def start_import(request: Request, data_set: DataSet, field: Any) -> Job:
    """Store the workbook in the data set's uploads and submit the job that loads it.

    Raises UploadError (nothing is stored then; the caller rolls back rows).
    """
    upload = store_posted(request, data_set, field, ("xlsx",), "upload.xlsx", IMPORT_LIMITS)
    return jobs.submit(
        request.dbsession,
        request.find_service(name="jobs"),
        data_set_jobs.import_upload,
        data_set=data_set,
        user=request.identity,
        parameters={"upload_id": upload.id},
    )
