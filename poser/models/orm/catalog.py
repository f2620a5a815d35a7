"""The product catalog of a data set: departments, vendors, products and their costs.

Each table's unique keys start from the data set, so two data sets (two stores, a store
and its what-if copy) may hold the same department numbers, vendor codes and UPCs.
Indexes are chosen for the Products grid: one data set at a time, paged, filtered and
sorted by the columns operators use, over a million products.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .datasets import DataSetMixin
from .meta import Base

#: A product's margin: (price - unit cost) / price as a percent, to hundredths; NULL
#: without a positive price or a preferred cost. 100.0, not 100: SQLite stores whole
#: prices as integers, and integer division would truncate; PostgreSQL reads 100.0 as
#: numeric, keeping the sum exact.
MARGIN_PERCENT_SQL = (
    "CASE WHEN regular_price > 0 AND preferred_unit_cost IS NOT NULL "
    "THEN round((regular_price - preferred_unit_cost) * 100.0 / regular_price, 2) END"
)


class Department(DataSetMixin, Base):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("data_set_id", "number", name="uq_department_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    #: The margin the department aims for, a percent of the price.
    target_margin: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))

    def __repr__(self) -> str:
        return f"<Department {self.number} {self.name!r}>"


class Vendor(DataSetMixin, Base):
    __tablename__ = "vendor"
    __table_args__ = (UniqueConstraint("data_set_id", "code", name="uq_vendor_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    #: Where its new items go, and the mapping of its last upload (header -> column).
    #: No foreign key: migration 0018 says why; deleting a department clears it.
    #: "refers_to" tells a data set's copy which ids it follows.
    default_department_id: Mapped[int | None] = mapped_column(info={"refers_to": "department"})
    column_mapping: Mapped[dict[str, str | None] | None] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<Vendor {self.code} {self.name!r}>"


class Product(DataSetMixin, Base):
    """One item the store sells.

    ``upc`` holds digits only, zero-padded to 14 (GTIN-14), so a UPC-A, an EAN-13 and a
    scale or store code compare equal however a file spelled them.
    """

    __tablename__ = "product"
    __table_args__ = (
        UniqueConstraint("data_set_id", "upc", name="uq_product_upc"),
        CheckConstraint("regular_price >= 0", name="regular_price_not_negative"),
        # The grid's filters and sort orders, each within one data set. Each sort's
        # index ends in the id, the grid's tie-break, so that the page's keys are read
        # from the index alone (SQLite ends every index in the rowid anyway;
        # PostgreSQL otherwise reads each row, and picks the price index for a
        # department sorted by price: 400 ms instead of 24).
        # A department's products by price, in the grid's order: a department sorted
        # by price, or in a price range, reads only its page.
        Index(
            "ix_product_department_price",
            "data_set_id",
            "department_id",
            "regular_price",
            "id",
        ),
        Index("ix_product_description", "data_set_id", "description", "id"),
        Index("ix_product_brand", "data_set_id", "brand", "id"),
        # The active filter's count (the grid counts a filter's matches on every page).
        Index("ix_product_active", "data_set_id", "active", "id"),
        # With the margin and the description: a margin filter or a search, over the
        # rows by price, reads no row (migration 0012).
        Index(
            "ix_product_regular_price",
            "data_set_id",
            "regular_price",
            "id",
            "margin_percent",
            "description",
        ),
        # The margin's filter and sort, and a department's products by margin: the
        # margins are set per department, so its products lie far along the margin
        # index, and too many to sort (Grocery's 240,000: 240 ms).
        Index("ix_product_margin", "data_set_id", "margin_percent", "id"),
        Index(
            "ix_product_department_margin",
            "data_set_id",
            "department_id",
            "margin_percent",
            "id",
        ),
        # A department's or a vendor's products by description, and by every other
        # sort: the matches of a department or a vendor often lie far along the
        # sort's own index, and too many to sort (migration 0011).
        Index(
            "ix_product_department_description",
            "data_set_id",
            "department_id",
            "description",
            "id",
        ),
        Index("ix_product_department_upc", "data_set_id", "department_id", "upc", "id"),
        Index("ix_product_department_brand", "data_set_id", "department_id", "brand", "id"),
        Index(
            "ix_product_preferred_vendor",
            "data_set_id",
            "preferred_vendor_id",
            "description",
            "id",
        ),
        Index("ix_product_vendor_upc", "data_set_id", "preferred_vendor_id", "upc", "id"),
        Index("ix_product_vendor_brand", "data_set_id", "preferred_vendor_id", "brand", "id"),
        Index(
            "ix_product_vendor_price", "data_set_id", "preferred_vendor_id", "regular_price", "id"
        ),
        Index(
            "ix_product_vendor_margin", "data_set_id", "preferred_vendor_id", "margin_percent", "id"
        ),
        # A product's change log names its data set and its product; the pair's key
        # lets one foreign key check both (see ProductChange). It serves whatever an
        # index on the data set alone would, so the product has no such index.
        Index("uq_product_data_set_id", "data_set_id", "id", unique=True),
        # Half of each page free on PostgreSQL: a count's new on-hand (no index holds
        # it) then fits beside the old row, a heap-only update that adds no index entry
        # (migration 0023).
        {"postgresql_with": {"fillfactor": 50}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = mapped_column(ForeignKey("data_set.id", ondelete="CASCADE"))
    upc: Mapped[str] = mapped_column(String(14))
    description: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[str] = mapped_column(String(50), default="")
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL")
    )
    # None until someone prices it (a new item from a vendor catalog).
    regular_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # Thousandths: weighed items are counted in pounds or kilograms.
    on_hand: Mapped[Decimal] = mapped_column(Numeric(12, 3), default=Decimal(0))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The preferred cost's vendor and unit cost, for the grid's vendor filter and its
    # margins without a lookup per product. Triggers on product_cost keep them (see
    # migration 0007); nothing else writes them, but a bulk writer may set them with
    # the product so that the triggers find nothing to do. No foreign key (the cost's
    # keeps it); "refers_to" tells a data set's copy which ids it follows.
    preferred_vendor_id: Mapped[int | None] = mapped_column(info={"refers_to": "vendor"})
    preferred_unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))
    # The margin, worked out by the database from the two columns above it, so that an
    # index holds it: filtered or sorted by margin, a page reads its rows from the
    # index, where working it out per row read every product (see migration 0010).
    # SQLite's is VIRTUAL (ALTER TABLE cannot add a stored one); indexed, it reads
    # the same. Wide enough for a cent's price at the dearest cost.
    margin_percent: Mapped[Decimal | None] = mapped_column(
        Numeric(14, 2), Computed(MARGIN_PERCENT_SQL, persisted=True)
    )

    department: Mapped[Department | None] = relationship()
    costs: Mapped[list[ProductCost]] = relationship(
        back_populates="product", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Product {self.upc} {self.description!r}>"


class ProductCost(DataSetMixin, Base):
    """What one vendor charges for a product. At most one cost per product is preferred:
    the one its margin is computed from and orders go to."""

    __tablename__ = "product_cost"
    __table_args__ = (
        # product_id leads so that this index also serves the lookups by product (the
        # grid's join, the detail page, cascading deletes) without one of its own.
        UniqueConstraint("product_id", "vendor_id", "data_set_id", name="uq_product_cost_vendor"),
        CheckConstraint("case_size > 0", name="case_size_positive"),
        # Catalog batches match a vendor's rows by its item codes; this also serves the
        # vendor foreign key.
        Index("ix_product_cost_vendor_item", "vendor_id", "vendor_item_code"),
        # The database, not only the code, keeps "at most one preferred cost"; being
        # partial, it is also the small index the grid's preferred-cost join reads.
        Index(
            "uq_product_cost_preferred",
            "product_id",
            unique=True,
            # Written as each database's planner must see it in the query's join to use
            # the index: SQLAlchemy renders the boolean as "= 1" on SQLite only.
            sqlite_where=text("preferred = 1"),
            postgresql_where=text("preferred"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"))
    vendor_item_code: Mapped[str] = mapped_column(String(50), default="")
    case_size: Mapped[int] = mapped_column(default=1)
    case_cost: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    preferred: Mapped[bool] = mapped_column(default=False, server_default=false())

    product: Mapped[Product] = relationship(back_populates="costs")
    vendor: Mapped[Vendor] = relationship()

    def __repr__(self) -> str:
        return f"<ProductCost product={self.product_id} vendor={self.vendor_id}>"
