"""A report's run: its job kind, and the files it writes.

A run writes ``cost-changes.csv``, ``.xlsx`` and ``.html`` (its name with hyphens) in one
pass over the rows, as they stream by (none is held: each row the printable page's
template reads is written to the CSV and the XLSX too, and the rows it leaves unread
after it), then stores them in a scratch folder and records them as an Export, which
moves them to ``exports/<name>/<export id>/``: the Exports page lists them, and the
report's page lists the run (its Job: who, when, with which parameters).

The printable page is a Jinja2 template found in the store's ``templates/`` (the app
dir's data/templates) before the one shipped in ``poser/data/templates``: an operator
restyles a report, or all of them (``report.html``), without touching the package. It
renders in Jinja2's sandbox with autoescaping, since it is the operator's text.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from jinja2 import BaseLoader, ChoiceLoader, PackageLoader, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from poser.models.orm import DataSet, Job
from poser.storage.interface import FileStore
from poser.storage.keys import InvalidKey, validate_key
from poser.tasks.exports import TEMPLATES_FOLDER, _sheet_name, record_export
from poser.tasks.job_kinds import Task, job_kind
from poser.tasks.jobs import TaskError
from poser.tasks.reports import Report
from poser.tasks.reports.printable import cell_text, row_type
from poser.tasks.sessions import session_of
from poser.utils.progress import NullProgress, Progress
from poser.utils.table_writers import CsvWriter, XlsxSheet
from poser.utils.timeutil import utcnow

#: Rows between two progress updates.
PROGRESS_EVERY = 5_000
#: The files' formats, in the order the Export lists them.
FORMATS = ("csv", "xlsx", "html")

__all__ = ["cell_text", "declare_job_kind", "run_report", "template_environment"]


def declare_job_kind(report: Report) -> Task:
    """Declare ``report.<name>``, the job kind of the report's runs. Running a report
    takes "view": it reads the data set and writes nothing to it, only its files (as
    exporting a data set's workbook does); deleting the export takes "edit"."""

    def run(
        data_set: DataSet,
        *,
        values: Mapping[str, Any] | None = None,
        files: FileStore,
        job_id: int,
        schedule_id: int | None = None,  # a scheduled run's: its page says so
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        return run_report(
            data_set, report, values or {}, files=files, job_id=job_id, progress=progress
        )

    run.__name__ = run.__qualname__ = f"run_{report.name}"
    title = f"Report: {report.title}"
    return job_kind(report.job_kind_name, title, uses=("files", "job_id"), permission="view")(run)


def run_report(
    data_set: DataSet,
    report: Report,
    stored: Mapping[str, Any],
    *,
    files: FileStore,
    job_id: int,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the report's files and record them as an Export; returns the job's result."""
    progress = progress or NullProgress()
    values = report.values_from_json(stored)
    folder = f"exports/{report.name}/job-{job_id}"
    names = [f"{report.file_name}.{fmt}" for fmt in FORMATS]
    template = _template(template_environment(files), report)
    with tempfile.TemporaryFile() as csv_file, tempfile.TemporaryFile() as xlsx_file, \
            tempfile.TemporaryFile() as html_file:  # fmt: skip
        count = _write_files(report, data_set, values, stored, template, progress,
                             csv_file, xlsx_file, html_file)  # fmt: skip
        try:
            for name, scratch in zip(names, (csv_file, xlsx_file, html_file), strict=True):
                scratch.seek(0)
                files.write(f"{folder}/{name}", scratch)
        except BaseException:
            files.remove_tree(folder)
            raise
    for name in names:
        progress.log(f"Wrote {name}: {count:,} rows.")
    progress.update(count, count, f"Wrote {count:,} rows.")
    job = session_of(data_set).get(Job, job_id)
    export = record_export(
        data_set,
        files,
        export_type=report.name,
        title=f"{report.title}: {data_set.name}",
        folder=folder,
        names=names,
        row_count=count,
        user_id=job.user_id if job is not None else None,
    )
    return {"rows": count, "export_id": export.id}


def _write_files(
    report: Report,
    data_set: DataSet,
    values: Mapping[str, Any],
    stored: Mapping[str, Any],
    template: Any,
    progress: Progress,
    csv_file: IO[bytes],
    xlsx_file: IO[bytes],
    html_file: IO[bytes],
) -> int:
    """Write the three files in one pass over the rows; returns how many."""
    header = [column.header for column in report.columns]
    csv_out = CsvWriter(csv_file.write, header)
    xlsx_out = XlsxSheet(xlsx_file, header, _sheet_name(report.title))
    rows = _Rows(report, progress, (csv_out, xlsx_out))
    try:
        rows.open(report.rows(data_set, values))
        context = {
            "title": report.title,
            "description": report.description,
            "data_set": data_set.name,
            "parameters": report.parameter_words(stored),
            "generated": utcnow().strftime("%Y-%m-%d %H:%M UTC"),
            "columns": [{"key": c.key, "header": c.header, "kind": c.kind} for c in report.columns],
            "rows": iter(rows),
        }
        text = io.TextIOWrapper(html_file, encoding="utf-8", newline="", write_through=False)
        try:
            text.writelines(template.generate(**context))
        except TemplateError as error:
            raise TaskError(f"The report's template {template.name} failed: {error}") from None
        text.flush()
        text.detach()
        rows.finish()
    finally:
        rows.close()
        xlsx_out.close()
    csv_out.flush()
    return rows.count


class _Rows:
    """The report's rows as the template reads them (`row_type`: its values, and its
    cells), each also written to the CSV and the XLSX as it goes by; ``finish`` writes
    those the template left unread."""

    def __init__(self, report: Report, progress: Progress, writers: Any) -> None:
        self.rows: Iterator[Sequence[Any]] = iter(())
        self.progress, self.writers = progress, writers
        self.width = len(report.columns)
        self.make = row_type([column.kind for column in report.columns])
        self.count = 0
        self._iterator: Iterator[Any] | None = None

    def open(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = iter(rows)

    def __iter__(self) -> Iterator[Any]:
        if self._iterator is None:
            self._iterator = self._rows()
        return self._iterator

    def _rows(self) -> Iterator[Any]:
        width, make, progress = self.width, self.make, self.progress
        writers = [writer.write_row for writer in self.writers]
        count = 0
        for row in self.rows:
            if len(row) != width:
                # A short row would shift every later value under the wrong header.
                raise ValueError(f"row {count + 1} has {len(row)} values for {width} columns")
            for write in writers:
                write(row)
            count = self.count = count + 1
            if count % PROGRESS_EVERY == 0:
                progress.update(count, None, f"{count:,} rows written")
            yield make(row)

    def finish(self) -> None:
        for _ in self:
            pass

    def close(self) -> None:
        """Close the report's rows, read to the end or not: a template that fails half
        way leaves no database cursor open."""
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()


class StoreLoader(BaseLoader):
    """Templates from the store's ``templates/`` folder (the app dir's data/templates)."""

    def __init__(self, files: FileStore) -> None:
        self.files = files

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
        key = f"{TEMPLATES_FOLDER}/{template}"
        try:
            validate_key(key)
        except InvalidKey:
            raise TemplateNotFound(template) from None
        if not self.files.exists(key):
            raise TemplateNotFound(template)
        text = self.files.read_bytes(key).decode("utf-8-sig")
        return text, key, lambda: True


def template_environment(files: FileStore) -> SandboxedEnvironment:
    loader = ChoiceLoader([StoreLoader(files), PackageLoader("poser", "data/templates")])
    environment = SandboxedEnvironment(loader=loader, autoescape=True)
    environment.filters["cell"] = cell_text
    return environment


def _template(environment: SandboxedEnvironment, report: Report) -> Any:
    try:
        return environment.select_template(report.templates)
    except TemplateNotFound:
        raise TaskError(
            f"There is no template for the report (looked for {report.templates})."
        ) from None
    except TemplateError as error:
        raise TaskError(f"The report's template cannot be used: {error}") from None
