"""Recording changes to products in their change log (``ProductChange``).

Every task that changes a product records the change here, in the caller's
transaction, the same way whatever asked for it: a ``ChangeSource`` says what made it
(a batch, an edit on a page, a command, a job) and who. One product at a time
(``record_product_changes``, from the values before and after) or, for a batch's
thousands of rows, set-based by the batch's own statements (``source_values`` gives
them the same columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String, literal

from poser.models.orm import CHANGE_SOURCES, Department, Product, ProductChange, User
from poser.tasks.sessions import session_of
from poser.utils.timeutil import utcnow

#: A product's own fields the log follows (``department`` is ``department_id``'s name).
LOGGED_FIELDS = (
    "description",
    "brand",
    "size",
    "department_id",
    "regular_price",
    "on_hand",
    "active",
)
NUMBERS = ("regular_price", "on_hand")
MAX_VALUE = 200


@dataclass(frozen=True)
class ChangeSource:
    """What makes a change, and who: ``source`` is one of ``CHANGE_SOURCES``.

    ``page`` names the Application and step of an edit ("products/catalog"),
    ``command`` the command line ("poser catalog import"), ``job_id`` the job that ran
    it; a batch's apply names its batch and, when one ran it, the job or command.
    """

    source: str
    user_id: int | None = None
    page: str | None = None
    command: str | None = None
    job_id: int | None = None
    batch_id: int | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.source not in CHANGE_SOURCES:
            raise ValueError(f"unknown change source {self.source!r}")


def edit_on_page(user: User | None, application: str, step: str) -> ChangeSource:
    """An operator's edit on a step's page."""
    return ChangeSource("edit", user_id=user.id if user else None, page=f"{application}/{step}")


def as_text(value: Any) -> str | None:
    """A value as the log keeps it: decimals without trailing zeros ("3.99", "12"),
    yes/no as "true"/"false", text cut to what the column holds."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float):
        number = Decimal(str(value)).normalize()
        return format(number, "f")
    return str(value)[:MAX_VALUE]


def product_values(product: Product) -> dict[str, Any]:
    """The product's logged fields as they are now: what ``record_product_changes``
    compares with after the change."""
    return {name: getattr(product, name) for name in LOGGED_FIELDS}


def _department_name(product: Product, department_id: Any) -> str | None:
    if department_id is None:
        return None
    department = session_of(product).get(Department, department_id)
    return department.name if department else f"#{department_id}"


def record_product_changes(
    product: Product,
    before: dict[str, Any],
    source: ChangeSource,
    at: datetime | None = None,
) -> list[ProductChange]:
    """A change row for each logged field whose value differs from ``before`` (what
    ``product_values`` gave before the change); none when nothing changed."""
    at = at or utcnow()
    changes = []
    for name in LOGGED_FIELDS:
        if name not in before:
            continue
        old, new = before[name], getattr(product, name)
        if name == "department_id":
            if old == new:
                continue
            field, old_text, new_text = (
                "department",
                _department_name(product, old),
                _department_name(product, new),
            )
        else:
            if name in NUMBERS:  # a number given as text compares as the number
                old, new = (None if v is None else Decimal(str(v)) for v in (old, new))
            field, old_text, new_text = name, as_text(old), as_text(new)
            if old_text == new_text:
                continue
        changes.append(
            ProductChange(
                data_set_id=product.data_set_id,
                product_id=product.id,
                field=field,
                old_value=old_text,
                new_value=new_text,
                changed_at=at,
                **_columns(source),
            )
        )
    session_of(product).add_all(changes)
    return changes


def record_change(
    product: Product,
    field: str,
    old: Any,
    new: Any,
    source: ChangeSource,
    at: datetime | None = None,
) -> ProductChange:
    """One change of ``field`` (one of ``CHANGE_FIELDS``) that is not one of the
    product's own columns: its adding, its preferred vendor (by code)."""
    change = ProductChange(
        data_set_id=product.data_set_id,
        product_id=product.id,
        field=field,
        old_value=as_text(old),
        new_value=as_text(new),
        changed_at=at or utcnow(),
        **_columns(source),
    )
    session_of(product).add(change)
    return change


def _columns(source: ChangeSource) -> dict[str, Any]:
    return {
        "source": source.source,
        "changed_by_id": source.user_id,
        "page": source.page,
        "command": source.command,
        "job_id": source.job_id,
        "batch_id": source.batch_id,
        "reason": source.reason[:MAX_VALUE] if source.reason else None,
    }


def source_values(source: ChangeSource, at: datetime) -> dict[str, Any]:
    """The columns of ``source`` and ``at`` as SQL literals, for a statement that
    inserts many changes at once (``INSERT ... SELECT``); ``reason`` is the caller's,
    per row."""
    columns = _columns(source)
    del columns["reason"]
    types = {"source": String(), "page": String(), "command": String()}
    values: dict[str, Any] = {
        name: literal(value, types.get(name, Integer())) for name, value in columns.items()
    }
    values["changed_at"] = literal(at, ProductChange.changed_at.type)
    return values
