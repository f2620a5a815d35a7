"""How many rows a grid's filters match, known without counting: a column's own bound,
else PostgreSQL's estimate."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from poser.models.data_extraction.grid import parse_grid_state
from poser.models.data_extraction.grid_estimates import matches_at_most, planned_rows
from tests.unit.models.data_extraction.test_grid import (  # noqa: F401
    COLUMNS,
    base,
    item,
    sample_url,
    session,
)


def test_the_planner_estimates_the_rows_on_postgresql_only(session: Session) -> None:  # noqa: F811
    matching = base().with_only_columns(item.c.id).where(item.c.qty >= 11)
    estimate = planned_rows(session, matching)
    if session.get_bind().dialect.name == "postgresql":
        # 22 rows match (20 of the data set's 32, two others'); an estimate is near.
        assert isinstance(estimate, int)
        assert 5 <= estimate <= 40
    else:
        assert estimate is None


def test_the_least_bound_of_the_filters_columns_is_taken(session: Session) -> None:  # noqa: F811
    columns = [
        replace(column, bound=lambda item: 7)
        if column.name == "name"
        else replace(column, bound=lambda item: None if "fruit" in item.value else 3)
        if column.name == "kind"
        else column
        for column in COLUMNS
    ]
    matching = base().with_only_columns(item.c.id)
    both = parse_grid_state({"name.q": "item", "kind.in": "dairy"}, columns)
    assert matches_at_most(session, columns, both, matching) == 3
    # A bound that does not know (None) is left out.
    one = parse_grid_state({"name.q": "item", "kind.in": "fruit"}, columns)
    assert matches_at_most(session, columns, one, matching) == 7
    # No bound at all: the planner's estimate, or None where there is none.
    unbound = parse_grid_state({"qty.min": "3"}, columns)
    expected = planned_rows(session, matching)
    assert matches_at_most(session, columns, unbound, matching) == expected
