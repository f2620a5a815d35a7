"""A data set's average margin by department, each against the margin it aims for.

A department's target is its own (``Department.target_margin``) where it has one, and
the data set's (the Products pricing parameter ``target_margin``) otherwise; products
without a department are measured against the data set's. The margins chart draws
these targets and colours the departments under theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from poser.models.data_extraction.products import margin_by_department
from poser.models.orm import DataSet, Department
from poser.tasks.sessions import session_of

#: How the chart and its table name the products that are in no department.
NO_DEPARTMENT = "(no department)"


@dataclass(frozen=True)
class DepartmentMargin:
    department: str
    average: Decimal | None  # None: none of its products has a margin
    target: Decimal
    own_target: bool  # the department's own, not the data set's

    @property
    def under_target(self) -> bool | None:
        return None if self.average is None else self.average < self.target


def margins_by_department(data_set: DataSet, data_set_target: Decimal) -> list[DepartmentMargin]:
    """Each department's average margin (departments by number, products in none
    last) and the target it is measured against."""
    session = session_of(data_set)
    own = dict(
        session.execute(
            select(Department.number, Department.target_margin).where(
                Department.data_set_id == data_set.id, Department.target_margin.is_not(None)
            )
        ).all()
    )
    margins = []
    for row in session.execute(margin_by_department(data_set.id)):
        target = own.get(row.department_number)
        margins.append(
            DepartmentMargin(
                department=row.department or NO_DEPARTMENT,
                average=row.average_margin_percent,
                target=data_set_target if target is None else target,
                own_target=target is not None,
            )
        )
    return margins
