"""Margins by department against their targets: a department's own, else the data set's."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from poser.models.orm import Product
from poser.tasks.margins import NO_DEPARTMENT, DepartmentMargin, margins_by_department
from tests.catalog_support import make_catalog
from tests.factories import make_data_set


def test_a_department_is_measured_against_its_own_target_else_the_data_sets(
    dbsession: Session,
) -> None:
    data_set = make_data_set(dbsession, "Shop")
    catalog = make_catalog(dbsession, data_set)
    catalog["dairy"].target_margin = Decimal("55.00")  # butter 60 %, milk 40 %: 50 % on average
    dbsession.add(Product(data_set_id=data_set.id, upc="00000000000017", description="Loose"))
    dbsession.flush()

    margins = margins_by_department(data_set, Decimal("30"))

    assert margins == [
        DepartmentMargin("Dairy", Decimal("50.00"), Decimal("55.00"), own_target=True),
        DepartmentMargin("Health", Decimal("75.00"), Decimal("30"), own_target=False),
        DepartmentMargin(NO_DEPARTMENT, None, Decimal("30"), own_target=False),
    ]
    assert [margin.under_target for margin in margins] == [True, False, None]


def test_a_margin_equal_to_its_target_is_not_under_it() -> None:
    margin = DepartmentMargin("Deli", Decimal("30.00"), Decimal("30"), own_target=False)
    assert margin.under_target is False
