from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from poser.models.data_extraction.datasets import member_role, members
from poser.models.orm import Job, ParameterValue, Product, StepRun, Vendor
from poser.storage.backends import MemoryFileStore
from poser.tasks.datasets import (
    DataSetError,
    copied_tables,
    copy_data_set,
    create_data_set,
    delete_data_set,
    remove_member,
    rename_data_set,
    set_member,
)
from poser.tasks.exports import ExportColumn, write_export
from poser.tasks.generate import generate_products
from poser.tasks.parameters import save_parameters
from poser.tasks.steps import mark_step_done
from tests.catalog_support import (
    HEADER,
    UPC_BUTTER,
    check_search_index,
    make_batch,
    make_catalog,
    preferred_costs_out_of_step,
    upload_text,
)
from tests.factories import make_user


def test_create_makes_the_creator_owner_and_cleans_the_name(dbsession: Session) -> None:
    owner = make_user(dbsession)
    data_set = create_data_set(dbsession, "  Corner   Shop ", "demo", owner)
    assert (data_set.name, data_set.application) == ("Corner Shop", "demo")
    assert member_role(dbsession, data_set.id, owner.id) == "owner"
    for bad in ("", "   ", "x" * 201):
        with pytest.raises(DataSetError):
            create_data_set(dbsession, bad, "demo", owner)
    with pytest.raises(DataSetError):
        rename_data_set(data_set, " ")


def test_copy_takes_every_row_and_parameter_but_not_jobs_or_people(dbsession: Session) -> None:
    owner, other, copier = make_user(dbsession), make_user(dbsession), make_user(dbsession)
    source = create_data_set(dbsession, "Source", "demo", owner)
    set_member(source, other, "viewer")
    save_parameters(source, "options", {"vendor": "ACME", "tolerance": "2.5"})
    mark_step_done(source, "apply")
    dbsession.add(Job(kind="sample.touch", data_set_id=source.id, status="succeeded"))
    unrelated = create_data_set(dbsession, "Other", "demo", owner)
    save_parameters(unrelated, "options", {"vendor": "ZED"})
    dbsession.commit()

    copy = copy_data_set(source, "Copy", copier)
    dbsession.commit()
    assert (copy.name, copy.application) == ("Copy", "demo")
    assert members(dbsession, copy.id) == [(copier.username, "owner")]
    values = dbsession.execute(
        select(ParameterValue.name, ParameterValue.value).where(
            ParameterValue.data_set_id == copy.id
        )
    ).all()
    assert sorted(values) == [("tolerance", "2.5"), ("vendor", "ACME")]
    assert dbsession.scalar(select(StepRun.step).where(StepRun.data_set_id == copy.id)) == "apply"
    assert dbsession.scalars(select(Job).where(Job.data_set_id == copy.id)).all() == []
    # A kind without tables of its own ("demo") copies the framework's: its parameters.
    framework = ["parameter_value", "step_run", "input_change"]
    assert [t.name for t in copied_tables("demo")] == framework
    products = ["department", "vendor", "product", "product_cost"]
    assert [t.name for t in copied_tables("products")] == framework + products


def test_a_copys_products_hold_the_copys_own_preferred_vendors(dbsession: Session) -> None:
    owner = make_user(dbsession)
    source = create_data_set(dbsession, "Source", "products", owner)
    generate_products(source, products=40, seed=5)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(dbsession.get_bind(), "before_cursor_execute", seen)
    try:
        copy = copy_data_set(source, "Copy", owner)
        dbsession.flush()
    finally:
        event.remove(dbsession.get_bind(), "before_cursor_execute", seen)
    held = select(Vendor.data_set_id).join(Product, Product.preferred_vendor_id == Vendor.id)
    assert set(dbsession.scalars(held.where(Product.data_set_id == copy.id))) == {copy.id}
    assert set(dbsession.scalars(held.where(Product.data_set_id == source.id))) == {source.id}
    assert preferred_costs_out_of_step(dbsession) == []
    # On SQLite the copy's products join the description search at the end, a
    # statement a table, not row by row; and the triggers are back after.
    if dbsession.get_bind().dialect.name == "sqlite":
        assert "DROP TRIGGER product_word_insert" in statements
    check_search_index(dbsession)


def test_sharing_keeps_at_least_one_owner(dbsession: Session) -> None:
    owner, helper = make_user(dbsession), make_user(dbsession)
    data_set = create_data_set(dbsession, "Store", "demo", owner)
    set_member(data_set, helper, "editor")
    assert member_role(dbsession, data_set.id, helper.id) == "editor"
    with pytest.raises(DataSetError, match="Unknown role"):
        set_member(data_set, helper, "boss")
    with pytest.raises(DataSetError, match="at least one owner"):
        set_member(data_set, owner, "viewer")
    with pytest.raises(DataSetError, match="at least one owner"):
        remove_member(data_set, owner)
    set_member(data_set, helper, "owner")
    remove_member(data_set, owner)
    assert members(dbsession, data_set.id) == [(helper.username, "owner")]


def test_delete_names_the_folders_of_the_data_sets_files(dbsession: Session) -> None:
    files = MemoryFileStore()
    owner = make_user(dbsession)
    other = create_data_set(dbsession, "Other", "products", owner)
    upload_text(other, files, HEADER)
    data_set = create_data_set(dbsession, "Store", "products", owner)
    acme = make_catalog(dbsession, data_set)["acme"]
    make_batch(data_set, files, f"{HEADER}{UPC_BUTTER},A-100,Butter,,,12,24.00\n", acme)
    upload_text(data_set, files, HEADER)  # one no batch took
    columns = [ExportColumn("upc", "UPC")]
    write_export(data_set, files, export_type="report", title="Margins", basename="margins",
                 columns=columns, rows=lambda: [["1"]], formats=("csv",))  # fmt: skip
    files.write(f"exports/data-sets/{data_set.id}/store.xlsx", io.BytesIO(b"workbook"))
    others = files.list(f"uploads/{other.id}")
    assert len(files.list()) - len(others) == 4  # a batch's file, an upload, two exports

    for folder in delete_data_set(data_set):
        files.remove_tree(folder)
    assert files.list() == others


def test_delete_takes_all_the_data_sets_rows(dbsession: Session) -> None:
    data_set = create_data_set(dbsession, "Store", "demo", make_user(dbsession))
    save_parameters(data_set, "options", {"a": 1})
    dbsession.commit()
    data_set_id = data_set.id
    delete_data_set(data_set)
    dbsession.commit()
    assert (
        dbsession.scalars(
            select(ParameterValue).where(ParameterValue.data_set_id == data_set_id)
        ).all()
        == []
    )
