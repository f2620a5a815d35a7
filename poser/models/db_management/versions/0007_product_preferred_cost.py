"""product: its preferred cost's vendor and unit cost, kept by triggers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 12:00:00.000000

The Products grid filters by the preferred vendor and by margin over a million
products. Read through product_cost, each check is a lookup per product; held on the
product, the vendor is an indexed column and the margin a sum over the row.

Triggers on product_cost keep the two columns in step with whichever cost is preferred,
whoever writes it (imports, catalog batches, copies, the generator, SQL by hand):
row triggers on SQLite, statement triggers over the changed rows on PostgreSQL, so a
COPY of a million costs updates the products in one statement.

The vendor column has no foreign key of its own: the cost's (ON DELETE CASCADE) keeps
it, and SQLite could not drop a column that one names without rebuilding product,
whose DROP would cascade to every cost.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# An update recomputes from the table, not from the changed row: several rows of one
# statement (one cost stops being preferred, another starts) then end right in any
# order. A product that holds the values already is not written again: the generator
# writes them with the product, and a second write of a million rows doubles its time.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER product_cost_preferred_insert AFTER INSERT ON product_cost
    WHEN NEW.preferred
    BEGIN
        UPDATE product
        SET preferred_vendor_id = NEW.vendor_id, preferred_unit_cost = NEW.unit_cost
        WHERE id = NEW.product_id
            AND (preferred_vendor_id IS NOT NEW.vendor_id
                OR preferred_unit_cost IS NOT NEW.unit_cost);
    END
    """,
    """
    CREATE TRIGGER product_cost_preferred_update
    AFTER UPDATE OF product_id, vendor_id, unit_cost, preferred ON product_cost
    WHEN OLD.preferred OR NEW.preferred
    BEGIN
        UPDATE product
        SET preferred_vendor_id = (
                SELECT vendor_id FROM product_cost
                WHERE product_id = product.id AND preferred = 1),
            preferred_unit_cost = (
                SELECT unit_cost FROM product_cost
                WHERE product_id = product.id AND preferred = 1)
        WHERE id IN (OLD.product_id, NEW.product_id);
    END
    """,
    """
    CREATE TRIGGER product_cost_preferred_delete AFTER DELETE ON product_cost
    WHEN OLD.preferred
    BEGIN
        UPDATE product SET preferred_vendor_id = NULL, preferred_unit_cost = NULL
        WHERE id = OLD.product_id;
    END
    """,
]

POSTGRESQL_FUNCTION = """
CREATE FUNCTION product_cost_preferred_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE product
        SET preferred_vendor_id = added.vendor_id, preferred_unit_cost = added.unit_cost
        FROM new_costs AS added
        WHERE added.preferred AND product.id = added.product_id
            AND (product.preferred_vendor_id IS DISTINCT FROM added.vendor_id
                OR product.preferred_unit_cost IS DISTINCT FROM added.unit_cost);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE product SET preferred_vendor_id = NULL, preferred_unit_cost = NULL
        FROM old_costs AS removed
        WHERE removed.preferred AND product.id = removed.product_id;
    ELSE
        UPDATE product
        SET preferred_vendor_id = chosen.vendor_id, preferred_unit_cost = chosen.unit_cost
        FROM (
            SELECT product_id FROM old_costs WHERE preferred
            UNION
            SELECT product_id FROM new_costs WHERE preferred
        ) AS changed
        LEFT OUTER JOIN product_cost AS chosen
            ON chosen.product_id = changed.product_id AND chosen.preferred
        WHERE product.id = changed.product_id
            AND (product.preferred_vendor_id IS DISTINCT FROM chosen.vendor_id
                OR product.preferred_unit_cost IS DISTINCT FROM chosen.unit_cost);
    END IF;
    RETURN NULL;
END
$$
"""

POSTGRESQL_TRIGGERS = [
    """
    CREATE TRIGGER product_cost_preferred_insert AFTER INSERT ON product_cost
    REFERENCING NEW TABLE AS new_costs
    FOR EACH STATEMENT EXECUTE FUNCTION product_cost_preferred_sync()
    """,
    """
    CREATE TRIGGER product_cost_preferred_update AFTER UPDATE ON product_cost
    REFERENCING OLD TABLE AS old_costs NEW TABLE AS new_costs
    FOR EACH STATEMENT EXECUTE FUNCTION product_cost_preferred_sync()
    """,
    """
    CREATE TRIGGER product_cost_preferred_delete AFTER DELETE ON product_cost
    REFERENCING OLD TABLE AS old_costs
    FOR EACH STATEMENT EXECUTE FUNCTION product_cost_preferred_sync()
    """,
]

BACKFILL = """
UPDATE product
SET preferred_vendor_id = (
        SELECT vendor_id FROM product_cost
        WHERE product_cost.product_id = product.id AND product_cost.preferred),
    preferred_unit_cost = (
        SELECT unit_cost FROM product_cost
        WHERE product_cost.product_id = product.id AND product_cost.preferred)
"""

TRIGGER_NAMES = [
    "product_cost_preferred_insert",
    "product_cost_preferred_update",
    "product_cost_preferred_delete",
]


def upgrade() -> None:
    op.add_column("product", sa.Column("preferred_vendor_id", sa.Integer()))
    op.add_column("product", sa.Column("preferred_unit_cost", sa.Numeric(10, 4)))
    # A vendor's products, and in description order (the grid's vendor filter).
    op.create_index(
        "ix_product_preferred_vendor",
        "product",
        ["data_set_id", "preferred_vendor_id", "description", "id"],
    )
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for trigger in POSTGRESQL_TRIGGERS:
            op.execute(trigger)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER {name}" + (" ON product_cost" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION product_cost_preferred_sync()")
    op.drop_index("ix_product_preferred_vendor", table_name="product")
    op.drop_column("product", "preferred_unit_cost")
    op.drop_column("product", "preferred_vendor_id")
