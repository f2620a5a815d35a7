"""The queries of Poser's reports (poser.tasks.reports.catalog): each a select a report
streams (``yield_per``), one data set's rows only.

Inventory valuation is in ``valuation.py``, which more than a report reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from poser.models.orm import Department, Export, Job, Product, ProductChange, User, Vendor

#: Rows fetched at a time: a server-side cursor on PostgreSQL, so memory stays flat.
CHUNK = 2_000


def margin_rows(data_set_id: int) -> Select[Any]:
    """Per department (products in none last): number, department, products,
    with_margin (products that have one), average_margin (of those, to hundredths),
    margin_total (their sum, for an average over departments), own_target (the
    department's target, NULL when it has none)."""
    margin = Product.margin_percent
    return (
        select(
            Department.number.label("number"),
            Department.name.label("department"),
            func.count(Product.id).label("products"),
            func.count(margin).label("with_margin"),
            type_coerce(func.round(func.avg(margin), 2), margin.type).label("average_margin"),
            type_coerce(func.sum(margin), margin.type).label("margin_total"),
            Department.target_margin.label("own_target"),
        )
        .select_from(Product)
        .outerjoin(Department, Department.id == Product.department_id)
        .where(Product.data_set_id == data_set_id)
        .group_by(Department.id, Department.number, Department.name, Department.target_margin)
        .order_by(Department.number.is_(None), Department.number)
    )


def cost_change_rows(data_set_id: int, start: datetime, end: datetime) -> Select[Any]:
    """The vendor cost changes logged from ``start`` up to (not including) ``end``, by
    vendor, batch, then when: changed_at, upc, description, vendor_code, vendor,
    batch_id, old/new unit cost, old/new case cost, old/new case size, username,
    reason."""
    changed_by = aliased(User)
    return (
        select(
            ProductChange.changed_at,
            Product.upc,
            Product.description,
            Vendor.code.label("vendor_code"),
            Vendor.name.label("vendor"),
            ProductChange.batch_id,
            ProductChange.old_unit_cost,
            ProductChange.new_unit_cost,
            ProductChange.old_case_cost,
            ProductChange.new_case_cost,
            ProductChange.old_case_size,
            ProductChange.new_case_size,
            changed_by.username,
            ProductChange.reason,
        )
        .join(Product, Product.id == ProductChange.product_id)
        .outerjoin(Vendor, Vendor.id == ProductChange.vendor_id)
        .outerjoin(changed_by, changed_by.id == ProductChange.changed_by_id)
        .where(
            ProductChange.data_set_id == data_set_id,
            ProductChange.field == "cost",
            ProductChange.changed_at >= start,
            ProductChange.changed_at < end,
        )
        .order_by(
            Vendor.code.is_(None),
            Vendor.code,
            ProductChange.batch_id.is_(None),
            ProductChange.batch_id,
            ProductChange.changed_at,
            ProductChange.id,
        )
    )


def attention_conditions() -> dict[str, Any]:
    """Why a product needs attention, each a condition: an active product without a
    price, without a cost, selling under its cost or in no department; an inactive one
    still in stock."""
    active = Product.active.is_(True)
    return {
        "no_price": and_(active, Product.regular_price.is_(None)),
        "no_cost": and_(active, Product.preferred_unit_cost.is_(None)),
        "negative_margin": and_(active, Product.margin_percent < 0),
        "no_department": and_(active, Product.department_id.is_(None)),
        "inactive_with_stock": and_(Product.active.is_(False), Product.on_hand > 0),
    }


def attention_rows(data_set_id: int, reasons: list[str]) -> Select[Any]:
    """The products that need attention for any of ``reasons`` (keys of
    `attention_conditions`), by UPC: upc, description, department, vendor_code,
    regular_price, unit_cost, margin, on_hand, active."""
    conditions = attention_conditions()
    preferred = aliased(Vendor)
    return (
        select(
            Product.upc,
            Product.description,
            Department.name.label("department"),
            preferred.code.label("vendor_code"),
            Product.regular_price,
            Product.preferred_unit_cost.label("unit_cost"),
            Product.margin_percent.label("margin"),
            Product.on_hand,
            Product.active,
        )
        .outerjoin(Department, Department.id == Product.department_id)
        .outerjoin(preferred, preferred.id == Product.preferred_vendor_id)
        .where(Product.data_set_id == data_set_id, or_(*(conditions[r] for r in reasons)))
        .order_by(Product.upc)
    )


def report_runs(
    dbsession: Session, data_set_id: int, kinds: list[str], limit: int = 50
) -> list[tuple[Job, str | None, Export | None]]:
    """The data set's latest runs of the reports whose job kinds are ``kinds``, newest
    first: each Job, the username of who ran it (None: the system, or a user since
    deleted) and the Export it wrote (None until it has, or once it is deleted)."""
    runs = dbsession.execute(
        select(Job, User.username)
        .outerjoin(User, User.id == Job.user_id)
        .where(Job.data_set_id == data_set_id, Job.kind.in_(kinds))
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(limit)
    ).all()
    export_ids = {
        job.result.get("export_id")
        for job, _ in runs
        if isinstance(job.result, dict) and isinstance(job.result.get("export_id"), int)
    }
    exports = (
        {
            export.id: export
            for export in dbsession.scalars(
                select(Export).where(Export.data_set_id == data_set_id, Export.id.in_(export_ids))
            )
        }
        if export_ids
        else {}
    )
    return [
        (job, username, exports.get((job.result or {}).get("export_id"))) for job, username in runs
    ]
