"""What an Application's data sets hold, declared once: a `DataSetFormat`.

The framework copies, exports, imports and checks a data set for emptiness from its
format and nothing else. A format lists its tables in load order (a table after every
table it refers to); each table is a sheet of the data set workbook, with its columns,
its key (the columns whose values name a row to operators: a department's number, a
UPC) and its references to rows of earlier tables, by their keys, never by database
ids, so that a workbook moves between databases and between data sets.

A data set finds its format by its kind (`DataSet.application`) in a registry that the
module declaring a format fills as it is imported (`register_format`). That module is
named in the ``poser.tasks`` entry point group (`poser.tasks.plugins`), as job modules
are: every process that runs jobs knows the format, and none imports the web layer
for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, exists, func, or_, select
from sqlalchemy.orm import Session

from poser.tasks.plugins import GROUP
from poser.utils.cells import cell_bool, cell_decimal, cell_int, cell_text
from poser.utils.registry import Registry

#: Reads one cell: returns the value to store, or raises ValueError (CellError) with a
#: message for the operator (the import adds the sheet, the row and the column).
Parse = Callable[[object], Any]
#: A context that an import or a copy into an empty data set runs in (connection, data
#: set id): e.g. to index what it loaded once at the end rather than row by row.
Loading = Callable[[Connection, int], AbstractContextManager[None]]

#: Text columns without a length take at most this many characters from a cell.
LONG_TEXT = 10_000


@dataclass(frozen=True)
class Column:
    """One column of a sheet, kept in the table's column of the same name (``column``
    when it is named otherwise).

    ``refers_to`` names an earlier sheet: the cells hold that sheet's key, and the table
    keeps the id of the row it names. ``parse`` defaults to what the table's column
    holds (text of its length, whole numbers, decimals of its scale, yes/no; an empty
    cell is its default, or None when it may be NULL); a reference reads cells as its
    sheet's key does. ``label`` names the values in messages ("UPC", "vendor"; the
    column's name by default); ``number_format`` and ``width`` dress the exported sheet.
    Without ``required``, a workbook may lack the column (one exported before it was
    added): its cells read as empty.
    """

    name: str
    parse: Parse | None = None
    column: str | None = None
    refers_to: str | None = None
    label: str | None = None
    number_format: str | None = None
    width: int = 14
    required: bool = True

    @property
    def stored_as(self) -> str:
        return self.column or self.name

    def describe(self, value: object) -> str:
        return f"{self.label or self.name} {value}"


@dataclass(frozen=True)
class OnlyOne:
    """At most one row among those with the same ``per`` values has ``flag`` set (a
    product's preferred cost). ``message`` names the row with {key}, the other with
    {row}. A unique index over the ``per`` columns where ``flag`` is set keeps it."""

    per: tuple[str, ...]
    flag: str
    message: str


@dataclass
class Table:
    """A table of the data set as one sheet of its workbook (see the module's notes).

    ``model`` is the ORM class or the table. ``key`` names the columns whose values
    identify a row within the data set: the table needs a unique constraint on
    data_set_id and their columns (a reference's: the id), so that the database refuses
    a repeat however far apart the two rows are. ``repeated`` is the message for such a
    repeat ({key}: the row's key, {row}: where the first one is).
    """

    model: Any
    sheet: str
    columns: Sequence[Column]
    key: Sequence[str]
    repeated: str = "{key} is also on {row}"
    only_one: Sequence[OnlyOne] = ()
    table: sa.Table = field(init=False)

    def __post_init__(self) -> None:
        self.table = self.model if isinstance(self.model, sa.Table) else self.model.__table__
        self.columns = tuple(self.columns)
        self.key = tuple(self.key)
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"sheet {self.sheet!r}: column names must be unique")
        if "data_set_id" not in self.table.c:
            raise ValueError(f"table {self.table.name!r} has no data_set_id column")
        for column in self.columns:
            if column.stored_as not in self.table.c:
                raise ValueError(f"table {self.table.name!r} has no column {column.stored_as!r}")
        for names_used in (self.key, *((*rule.per, rule.flag) for rule in self.only_one)):
            if not names_used or set(names_used) - set(names):
                raise ValueError(f"sheet {self.sheet!r}: {names_used} are not its columns")
        self._require_unique(self.key)
        for rule in self.only_one:
            self._require_unique(rule.per)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    def describe(self, values: dict[str, object]) -> str:
        """The row named by its key's values, for a message: "UPC 0001..., vendor GLNF"."""
        return ", ".join(self.column(name).describe(values[name]) for name in self.key)

    def _require_unique(self, names: Sequence[str]) -> None:
        """A unique constraint (or index) on data_set_id and these columns; or on these
        alone when one refers to another table's rows, which are the data set's own."""
        wanted = {self.column(name).stored_as for name in names}
        referring = any(self.column(name).refers_to for name in names)
        uniques = [c for c in self.table.constraints if isinstance(c, sa.UniqueConstraint)]
        uniques += [index for index in self.table.indexes if index.unique]
        for unique in uniques:
            held = {column.name for column in unique.columns}
            if held == wanted | {"data_set_id"} or (referring and held == wanted):
                return
        raise ValueError(
            f"table {self.table.name!r} needs a unique constraint on data_set_id and "
            f"{sorted(wanted)}, the key of sheet {self.sheet!r}"
        )


@dataclass
class DataSetFormat:
    """The tables of one kind of data set (an Application's ``url_name``), in load order.

    ``loading`` (optional) is the context an import or a copy runs in (see `Loading`).
    """

    kind: str
    tables: Sequence[Table]
    loading: Loading | None = None

    def __post_init__(self) -> None:
        self.tables = tuple(self.tables)
        seen: dict[str, Table] = {}
        for table in self.tables:
            if table.sheet in seen:
                raise ValueError(f"format {self.kind!r}: two sheets named {table.sheet!r}")
            for column in table.columns:
                if column.refers_to is not None:
                    _check_reference(table, column, seen)
            seen[table.sheet] = table
        self.tables = tuple(_with_parsers(table, seen) for table in self.tables)

    @property
    def sheets(self) -> dict[str, tuple[str, ...]]:
        """Each sheet's columns, in order: the header row of each sheet of a workbook."""
        return {table.sheet: tuple(c.name for c in table.columns) for table in self.tables}

    def table(self, sheet: str) -> Table:
        return next(table for table in self.tables if table.sheet == sheet)

    def counts(self, session: Session, data_set_id: int) -> dict[str, int]:
        """How many rows each table holds in the data set, by sheet."""
        return {
            table.sheet: session.scalar(
                select(func.count())
                .select_from(table.table)
                .where(table.table.c.data_set_id == data_set_id)
            )
            or 0
            for table in self.tables
        }

    def is_empty(self, session: Session, data_set_id: int) -> bool:
        """Whether no table holds a row of the data set (one look at each, no count)."""
        if not self.tables:
            return True
        found = [exists().where(table.table.c.data_set_id == data_set_id) for table in self.tables]
        return not session.scalar(select(or_(*found)))


def _check_reference(table: Table, column: Column, earlier: dict[str, Table]) -> None:
    target = earlier.get(column.refers_to or "")
    where = f"sheet {table.sheet!r}, column {column.name!r}"
    if target is None:
        raise ValueError(f"{where}: refers to {column.refers_to!r}, which is not an earlier sheet")
    if len(target.key) != 1:
        raise ValueError(f"{where}: sheet {target.sheet!r} has a key of more than one column")
    if len(target.table.primary_key.columns) != 1:
        raise ValueError(f"{where}: table {target.table.name!r} needs a one-column primary key")


def _with_parsers(table: Table, sheets: dict[str, Table]) -> Table:
    """``table`` with every column's parser: its own, or the one its type gives."""
    columns = []
    for column in table.columns:
        if column.parse is None:
            stored = table.table.c[column.stored_as]
            if column.refers_to is None:
                parse = parser_for(stored)
            else:
                target = sheets[column.refers_to]
                key = target.column(target.key[0])
                parse = _optional(key.parse) if stored.nullable else key.parse  # type: ignore[arg-type]
            column = replace(column, parse=parse)
        columns.append(column)
    table.columns = tuple(columns)
    return table


def parser_for(column: sa.Column[Any]) -> Parse:
    """How a cell is read for ``column``, by its type: what it can hold, no more.

    An empty cell is the column's default (a plain value), else None where the column
    may be NULL, else an error. Other types need a parser of their own.
    """
    kind = column.type
    default = column.default.arg if column.default is not None else None
    fallback = None if callable(default) else default
    required = fallback is None and not column.nullable
    if isinstance(kind, sa.Boolean):
        return _or_default(lambda v: cell_bool(v), fallback, required)
    if isinstance(kind, sa.Integer):
        return _or_default(cell_int, fallback, required)
    if isinstance(kind, sa.Numeric) and kind.precision is not None:
        places, digits = kind.scale or 0, kind.precision

        def read(value: object) -> Any:
            return cell_decimal(value, places=places, digits=digits, negative=True)

        return _or_default(read, fallback, required)
    if isinstance(kind, sa.String):
        length = kind.length or LONG_TEXT
        if required:
            return lambda value: cell_text(value, length)
        return _or_default(lambda value: cell_text(value, length), fallback, required)
    raise ValueError(f"column {column.name!r}: give the Column a parser for {kind!r}")


def _or_default(parse: Parse, fallback: object, required: bool) -> Parse:
    if required:
        return parse

    def read(value: object) -> Any:
        if value is None or value == "":
            return fallback
        return parse(value)

    return read


def _optional(parse: Parse) -> Parse:
    return _or_default(parse, None, required=False)


#: The formats of the kinds of data set this process knows, by kind.
_FORMATS: Registry[DataSetFormat] = Registry(
    "data set format", GROUP, taken=lambda kind: f"data sets of {kind!r} have a format already"
)


def register_format(data_format: DataSetFormat) -> DataSetFormat:
    """Make ``data_format`` the format of its kind's data sets; returns it.

    Called as the module that declares it is imported (importing it twice is no harm);
    a second, different format for the same kind is refused.
    """
    return _FORMATS.add(data_format.kind, data_format)


def format_for(kind: str) -> DataSetFormat:
    """The format of the data sets of ``kind``: one without tables when none is
    registered (an Application that keeps only its parameters)."""
    return _FORMATS.find(kind) or DataSetFormat(kind, ())
