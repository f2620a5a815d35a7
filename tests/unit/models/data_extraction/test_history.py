"""A product's timeline: its changes newest first, with who, the vendor and the batch
line, and nothing of another product or data set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from poser.models.data_extraction.history import product_timeline
from poser.models.orm import ProductChange
from tests.catalog_support import make_catalog
from tests.factories import make_data_set, make_user

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_timeline_is_the_products_own_changes_newest_first(dbsession: Session) -> None:
    user = make_user(dbsession, "olga")
    data_set = make_data_set(dbsession, members={user: "owner"})
    catalog = make_catalog(dbsession, data_set)
    butter, soap = catalog["butter"], catalog["soap"]

    def change(product: object, minutes: int, **values: object) -> ProductChange:
        row = ProductChange(
            data_set_id=data_set.id,
            product_id=product.id,  # type: ignore[attr-defined]
            changed_at=T0 + timedelta(minutes=minutes),
            **values,
        )
        dbsession.add(row)
        return row

    change(butter, 0, field="regular_price", old_value="5", new_value="5.49", source="edit",
           changed_by_id=user.id, page="products/catalog")  # fmt: skip
    change(butter, 5, field="cost", vendor_id=catalog["acme"].id, source="batch", batch_id=1)
    change(butter, 5, field="active", old_value="true", new_value="false", source="job")
    change(soap, 9, field="brand", old_value="", new_value="Suds", source="edit")
    dbsession.flush()

    timeline = product_timeline(dbsession, data_set.id, butter.id)
    assert [entry.change.field for entry in timeline] == ["active", "cost", "regular_price"]
    assert [entry.vendor_code for entry in timeline] == [None, "ACME", None]
    assert [entry.user for entry in timeline] == [None, None, "olga"]
    assert timeline[0].at == T0 + timedelta(minutes=5)
    assert product_timeline(dbsession, data_set.id, butter.id, limit=1)[0].change.field == "active"
    other = make_data_set(dbsession, members={user: "owner"})
    assert product_timeline(dbsession, other.id, butter.id) == []


def test_a_page_further_back_starts_after_the_change_it_names(dbsession: Session) -> None:
    data_set = make_data_set(dbsession)
    catalog = make_catalog(dbsession, data_set)
    butter, soap = catalog["butter"], catalog["soap"]
    # Two changes at one time (a batch's): the id orders them.
    changes = [
        ProductChange(
            data_set_id=data_set.id,
            product_id=butter.id,
            changed_at=T0 + timedelta(minutes=minutes),
            field="brand",
            new_value=str(n),
            source="edit",
        )
        for n, minutes in enumerate([0, 1, 1, 2])
    ]
    dbsession.add_all(changes)
    dbsession.flush()

    def values(**kw: object) -> list[str | None]:
        timeline = product_timeline(dbsession, data_set.id, butter.id, **kw)  # type: ignore[arg-type]
        return [entry.change.new_value for entry in timeline]

    assert values() == ["3", "2", "1", "0"]
    assert values(limit=2) == ["3", "2"]
    assert values(limit=2, before=changes[2].id) == ["1", "0"]
    assert values(before=changes[0].id) == []
    # Another product's change names no place in this one's: from the newest.
    other = ProductChange(
        data_set_id=data_set.id, product_id=soap.id, changed_at=T0, field="brand", source="edit"
    )
    dbsession.add(other)
    dbsession.flush()
    assert values(before=other.id) == ["3", "2", "1", "0"]
