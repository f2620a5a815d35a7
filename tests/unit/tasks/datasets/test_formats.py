"""Declaring a data set format: what it checks, how cells are read by default, and the
registry that finds a data set's format by its kind."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)

from poser.apps.framework.application import Application
from poser.tasks.datasets import formats
from poser.tasks.datasets.formats import Column as SheetColumn
from poser.tasks.datasets.formats import DataSetFormat, OnlyOne, format_for, parser_for
from poser.tasks.datasets.formats import Table as SheetTable
from poser.tasks.products_data import PRODUCTS_FORMAT
from tests.fresh_process import printed_by
from tests.notes_sample.tables import NOTES, Note, Notebook

NOTEBOOKS = SheetTable(Notebook, "notebooks", [SheetColumn("code"), SheetColumn("name")], ["code"])


def _notes(*columns: SheetColumn, key: tuple[str, ...] = ("notebook", "number")) -> SheetTable:
    notebook = SheetColumn("notebook", column="notebook_id", refers_to="notebooks")
    return SheetTable(Note, "notes", [notebook, SheetColumn("number"), *columns], key)


def test_a_format_refuses_what_it_could_not_copy_export_or_import() -> None:
    code = SheetColumn("code")
    # Unique across data sets: a second data set's import would fail on the first's.
    tags = Table(
        "tag",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("data_set_id", Integer, nullable=False),
        Column("code", String(5), nullable=False, unique=True),
    )
    refused = {
        "has no column 'colour'": lambda: SheetTable(
            Notebook, "x", [SheetColumn("colour")], ["colour"]
        ),
        "are not its columns": lambda: SheetTable(Notebook, "x", [code], ["name"]),
        "are not its columns ": lambda: SheetTable(
            Notebook, "x", [code], ["code"], only_one=[OnlyOne(("code",), "colour", "")]
        ),
        # Without a unique constraint on its key, a repeat in a later batch would pass.
        "needs a unique constraint on data_set_id and ['title']": lambda: SheetTable(
            Note, "notes", [SheetColumn("title")], ["title"]
        ),
        "on data_set_id and ['notebook_id']": lambda: _notes(key=("notebook",)),
        "on data_set_id and ['code']": lambda: SheetTable(tags, "tags", [code], ["code"]),
        "is not an earlier sheet": lambda: DataSetFormat("x", [_notes(), NOTEBOOKS]),
        "two sheets named 'notebooks'": lambda: DataSetFormat("x", [NOTEBOOKS, NOTEBOOKS]),
    }
    for message, declare in refused.items():
        with pytest.raises(ValueError, match=re.escape(message.strip())):
            declare()


def test_cells_are_read_as_their_columns_type_says() -> None:
    table = Table(
        "t",
        MetaData(),
        Column("name", String(5), nullable=False),
        Column("note", String(5), nullable=False, default=""),
        Column("count", Integer),
        Column("price", Numeric(6, 2), nullable=False),
        Column("active", Boolean, nullable=False, default=True),
    )
    read = {column.name: parser_for(column) for column in table.columns}
    assert read["name"](" Milk ") == "Milk"
    assert read["note"](None) == ""
    assert read["count"](None) is None
    assert read["count"]("12") == 12
    assert read["price"]("-1.005") == Decimal("-1.01")
    assert read["active"](None) is True
    assert read["active"]("no") is False
    problems = {
        "name": (None, "a value is needed"),
        "note": ("toolong", "longer than 5 characters"),
        "count": ("1.5", "is not a whole number"),
        "price": (12345, "is too large"),
        "active": ("maybe", "is not yes or no"),
    }
    for name, (cell, message) in problems.items():
        with pytest.raises(ValueError, match=message):
            read[name](cell)
    with pytest.raises(ValueError, match="give the Column a parser"):
        parser_for(Column("when", formats.sa.Date))


def test_a_reference_reads_its_cells_as_the_key_it_names() -> None:
    (notebook, number) = (column.parse for column in NOTES.table("notes").columns[:2])
    assert notebook(7) == "7"  # a notebook's code is text, even when typed as a number
    assert number("3") == 3
    with pytest.raises(ValueError, match="a value is needed"):
        notebook(None)  # a note is in a notebook (NOT NULL)
    metadata = MetaData()
    shelf = Table(
        "shelf",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("data_set_id", Integer, nullable=False),
        Column("number", Integer, nullable=False),
        UniqueConstraint("data_set_id", "number"),
    )
    item = Table(
        "item",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("data_set_id", Integer, nullable=False),
        Column("name", String(20), nullable=False),
        Column("shelf_id", Integer, ForeignKey(shelf.c.id)),
        UniqueConstraint("data_set_id", "name"),
    )
    shelves = SheetTable(shelf, "shelves", [SheetColumn("number")], ["number"])
    on_shelf = SheetColumn("shelf", column="shelf_id", refers_to="shelves")
    items = SheetTable(item, "items", [SheetColumn("name"), on_shelf], ["name"])
    stock = DataSetFormat("stock", [shelves, items])
    assert stock.sheets == {"shelves": ("number",), "items": ("name", "shelf")}
    (shelf_number,) = (c.parse for c in stock.table("items").columns if c.name == "shelf")
    assert shelf_number(None) is None  # an item may be on no shelf
    assert shelf_number("4") == 4


def test_the_registry_finds_formats_by_kind_and_refuses_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert format_for("products") is PRODUCTS_FORMAT
    assert format_for("notes") is NOTES
    assert format_for("workflow").tables == ()  # an Application that keeps parameters only
    assert formats.register_format(NOTES) is NOTES  # a module imported twice
    with pytest.raises(ValueError, match="have a format already"):
        formats.register_format(DataSetFormat("notes", [NOTEBOOKS]))


def test_an_application_names_the_format_of_its_own_data_sets() -> None:
    assert Application(name="Notes", url_name="notes", data=NOTES).data is NOTES
    with pytest.raises(ValueError, match="register its data set format for the kind 'jots'"):
        Application(name="Jots", url_name="jots", data=NOTES)
    with pytest.raises(ValueError, match="works on 'products'"):
        Application(name="More", url_name="notes", data_sets_of="products", data=NOTES)


def test_every_process_that_runs_jobs_knows_the_products_format() -> None:
    """The worker (and the web app, and the CLI) import the job modules, never the web
    layer's Applications: the format must come with them."""
    script = (
        "from poser.entry_points.plugins import load_tasks\n"
        "from poser.tasks.datasets.formats import format_for\n"
        "load_tasks({})\n"
        "print(list(format_for('products').sheets))\n"
    )
    assert printed_by(script) == "['departments', 'vendors', 'products', 'product_costs']"
