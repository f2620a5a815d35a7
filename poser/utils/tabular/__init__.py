"""Streaming readers of tabular files (CSV and .xlsx) that operators upload.

`open_table` picks the reader by content and returns a `Table`: its normalized headers,
then one `Row` at a time, each with the line it starts on. Problems with the whole file
raise `TabularError`; problems with one row are `RowError` values.
"""

from __future__ import annotations

from poser.utils.tabular.catalog_columns import CATALOG_COLUMNS
from poser.utils.tabular.errors import HeaderNotFoundError, RowError, TabularError
from poser.utils.tabular.headers import Columns, ColumnSpec, normalize_header
from poser.utils.tabular.limits import DEFAULT_LIMITS, Limits
from poser.utils.tabular.opener import Source, open_table, read_csv, read_xlsx
from poser.utils.tabular.sniff import sniff_format
from poser.utils.tabular.table import Row, Table

__all__ = [
    "CATALOG_COLUMNS",
    "DEFAULT_LIMITS",
    "ColumnSpec",
    "Columns",
    "HeaderNotFoundError",
    "Limits",
    "Row",
    "RowError",
    "Source",
    "Table",
    "TabularError",
    "normalize_header",
    "open_table",
    "read_csv",
    "read_xlsx",
    "sniff_format",
]
