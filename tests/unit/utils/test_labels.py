"""The words operators read for internal keys: statuses, export types, results, sizes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from poser.utils import labels


def test_every_known_key_reads_as_words_and_an_unknown_one_without_underscores() -> None:
    assert labels.key_words("product_costs") == "Product costs"
    assert labels.key_words("history_rows") == "Changes written to product histories"
    assert labels.key_words("some_new_count") == "Some new count"
    for table in (labels.KEYS, labels.EXPORT_TYPES, *labels.STATUSES.values()):
        for words in table.values():
            assert "_" not in words, words
            assert words[:1].isupper(), words


def test_statuses_and_export_types_read_as_words() -> None:
    assert labels.status_words("row", "cost_up") == "Cost up"
    assert labels.status_words("row", "new_item") == "New item"
    assert labels.status_words("batch", "executed") == "Applied"
    assert labels.status_words("job", "succeeded") == "Done"
    assert labels.status_words("job", "stuck_somewhere") == "Stuck somewhere"
    assert labels.export_type_words("catalog") == "Catalog change report"
    assert labels.export_type_words("workbook") == "Data set workbook"
    assert labels.export_type_words("margin_report") == "Margin report"


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1,023 bytes"),
        (1024, "1.0 KB"),
        (1_258_291, "1.2 MB"),
        (5 * 1024**3, "5.0 GB"),
        (3 * 1024**5, "3,072.0 TB"),
    ],
)
def test_a_file_size_reads_as_a_file_manager_shows_it(count: int, words: str) -> None:
    assert labels.file_size(count) == words


def test_values_read_as_words() -> None:
    assert labels.value_words(True) == "Yes"
    assert labels.value_words(False) == "No"
    assert labels.value_words(None) == "—"
    assert labels.value_words(12345) == "12,345"
    assert labels.value_words(Decimal("1234.5")) == "1,234.5"
    assert labels.value_words(1_258_291, "bytes") == "1.2 MB"
    assert labels.value_words(7, "batch_id") == "#7"
    assert labels.value_words({"cost_up": 3, "new_item": 1}, "statuses") == "Cost up 3, New item 1"
    assert labels.value_words(["a", 2]) == "a, 2"


def test_a_result_reads_as_lines_in_its_order_without_what_links_show() -> None:
    result = {
        "download": "exports/workbook/2/store.xlsx",
        "filename": "store.xlsx",
        "bytes": 2048,
        "export_id": 2,
        "data_set_id": 3,
        "report_job_id": 9,
        "batch_id": 4,
        "product_costs": 1200,
        "history_rows": 18,
        "statuses": {"cost_up": 2},
    }
    assert labels.result_lines(result) == [
        ("File", "store.xlsx"),
        ("Size", "2.0 KB"),
        ("Batch", "#4"),
        ("Product costs", "1,200"),
        ("Changes written to product histories", "18"),
        ("Rows by status", "Cost up 2"),
    ]
    assert labels.result_lines(None) == []


def test_an_inventory_row_status_reads_as_the_count_does_to_on_hand() -> None:
    assert labels.status_words("row", "increase") == "On-hand up"
    assert labels.status_words("row", "not_counted") == "Not counted: goes to zero"
    assert labels.value_words({"decrease": 2, "merged": 1}, "statuses") == (
        "On-hand down 2, Added to another line 1"
    )
    for key in set(labels.ROW_STATUSES) & set(labels.INVENTORY_ROW_STATUSES):
        assert labels.ROW_STATUSES[key] == labels.INVENTORY_ROW_STATUSES[key], key
