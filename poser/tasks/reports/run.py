"""A report's run: its job kind, and the files it writes.

A run writes ``cost-changes.csv``, ``.xlsx`` and ``.html`` (its name with hyphens) into a
scratch folder of the store as the rows stream by (each format reads the rows afresh: none holds
them all), then records them as an Export, which moves them to
``exports/<name>/<export id>/``: the Exports page lists them, and the report's page
lists the run (its Job: who, when, with which parameters).

The printable page is a Jinja2 template found in the store's ``templates/`` (the app
dir's data/templates) before the one shipped in ``poser/data/templates``: an operator
restyles a report, or all of them (``report.html``), without touching the package. It
renders in Jinja2's sandbox with autoescaping, since it is the operator's text.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, PackageLoader, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from poser.models.orm import DataSet, Job
from poser.storage.interface import FileStore
from poser.storage.keys import InvalidKey, validate_key
from poser.tasks.exports import TEMPLATES_FOLDER, ExportColumn, record_export, write_export_files
from poser.tasks.job_kinds import Task, job_kind
from poser.tasks.jobs import TaskError
from poser.tasks.reports import Report
from poser.tasks.sessions import session_of
from poser.utils.progress import NullProgress, Progress
from poser.utils.timeutil import utcnow

#: Rows between two progress updates of the printable page.
PROGRESS_EVERY = 5_000
#: Formats in the order they are written: the printable page is written last.
TABLE_FORMATS = ("csv", "xlsx")
PHASES = len(TABLE_FORMATS) + 1


class PhaseProgress:
    """One file's progress as part of the run's: with the rows known (after the
    first file), ``done`` rows of file ``phase`` (from 0) are that share of them all."""

    def __init__(self, progress: Progress, phase: int, rows: int | None) -> None:
        self.progress, self.phase, self.rows = progress, phase, rows

    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        if self.rows:
            self.progress.update(self.phase + done / self.rows, PHASES, message)
        else:
            self.progress.update(done, None, message)

    def log(self, line: str) -> None:
        self.progress.log(line)


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
    columns = [ExportColumn(column.key, column.header) for column in report.columns]
    folder = f"exports/{report.name}/job-{job_id}"
    basename = report.file_name
    environment = template_environment(files)
    template = _template(environment, report)

    def rows() -> Iterable[Sequence[Any]]:
        return report.rows(data_set, values)

    # One format at a time: the CSV's rows count the rest, whose bar then moves from a
    # third to the end (the CSV's own bar has no end to show: it counts rows).
    names: list[str] = []
    count = 0
    html = f"{basename}.html"
    try:
        for phase, fmt in enumerate(TABLE_FORMATS):
            written, count = write_export_files(
                files,
                folder,
                title=report.title,
                basename=basename,
                columns=columns,
                rows=rows,
                formats=(fmt,),
                progress=PhaseProgress(progress, phase, count if phase else None),
            )
            names += written
        phase = len(TABLE_FORMATS)
        _write_html(files, f"{folder}/{html}", template, report, data_set, stored, rows,
                    PhaseProgress(progress, phase, count))  # fmt: skip
        progress.update(PHASES, PHASES, f"Wrote {html}.")
        progress.log(f"Wrote {html}.")
    except BaseException:
        files.remove_tree(folder)
        raise
    job = session_of(data_set).get(Job, job_id)
    export = record_export(
        data_set,
        files,
        export_type=report.name,
        title=f"{report.title}: {data_set.name}",
        folder=folder,
        names=[*names, html],
        row_count=count,
        user_id=job.user_id if job is not None else None,
    )
    return {"rows": count, "export_id": export.id}


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


def _write_html(
    files: FileStore,
    key: str,
    template: Any,
    report: Report,
    data_set: DataSet,
    stored: Mapping[str, Any],
    rows: Any,
    progress: Progress,
) -> None:
    context = {
        "title": report.title,
        "description": report.description,
        "data_set": data_set.name,
        "parameters": report.parameter_words(stored),
        "generated": utcnow().strftime("%Y-%m-%d %H:%M UTC"),
        "columns": [{"key": c.key, "header": c.header, "kind": c.kind} for c in report.columns],
        "rows": _counted(rows(), progress),
    }
    with tempfile.TemporaryFile() as scratch:
        try:
            for chunk in template.generate(**context):
                scratch.write(chunk.encode("utf-8"))
        except TemplateError as error:
            raise TaskError(f"The report's template {template.name} failed: {error}") from None
        scratch.seek(0)
        files.write(key, scratch)


def _counted(rows: Iterable[Sequence[Any]], progress: Progress) -> Iterator[Sequence[Any]]:
    for count, row in enumerate(rows, start=1):
        if count % PROGRESS_EVERY == 0:
            progress.update(count, None, f"{count:,} rows of the printable page")
        yield row


def cell_text(value: Any, kind: str = "text") -> str:
    """A value as the printable page shows it: money to the cent, costs to four places
    at most, percents with their sign, grouped numbers, Yes and No, ISO dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        if kind == "money":
            return f"{number:,.2f}"
        if kind == "percent":
            return f"{number:,.2f}%"
        if kind == "cost":
            text = f"{number:,.4f}"
            while text.endswith("0") and len(text.rsplit(".", 1)[1]) > 2:
                text = text[:-1]
            return text
        if kind == "int":
            return f"{number:,.0f}"
        return f"{number.normalize():,f}"
    return str(value)
