"""Grid: a data_extraction query as a table to sort, filter, page, choose columns of,
download (CSV, XLSX) and, optionally, edit.

The grid's state lives in the URL: the step page's query parameters, each prefixed by
the widget's name (``products.sort=-price``), so every view of it is a link to share
and two grids on a page keep their own. Links and the filter form are plain GET
requests to the step page, which work without JavaScript; with htmx they fetch only the
grid (the "rows" action) and push the step page's URL, so Back and Reload agree.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from markupsafe import Markup
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render, render_to_response
from pyramid.request import Request
from pyramid.response import FileIter, Response
from sqlalchemy import Select
from webob.multidict import MultiDict

from poser.apps.framework.widget import Widget, WidgetAction, WidgetContext
from poser.apps.site.downloads import BLOCK_SIZE, content_disposition
from poser.apps.site.forms import keep_for_page, kept_for_page
from poser.apps.site.streaming import BodySession
from poser.apps.widgets.grid_cells import FORMATS, INPUT_WIDTHS, RowHref
from poser.apps.widgets.grid_edit import (
    EditOutcome,
    OnEdit,
    apply_edits,
    outcome_from_json,
    outcome_json,
    read_edits,
)
from poser.apps.widgets.grid_text import parse_grid_state, state_query
from poser.apps.widgets.grid_view import COUNT_ALL, COUNT_PARAMETER, grid_view, query_dict
from poser.models.data_extraction.grid import COUNT_CAP, count_rows, grid_page, grid_rows
from poser.models.data_extraction.grid_state import DEFAULT_PAGE_SIZE, GridColumn, GridState
from poser.utils.table_writers import TooManyRowsError, csv_rows, write_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


Columns = Sequence[GridColumn] | Callable[[WidgetContext], Sequence[GridColumn]]


@dataclass(kw_only=True)
class Grid(Widget):
    """``query(ctx)`` gives the rows (a data_extraction select for ``ctx.data_set``);
    ``key`` names the column that identifies a row. ``columns`` may be a callable of the
    context, for choices that come from the data set (its departments, say).

    With ``editable``, cells of the columns marked editable become inputs, and
    ``on_edit(ctx, key, values)`` saves one row's changed values through a task; a
    ValueError it raises is shown on that row, and nothing of that row is saved.

    ``formats`` says how number columns read, by name: "money", "money_change",
    "percent", "percent_change" or "count" (grid_cells.FORMATS). Downloads keep the
    stored values.

    ``links`` makes a column's cells links, by name: ``links[column](ctx)`` gives, once
    a page, a function of a row to the URL of its page (None: that row's cell stays
    text). An editable column that is being edited shows its input instead.

    ``badges`` shows a choice column's values as status badges, by name: ``badges[column]``
    is the kind of status (widgets/status.jinja2: "row", "batch", "job"), which gives
    each value its word and colour.

    ``wrap`` names the text columns whose cells wrap (a message, a note) instead of
    widening the table: every other cell keeps to one line.

    ``input_widths`` gives an editable text column's input a width other than its
    type's, by name: "wide" (a description: its first 25 characters or so show) or
    "narrow" (a short code or size).

    ``unfiltered_total(ctx)`` gives the number of rows with no filter when something
    keeps it (a batch counts its rows as it reads them), or None: then the unfiltered
    total is exact past the cap without counting.

    Past ``count_cap`` matching rows the total reads "10,000+" and the grid offers to
    count them all: its "Count all" link is the same view with ``<name>.count=all``,
    which every link of that view keeps (pages, sorts) until the filters change.
    """

    query: Callable[[WidgetContext], Select[Any]]
    columns: Columns
    key: str = "id"
    page_size: int = DEFAULT_PAGE_SIZE
    editable: bool = False
    on_edit: OnEdit | None = None
    download_name: str = "rows"
    count_cap: int = COUNT_CAP
    formats: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, Callable[[WidgetContext], RowHref]] = field(default_factory=dict)
    badges: Mapping[str, str] = field(default_factory=dict)
    wrap: frozenset[str] = frozenset()
    input_widths: Mapping[str, str] = field(default_factory=dict)
    unfiltered_total: Callable[[WidgetContext], int | None] | None = None
    template: str = field(default="widgets/grid.jinja2", repr=False)
    rows_template: str = field(default="widgets/grid_rows.jinja2", repr=False)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"grid name {self.name!r}: letters, digits, _ and - only")
        if not callable(self.columns):
            _check_columns(self.name, self.columns)
        if self.editable and self.on_edit is None:
            raise ValueError(f"grid {self.name!r}: an editable grid needs on_edit")
        unknown = set(self.formats.values()) - set(FORMATS)
        if unknown:
            raise ValueError(f"grid {self.name!r}: formats are {FORMATS}, not {sorted(unknown)}")
        unknown = set(self.input_widths.values()) - set(INPUT_WIDTHS)
        if unknown:
            raise ValueError(
                f"grid {self.name!r}: input widths are {INPUT_WIDTHS}, not {sorted(unknown)}"
            )

    @property
    def prefix(self) -> str:
        return f"{self.name}."

    def grid_columns(self, ctx: WidgetContext) -> Sequence[GridColumn]:
        if not callable(self.columns):
            return self.columns
        # An action asks more than once (its URL, then the rows): columns whose choices
        # come from the data set query them once per request.
        cache: dict[tuple[str, int], Sequence[GridColumn]] = ctx.request.__dict__.setdefault(
            "poser.grid_columns", {}
        )
        key = (self.name, ctx.data_set.id)
        if key not in cache:
            cache[key] = _check_columns(self.name, self.columns(ctx))
        return cache[key]

    def state(self, ctx: WidgetContext, columns: Sequence[GridColumn]) -> GridState:
        params = query_params(ctx.request)
        return parse_grid_state(params, columns, prefix=self.prefix, page_size=self.page_size)

    def defaults(self, columns: Sequence[GridColumn]) -> GridState:
        return parse_grid_state({}, columns, page_size=self.page_size)

    def query_pairs(
        self, ctx: WidgetContext, state: GridState, columns: Sequence[GridColumn]
    ) -> list[tuple[str, str]]:
        """The URL parameters of this state, after the other grids' (kept as they are)."""
        return self.other_params(ctx) + state_query(state, self.prefix, self.defaults(columns))

    def other_params(self, ctx: WidgetContext) -> list[tuple[str, str]]:
        params = query_params(ctx.request).items()
        return [(key, value) for key, value in params if not key.startswith(self.prefix)]

    def step_url(self, ctx: WidgetContext, state: GridState, columns: Sequence[GridColumn]) -> str:
        pairs = self.query_pairs(ctx, state, columns)
        if self.counting(ctx):
            pairs.append((self.prefix + COUNT_PARAMETER, COUNT_ALL))
        return ctx.step_url(**query_dict(pairs))

    def may_edit(self, ctx: WidgetContext) -> bool:
        return self.editable and ctx.may_edit

    @property
    def edit_form_id(self) -> str:
        return f"grid-{self.name}-edit"

    def render(self, ctx: WidgetContext, edits: EditOutcome | None = None) -> Markup:
        """The grid; after an edit some of whose rows were refused, with what was typed
        in them and why (kept for this GET, see ``edit``)."""
        if edits is None:
            kept = kept_for_page(ctx.request, self.edit_form_id)
            edits = outcome_from_json(kept.get("edits")) if kept else None
        return self._render(self.template, ctx, edits)

    def render_rows(self, ctx: WidgetContext, edits: EditOutcome | None = None) -> Markup:
        """The grid's inside: what the "rows" action sends for htmx to swap in."""
        return self._render(self.rows_template, ctx, edits)

    def counting(self, ctx: WidgetContext) -> bool:
        """Whether the operator asked for every matching row to be counted."""
        return query_params(ctx.request).get(self.prefix + COUNT_PARAMETER) == COUNT_ALL

    def _render(self, template: str, ctx: WidgetContext, edits: EditOutcome | None) -> Markup:
        columns = self.grid_columns(ctx)
        state = self.state(ctx, columns)
        query = self.query(ctx)
        page = grid_page(ctx.dbsession, query, columns, state, self.key, count_cap=self.count_cap)
        if page.total_is_capped and not state.filters and self.unfiltered_total is not None:
            known = self.unfiltered_total(ctx)
            if known is not None and known >= page.last:  # never fewer than are shown
                page = replace(page, total=known, total_is_capped=False)
        counting = self.counting(ctx)
        if counting and page.total_is_capped:
            total = count_rows(ctx.dbsession, query, columns, state, self.key)
            page = replace(page, total=total, total_is_capped=False)
        view = grid_view(self, ctx, columns, state, page, edits, counting=counting)
        values = {"widget": self, "ctx": ctx, "grid": view}
        return Markup(render(template, values, request=ctx.request))  # noqa: S704

    def actions(self) -> dict[str, WidgetAction]:
        actions = {
            "rows": WidgetAction(self.rows),
            "csv": WidgetAction(self.csv),
            "xlsx": WidgetAction(self.xlsx),
        }
        if self.editable:
            actions["edit"] = WidgetAction(self.edit, permission="edit", methods=("POST",))
        return actions

    def rows(self, ctx: WidgetContext) -> Response:
        columns = self.grid_columns(ctx)
        location = self.step_url(ctx, self.state(ctx, columns), columns)
        if not ctx.request.headers.get("HX-Request"):
            return HTTPSeeOther(location=location)  # a bookmarked fragment URL: the page
        response = Response(str(self.render_rows(ctx)), content_type="text/html")
        # The step page's URL, not this fragment's, goes in the address bar and history.
        response.headers["HX-Push-Url"] = location
        response.vary = ("HX-Request",)
        return response

    def csv(self, ctx: WidgetContext) -> Response:
        """The filtered, sorted rows (every page, the visible columns), streamed.

        The rows are read while the response is sent, after the request's transaction
        has ended, through the body's own session (``poser.apps.site.streaming``). The
        statement is built now, while the columns' conditions can still read the
        request's session.
        """
        columns = self.grid_columns(ctx)
        state = self.state(ctx, columns)
        reader = BodySession(ctx.request)
        rows = grid_rows(reader.session, self.query(ctx), columns, state, self.key)
        body = reader.body(csv_rows(_header(columns, state), _in_words(rows, columns, state)))
        response = Response(app_iter=body, content_type="text/csv", charset="utf-8")
        response.headers["Content-Disposition"] = content_disposition(f"{self.download_name}.csv")
        return response

    def xlsx(self, ctx: WidgetContext) -> Response:
        """An .xlsx file is complete only at its end: written to a temporary file with
        constant memory, then streamed from there."""
        columns = self.grid_columns(ctx)
        state = self.state(ctx, columns)
        rows = grid_rows(ctx.dbsession, self.query(ctx), columns, state, self.key)
        settings = ctx.request.registry.settings or {}
        scratch = tempfile.TemporaryFile(dir=_scratch_dir(settings))  # noqa: SIM115
        try:
            write_xlsx(scratch, _header(columns, state), _in_words(rows, columns, state))
        except TooManyRowsError as error:
            scratch.close()
            return _error_page(ctx, 400, "Too many rows", f"{error} Filter the grid or use CSV.")
        except BaseException:
            scratch.close()
            raise
        length = scratch.seek(0, os.SEEK_END)
        scratch.seek(0)
        response = Response(app_iter=FileIter(scratch, BLOCK_SIZE), content_type=XLSX_TYPE)
        response.content_length = length  # after app_iter, which clears it
        response.headers["Content-Disposition"] = content_disposition(f"{self.download_name}.xlsx")
        return response

    def edit(self, ctx: WidgetContext) -> Response:
        request = ctx.request
        assert self.on_edit is not None, "an editable grid has on_edit (see __post_init__)"
        columns = self.grid_columns(ctx)
        rows = read_edits(request.POST, self.prefix, columns)
        outcome = apply_edits(
            ctx, ctx.dbsession, self.query(ctx), columns, self.key, rows, self.on_edit
        )
        htmx = bool(request.headers.get("HX-Request"))
        if htmx:
            # The fragment, posted by htmx: the address bar keeps the step page's GET
            # URL. 422: the form was fine, some of its values were not; htmx swaps a
            # 422 in only because the layout's htmx-config says so (responseHandling).
            status = 422 if outcome.failed else 200
            html = self.render_rows(ctx, outcome)
            return Response(str(html), status=status, content_type="text/html")
        location = self.step_url(ctx, self.state(ctx, columns), columns)
        if outcome.failed:
            # Back to the step page, which shows the refused rows as typed, and why
            # (what was saved stays saved).
            keep_for_page(request, self.edit_form_id, location, {"edits": outcome_json(outcome)})
            return HTTPSeeOther(location=location)
        saved = outcome.saved
        message = f"Saved {saved} row{'s' if saved != 1 else ''}." if saved else "Nothing changed."
        request.session.flash(message, "success")
        return HTTPSeeOther(location=location)


def query_params(request: Request) -> MultiDict:
    """The query's parameters; with invalid UTF-8 in them (a mangled pasted link),
    what can be decoded, instead of webob's UnicodeDecodeError (an error page)."""
    try:
        return request.GET
    except UnicodeDecodeError:
        pairs = parse_qsl(request.query_string, keep_blank_values=True, errors="replace")
        return MultiDict(pairs)


def _check_columns(name: str, columns: Sequence[GridColumn]) -> Sequence[GridColumn]:
    names = [column.name for column in columns]
    if not names or len(names) != len(set(names)):
        raise ValueError(f"grid {name!r}: columns must be given, with unique names")
    return columns


def _header(columns: Sequence[GridColumn], state: GridState) -> list[str]:
    labels = {column.name: column.label for column in columns}
    return [labels[name] for name in state.columns]


def _in_words(
    rows: Iterable[Sequence[Any]], columns: Sequence[GridColumn], state: GridState
) -> Iterable[Sequence[Any]]:
    """A download names a choice column's values as the page does, by their labels
    ("Cost up"), not as they are stored."""
    by_name = {column.name: column for column in columns}
    chosen = [
        (index, by_name[name])
        for index, name in enumerate(state.columns)
        if by_name[name].type == "choice"
    ]
    if not chosen:
        return rows
    return (_relabelled(row, chosen) for row in rows)


def _relabelled(row: Sequence[Any], chosen: list[tuple[int, GridColumn]]) -> list[Any]:
    cells = list(row)
    for index, column in chosen:
        if cells[index] is not None:
            cells[index] = column.choice_label(cells[index])
    return cells


def _scratch_dir(settings: dict[str, Any]) -> str | None:
    """The app dir's work/ (purged by the scheduler), else the system's temp folder."""
    appdir = settings.get("poser.appdir")
    work = os.path.join(str(appdir), "work") if appdir else ""
    return work if work and os.path.isdir(work) else None


def _error_page(ctx: WidgetContext, status: int, title: str, message: str) -> Response:
    values = {"status": status, "title": title, "message": message}
    response = render_to_response("site/error.jinja2", values, request=ctx.request)
    response.status_int = status
    return response
