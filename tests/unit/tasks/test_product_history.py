"""The product change log: the tasks that change products record every change the
same way, with what made it (a page's edit, a batch applied by a job or a command)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import ProductChange
from poser.storage.backends import local_store
from poser.tasks.batches import get_handler
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.product_history import (
    ChangeSource,
    as_text,
    edit_on_page,
    product_values,
    record_product_changes,
)
from poser.tasks.products import update_product
from tests.catalog_support import HEADER, UPC_BUTTER, make_batch, make_catalog
from tests.factories import make_data_set, make_user
from tests.jobs_support import RecordingQueue


@pytest.fixture
def shop(dbsession: Session, tmp_path: Any) -> dict[str, Any]:
    owner = make_user(dbsession, "olga")
    data_set = make_data_set(dbsession, members={owner: "owner"})
    catalog = make_catalog(dbsession, data_set)
    dbsession.flush()
    return {"data_set": data_set, "files": local_store(tmp_path), "owner": owner, **catalog}


def _changes(dbsession: Session, **where: Any) -> list[ProductChange]:
    query = select(ProductChange).filter_by(**where).order_by(ProductChange.id)
    return list(dbsession.scalars(query))


def test_an_edit_records_each_changed_field_with_its_page_and_user(dbsession, shop) -> None:
    butter = shop["butter"]
    source = edit_on_page(shop["owner"], "products", "catalog")
    update_product(
        shop["data_set"],
        butter.id,
        # The description as it is, the price as text with a trailing zero: no change.
        {"description": "Butter", "regular_price": "5.000", "brand": "Dairy Gold"},
        source=source,
    )
    update_product(
        shop["data_set"],
        butter.id,
        {"regular_price": Decimal("5.49"), "active": False},
        source=source,
    )
    changes = _changes(dbsession, product_id=butter.id)
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("brand", "", "Dairy Gold"),
        ("regular_price", "5", "5.49"),
        ("active", "true", "false"),
    ]
    assert {(c.source, c.page, c.changed_by_id, c.data_set_id) for c in changes} == {
        ("edit", "products/catalog", shop["owner"].id, shop["data_set"].id)
    }
    assert all(c.changed_at is not None and c.batch_id is None for c in changes)


def test_a_refused_edit_records_nothing(dbsession, shop) -> None:
    source = edit_on_page(shop["owner"], "products", "catalog")
    with pytest.raises(ValueError, match="price"):
        update_product(shop["data_set"], shop["butter"].id, {"regular_price": "-1"}, source=source)
    assert _changes(dbsession) == []


def test_department_and_on_hand_changes_are_worded_by_name_and_number(dbsession, shop) -> None:
    butter = shop["butter"]
    before = product_values(butter)
    butter.department_id = shop["soap"].department_id
    butter.on_hand = Decimal("12.500")
    dbsession.flush()
    source = ChangeSource("job", job_id=7, reason="counted")
    changes = record_product_changes(butter, before, source)
    by_field = {c.field: (c.old_value, c.new_value) for c in changes}
    assert by_field["on_hand"] == ("0", "12.5")
    assert by_field["department"] == ("Dairy", "Health")
    assert {(c.source, c.job_id, c.reason) for c in changes} == {("job", 7, "counted")}


def test_values_are_kept_as_plain_text() -> None:
    assert [as_text(v) for v in (None, True, Decimal("3.990"), Decimal("12.000"), "x")] == [
        None,
        "true",
        "3.99",
        "12",
        "x",
    ]
    with pytest.raises(ValueError, match="source"):
        ChangeSource("screen")


def test_a_batch_applied_by_a_job_names_the_batch_its_row_and_the_job(dbsession, shop) -> None:
    text = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n"
    batch = make_batch(shop["data_set"], shop["files"], text, shop["acme"])
    get_handler("catalog").populate(batch, shop["files"])
    batch_jobs.execute(
        shop["data_set"],
        batch_id=batch.id,
        batch_version=batch.version,
        user_id=shop["owner"].id,
        queue=RecordingQueue(),
        job_id=41,
    )
    (change,) = _changes(dbsession, product_id=shop["butter"].id)
    assert (change.field, change.vendor_id) == ("cost", shop["acme"].id)
    assert (change.old_case_cost, change.new_case_cost) == (Decimal("24.00"), Decimal("26.40"))
    assert (change.old_unit_cost, change.new_unit_cost) == (Decimal("2"), Decimal("2.2"))
    assert (change.source, change.batch_id, change.job_id) == ("batch", batch.id, 41)
    assert change.batch_row_id is not None
    assert change.changed_by_id == shop["owner"].id


def test_a_batch_applied_by_a_command_names_it(dbsession, shop) -> None:
    text = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n"
    batch = make_batch(shop["data_set"], shop["files"], text, shop["acme"])
    get_handler("catalog").populate(batch, shop["files"])
    via = ChangeSource("command", command="poser catalog import")
    batch_jobs.execute_batch(batch, RecordingQueue(), None, via=via)
    (change,) = _changes(dbsession, product_id=shop["butter"].id)
    assert (change.source, change.command, change.changed_by_id) == (
        "batch",
        "poser catalog import",
        None,
    )
