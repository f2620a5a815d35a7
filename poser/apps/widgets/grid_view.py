"""What a Grid's templates show: a link for every change of state, cells as text or as
inputs, the pager and the total. Built here so that the templates only lay it out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from pyramid.encode import urlencode
from pyramid_jinja2 import IJinja2Environment

from poser.apps.framework.widget import WidgetContext
from poser.apps.widgets.grid_cells import NUMERIC, RowRenderer, escape_text
from poser.apps.widgets.grid_edit import EditOutcome
from poser.apps.widgets.grid_text import FILTER_PARAMETERS, format_value, state_query
from poser.models.data_extraction.grid import GridPage
from poser.models.data_extraction.grid_state import GridColumn, GridState

if TYPE_CHECKING:
    from poser.apps.widgets.grid import Grid

PAGE_SIZES = (10, 25, 50, 100, 200)
#: ``<grid>.count=all``: count every matching row, past the grid's count cap.
COUNT_PARAMETER, COUNT_ALL = "count", "all"


@dataclass(frozen=True)
class Link:
    """``href``: the step page in that state (plain links, the address bar);
    ``rows``: the same state's fragment, which htmx fetches instead."""

    href: str
    rows: str
    #: The attributes of an <a> to it: its href, and htmx's to fetch the fragment.
    attributes: Markup


def status_badges(ctx: WidgetContext, kind: str, column: GridColumn) -> dict[Any, str]:
    """The badge of each of the column's choices, as widgets/status.jinja2 draws a
    status of ``kind`` (its word and colour): drawn once a page, not once a cell."""
    environment = ctx.request.registry.getUtility(IJinja2Environment, name=".jinja2")
    macros = environment.get_template("widgets/status.jinja2").module
    return {
        value: str(macros.status_badge(kind, value, label=str(label)))
        for value, label in column.choices
    }


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
    *,
    counting: bool = False,
) -> dict[str, Any]:
    """``counting``: the operator asked to count every row; the links to other pages and
    orders of the same rows ask it too, the filter form and Reset do not."""
    # What grid.query_pairs gives, with the parts every link shares worked out once:
    # route_path per link takes longer than the rest of the links.
    defaults = grid.defaults(columns)
    others = grid.other_params(ctx)
    step_path, rows_path = ctx.step_url(), ctx.action_url("rows")
    target = f"#grid-{grid.name}"

    # The other grids' parameters come first in every link, encoded once: their keys
    # never start with this grid's prefix, so the two parts join as one encoding would.
    others_query = urlencode(query_dict(others), doseq=True)

    count_pair = [(f"{grid.prefix}{COUNT_PARAMETER}", COUNT_ALL)]

    def link(new_state: GridState, count: bool = counting) -> Link:
        own = state_query(new_state, grid.prefix, defaults) + (count_pair if count else [])
        parts = [others_query, urlencode(query_dict(own), doseq=True) if own else ""]
        query = "&".join(part for part in parts if part)
        query = "?" + query if query else ""
        href, rows = step_path + query, rows_path + query
        h, r = escape_text(href), escape_text(rows)
        attributes = Markup(  # noqa: S704 - escaped above, and the target is a name
            f'href="{h}" hx-get="{r}" hx-target="{target}" hx-push-url="{h}" '
            f'hx-indicator="{target}"'
        )
        return Link(href, rows, attributes)

    at_page = page.state
    own = query_dict(state_query(at_page.at(1), grid.prefix, defaults))
    visible = [column for column in columns if column.name in state.columns]
    sort = (
        [(f"{grid.prefix}sort", ("-" if state.descending else "") + state.sort)]
        if state.sort
        else []
    )
    editing = grid.may_edit(ctx)
    failed = {row.key: row for row in edits.failed} if edits else {}
    links = {name: href(ctx) for name, href in grid.links.items()}
    badges = {
        column.name: status_badges(ctx, grid.badges[column.name], column)
        for column in visible
        if column.name in grid.badges
    }
    render_row = RowRenderer(
        grid.prefix,
        grid.key,
        visible,
        editing,
        grid.formats,
        links,
        badges,
        grid.wrap,
        grid.input_widths,
    )
    shown, body = set(), []
    for row in page.rows:
        key, html = render_row(row, failed.get(str(row[grid.key])))
        shown.add(key)
        body.append(html)
    return {
        "id": f"grid-{grid.name}",
        "prefix": grid.prefix,
        "state": at_page,
        "page": page,
        "headers": [_header(column, at_page, link) for column in visible],
        "rows": Markup("\n".join(body)),  # noqa: S704 - RowRenderer escapes
        "summary": _summary(page),
        # Past the cap: the same page with every matching row counted.
        "count_all": link(at_page, count=True) if page.total_is_capped else None,
        "pager": _pager(page, at_page, link),
        "filters": [_filter(grid.prefix, column, state) for column in columns if column.filterable],
        "choosable": [(column, column.name in state.columns) for column in columns],
        "page_sizes": sorted({*PAGE_SIZES, grid.page_size, state.page_size}),
        # The filter form sends only its own fields: these keep the rest of the URL.
        "hidden": others + sort,
        "form_action": step_path,
        "form_rows": rows_path,
        "reset": link(defaults, count=False),
        "csv": ctx.action_url("csv", **own),
        "xlsx": ctx.action_url("xlsx", **own),
        "edit": ctx.action_url(
            "edit", **query_dict(others + state_query(at_page, grid.prefix, defaults))
        )
        if editing
        else None,
        "saved": edits.saved if edits else None,
        "failed": len(failed),
        # Rows that failed but are not on this page (a save moved them off it).
        "other_errors": [(key, row.error) for key, row in failed.items() if key not in shown],
    }


def _header(column: GridColumn, state: GridState, link: Any) -> dict[str, Any]:
    current = state.sort == column.name
    aria = ("descending" if state.descending else "ascending") if current else None
    target = replace(state.at(1), sort=column.name, descending=current and not state.descending)
    return {
        "column": column,
        "css": "text-end" if column.type in NUMERIC else "",
        "link": link(target) if column.sortable else None,
        "aria_sort": aria,
        "arrow": {"ascending": "▲", "descending": "▼"}.get(aria or ""),
    }


def _summary(page: GridPage) -> str:
    if not page.rows:
        return "No rows" if page.total == 0 else f"No rows on page {page.page:,}"
    more = "+" if page.total_is_capped else ""
    return f"{page.first:,}\u2013{page.last:,} of {page.total:,}{more}"


def _pager(page: GridPage, state: GridState, link: Any) -> list[dict[str, Any]]:
    def item(label: str, to: str, rel: str = "") -> dict[str, Any]:
        target = page.link(to)
        return {"label": label, "link": link(target) if target else None, "rel": rel}

    pages = page.pages
    where = f"Page {page.page:,}" + (f" of {pages:,}" if pages else "")
    return [
        item("« First", "first"),
        item("\u2039 Previous", "previous", "prev"),
        {"label": where, "link": None, "rel": "", "current": True},
        item("Next \u203a", "next", "next"),
        item("Last »", "last"),
    ]


def _filter(prefix: str, column: GridColumn, state: GridState) -> dict[str, Any]:
    name = column.name
    names = {part: f"{prefix}{name}.{part}" for part in FILTER_PARAMETERS[column.type]}
    given = state.filter_values(name)
    equals = given.get("equals")
    values = {
        "q": equals if equals is not None else given.get("contains", ""),
        "match": "equals" if equals is not None else "contains",
        "is": format_value(given.get("is")),
        "in": {str(value) for value in given.get("in", ())},
    }
    for part in ("min", "max", "from", "to"):
        values[part] = format_value(given.get(part))
    # A choice's options are built here: a template's loop over a few dozen of them
    # takes as long as the rest of the filters.
    chosen = values["in"]
    options = Markup(  # noqa: S704 - every value and label is escaped
        "".join(
            f'<option value="{escape_text(str(value))}"'
            f"{' selected' if str(value) in chosen else ''}>{escape_text(str(label))}</option>"
            for value, label in column.choices
        )
    )
    return {"column": column, "names": names, "values": values, "options": options}
