"""What a Grid's templates show: a link for every change of state, cells as text or as
inputs, the pager and the total. Built here so that the templates only lay it out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from poser.apps.framework.widget import WidgetContext
from poser.apps.widgets.grid_edit import EditOutcome, RowEdit, input_name
from poser.models.data_extraction.grid import GridColumn, GridPage, GridState, format_value
from poser.models.data_extraction.grid_state import FILTER_PARAMETERS

if TYPE_CHECKING:
    from poser.apps.widgets.grid import Grid

PAGE_SIZES = (10, 25, 50, 100, 200)
NUMERIC = ("int", "decimal")
BOOL_OPTIONS = (("", ""), ("yes", "Yes"), ("no", "No"))


@dataclass(frozen=True)
class Link:
    """``href``: the step page in that state (plain links, the address bar);
    ``rows``: the same state's fragment, which htmx fetches instead."""

    href: str
    rows: str


def query_dict(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """Pairs (a key may repeat) as the mapping of lists that route_path's _query takes."""
    query: dict[str, list[str]] = {}
    for key, value in pairs:
        query.setdefault(key, []).append(value)
    return query


def grid_view(
    grid: Grid,
    ctx: WidgetContext,
    columns: Sequence[GridColumn],
    state: GridState,
    page: GridPage,
    edits: EditOutcome | None,
) -> dict[str, Any]:
    def link(new_state: GridState) -> Link:
        query = query_dict(grid.query_pairs(ctx, new_state, columns))
        return Link(ctx.step_url(**query), ctx.action_url("rows", **query))

    defaults = grid.defaults(columns)
    at_page = state.replace(page=page.page)
    own = query_dict(at_page.replace(page=1).query(grid.prefix, defaults))
    visible = [column for column in columns if column.name in state.columns]
    others = grid.other_params(ctx)
    sort = (
        [(f"{grid.prefix}sort", ("-" if state.descending else "") + state.sort)]
        if state.sort
        else []
    )
    editing = grid.may_edit(ctx)
    failed = {row.key: row for row in edits.failed} if edits else {}
    rows = [_row(grid, visible, row, editing, failed) for row in page.rows]
    shown = {row["key"] for row in rows}
    return {
        "id": f"grid-{grid.name}",
        "prefix": grid.prefix,
        "state": at_page,
        "page": page,
        "headers": [_header(column, at_page, link) for column in visible],
        "rows": rows,
        "summary": _summary(page),
        "pager": _pager(page, at_page, link),
        "filters": [_filter(grid.prefix, column, state) for column in columns if column.filterable],
        "choosable": [(column, column.name in state.columns) for column in columns],
        "page_sizes": sorted({*PAGE_SIZES, grid.page_size, state.page_size}),
        # The filter form sends only its own fields: these keep the rest of the URL.
        "hidden": others + sort,
        "form_action": ctx.step_url(),
        "form_rows": ctx.action_url("rows"),
        "reset": link(defaults),
        "csv": ctx.action_url("csv", **own),
        "xlsx": ctx.action_url("xlsx", **own),
        "edit": ctx.action_url("edit", **query_dict(grid.query_pairs(ctx, at_page, columns)))
        if editing
        else None,
        "saved": edits.saved if edits else None,
        "failed": len(failed),
        # Rows that failed but are not on this page (a save moved them off it).
        "other_errors": [(key, row.error) for key, row in failed.items() if key not in shown],
    }


def display(column: GridColumn, value: Any) -> str:
    if value is None:
        return ""
    if column.type == "bool":
        return "Yes" if value else "No"
    if column.type == "choice":
        return column.choice_label(value)
    if isinstance(value, float):
        # SQLite computes some decimals as floats: show them as the decimals they are.
        return format(Decimal(repr(value)), "f")
    return format_value(value)


def _header(column: GridColumn, state: GridState, link: Any) -> dict[str, Any]:
    current = state.sort == column.name
    aria = ("descending" if state.descending else "ascending") if current else None
    target = state.replace(sort=column.name, descending=current and not state.descending, page=1)
    return {
        "column": column,
        "css": "text-end" if column.type in NUMERIC else "",
        "link": link(target) if column.sortable else None,
        "aria_sort": aria,
        "arrow": {"ascending": "▲", "descending": "▼"}.get(aria or ""),
    }


def _row(
    grid: Grid,
    visible: list[GridColumn],
    row: Any,
    editing: bool,
    failed: dict[str, RowEdit],
) -> dict[str, Any]:
    """A row with its cells' HTML. Built here, not in the template: a page has hundreds
    of cells, and a template's loops and lookups over them cost more than the queries."""
    key = str(row[grid.key])
    edit = failed.get(key)
    cells = []
    for column in visible:
        value = row[column.name]
        css = ' class="text-end"' if column.type in NUMERIC else ' class=""'
        if editing and column.editable:
            shown = format_value(value)
            typed = edit.texts.get(column.name, shown) if edit else shown
            invalid = bool(edit and column.name in edit.bad_cells)
            cell = _input(grid.prefix, column, key, shown, typed, invalid)
        else:
            cell = escape(display(column, value))
        cells.append(f"<td{css}>{cell}</td>")
    html = Markup("\n".join(cells))  # noqa: S704 - every value in it is escaped above
    return {"key": key, "html": html, "error": edit.error if edit else None}


def _input(prefix: str, column: GridColumn, key: str, was: str, value: str, invalid: bool) -> str:
    """A cell's input, and the value it showed (to tell a change from someone else's)."""
    name = escape(input_name(prefix, "edit", column.name, key))
    was_name = escape(input_name(prefix, "was", column.name, key))
    label = escape(f"{column.label}, row {key}")
    bad = " is-invalid" if invalid else ""
    hidden = f'<input type="hidden" name="{was_name}" value="{escape(was)}">'
    if column.type in ("bool", "choice"):
        pairs = BOOL_OPTIONS if column.type == "bool" else (("", ""), *column.choices)
        options = "".join(
            f'<option value="{escape(choice)}"{" selected" if value == str(choice) else ""}>'
            f"{escape(text)}</option>"
            for choice, text in pairs
        )
        return (
            f'{hidden}<select class="form-select form-select-sm{bad}" name="{name}" '
            f'aria-label="{label}">{options}</select>'
        )
    kind = "date" if column.type == "date" else "text"
    mode = {"int": "numeric", "decimal": "decimal"}.get(column.type, "text")
    aria_invalid = ' aria-invalid="true"' if invalid else ""
    return (
        f'{hidden}<input class="form-control form-control-sm grid-input-{column.type}{bad}" '
        f'type="{kind}" inputmode="{mode}" name="{name}" value="{escape(value)}" '
        f'aria-label="{label}"{aria_invalid}>'
    )


def _summary(page: GridPage) -> str:
    if not page.rows:
        return "No rows" if page.total == 0 else f"No rows on page {page.page:,}"
    more = "+" if page.total_is_capped else ""
    return f"{page.first:,}\u2013{page.last:,} of {page.total:,}{more}"


def _pager(page: GridPage, state: GridState, link: Any) -> list[dict[str, Any]]:
    def item(label: str, number: int | None, rel: str = "") -> dict[str, Any]:
        target = link(state.replace(page=number)) if number else None
        return {"label": label, "link": target, "rel": rel}

    pages = page.pages
    where = f"Page {page.page:,}" + (f" of {pages:,}" if pages else "")
    return [
        item("« First", 1 if page.has_previous else None),
        item("\u2039 Previous", page.page - 1 if page.has_previous else None, "prev"),
        {"label": where, "link": None, "rel": "", "current": True},
        item("Next \u203a", page.page + 1 if page.has_next else None, "next"),
        item("Last »", pages if pages and page.page < pages else None),
    ]


def _filter(prefix: str, column: GridColumn, state: GridState) -> dict[str, Any]:
    name = column.name
    names = {part: f"{prefix}{name}.{part}" for part in FILTER_PARAMETERS[column.type]}
    equals = state.value(name, "equals")
    values = {
        "q": equals if equals is not None else state.value(name, "contains", ""),
        "match": "equals" if equals is not None else "contains",
        "is": format_value(state.value(name, "is")),
        "in": {str(value) for value in state.value(name, "in", ())},
    }
    for part in ("min", "max", "from", "to"):
        values[part] = format_value(state.value(name, part))
    return {"column": column, "names": names, "values": values}
