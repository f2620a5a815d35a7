"""Sample data: a realistic grocery catalog of any size, the same for the same seed.

Built for a million products in a minute or two (73 s on SQLite, 100 on PostgreSQL,
the catalog's triggers and search index included): rows are made one chunk at a time
(never all in memory) and written with `poser.tasks.bulk`, whose notes say why it does
not go through the ORM nor through SQLAlchemy's per-row parameters. The products'
description search is indexed once at the end (`search_indexed_after`).
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from functools import cache
from itertools import accumulate
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from poser.models.orm import DataSet, Department, Product, ProductCost, Vendor
from poser.models.orm.search import search_indexed_after
from poser.tasks.bulk import PRODUCT_LOAD_CACHE_KIB, bulk_load, insert_rows, refresh_statistics
from poser.tasks.generate_words import BRAND_PREFIXES, DEPARTMENTS, VENDORS, DepartmentWords
from poser.tasks.job_kinds import job_kind
from poser.tasks.jobs import TaskError
from poser.tasks.products_data import PRODUCTS_FORMAT
from poser.tasks.sessions import session_of
from poser.utils.progress import NullProgress, Progress

CHUNK_SIZE = 20_000
MAX_PRODUCTS = 5_000_000
BRANDS_PER_DEPARTMENT = 20
_ITEM_CODES = 100_000  # the five item digits of a UPC-A, per manufacturer prefix
_PRICE_ENDINGS = (29, 49, 79, 99)

Row = dict[str, Any]


@job_kind("datasets.generate", "Generate sample products", scope="data_set", permission="edit")
def generate_products(
    data_set: DataSet,
    *,
    products: int,
    seed: int = 1,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> dict[str, int]:
    """Fill an empty data set with departments, vendors, ``products`` products and their
    vendor costs (one to three each, exactly one preferred); returns the row counts.

    The caller owns the transaction: nothing is committed here.
    """
    if not 0 <= products <= MAX_PRODUCTS:
        raise TaskError(f"Choose between 0 and {MAX_PRODUCTS:,} products.")
    progress = progress or NullProgress()
    session = session_of(data_set)
    if not PRODUCTS_FORMAT.is_empty(session, data_set.id):
        raise TaskError("This data set has catalog data already; generate into an empty one.")
    connection = session.connection()
    department_ids = _insert_departments(connection, data_set.id)
    vendor_ids = _insert_vendors(connection, data_set.id)
    progress.log(f"{len(department_ids)} departments and {len(vendor_ids)} vendors added")
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    plan = _Plan(rng, data_set.id, department_ids, vendor_ids)
    product_table: Table = Product.__table__  # type: ignore[assignment]
    cost_table: Table = ProductCost.__table__  # type: ignore[assignment]
    costs = 0
    with (
        bulk_load(connection, PRODUCT_LOAD_CACHE_KIB),
        search_indexed_after(connection, data_set.id),
    ):
        for start in range(0, products, chunk_size):
            count = min(chunk_size, products - start)
            ids = _reserve_ids(connection, product_table, count)
            product_rows, cost_rows = plan.chunk(start, ids)
            insert_rows(connection, product_table, product_rows)
            insert_rows(connection, cost_table, cost_rows)
            costs += len(cost_rows)
            done = start + count
            progress.update(done, products, f"{done:,} of {products:,} products")
    # The grid's plans depend on statistics: SQLite has none until ANALYZE runs.
    refresh_statistics(connection, product_table)
    refresh_statistics(connection, cost_table)
    return {
        "departments": len(department_ids),
        "vendors": len(vendor_ids),
        "products": products,
        "product_costs": costs,
    }


def _insert_departments(connection: Connection, data_set_id: int) -> dict[int, int]:
    rows = [{"data_set_id": data_set_id, "number": d.number, "name": d.name} for d in DEPARTMENTS]
    insert_rows(connection, Department.__table__, rows)  # type: ignore[arg-type]
    query = select(Department.number, Department.id).where(Department.data_set_id == data_set_id)
    return dict(connection.execute(query).all())


def _insert_vendors(connection: Connection, data_set_id: int) -> dict[str, int]:
    rows = [{"data_set_id": data_set_id, "code": code, "name": name} for code, name, _ in VENDORS]
    insert_rows(connection, Vendor.__table__, rows)  # type: ignore[arg-type]
    query = select(Vendor.code, Vendor.id).where(Vendor.data_set_id == data_set_id)
    return dict(connection.execute(query).all())


def _reserve_ids(connection: Connection, table: Table, count: int) -> Sequence[int]:
    """``count`` primary keys for rows about to be inserted, for costs to refer to.

    Assigning ids here spares reading them back after each insert. PostgreSQL hands
    them out from the table's sequence, safe beside concurrent writers. SQLite lets one
    writer in at a time, so the largest id so far will do: a writer that got in since
    this transaction first read makes its next write fail, never collide.
    """
    if connection.dialect.name == "postgresql":
        query = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        return list(connection.scalars(query, {"table": table.name, "n": count}))
    start = (connection.scalar(select(func.max(table.c.id))) or 0) + 1
    return range(start, start + count)


@cache
def _item_sums() -> list[int]:
    """The UPC-A check sum of each five-digit item number (positions 7-11 weigh 3,1,3,1,3)."""
    return [
        3 * (n // 10000 + n // 100 % 10 + n % 10) + (n // 1000 % 10 + n // 10 % 10)
        for n in range(_ITEM_CODES)
    ]


class _Brand:
    """A brand and its manufacturer prefix; a new prefix after 99,999 items."""

    def __init__(self, name: str, plan: _Plan) -> None:
        self.name = name
        self._plan = plan
        self._prefix = ""
        self._prefix_sum = 0
        self._next_item = _ITEM_CODES  # no prefix yet: take one with the first item

    def next_upc(self) -> str:
        if self._next_item == _ITEM_CODES:
            self._prefix = self._plan.new_prefix()
            # Positions 1-6 of a UPC-A weigh 3,1,3,1,3,1.
            self._prefix_sum = sum(
                int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(self._prefix)
            )
            self._next_item = 1
        item = self._next_item
        self._next_item += 1
        check = (10 - (self._prefix_sum + _item_sums()[item]) % 10) % 10
        # Stored as GTIN-14: two zeros, then the 12 digits of the UPC-A.
        return f"00{self._prefix}{item:05d}{check}"


class _DepartmentPlan:
    def __init__(self, words: DepartmentWords, department_id: int, plan: _Plan) -> None:
        self.words = words
        self.department_id = department_id
        self.kinds = [f"{kind} " if kind else "" for kind in words.kinds]
        self.variants = [f"{variant} " if variant else "" for variant in words.variants]
        names = [f"{p} {s}" for p in BRAND_PREFIXES for s in words.brand_suffixes]
        self.brands = [_Brand(n, plan) for n in plan.rng.sample(names, BRANDS_PER_DEPARTMENT)]
        self.vendors = [
            plan.vendor_ids[code] for code, _, numbers in VENDORS if words.number in numbers
        ]


class _Plan:
    """The choices made once per data set (brands, prefixes), then the rows of each
    chunk. Every random draw happens in product order, so a seed gives the same catalog
    whatever the chunk size and whichever database ids the rows get."""

    def __init__(
        self,
        rng: random.Random,
        data_set_id: int,
        department_ids: dict[int, int],
        vendor_ids: dict[str, int],
    ) -> None:
        self.rng = rng
        self.data_set_id = data_set_id
        self.vendor_ids = vendor_ids
        self._prefixes: set[str] = set()
        self.departments = [_DepartmentPlan(d, department_ids[d.number], self) for d in DEPARTMENTS]
        self._thresholds = list(accumulate(d.share for d in DEPARTMENTS))
        # A vendor numbers its items from a base of its own, in the order of this
        # catalog: unique per vendor, and their index grows at one end, not everywhere.
        self._item_code_bases = {
            vendor_ids[code]: rng.randrange(10**6, 3 * 10**6) for code, _, _ in VENDORS
        }

    def new_prefix(self) -> str:
        # Number systems 0, 7 and 8 are the ones regular UPC-A items use.
        while True:
            prefix = f"{self.rng.choice('00078')}{self.rng.randrange(1, 100_000):05d}"
            if prefix not in self._prefixes:
                self._prefixes.add(prefix)
                return prefix

    def chunk(self, first: int, ids: Sequence[int]) -> tuple[list[Row], list[Row]]:
        """Products ``first``, ``first + 1``... with the given ids, and their costs."""
        r = self.rng.random
        data_set_id = self.data_set_id
        departments, thresholds = self.departments, self._thresholds
        scale, last = thresholds[-1], len(departments) - 1
        products: list[Row] = []
        costs: list[Row] = []
        for number, product_id in enumerate(ids, start=first):
            department = departments[min(bisect(thresholds, r() * scale), last)]
            words = department.words
            item = words.items[int(r() * len(words.items))]
            kind = department.kinds[int(r() * len(department.kinds))]
            variant = department.variants[int(r() * len(department.variants))]
            brand = department.brands[int(r() * len(department.brands))]
            dollars = int(item.low + r() * (item.high - item.low))
            price = (dollars * 100 + _PRICE_ENDINGS[int(r() * 4)]) / 100
            products.append(
                {
                    "id": product_id,
                    "data_set_id": data_set_id,
                    "upc": brand.next_upc(),
                    "description": f"{kind}{variant}{item.noun}",
                    "brand": brand.name,
                    "size": item.sizes[int(r() * len(item.sizes))],
                    "department_id": department.department_id,
                    "regular_price": price,
                    "on_hand": round(r() * 60, 3) if words.weighed else int(r() * 48),
                    "active": r() < 0.97,
                }
            )
            # The product holds its preferred cost too: written here, the cost's trigger
            # finds it so and leaves the row alone (a second write of every product).
            vendor_id, unit_cost = self._costs(costs, number, product_id, department, price)
            products[-1]["preferred_vendor_id"] = vendor_id
            products[-1]["preferred_unit_cost"] = unit_cost
        return products, costs

    def _costs(
        self,
        costs: list[Row],
        number: int,
        product_id: int,
        department: _DepartmentPlan,
        price: float,
    ) -> tuple[int, float]:
        """Add the product's costs to ``costs``; (vendor id, unit cost) of the preferred."""
        r = self.rng.random
        words = department.words
        pool = department.vendors
        how_many = min(1 + (r() < 0.55) + (r() < 0.2), len(pool))
        first_vendor = int(r() * len(pool))
        low, high = words.margin
        unit = price * (1 - (low + r() * (high - low)))
        for k in range(how_many):
            vendor_id = pool[(first_vendor + k) % len(pool)]
            pack = words.packs[int(r() * len(words.packs))]
            # Other vendors charge a little more or less than the preferred one.
            factor = 1.0 if k == 0 else 0.94 + r() * 0.14
            case_cost = max(0.01, round(unit * factor * pack, 2))
            costs.append(
                {
                    "data_set_id": self.data_set_id,
                    "product_id": product_id,
                    "vendor_id": vendor_id,
                    "vendor_item_code": str(self._item_code_bases[vendor_id] + number),
                    "case_size": pack,
                    "case_cost": case_cost,
                    "unit_cost": round(case_cost / pack, 4),
                    "preferred": k == 0,
                }
            )
        preferred = costs[-how_many]
        return preferred["vendor_id"], preferred["unit_cost"]
