from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.data_extraction.products import product_counts
from poser.models.orm import Department, Product, ProductCost, Vendor
from poser.storage import memory_store
from poser.tasks import dataset_jobs
from poser.tasks.datasets import create_data_set
from poser.tasks.generate import generate_products
from poser.tasks.jobs import TaskError
from tests.factories import make_user


def test_the_sample_store_example_loads(dbsession: Session) -> None:
    data_set = create_data_set(dbsession, "Sample", "products", None)
    counts = dataset_jobs.load_example(data_set, resource="poser:data/sample_store.xlsx")
    assert counts["products"] == 3000
    assert product_counts(dbsession, data_set.id)["products"] == 3000
    for bad in ("poser:../secrets.xlsx", "os:passwd.xlsx", "poser:data/missing.xlsx", "x"):
        with pytest.raises(TaskError):
            dataset_jobs.load_example(data_set, resource=bad)


def test_export_stores_a_file_that_imports_to_the_same_data(
    dbsession: Session, tmp_path: Path
) -> None:
    source = create_data_set(dbsession, "Source Store", "products", None)
    generate_products(source, products=200, seed=3)
    files = memory_store()
    result = dataset_jobs.export(source, files=files, work_dir=tmp_path)
    assert result["download"].startswith(f"exports/data-sets/{source.id}/source-store-")
    assert files.size(result["download"]) == result["bytes"] > 0
    copy = create_data_set(dbsession, "Imported", "products", None)
    with files.open(result["download"]) as stream:
        dataset_jobs.import_data_set(copy, stream)
    assert product_counts(dbsession, copy.id) == product_counts(dbsession, source.id)


def _costs_by_upc(dbsession: Session, data_set_id: int) -> set[tuple[str, str, str, object]]:
    rows = dbsession.execute(
        select(Product.upc, Department.name, Vendor.code, ProductCost.unit_cost)
        .join(ProductCost, ProductCost.product_id == Product.id)
        .join(Vendor, Vendor.id == ProductCost.vendor_id)
        .outerjoin(Department, Department.id == Product.department_id)
        .where(Product.data_set_id == data_set_id)
    )
    return {tuple(row) for row in rows}


def test_a_copy_keeps_every_relation_inside_the_copy(dbsession: Session) -> None:
    owner = make_user(dbsession)
    source = create_data_set(dbsession, "Source", "products", owner)
    generate_products(source, products=300, seed=5)
    dbsession.commit()
    result = dataset_jobs.copy(source, name="What-if", owner_id=owner.id)
    dbsession.commit()
    copy_id = result["data_set_id"]
    assert product_counts(dbsession, copy_id) == product_counts(dbsession, source.id)
    assert _costs_by_upc(dbsession, copy_id) == _costs_by_upc(dbsession, source.id)
    # No row of the copy points into the source.
    crossing = dbsession.scalar(
        select(func.count())
        .select_from(ProductCost)
        .join(Product, Product.id == ProductCost.product_id)
        .where(ProductCost.data_set_id == copy_id, Product.data_set_id != copy_id)
    )
    assert crossing == 0
    wrong_department = dbsession.scalar(
        select(func.count())
        .select_from(Product)
        .join(Department, Department.id == Product.department_id)
        .where(Product.data_set_id == copy_id, Department.data_set_id != copy_id)
    )
    assert wrong_department == 0
    # And the copy can grow: new rows get fresh ids on both databases.
    dbsession.add(Department(data_set_id=copy_id, number=999, name="New"))
    dbsession.flush()
