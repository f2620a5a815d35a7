"""Reading the sheets of a data set workbook into the database, as the data set's
format declares them (see `formats` and `workbook`).

Each sheet is read in its format's load order, its rows checked and inserted a batch at
a time: each cell read by its column's parser, references looked up among the rows of
earlier sheets by their keys, repeated keys found within the batch, and across batches
by the database's unique constraints. Problems are collected, in row order, up to
`MAX_ERRORS`, and raised together as one TaskError naming sheet and row, so that the
operator can fix them all at once; after the first one nothing more is inserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from poser.tasks.bulk import refresh_statistics
from poser.tasks.datasets.formats import DataSetFormat, Table
from poser.tasks.jobs import TaskError
from poser.utils.labels import key_words
from poser.utils.progress import Progress
from poser.utils.tabular import Table as SheetRows
from poser.utils.tabular import TabularError

MAX_ERRORS = 20

Values = dict[str, Any]


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, sheet: str, line: int | None, message: str) -> None:
        where = f"sheet {sheet!r}" if line is None else f"sheet {sheet!r}, row {line}"
        self.messages.append(f"{where}: {message}")
        if len(self.messages) >= MAX_ERRORS:
            self.raise_any(stopped=True)

    def raise_any(self, stopped: bool = False) -> None:
        if not self.messages:
            return
        if len(self.messages) == 1:
            raise TaskError(f"Nothing was imported. In {self.messages[0]}.")
        listed = "\n".join(f"- {message}" for message in self.messages)
        tail = f"\n(reading stopped after {MAX_ERRORS} problems)" if stopped else ""
        raise TaskError(f"Nothing was imported. The file has these problems:\n{listed}{tail}")


@dataclass
class _Read:
    """A row as read: its values by sheet column, or the problems of its cells."""

    line: int
    values: Values
    problems: list[str] = field(default_factory=list)


@dataclass
class _Ready:
    """A row that passed every check: what is inserted (``record``), and its key."""

    line: int
    values: Values
    record: Values


def import_sheets(
    session: Session,
    data_set_id: int,
    data_format: DataSetFormat,
    sheets: dict[str, SheetRows],
    progress: Progress,
    *,
    batch: int,
) -> dict[str, int]:
    """Insert every sheet's rows into the data set; returns the rows per sheet.

    Each sheet is checked whole before the next is read: a sheet that refers to a bad
    one would only repeat its problems.
    """
    importer = _Importer(session, data_set_id, progress, batch)
    for table in data_format.tables:
        importer.load(table, sheets[table.sheet], data_format)
    # The planners' choices depend on statistics; a big import changes them.
    for table in data_format.tables:
        refresh_statistics(session.connection(), table.table)
    return importer.counts


class _Importer:
    def __init__(self, session: Session, data_set_id: int, progress: Progress, batch: int) -> None:
        self.session = session
        self.data_set_id = data_set_id
        self.progress = progress
        self.batch = batch
        self.problems = _Problems()
        self.counts: dict[str, int] = {}
        self.done = 0
        # Where a sheet turned out damaged while its rows were read, and why.
        self._damage: tuple[int | None, str] | None = None

    def load(self, table: Table, rows: SheetRows, data_format: DataSetFormat) -> None:
        self.counts[table.sheet] = 0
        check = _Batch(self, table, data_format)
        pending: list[_Read] = []
        for read in self._read(table, rows):
            pending.append(read)
            if len(pending) >= self.batch:
                check.insert(pending)
                pending = []
        check.insert(pending)
        if self._damage is not None:
            self.problems.add(table.sheet, *self._damage)
        self.problems.raise_any()

    def _read(self, table: Table, rows: SheetRows) -> Iterator[_Read]:
        """Each row's values, read by the columns' parsers (problems kept with the row)."""
        self._damage = None
        parsers = [(column.name, column.parse) for column in table.columns]
        try:
            for row in rows:
                read = _Read(row.line, {}, [problem.message for problem in row.errors])
                cells, values = row.values, read.values
                for name, parse in parsers:
                    try:
                        values[name] = parse(cells.get(name))  # type: ignore[misc]
                    except ValueError as error:
                        read.problems.append(f"{name}: {error}")
                yield read
        except TabularError as error:  # a damaged sheet: said after the rows before it
            self._damage = (error.line, error.message)


class _Batch:
    """Checks and inserts one sheet's rows, a batch at a time."""

    def __init__(self, importer: _Importer, table: Table, data_format: DataSetFormat) -> None:
        self.importer = importer
        self.session = importer.session
        self.data_set_id = importer.data_set_id
        self.table = table
        self.sheet = table.sheet
        self.references = [
            (column, data_format.table(column.refers_to))
            for column in table.columns
            if column.refers_to is not None
        ]
        self.key_columns = [table.table.c[table.column(name).stored_as] for name in table.key]

    def insert(self, pending: list[_Read]) -> None:
        if not pending:
            return
        problems = self.importer.problems
        ids = {
            column.name: self._ids(column.name, target, pending)
            for column, target in self.references
        }
        ready: list[_Ready] = []
        keys: dict[tuple[Any, ...], int] = {}
        chosen: list[dict[tuple[Any, ...], int]] = [{} for _ in self.table.only_one]
        for read in pending:
            for message in read.problems:
                problems.add(self.sheet, read.line, message)
            if read.problems:
                continue
            record = self._record(read, ids)
            if record is None:
                continue
            values = read.values
            key = tuple(values[name] for name in self.table.key)
            if key in keys:
                self._repeat(read, self.table.repeated, keys[key])
                continue
            clash = self._only_one_clash(values, chosen)
            if clash is not None:
                self._repeat(read, *clash)
                continue
            keys[key] = read.line
            for rule, rows in zip(self.table.only_one, chosen, strict=True):
                if values[rule.flag]:
                    rows[tuple(values[name] for name in rule.per)] = read.line
            ready.append(_Ready(read.line, values, record))
        self._insert(ready)

    def _ids(self, name: str, target: Table, pending: list[_Read]) -> dict[Any, int]:
        """The ids of the rows of ``target`` that the batch's cells of ``name`` refer to."""
        wanted = {read.values[name] for read in pending if not read.problems}
        wanted.discard(None)
        if not wanted:
            return {}
        stored = target.table
        key = stored.c[target.column(target.key[0]).stored_as]
        (primary,) = stored.primary_key.columns
        query = select(key, primary).where(
            stored.c.data_set_id == self.data_set_id, key.in_(wanted)
        )
        return dict(self.session.execute(query).all())

    def _record(self, read: _Read, ids: dict[str, dict[Any, int]]) -> Values | None:
        """What the row inserts, references turned into ids; None after a problem."""
        record: Values = {"data_set_id": self.data_set_id}
        for column in self.table.columns:
            value = read.values[column.name]
            if column.refers_to is not None and value is not None:
                found = ids[column.name].get(value)
                if found is None:
                    message = f"{column.describe(value)} is not on the {column.refers_to} sheet"
                    self.importer.problems.add(self.sheet, read.line, message)
                    return None
                value = found
            record[column.stored_as] = value
        return record

    def _only_one_clash(
        self, values: Values, chosen: list[dict[tuple[Any, ...], int]]
    ) -> tuple[str, int] | None:
        for rule, rows in zip(self.table.only_one, chosen, strict=True):
            if values[rule.flag]:
                first = rows.get(tuple(values[name] for name in rule.per))
                if first is not None:
                    return rule.message, first
        return None

    def _repeat(self, read: _Read | _Ready, message: str, row: int | None) -> None:
        where = "an earlier row" if row is None else f"row {row}"
        text = message.format(key=self.table.describe(read.values), row=where)
        self.importer.problems.add(self.sheet, read.line, text)

    def _insert(self, ready: list[_Ready]) -> None:
        """Insert a batch, unless the file has problems already.

        Each batch has a savepoint of its own: after a unique key refuses it (a row
        repeating one of an earlier batch), the transaction is usable again to find out
        which rows did.
        """
        importer = self.importer
        if not ready or importer.problems.messages:
            return
        try:
            with self.session.begin_nested():
                records = [row.record for row in ready]
                self.session.connection().execute(insert(self.table.table), records)
        except IntegrityError:
            found = self._explain(ready)
            if not found:
                raise
            for read, message in found:
                self._repeat(read, message, None)
            return
        importer.counts[self.sheet] += len(ready)
        importer.done += len(ready)
        count = importer.counts[self.sheet]
        importer.progress.update(importer.done, None, f"{key_words(self.sheet)}: {count:,} rows")

    def _explain(self, ready: list[_Ready]) -> list[tuple[_Ready, str]]:
        """The rows that repeat a key (or an only-one rule) of an earlier batch: repeats
        within the batch were caught before it was inserted."""
        rules = [(self.table.repeated, self.key_columns, None)]
        for rule in self.table.only_one:
            per = [self.table.table.c[self.table.column(name).stored_as] for name in rule.per]
            flag = self.table.table.c[self.table.column(rule.flag).stored_as]
            rules.append((rule.message, per, (rule.flag, flag)))
        found: dict[int, tuple[_Ready, str]] = {}
        for message, columns, flag in rules:
            wanted = [row for row in ready if flag is None or row.values[flag[0]]]
            earlier = self._earlier(columns, wanted, None if flag is None else flag[1])
            for row in wanted:
                if row.line not in found and _key(row, columns) in earlier:
                    found[row.line] = (row, message)
        return [found[line] for line in sorted(found)]

    def _earlier(self, columns: list[Any], rows: list[_Ready], flag: Any) -> set[tuple[Any, ...]]:
        if not rows:
            return set()
        query = select(*columns).where(
            self.table.table.c.data_set_id == self.data_set_id,
            columns[0].in_({row.record[columns[0].name] for row in rows}),
        )
        if flag is not None:
            query = query.where(flag == true())
        return set(self.session.execute(query).all())


def _key(row: _Ready, columns: list[Any]) -> tuple[Any, ...]:
    return tuple(row.record[column.name] for column in columns)
