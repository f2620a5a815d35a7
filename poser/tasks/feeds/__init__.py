"""The storefront product feed: a CSV of a data set's active products with a price,
for an online store to import, its columns from an output template.

The template is ``product_feed.json``, an output template as the catalog change
report's (``poser.tasks.exports``): ``{"title": ..., "columns": [{"key": ...,
"header": ...}]}``, the operator's copy in the app dir's data/templates before the
packaged one. Each column names one of `FIELDS` and gives the header the store wants;
columns may be reordered or left out. A template that cannot be used is refused with
a message naming the file and what is wrong, and nothing is written.

The feed is written as the products stream by (``yield_per``: a server-side cursor
on PostgreSQL), so memory stays flat however many there are, then recorded as an
Export under ``exports/product_feed/<id>/``. Its runs, nightly or by hand, are in
``poser.tasks.feeds.runs``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from poser.models.data_extraction.feeds import CHUNK, feed_products
from poser.models.orm import DataSet, Export
from poser.storage.interface import FileStore
from poser.tasks.exports import (
    OutputTemplateError,
    load_output_template,
    record_export,
    template_columns,
    write_export_files,
)
from poser.tasks.sessions import session_of
from poser.utils.progress import Progress

#: The export type of the feed's files: exports/product_feed/<id>/.
EXPORT_TYPE = "product_feed"
TEMPLATE = "product_feed.json"
#: The file's name, as the store downloads it.
BASENAME = "product-feed"


def short_upc(stored: str) -> str:
    """A stored code (14 digits) as a scanner reads it: a UPC-A's 12 digits, an
    EAN-13's 13, a GTIN-14 whole."""
    if stored.startswith("00"):
        return stored[2:]
    return stored[1:] if stored.startswith("0") else stored


def _quantity(value: Decimal | None) -> Decimal:
    """On hand without trailing zeros (4, 2.5): a count, not a column's scale."""
    if value is None:
        return Decimal(0)
    return value.normalize() if value else Decimal(0)


@dataclass(frozen=True)
class FeedField:
    """A value a template's column may name: what it is, in words, and its value of a
    row of `feed_products`."""

    meaning: str
    value: Callable[[Any], Any]


#: The keys a template's columns may name (docs/feeds.md lists them with their meaning).
FIELDS: dict[str, FeedField] = {
    "upc": FeedField(
        "The code as a scanner reads it: 12 digits for a UPC-A, 13 for an EAN-13",
        lambda row: short_upc(row.upc),
    ),
    "gtin": FeedField("The code as a GTIN-14 (zero-padded to 14 digits)", lambda row: row.upc),
    "description": FeedField("The product's description", lambda row: row.description),
    "brand": FeedField("Its brand (empty when it has none)", lambda row: row.brand),
    "size": FeedField("Its size, as the catalog spells it (12 oz)", lambda row: row.size),
    "department": FeedField("Its department's name", lambda row: row.department),
    "department_number": FeedField("Its department's number", lambda row: row.department_number),
    "price": FeedField("Its regular price, to the cent", lambda row: row.price),
    "on_hand": FeedField("On hand (2.5 for weighed items)", lambda row: _quantity(row.on_hand)),
    "in_stock": FeedField("Yes when some is on hand, else No", lambda row: (row.on_hand or 0) > 0),
}


def feed_template(files: FileStore) -> dict[str, Any]:
    """The feed's template, the operator's copy if the app dir has one, checked.
    Raises OutputTemplateError with a message for the operator."""
    return load_output_template(files, TEMPLATE, known_keys=FIELDS)


def feed_rows(data_set: DataSet, keys: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The feed's rows: for each active product with a price, by UPC, the values of
    ``keys`` (keys of `FIELDS`)."""
    values = [FIELDS[key].value for key in keys]
    query = feed_products(data_set.id).execution_options(yield_per=CHUNK)
    for row in session_of(data_set).execute(query):
        yield tuple(value(row) for value in values)


def write_feed(
    data_set: DataSet,
    files: FileStore,
    *,
    job_id: int,
    user_id: int | None = None,
    progress: Progress | None = None,
) -> Export:
    """Write the feed's CSV and record it as an Export. Raises OutputTemplateError
    (nothing written) when its template cannot be used."""
    template = feed_template(files)
    columns = template_columns(template)
    keys = [column.key for column in columns]
    folder = f"exports/{EXPORT_TYPE}/job-{job_id}"
    names, count = write_export_files(
        files,
        folder,
        title=template["title"],
        basename=BASENAME,
        columns=columns,
        rows=lambda: feed_rows(data_set, keys),
        formats=("csv",),
        progress=progress,
    )
    return record_export(
        data_set,
        files,
        export_type=EXPORT_TYPE,
        title=f"{template['title']}: {data_set.name}",
        folder=folder,
        names=names,
        row_count=count,
        user_id=user_id,
    )


__all__ = [
    "BASENAME",
    "EXPORT_TYPE",
    "FIELDS",
    "TEMPLATE",
    "OutputTemplateError",
    "feed_rows",
    "feed_template",
    "write_feed",
]
