from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.data_extraction.products import product_counts
from poser.models.orm import Department, Export, Product, ProductCost, Upload, Vendor
from poser.storage import memory_store
from poser.tasks.datasets import create_data_set
from poser.tasks.datasets import jobs as dataset_jobs
from poser.tasks.generate import generate_products
from poser.tasks.jobs import TaskError
from poser.tasks.products_data import SHEETS
from poser.tasks.uploads import store_upload
from tests.factories import make_user
from tests.unit.utils.tabular.builders import make_xlsx


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
    result = dataset_jobs.export(source, files=files, work_dir=tmp_path, job_id=7)
    # Recorded as an export of the data set, which the Exports page lists.
    export = dbsession.get_one(Export, result["export_id"])
    assert (export.data_set_id, export.export_type) == (source.id, "workbook")
    assert export.title == "Source Store: the whole data set"
    assert export.files == [result["filename"]]
    assert result["filename"].startswith("source-store-")
    assert export.row_count == sum(product_counts(dbsession, source.id).values())
    assert result["download"] == f"{export.folder}/{result['filename']}"
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


def test_an_uploaded_workbook_loads_into_an_empty_data_set_only(
    dbsession: Session, tmp_path: Path
) -> None:
    source = create_data_set(dbsession, "Source Store", "products", None)
    generate_products(source, products=60, seed=5)
    files = memory_store()
    exported = files.open(
        dataset_jobs.export(source, files=files, work_dir=tmp_path, job_id=8)["download"]
    )
    target = create_data_set(dbsession, "Target", "products", None)
    with exported:
        upload = store_upload(target, files, exported, "source.xlsx", None, 10**8, ("xlsx",))
    other = create_data_set(dbsession, "Other", "products", None)
    with pytest.raises(TaskError, match="no longer there"):
        dataset_jobs.import_upload(other, upload_id=upload.id, files=files)

    result = dataset_jobs.import_upload(target, upload_id=upload.id, files=files)
    assert result == {"file": "source.xlsx", **product_counts(dbsession, source.id)}
    assert product_counts(dbsession, target.id) == product_counts(dbsession, source.id)
    with pytest.raises(TaskError, match="has data already"):
        dataset_jobs.import_upload(target, upload_id=upload.id, files=files)

    gone = store_upload(
        other, files, io.BytesIO(files.read_bytes(upload.key)), "g.xlsx", None, 10**8
    )
    files.remove(gone.key)
    with pytest.raises(TaskError, match="no longer there"):
        dataset_jobs.import_upload(other, upload_id=gone.id, files=files)


def test_an_uploaded_workbook_with_bad_rows_leaves_the_data_set_empty(dbsession: Session) -> None:
    files = memory_store()
    target = create_data_set(dbsession, "Typed", "products", None)
    sheets: dict[str, list[list[object]]] = {n: [list(c)] for n, c in SHEETS.items()}
    sheets["products"].append(["UPC-ABC", "Pasta", None, None, None, 1, 0, True])
    upload = store_upload(target, files, io.BytesIO(make_xlsx(sheets)), "t.xlsx", None, 10**6)
    with pytest.raises(TaskError) as caught:
        dataset_jobs.import_upload(target, upload_id=upload.id, files=files)
    message = str(caught.value)
    assert message.startswith("Nothing was imported. In sheet 'products', row 2: upc:")
    assert "The data set “Typed” was left empty" in message
    assert set(product_counts(dbsession, target.id).values()) == {0}
    assert dbsession.get(Upload, upload.id) is not None
