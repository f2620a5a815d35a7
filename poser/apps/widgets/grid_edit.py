"""Editing a Grid's rows: read the changed cells from the form, check them against the
column types, and hand each good row to the Application's ``on_edit`` (which calls a
task).

A row is saved whole or not at all: a row with a bad cell is not passed on, and a row
whose task raises ValueError is rolled back to a savepoint, so the task's partial
writes go too. Other rows of the same form are saved; each failed row gets its message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from poser.apps.framework.widget import WidgetContext
from poser.apps.widgets.grid_text import MAX_PAGE_SIZE, clean_text, format_value, parse_value
from poser.models.data_extraction.grid import rows_by_key
from poser.models.data_extraction.grid_filters import resolve_columns
from poser.models.data_extraction.grid_state import GridColumn

OnEdit = Callable[[WidgetContext, Any, dict[str, Any]], None]


@dataclass
class RowEdit:
    """One row's changed cells: as typed (``texts``) and, when good, as values."""

    key: str
    texts: dict[str, str] = field(default_factory=dict)
    was: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    bad_cells: set[str] = field(default_factory=set)
    #: Why each bad cell was refused, shown next to it (``error`` joins them).
    cell_errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None


@dataclass
class EditOutcome:
    rows: dict[str, RowEdit]

    @property
    def saved(self) -> int:
        return sum(1 for row in self.rows.values() if row.error is None)

    @property
    def failed(self) -> list[RowEdit]:
        return [row for row in self.rows.values() if row.error is not None]


#: The longest text of a cell kept to show again (it waits in the session).
KEPT_CHARACTERS = 10_000


def outcome_json(outcome: EditOutcome) -> dict[str, Any]:
    """The outcome as the session keeps it (JSON) to show on the page's next GET."""

    def cut(texts: dict[str, str]) -> dict[str, str]:
        return {name: text[:KEPT_CHARACTERS] for name, text in texts.items()}

    return {
        key: {"texts": cut(row.texts), "was": cut(row.was), "bad": sorted(row.bad_cells),
              "cells": row.cell_errors, "error": row.error}
        for key, row in outcome.rows.items()
    }  # fmt: skip


def outcome_from_json(kept: Any) -> EditOutcome | None:
    """``outcome_json``'s outcome again (what was typed, and why rows were not saved)."""
    if not isinstance(kept, dict):
        return None
    rows = {
        str(key): RowEdit(
            str(key),
            texts=dict(row.get("texts") or {}),
            was=dict(row.get("was") or {}),
            bad_cells=set(row.get("bad") or ()),
            cell_errors=dict(row.get("cells") or {}),
            error=row.get("error"),
        )
        for key, row in kept.items()
        if isinstance(row, dict)
    }
    return EditOutcome(rows)


def input_name(prefix: str, kind: str, column: str, key: str) -> str:
    """``kind`` is "edit" (the new value) or "was" (the value the page showed)."""
    return f"{prefix}{kind}.{column}.{key}"


def read_edits(
    post: Mapping[str, Any], prefix: str, columns: Sequence[GridColumn]
) -> dict[str, RowEdit]:
    """The rows whose cells differ from what the page showed, in form order.

    Comparing with the shown value (not the stored one) saves only what this operator
    changed: a cell someone else changed meanwhile is not overwritten with old text.
    """
    editable = {column.name for column in columns if column.editable}
    rows: dict[str, RowEdit] = {}
    start = f"{prefix}edit."
    for name, text in post.items():
        if not name.startswith(start) or not isinstance(text, str):
            continue
        column, _, key = name[len(start) :].partition(".")
        if column not in editable or not key:
            continue
        was = post.get(input_name(prefix, "was", column, key), "")
        was = was if isinstance(was, str) else ""
        if clean_text(text) == clean_text(was):
            continue
        if key not in rows and len(rows) >= MAX_PAGE_SIZE:
            break  # more rows than any page shows: not a form this grid made
        row = rows.setdefault(key, RowEdit(key))
        row.texts[column], row.was[column] = text, clean_text(was)
    return rows


def apply_edits(
    ctx: WidgetContext,
    session: Session,
    base_select: Select[Any],
    columns: Sequence[GridColumn],
    key_column: str,
    rows: dict[str, RowEdit],
    on_edit: OnEdit,
) -> EditOutcome:
    by_name = {column.name: column for column in columns}
    _, expressions = resolve_columns(base_select, columns)
    current = rows_by_key(session, base_select, columns, key_column, list(rows))
    for key, row in rows.items():
        stored = current.get(key)
        if stored is None:
            row.error = "This row is no longer here: it was deleted or is not in this data set."
            continue
        messages = []
        for name, text in row.texts.items():
            column = by_name[name]
            try:
                row.values[name] = parse_value(column, text, expressions[name].type)
            except ValueError as error:
                row.bad_cells.add(name)
                row.cell_errors[name] = str(error)
                messages.append(f"{column.label}: {error}")
                continue
            if clean_text(format_value(stored[name])) != row.was[name]:
                row.bad_cells.add(name)
                row.cell_errors[name] = "Changed by someone else meanwhile (reload)."
                messages.append(f"{column.label}: changed by someone else meanwhile (reload).")
        if messages:
            row.error = " ".join(messages)
            continue
        savepoint = session.begin_nested()
        try:
            on_edit(ctx, stored[key_column], dict(row.values))
            savepoint.commit()
        except ValueError as error:
            savepoint.rollback()
            row.error = str(error) or "This row could not be saved."
    return EditOutcome(rows)
