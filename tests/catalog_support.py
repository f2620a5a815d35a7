"""A small catalog to compare vendor files with: two vendors, three departments, and
products whose costs are known, plus the way a test hands a file to a batch."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select, text
from sqlalchemy.orm import Session, aliased

from poser.models.orm import DataSet, Department, Product, ProductCost, Upload, User, Vendor
from poser.models.orm.search import SEARCH_MATCH, SEARCH_TABLE, VOCABULARY_TABLE, WORD_TABLE
from poser.storage.interface import FileStore
from poser.tasks.batches import get_handler
from poser.tasks.uploads import store_upload

HEADER = "UPC,Vendor Item #,Description,Brand,Size,Pack,Case Cost\n"
# Valid UPC-A codes (check digits right), stored as 14 digits.
UPC_BUTTER = "036000291452"
UPC_SOAP = "012345678905"
UPC_MILK = "042100005264"
UPC_NEW = "070038000563"
UPC_OTHER_VENDOR = "096619756803"


def make_catalog(dbsession: Session, data_set: DataSet) -> dict[str, Any]:
    """ACME sells butter (12 x 2.00), soap (6 x 1.50) and milk (4 x 3.00); BETA sells
    the item with UPC_OTHER_VENDOR. Returns the rows by name."""
    dairy = Department(data_set_id=data_set.id, number=1, name="Dairy")
    health = Department(data_set_id=data_set.id, number=2, name="Health")
    acme = Vendor(data_set_id=data_set.id, code="ACME", name="Acme Foods")
    beta = Vendor(data_set_id=data_set.id, code="BETA", name="Beta Supply")
    dbsession.add_all([dairy, health, acme, beta])
    dbsession.flush()
    products = {}
    for name, upc, department, vendor, pack, case_cost, code in (
        ("butter", UPC_BUTTER, dairy, acme, 12, "24.00", "A-100"),
        ("soap", UPC_SOAP, health, acme, 6, "9.00", "A-200"),
        ("milk", UPC_MILK, dairy, acme, 4, "12.00", "A-300"),
        ("other", UPC_OTHER_VENDOR, health, beta, 10, "10.00", "B-1"),
    ):
        product = Product(
            data_set_id=data_set.id,
            upc=upc.zfill(14),
            description=name.title(),
            department_id=department.id,
            regular_price=Decimal("5.00"),
        )
        dbsession.add(product)
        dbsession.flush()
        dbsession.add(
            ProductCost(
                data_set_id=data_set.id,
                product_id=product.id,
                vendor_id=vendor.id,
                vendor_item_code=code,
                case_size=pack,
                case_cost=Decimal(case_cost),
                unit_cost=(Decimal(case_cost) / pack).quantize(Decimal("0.0001")),
                preferred=True,
            )
        )
        products[name] = product
    dbsession.flush()
    return {"acme": acme, "beta": beta, "dairy": dairy, **products}


def upload_text(
    data_set: DataSet,
    files: FileStore,
    text: str | bytes,
    filename: str = "catalog.csv",
    user: User | None = None,
) -> Upload:
    data = text.encode() if isinstance(text, str) else text
    return store_upload(data_set, files, io.BytesIO(data), filename, user, 10_000_000)


def make_batch(
    data_set: DataSet, files: FileStore, text: str | bytes, vendor: Vendor, **options: Any
) -> Any:
    upload = upload_text(data_set, files, text, options.pop("filename", "catalog.csv"))
    return get_handler("catalog").make(
        data_set, files, upload=upload, parameters={"vendor_id": vendor.id, **options}
    )


def preferred_costs_out_of_step(dbsession: Session) -> list[tuple[Any, ...]]:
    """Products whose own preferred vendor and unit cost (kept by triggers) differ from
    their preferred cost's: (product id, held vendor, held cost, cost's vendor, cost)."""
    chosen = aliased(ProductCost)
    query = (
        select(
            Product.id,
            Product.preferred_vendor_id,
            Product.preferred_unit_cost,
            chosen.vendor_id,
            chosen.unit_cost,
        )
        .outerjoin(chosen, and_(chosen.product_id == Product.id, chosen.preferred))
        .where(
            or_(
                Product.preferred_vendor_id.is_distinct_from(chosen.vendor_id),
                Product.preferred_unit_cost.is_distinct_from(chosen.unit_cost),
            )
        )
    )
    return [tuple(row) for row in dbsession.execute(query)]


def description_words(description: str) -> set[str]:
    """A description's words as the words table holds them: split at spaces, ASCII
    letters in lower case (SQLite's lower() folds no other letter)."""
    folded = "".join(char.lower() if char.isascii() else char for char in description)
    return {word for word in folded.split(" ") if word}


def check_search_index(dbsession: Session) -> None:
    """On SQLite, every product is found by a search for its own description, the words
    table holds exactly each product's words (and the vocabulary each of them), and
    the triggers that index new products are there. (FTS5's 'integrity-check' compares
    an external-content index with its table only from SQLite 3.44; Debian's is
    older.)"""
    if dbsession.get_bind().dialect.name != "sqlite":
        return
    triggers = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'product_%'"
    made = set(dbsession.scalars(text(triggers)))
    assert {"product_search_insert", "product_word_insert"} <= made
    expected = set()
    for id_, data_set_id, description in dbsession.execute(
        select(Product.id, Product.data_set_id, Product.description)
    ):
        phrase = '"' + description.replace('"', '""') + '"'
        found = dbsession.scalars(select(SEARCH_TABLE.c.rowid).where(SEARCH_MATCH(phrase)))
        assert id_ in set(found), description
        expected |= {(data_set_id, w, description, id_) for w in description_words(description)}
    words = {tuple(row) for row in dbsession.execute(select(WORD_TABLE))}
    assert words == expected
    vocabulary = set(dbsession.scalars(select(VOCABULARY_TABLE.c.word)))
    assert {word for _, word, _, _ in words} <= vocabulary
