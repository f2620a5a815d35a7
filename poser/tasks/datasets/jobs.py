"""Data set work that runs as jobs: loading an example or an uploaded workbook, exporting,
copying."""

from __future__ import annotations

import re
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from poser.models.orm import DataSet, Job, Upload, User
from poser.storage.interface import FileStore
from poser.tasks.datasets import copy_data_set, data_set_is_empty, workbooks_folder
from poser.tasks.datasets.workbook import export_data_set, import_data_set
from poser.tasks.exports import record_export
from poser.tasks.job_kinds import job_kind
from poser.tasks.jobs import TaskError
from poser.tasks.sessions import session_of
from poser.utils.progress import Progress
from poser.utils.timeutil import utcnow

#: The export type of a data set's workbook (the Exports page's "Type").
WORKBOOK_EXPORT = "workbook"
RESOURCE = re.compile(r"^[a-z_][a-z0-9_.]*:[A-Za-z0-9_./-]+\.xlsx$")


@job_kind("datasets.load_example", "Load an example into the data set", permission="edit")
def load_example(
    data_set: DataSet, *, resource: str, progress: Progress | None = None
) -> dict[str, Any]:
    """``resource`` is "package:path/to/file.xlsx" inside an installed package."""
    if not RESOURCE.match(resource) or ".." in resource:
        raise TaskError(f"{resource!r} is not an example file.")
    package, _, path = resource.partition(":")
    try:
        example = resources.files(package).joinpath(path)
    except (ModuleNotFoundError, TypeError):  # TypeError: a module, not a package
        raise TaskError(f"{resource!r} is not an example file.") from None
    if not example.is_file():
        raise TaskError(f"The example {path} is missing from {package}.")
    with resources.as_file(example) as file_path:
        counts = import_data_set(data_set, file_path, progress=progress)
    return dict(counts or {})


@job_kind(
    "datasets.import_upload",
    "Import an Excel workbook into the data set",
    uses=("files",),
    permission="edit",
)
def import_upload(
    data_set: DataSet, *, upload_id: int, files: FileStore, progress: Progress | None = None
) -> dict[str, Any]:
    """Load an uploaded workbook (as `export` writes them) into the empty data set.

    A file with problems imports nothing, and the data set stays as it was: empty.
    """
    session = session_of(data_set)
    upload = session.get(Upload, upload_id)
    if upload is None or upload.data_set_id != data_set.id:
        raise TaskError("The uploaded file is no longer there; upload it again.")
    if not data_set_is_empty(data_set):
        raise TaskError("This data set has data already; a workbook loads only into an empty one.")
    try:
        with files.open(upload.key) as stream:
            counts = import_data_set(data_set, stream, progress=progress)
    except FileNotFoundError:
        raise TaskError("The uploaded file is no longer there; upload it again.") from None
    except TaskError as error:
        raise TaskError(
            f"{error}\n\nThe data set “{data_set.name}” was left empty: correct the file and "
            "load it from the data set's settings page, or delete the data set there."
        ) from None
    return {"file": upload.filename, **counts}


@job_kind(
    "datasets.export",
    "Export the data set to Excel",
    uses=("files", "work_dir", "job_id"),
    permission="view",
)
def export(
    data_set: DataSet,
    *,
    files: FileStore,
    work_dir: Path,
    job_id: int,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Writes the xlsx in the work folder, stores it under exports/data-sets/, named after
    the job too (two exports in the same second write two files), and records it as an
    Export, which the Exports page lists and its files' folder holds."""
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    filename = f"{_slug(data_set.name)}-{stamp}-{job_id}.xlsx"
    folder = workbooks_folder(data_set.id)
    Path(work_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=work_dir) as scratch:
        counts = export_data_set(data_set, scratch, progress=progress)
        scratch.seek(0)
        size = files.write(f"{folder}/{filename}", scratch)
    job = session_of(data_set).get(Job, job_id)
    recorded = record_export(
        data_set,
        files,
        export_type=WORKBOOK_EXPORT,
        title=f"{data_set.name}: the whole data set",
        folder=folder,
        names=[filename],
        row_count=sum(counts.values()),
        user_id=job.user_id if job is not None else None,
    )
    key = f"{recorded.folder}/{filename}"
    return {"download": key, "filename": filename, "bytes": size, "export_id": recorded.id}


@job_kind("datasets.copy", "Copy the data set", permission="view", user_parameter="owner_id")
def copy(
    data_set: DataSet, *, name: str, owner_id: int, progress: Progress | None = None
) -> dict[str, Any]:
    session = session_of(data_set)
    owner = session.get(User, owner_id)
    new = copy_data_set(data_set, name, owner, progress=progress)
    return {"data_set_id": new.id, "name": new.name}


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "data-set"
