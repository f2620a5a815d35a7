"""A data set's vendors: add, change, delete.

A vendor has a code (its own in the data set) and a name, and the department its
catalogs' new items go to when the file names none (``default_department_id``).
A vendor that costs products, or that a catalog batch not yet applied is for, is not
deleted: its costs are the products' history and margins, and the batch would apply
to no one. The operator is told which.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from poser.models.orm import Batch, DataSet, ProductCost, Vendor
from poser.tasks.departments import CatalogListError, department_of
from poser.tasks.sessions import session_of
from poser.tasks.steps import touch_inputs

MAX_CODE, MAX_NAME = 20, 200


def vendor_of(data_set: DataSet, vendor_id: int) -> Vendor:
    vendor = session_of(data_set).scalar(
        select(Vendor).where(Vendor.id == vendor_id, Vendor.data_set_id == data_set.id)
    )
    if vendor is None:
        raise CatalogListError("That vendor is not in this data set.")
    return vendor


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise CatalogListError("A vendor needs a name.")
    if len(name) > MAX_NAME:
        raise CatalogListError(f"A vendor's name is at most {MAX_NAME} characters.")
    return name


def _department(data_set: DataSet, department_id: int | None) -> int | None:
    return None if department_id is None else department_of(data_set, department_id).id


def add_vendor(
    data_set: DataSet, code: str, name: str, default_department_id: int | None = None
) -> Vendor:
    code = (code or "").strip().upper()
    if not code:
        raise CatalogListError("A vendor needs a code.")
    if len(code) > MAX_CODE or any(character.isspace() for character in code):
        raise CatalogListError(f"A vendor's code is at most {MAX_CODE} characters, no spaces.")
    session = session_of(data_set)
    taken = session.scalar(
        select(Vendor).where(Vendor.data_set_id == data_set.id, func.upper(Vendor.code) == code)
    )
    if taken is not None:
        raise CatalogListError(f"Vendor code {code} is taken, by “{taken.name}”.")
    vendor = Vendor(
        data_set_id=data_set.id,
        code=code,
        name=_name(name),
        default_department_id=_department(data_set, default_department_id),
    )
    session.add(vendor)
    session.flush()
    touch_inputs(data_set, ["products"])
    return vendor


def update_vendor(data_set: DataSet, vendor_id: int, values: dict[str, Any]) -> None:
    """Change a vendor's name or default department (those ``values`` give); its code
    names it in files and batches, and stays."""
    vendor = vendor_of(data_set, vendor_id)
    unknown = set(values) - {"name", "default_department_id"}
    if unknown:
        raise CatalogListError(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    if "name" in values:
        vendor.name = _name(values["name"])
    if "default_department_id" in values:
        vendor.default_department_id = _department(data_set, values["default_department_id"])
    session_of(data_set).flush()
    touch_inputs(data_set, ["products"])


def vendor_uses(data_set: DataSet, vendor_id: int) -> tuple[int, list[int]]:
    """How many products the vendor has a cost for, and the numbers of the catalog
    batches for it that are not applied (nor deleted)."""
    session = session_of(data_set)
    costs = session.scalar(
        select(func.count()).where(
            ProductCost.data_set_id == data_set.id, ProductCost.vendor_id == vendor_id
        )
    )
    pending = session.scalars(
        select(Batch).where(
            Batch.data_set_id == data_set.id,
            Batch.batch_type == "catalog",
            Batch.status != "executed",
            Batch.deleted_at.is_(None),
        )
    ).all()
    batches = sorted(b.id for b in pending if (b.parameters or {}).get("vendor_id") == vendor_id)
    return costs or 0, batches


def delete_vendor(data_set: DataSet, vendor_id: int) -> str:
    """Delete a vendor nothing uses; CatalogListError names what uses it otherwise."""
    vendor = vendor_of(data_set, vendor_id)
    costs, batches = vendor_uses(data_set, vendor_id)
    uses = []
    if costs:
        uses.append(f"it has costs for {costs:,} product{'s' if costs != 1 else ''}")
    if batches:
        numbers = ", ".join(f"#{number}" for number in batches)
        uses.append(f"catalog batch{'es' if len(batches) > 1 else ''} {numbers}, not applied, "
                    f"{'are' if len(batches) > 1 else 'is'} for it")  # fmt: skip
    if uses:
        message = f"Vendor {vendor.code} “{vendor.name}” is kept: {' and '.join(uses)}."
        if costs:
            message += " Its costs are its products' margins and history."
        if batches:
            message += " Apply or delete those batches first."
        raise CatalogListError(message)
    said = f"Vendor {vendor.code} “{vendor.name}” is deleted."
    session_of(data_set).delete(vendor)
    session_of(data_set).flush()
    touch_inputs(data_set, ["products"])
    return said
