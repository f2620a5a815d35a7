from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.data_extraction.products import product_counts
from poser.models.orm import DataSet, Department, Job, Product, ProductCost, Vendor
from poser.tasks import jobs
from poser.tasks.generate import MAX_PRODUCTS, generate_products
from poser.tasks.job_kinds import get_kind
from poser.tasks.jobs import TaskError
from poser.utils.upc import has_valid_check_digit
from tests.catalog_support import check_search_index, preferred_costs_out_of_step
from tests.factories import make_data_set
from tests.jobs_support import RecordingQueue

N = 500


class Recorder:
    def __init__(self) -> None:
        self.updates: list[tuple[float, float | None]] = []
        self.lines: list[str] = []

    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        self.updates.append((done, total))

    def log(self, line: str) -> None:
        self.lines.append(line)


def _catalog(dbsession: Session, data_set: DataSet) -> list[tuple[Any, ...]]:
    """Everything generated, by natural keys (ids differ from one data set to another)."""
    products = dbsession.execute(
        select(
            Product.upc,
            Product.description,
            Product.brand,
            Product.size,
            Department.number,
            Product.regular_price,
            Product.on_hand,
            Product.active,
        )
        .join(Department, Department.id == Product.department_id)
        .where(Product.data_set_id == data_set.id)
        .order_by(Product.upc)
    ).all()
    costs = dbsession.execute(
        select(
            Product.upc,
            Vendor.code,
            ProductCost.vendor_item_code,
            ProductCost.case_size,
            ProductCost.case_cost,
            ProductCost.unit_cost,
            ProductCost.preferred,
        )
        .join(Product, Product.id == ProductCost.product_id)
        .join(Vendor, Vendor.id == ProductCost.vendor_id)
        .where(ProductCost.data_set_id == data_set.id)
        .order_by(Product.upc, Vendor.code)
    ).all()
    return [tuple(row) for row in products] + [tuple(row) for row in costs]


def test_counts_and_a_realistic_catalog(dbsession: Session) -> None:
    data_set = make_data_set(dbsession)
    progress = Recorder()
    result = generate_products(data_set, products=N, progress=progress, chunk_size=200)
    assert product_counts(dbsession, data_set.id) == result
    assert (result["departments"], result["vendors"], result["products"]) == (15, 40, N)
    assert N * 1.4 < result["product_costs"] < N * 2.1
    assert progress.updates == [(200, N), (400, N), (500, N)]
    assert progress.lines == ["15 departments and 40 vendors added"]

    departments = dbsession.scalar(
        select(func.count(func.distinct(Product.department_id))).where(
            Product.data_set_id == data_set.id
        )
    )
    assert departments == 15
    prices = dbsession.scalars(select(Product.regular_price)).all()
    assert all(price > 0 and price.as_tuple().exponent == -2 for price in prices)
    descriptions = set(dbsession.scalars(select(Product.description)))
    assert len(descriptions) > N / 2


def test_upcs_are_valid_upc_a_codes_stored_as_gtin_14(dbsession: Session) -> None:
    data_set = make_data_set(dbsession)
    generate_products(data_set, products=N)
    upcs = dbsession.scalars(select(Product.upc)).all()
    assert len(set(upcs)) == N
    for upc in upcs:
        assert len(upc) == 14, upc
        assert upc.startswith("00"), upc
        assert has_valid_check_digit(upc[2:]), upc


def test_each_product_has_one_to_three_costs_exactly_one_preferred(dbsession: Session) -> None:
    data_set = make_data_set(dbsession)
    generate_products(data_set, products=N)
    per_product = dbsession.execute(
        select(
            ProductCost.product_id,
            func.count(),
            func.sum(cast(ProductCost.preferred, Integer)),
        ).group_by(ProductCost.product_id)
    ).all()
    assert len(per_product) == N
    assert {count for _, count, _ in per_product} == {1, 2, 3}
    assert {preferred for _, _, preferred in per_product} == {1}
    costs = dbsession.scalars(select(ProductCost)).all()
    assert all(
        abs(cost.unit_cost * cost.case_size - cost.case_cost) < Decimal("0.01") for cost in costs
    )
    assert preferred_costs_out_of_step(dbsession) == []
    check_search_index(dbsession)  # indexed in one statement at the end (SQLite)


def test_the_same_seed_gives_the_same_catalog_whatever_the_chunks(dbsession: Session) -> None:
    first, second, third = (make_data_set(dbsession, name) for name in ("A", "B", "C"))
    generate_products(first, products=300, seed=7)
    generate_products(second, products=300, seed=7, chunk_size=64)
    generate_products(third, products=300, seed=8)
    assert _catalog(dbsession, first) == _catalog(dbsession, second)
    assert _catalog(dbsession, first) != _catalog(dbsession, third)


def test_refuses_a_data_set_with_a_catalog_and_absurd_sizes(dbsession: Session) -> None:
    data_set = make_data_set(dbsession)
    generate_products(data_set, products=5)
    with pytest.raises(TaskError, match="has catalog data already"):
        generate_products(data_set, products=5)
    with pytest.raises(TaskError, match="Choose between 0 and"):
        generate_products(make_data_set(dbsession, "Other"), products=MAX_PRODUCTS + 1)


def test_runs_as_a_job(session_factory: sessionmaker[Session], dbsession: Session) -> None:
    kind = get_kind("datasets.generate")
    assert (kind.scope, kind.function) == ("data_set", generate_products)
    assert generate_products.job_kind is kind  # what a caller submits
    queue = RecordingQueue()
    data_set = make_data_set(dbsession)
    job = jobs.submit(
        dbsession, queue, generate_products, data_set=data_set, parameters={"products": 50}
    )
    dbsession.commit()
    status = jobs.run(session_factory, queue, job.id, worker="test")
    assert status == "succeeded"
    dbsession.expire_all()
    result = dbsession.get_one(Job, job.id).result
    assert result is not None
    assert result["products"] == 50
    assert product_counts(dbsession, data_set.id)["products"] == 50
