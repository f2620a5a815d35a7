"""The storefront product feed's file: its rows against a small store worked out by
hand (feed_store.py), its template (the app dir's copy wins) and a template refused."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import Export, FeedRun, Job
from poser.storage import MemoryFileStore
from poser.tasks.feeds import OutputTemplateError, feed_rows, feed_template, short_upc, write_feed
from poser.tasks.feeds.runs import write_feed_run
from poser.tasks.jobs import TaskError
from tests.unit.tasks.feeds.feed_store import make_feed_store

HEADER = ["UPC", "Description", "Brand", "Size", "Department", "Price", "On hand"]
#: The active products with a price, by stored code: bananas (a PLU), milk (a UPC-A),
#: pencils (an EAN-13), the cola case (a GTIN-14). Old stock is inactive; the new item
#: has no price.
ROWS = [
    ["000000004011", "Bananas", "", "", "Produce", "0.59", "40.5"],
    ["012345678905", "Milk", "Dairy", "1 gal", "Dairy", "3.49", "12"],
    ["4006381333931", "Pencils", "Stab", "10 ct", "", "5.00", "0"],
    ["10012345678902", "Cola case", "Fizz", "24 pk", "Drinks", "12.00", "-1"],
]


def read_csv(files: MemoryFileStore, export: Export) -> list[list[str]]:
    (name,) = export.files
    assert name == "product-feed.csv"
    text = files.read_bytes(f"{export.folder}/{name}").decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def put_template(files: MemoryFileStore, template: Any) -> None:
    text = template if isinstance(template, str) else json.dumps(template)
    files.write("templates/product_feed.json", io.BytesIO(text.encode("utf-8")))


def test_the_codes_are_as_a_scanner_reads_them() -> None:
    assert short_upc("00012345678905") == "012345678905"
    assert short_upc("04006381333931") == "4006381333931"
    assert short_upc("10012345678902") == "10012345678902"


def test_the_feed_lists_the_active_priced_products_by_code(
    dbsession: Session, files: MemoryFileStore
) -> None:
    data_set, _ = make_feed_store(dbsession)
    export = write_feed(data_set, files, job_id=1)
    assert read_csv(files, export) == [HEADER, *ROWS]
    assert (export.export_type, export.row_count) == ("product_feed", 4)
    assert export.title == "Storefront product feed: Feed Store"
    assert export.folder == f"exports/product_feed/{export.id}"
    assert files.list("exports/product_feed/job-1") == []


def test_the_rows_are_streamed_not_listed(dbsession: Session) -> None:
    data_set, _ = make_feed_store(dbsession)
    rows = feed_rows(data_set, ["gtin", "in_stock", "department_number"])
    assert iter(rows) is rows  # a generator: each row once
    assert list(rows) == [
        ("00000000004011", True, 2),
        ("00012345678905", True, 1),
        ("04006381333931", False, None),
        ("10012345678902", False, 7),
    ]


def test_a_template_in_the_app_dir_wins(dbsession: Session, files: MemoryFileStore) -> None:
    data_set, _ = make_feed_store(dbsession)
    put_template(
        files,
        {
            "title": "Online store",
            "columns": [
                {"key": "gtin", "header": "lookup_code"},
                {"key": "price", "header": "price"},
                {"key": "in_stock", "header": "available"},
                {"key": "department_number", "header": "aisle"},
            ],
        },
    )
    export = write_feed(data_set, files, job_id=2)
    assert read_csv(files, export) == [
        ["lookup_code", "price", "available", "aisle"],
        ["00000000004011", "0.59", "Yes", "2"],
        ["00012345678905", "3.49", "Yes", "1"],
        ["04006381333931", "5.00", "No", ""],
        ["10012345678902", "12.00", "No", "7"],
    ]
    assert export.title == "Online store: Feed Store"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            {"title": "Feed", "columns": [{"key": "sku", "header": "SKU"}]},
            "unknown column key 'sku'; known keys: brand, department, department_number, "
            "description, gtin, in_stock, on_hand, price, size, upc.",
        ),
        ('{"title": "Feed", "columns": [', "not valid JSON"),
        ({"title": "Feed", "columns": []}, 'needs "columns"'),
        (
            {"title": "Feed", "columns": [{"key": "upc", "header": h} for h in "AB"]},
            "column key 'upc' is listed twice.",
        ),
        ({"title": "Feed", "columns": [{"key": "upc", "header": " "}]}, 'needs a "header"'),
    ],
)
def test_a_bad_template_is_refused_naming_the_file_and_the_problem(
    files: MemoryFileStore, template: Any, message: str
) -> None:
    put_template(files, template)
    with pytest.raises(OutputTemplateError) as refused:
        feed_template(files)
    assert str(refused.value).startswith("Output template templates/product_feed.json: ")
    assert message in str(refused.value)


def test_a_run_with_a_bad_template_writes_nothing_and_says_why(
    dbsession: Session, files: MemoryFileStore
) -> None:
    data_set, _ = make_feed_store(dbsession)
    run = FeedRun(data_set_id=data_set.id)
    job = Job(kind="feeds.write", data_set_id=data_set.id, status="running", parameters={})
    dbsession.add_all([run, job])
    dbsession.flush()
    put_template(files, {"title": "Feed", "columns": [{"key": "cost", "header": "Cost"}]})
    with pytest.raises(TaskError, match=r"^The feed was not written\. Output template .*'cost'"):
        write_feed_run(data_set, feed_run_id=run.id, files=files, job_id=job.id)
    assert dbsession.scalar(select(func.count()).select_from(Export)) == 0
    assert files.list("exports") == []
