"""Exports: write a report's rows to CSV and .xlsx under exports/<type>/<id>/, record them
as an Export row, delete them again; and the output templates that name their columns.

An output template is JSON, ``{"title": ..., "columns": [{"key": ..., "header": ...}]}``.
The operator's copy in the store's ``templates/`` folder (the app dir's
data/templates) wins over the one shipped in ``poser/data/templates``, so headers can
be renamed, columns reordered or left out without touching the package.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from poser.models.orm import DataSet, Export
from poser.storage.interface import FileStore
from poser.storage.keys import InvalidKey, validate_key
from poser.tasks.sessions import session_of
from poser.utils.progress import NullProgress, Progress
from poser.utils.table_writers import csv_rows, write_xlsx

FORMATS = ("csv", "xlsx")
TEMPLATES_FOLDER = "templates"
PACKAGED_TEMPLATES = ("poser", "data/templates")
#: Rows between two progress updates: often enough for a live bar, rare enough to be free.
PROGRESS_EVERY = 5_000
MAX_TITLE = 200

Rows = Callable[[], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class ExportColumn:
    key: str
    header: str


class OutputTemplateError(ValueError):
    """An output template that is missing or cannot be used; the message names the file."""


def write_export(
    data_set: DataSet,
    files: FileStore,
    *,
    export_type: str,
    title: str,
    basename: str,
    columns: Sequence[ExportColumn],
    rows: Rows,
    formats: Sequence[str] = FORMATS,
    user_id: int | None = None,
    batch_id: int | None = None,
    progress: Progress | None = None,
) -> Export:
    """Record an Export of ``data_set`` and write ``<basename>.<format>`` for each format.

    ``rows()`` is called once per format and must return a fresh iterable of rows (values
    in the order of ``columns``): each file is written as the rows stream by, so no
    format holds them all. If writing fails, the files written so far are removed and
    the error raised; the caller's transaction decides about the row.
    """
    _check_formats(formats)
    _check_name("basename", basename)
    export = _new_export(data_set, files, export_type, title, user_id, batch_id)
    export.files, export.row_count = write_export_files(
        files,
        export.folder,
        title=title,
        basename=basename,
        columns=columns,
        rows=rows,
        formats=formats,
        progress=progress,
    )
    session_of(export).flush()
    return export


def write_export_files(
    files: FileStore,
    folder: str,
    *,
    title: str,
    basename: str,
    columns: Sequence[ExportColumn],
    rows: Rows,
    formats: Sequence[str] = FORMATS,
    progress: Progress | None = None,
) -> tuple[list[str], int]:
    """Write ``<basename>.<format>`` into ``folder`` for each format, as ``write_export``
    does, and nothing to the database: a long report is written before the short
    transaction that records it (``record_export``). Returns the names written and the
    number of rows. If writing fails, the folder is removed and the error raised."""
    progress = progress or NullProgress()
    formats = _check_formats(formats)
    _check_name("basename", basename)
    header = [column.header for column in columns]
    written: list[str] = []
    count = 0
    try:
        for number, fmt in enumerate(formats, start=1):
            name = f"{basename}.{fmt}"
            key = f"{folder}/{name}"
            stream = _CountedRows(
                rows(), len(header), progress, f"{name} ({number}/{len(formats)})"
            )
            if fmt == "csv":
                files.write(key, _ChunkReader(csv_rows(header, stream)))
            else:
                _write_xlsx(files, key, header, stream, title)
            count = stream.count
            written.append(name)
            progress.log(f"Wrote {name}: {count:,} rows.")
    except BaseException:
        files.remove_tree(folder)
        raise
    return written, count


def record_export(
    data_set: DataSet,
    files: FileStore,
    *,
    export_type: str,
    title: str,
    folder: str,
    names: Sequence[str],
    row_count: int,
    user_id: int | None = None,
    batch_id: int | None = None,
) -> Export:
    """Record an Export of the files ``write_export_files`` wrote into ``folder``, and
    move them into the export's own folder."""
    export = _new_export(data_set, files, export_type, title, user_id, batch_id)
    for name in names:
        files.move(f"{folder}/{name}", f"{export.folder}/{name}")
    export.files, export.row_count = list(names), row_count
    session_of(export).flush()
    return export


def _new_export(
    data_set: DataSet,
    files: FileStore,
    export_type: str,
    title: str,
    user_id: int | None,
    batch_id: int | None,
) -> Export:
    _check_name("export type", export_type)
    session = session_of(data_set)
    export = Export(
        data_set_id=data_set.id,
        export_type=export_type,
        title=" ".join(title.split())[:MAX_TITLE],
        files=[],
        row_count=0,
        batch_id=batch_id,
        created_by_id=user_id,
    )
    session.add(export)
    session.flush()
    # SQLite may hand out the id of a rolled-back export again; whatever that attempt
    # left in the folder must not show up next to this export's files.
    files.remove_tree(export.folder)
    return export


def delete_export(export: Export) -> str:
    """Delete the export's row; return the storage folder of its files, for the caller
    to remove once the deletion has committed (a failed commit keeps both)."""
    session = session_of(export)
    folder = export.folder
    session.delete(export)
    session.flush()
    return folder


def load_output_template(
    files: FileStore, name: str, known_keys: Collection[str] | None = None
) -> dict[str, Any]:
    """The template ``name`` ("catalog_change_report.json"), the operator's copy if the
    store has one, checked: ``{"title": str, "columns": [{"key": str, "header": str}]}``.

    Raises OutputTemplateError (a ValueError) naming the file and the problem, e.g. a
    column key not in ``known_keys`` (when given).
    """
    key = f"{TEMPLATES_FOLDER}/{name}"
    try:
        validate_key(key)
    except InvalidKey:
        raise OutputTemplateError(f"{name!r} is not an output template name.") from None
    if "/" in name or not name.endswith(".json"):
        raise OutputTemplateError(f"{name!r} is not an output template name (a .json file).")
    if files.exists(key):
        source, text = key, files.read_bytes(key)
    else:
        package, folder = PACKAGED_TEMPLATES
        packaged = resources.files(package).joinpath(folder, name)
        if not packaged.is_file():
            raise OutputTemplateError(
                f"There is no output template {name!r} (looked in {key} and the package)."
            )
        source, text = f"{package}/{folder}/{name}", packaged.read_bytes()
    return _check_template(source, text, known_keys)


def template_columns(template: dict[str, Any]) -> list[ExportColumn]:
    return [ExportColumn(column["key"], column["header"]) for column in template["columns"]]


def _check_template(source: str, text: bytes, known_keys: Collection[str] | None) -> dict[str, Any]:
    def fail(problem: str) -> OutputTemplateError:
        return OutputTemplateError(f"Output template {source}: {problem}")

    try:
        data = json.loads(text.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise fail(f"not valid JSON ({error}).") from None
    if not isinstance(data, dict):
        raise fail("must be a JSON object with a title and columns.")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail('needs a "title" (text).')
    raw_columns = data.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise fail('needs "columns", a list of {"key": ..., "header": ...}.')
    columns: list[dict[str, str]] = []
    seen: set[str] = set()
    for position, column in enumerate(raw_columns, start=1):
        if not isinstance(column, dict):
            raise fail(f"column {position} is not an object.")
        key, header = column.get("key"), column.get("header")
        if not isinstance(key, str) or not key:
            raise fail(f'column {position} needs a "key" (text).')
        if known_keys is not None and key not in known_keys:
            raise fail(f"unknown column key {key!r}; known keys: {', '.join(sorted(known_keys))}.")
        if key in seen:
            raise fail(f"column key {key!r} is listed twice.")
        if not isinstance(header, str) or not header.strip():
            raise fail(f'column {key!r} needs a "header" (text).')
        seen.add(key)
        columns.append({"key": key, "header": header.strip()})
    return {"title": title.strip(), "columns": columns}


def _write_xlsx(
    files: FileStore, key: str, header: list[str], rows: Iterable[Sequence[Any]], title: str
) -> None:
    # A zip is complete only at its end: built in a temporary file, then stored whole.
    with tempfile.TemporaryFile() as scratch:
        write_xlsx(scratch, header, rows, sheet_name=_sheet_name(title))
        scratch.seek(0)
        files.write(key, scratch)


def _sheet_name(title: str) -> str:
    # Excel refuses these characters in a sheet name.
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title)
    return " ".join(cleaned.split())[:31].strip("' ") or "Rows"


class _CountedRows:
    """Passes the rows through, counting them and telling ``progress`` now and then."""

    def __init__(
        self, rows: Iterable[Sequence[Any]], width: int, progress: Progress, label: str
    ) -> None:
        self.rows, self.width, self.progress, self.label = rows, width, progress, label
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            if len(row) != self.width:
                # A short row would shift every later value under the wrong header.
                raise ValueError(
                    f"row {self.count + 1} has {len(row)} values for {self.width} columns"
                )
            self.count += 1
            if self.count % PROGRESS_EVERY == 0:
                self.progress.update(self.count, None, f"{self.label}: {self.count:,} rows")
            yield row


class _ChunkReader:
    """A binary ``read(size)`` over an iterator of byte chunks, for ``FileStore.write``."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = bytearray()

    def read(self, size: int = -1, /) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


def _check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(formats))
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if not chosen or unknown:
        raise ValueError(f"formats must be some of {', '.join(FORMATS)}, not {list(formats)!r}")
    return chosen


def _check_name(what: str, name: str) -> None:
    try:
        validate_key(name)
    except InvalidKey as error:
        raise ValueError(f"bad {what} {name!r}: {error}") from None
    if "/" in name:
        raise ValueError(f"bad {what} {name!r}: one name, not a path")
