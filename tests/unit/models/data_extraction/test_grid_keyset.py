"""Paging by keyset: a link names the key of a row shown, and the page is read from that
row on in the grid's order (NULLs too, at whichever end the database sorts them), back
to the start or from the end; a page typed by number alone is read by OFFSET."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from poser.apps.widgets.grid_text import state_query
from poser.models.data_extraction.grid import GridPage, grid_page
from poser.models.data_extraction.grid_state import GridState
from tests.unit.models.data_extraction.test_grid import (  # noqa: F401
    COLUMNS,
    base,
    sample_url,
    session,
    state,
)

# Price and value have NULLs (every seventh item has no price); kind and active ties.
SORTS = ["price", "-price", "value", "-value", "kind", "-active", "name", "id", "-id", None]


def read(session: Session, grid_state: GridState, **kw: Any) -> GridPage:  # noqa: F811
    return grid_page(session, base(), COLUMNS, grid_state, "id", **kw)


def ids(page: GridPage) -> list[int]:
    return [row["id"] for row in page.rows]


def every_row_in_order(session: Session, sort: str | None) -> list[int]:  # noqa: F811
    """The rows in the grid's order, one page holding them all."""
    params = {"size": "100", **({"sort": sort} if sort else {})}
    return ids(read(session, state(**params)))


@pytest.mark.parametrize("sort", SORTS)
def test_next_and_previous_links_go_through_every_row_once(
    session: Session,  # noqa: F811
    sort: str | None,
) -> None:
    expected = every_row_in_order(session, sort)
    assert len(expected) == 32
    page = read(session, state(size="5", **({"sort": sort} if sort else {})))
    pages = [ids(page)]
    while (following := page.link("next")) is not None:
        assert following.after == str(page.rows[-1]["id"])
        page = read(session, following)
        pages.append(ids(page))
    assert [key for one in pages for key in one] == expected
    assert (page.page, page.has_next, page.total, page.total_is_capped) == (7, False, 32, False)
    backwards = [ids(page)]
    while (preceding := page.link("previous")) is not None:
        page = read(session, preceding)
        backwards.insert(0, ids(page))
    assert backwards == pages
    assert page.page == 1


@pytest.mark.parametrize("sort", SORTS)
def test_the_last_page_is_read_from_the_end(session: Session, sort: str | None) -> None:  # noqa: F811
    expected = every_row_in_order(session, sort)
    first = read(session, state(size="5", **({"sort": sort} if sort else {})))
    last_state = first.link("last")
    assert last_state is not None
    assert last_state.last
    last = read(session, last_state)
    assert (last.page, last.first, last.has_next) == (7, 31, False)
    assert ids(last) == expected[30:]
    assert last.link("last") is None
    previous = last.link("previous")
    assert previous is not None
    assert ids(read(session, previous)) == expected[25:30]


def test_a_linked_page_is_read_from_its_row_on(session: Session) -> None:  # noqa: F811
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()).upper())

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        # The rows after item 20 by price from the dearest, whatever page number is named.
        page = read(session, state(size="3", sort="-price", page="2", after="1020"))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    expected = every_row_in_order(session, "-price")
    start = expected.index(1020) + 1
    assert ids(page) == expected[start : start + 3]
    assert page.page == 2
    (keys,) = [s for s in statements if "ORDER BY" in s and "COUNT(*)" not in s]
    assert "WHERE GRID_ITEM.DATA_SET_ID = " in keys
    assert "AND (GRID_ITEM.PRICE, GRID_ITEM.ID) < (" in keys


@pytest.mark.parametrize(
    ("params", "page_number"),
    [
        ({"after": "2001"}, 3),  # another data set's row: by the page's number
        ({"after": "9999"}, 3),  # no such row
        ({"after": "x1"}, 3),  # not a key
        ({"before": "1002"}, 1),  # the start comes before a whole page: page 1
    ],
)
def test_a_bookmark_that_does_not_hold_reads_by_number(
    session: Session,  # noqa: F811
    params: dict[str, str],
    page_number: int,
) -> None:
    page = read(session, state(size="5", page="3", **params))
    assert page.page == page_number
    assert ids(page) == every_row_in_order(session, None)[(page_number - 1) * 5 :][:5]
    assert page.state.after is None
    assert page.state.before is None


def test_a_bookmark_past_the_last_row_shows_the_last_page(session: Session) -> None:  # noqa: F811
    page = read(session, state(size="5", page="9", after="1102"))
    assert (page.page, ids(page), page.has_next) == (7, [1101, 1102], False)
    assert page.state.last


def test_links_and_their_url_parameters(session: Session) -> None:  # noqa: F811
    page = read(session, state(size="5", sort="-price", page="3", after="1010"))
    assert page.link("first") == page.state.at(1)
    previous, following = page.link("previous"), page.link("next")
    assert previous is not None
    assert following is not None
    assert (previous.page, previous.before) == (2, str(page.rows[0]["id"]))
    assert (following.page, following.after) == (4, str(page.rows[-1]["id"]))
    defaults = state()
    assert state_query(following, "p.", defaults)[:2] == [
        ("p.page", "4"),
        ("p.after", following.after),
    ]
    assert state_query(state(page="last"), "p.", defaults) == [("p.page", "last")]
    assert state(page="1", after="1010").after is None  # page 1 starts at the start
    assert state(page="2", after="5", before="9").before is None
