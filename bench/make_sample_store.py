"""Make the example data shipped in poser/data/ (run it again after changing the generator):

- sample_store.xlsx: the "Sample Store" data set (3,000 generated products), as
  `poser data-set export` writes it;
- sample_vendor_catalog.csv: one vendor's catalog for that store, for catalog batches:
  mostly its current items, some at new costs, and some items the store lacks.

    .venv/bin/python bench/make_sample_store.py

The same code and seeds give the same files.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from poser.models.db_management import alembic_config
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import DataSet, Product, ProductCost
from poser.tasks.datasets.workbook import export_data_set
from poser.tasks.generate import generate_products
from poser.utils.upc import check_digit

DATA = Path(__file__).resolve().parents[1] / "poser" / "data"
NAME = "Sample Store"
PRODUCTS = 3000
SEED = 2026
CATALOG_ROWS = 500
NEW_ITEMS = 20
CHANGED_SHARE = 0.15
# The data set's creation date goes into the workbook: fixed, so reruns match.
CREATED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HEADERS = ["UPC", "Vendor Item #", "Brand", "Description", "Size", "Pack", "Case Cost"]


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        settings = {"sqlalchemy.url": f"sqlite:///{Path(scratch) / 'sample.sqlite'}"}
        command.upgrade(alembic_config(settings), "head")
        engine = get_engine(settings)
        try:
            with write_transaction(get_session_factory(engine)) as session:
                data_set = DataSet(name=NAME, application="products", created_at=CREATED)
                session.add(data_set)
                session.flush()
                counts = generate_products(data_set, products=PRODUCTS, seed=SEED)
                with (DATA / "sample_store.xlsx").open("wb") as stream:
                    export_data_set(data_set, stream)
                rows = vendor_catalog(session, data_set.id)
        finally:
            engine.dispose()
    with (DATA / "sample_vendor_catalog.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    print(f"sample_store.xlsx: {counts}", file=sys.stderr)
    print(f"sample_vendor_catalog.csv: {len(rows)} rows", file=sys.stderr)


def vendor_catalog(session: Session, data_set_id: int) -> list[list[str]]:
    """The catalog of the vendor supplying the most of the store's items: those items
    (some at new costs), then items the store buys elsewhere, then items it lacks."""
    rng = random.Random(SEED)
    per_vendor = (
        select(ProductCost.vendor_id)
        .where(ProductCost.data_set_id == data_set_id)
        .group_by(ProductCost.vendor_id)
        .order_by(func.count().desc(), ProductCost.vendor_id)
        .limit(1)
    )
    vendor_id = session.scalar(per_vendor)
    supplied = (
        select(Product, ProductCost)
        .join(ProductCost, ProductCost.product_id == Product.id)
        .where(ProductCost.vendor_id == vendor_id)
        .order_by(ProductCost.vendor_item_code)
        .limit(CATALOG_ROWS - NEW_ITEMS)
    )
    rows: list[list[str]] = []
    departments: set[int | None] = set()
    for product, cost in session.execute(supplied):
        departments.add(product.department_id)
        case_cost = cost.case_cost
        if rng.random() < CHANGED_SHARE:
            # Mostly increases, as in real price lists.
            change = Decimal(str(round(rng.uniform(-0.04, 0.12), 3)))
            case_cost = (case_cost * (1 + change)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows.append(_row(product, cost.vendor_item_code, cost.case_size, case_cost))
    next_code = int(max(row[1] for row in rows)) + 1
    other = aliased(ProductCost)
    elsewhere = (
        select(Product, ProductCost)
        .join(ProductCost, ProductCost.product_id == Product.id)
        .where(
            Product.data_set_id == data_set_id,
            Product.department_id.in_(departments),
            ProductCost.preferred,
            ~select(other.id)
            .where(other.product_id == Product.id, other.vendor_id == vendor_id)
            .exists(),
        )
        .order_by(Product.upc)
        .limit(max(0, CATALOG_ROWS - NEW_ITEMS - len(rows)))
    )
    for product, cost in session.execute(elsewhere):
        factor = Decimal(str(round(rng.uniform(0.95, 1.08), 3)))
        case_cost = (cost.case_cost * factor).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rows.append(_row(product, str(next_code), cost.case_size, case_cost))
        next_code += 1
    templates = list(rows)
    for n in range(NEW_ITEMS):
        template = rng.choice(templates)
        # The template's manufacturer prefix, an item number it does not use yet.
        body = f"{template[0][:6]}{90000 + n:05d}"
        upc = f"{body}{check_digit(body)}"
        rows.append([upc, str(next_code), template[2], f"New {template[3]}", *template[4:]])
        next_code += 1
    rows.sort(key=lambda row: row[1])
    return rows


def _row(product: Product, code: str, pack: int, case_cost: Decimal) -> list[str]:
    # Vendors send the 12-digit UPC-A, not the 14 digits the store keeps.
    return [product.upc[-12:], code, product.brand, product.description, product.size,
            str(pack), f"{case_cost:.2f}"]  # fmt: skip


if __name__ == "__main__":
    main()
