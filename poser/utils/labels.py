"""The words operators read for Poser's internal keys and values.

Statuses, export types, the keys of a job's result and of a batch's execution summary,
yes/no and sizes of files: pages and the files made for people (a change report's CSV
and XLSX) take their words from here, so one key reads the same everywhere and no
snake_case name, ``true``/``false`` or byte count reaches an operator. A key missing
from a table still reads as words (``key_words``), never as the key itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

#: A catalog row's status, in the order the review lists them.
ROW_STATUSES = {
    "new_item": "New item",
    "new_cost": "New cost",
    "cost_up": "Cost up",
    "cost_down": "Cost down",
    "case_size_change": "Case size change",
    "vendor_code_change": "Vendor code change",
    "unchanged": "Unchanged",
    "error": "Error",
    # Only a revert's rows: a cost the reverted batch added, a product it added.
    "remove_cost": "Cost removed",
    "retire_item": "Added item retired",
}
#: An inventory count's row status (what applying it does to on-hand), in the order the
#: review and the command list them.
INVENTORY_ROW_STATUSES = {
    "increase": "On-hand up",
    "decrease": "On-hand down",
    "unchanged": "Unchanged",
    "not_counted": "Not counted: goes to zero",
    "merged": "Added to another line",
    "replaced": "Replaced by a recount",
    "error": "Error",
}
#: Every batch type's row statuses: a key two types share reads the same in both.
ALL_ROW_STATUSES = {**ROW_STATUSES, **INVENTORY_ROW_STATUSES}
BATCH_STATUSES = {
    "new": "Reading the file",
    "populated": "Ready to review",
    "failed": "Could not be read",
    "executed": "Applied",
}
JOB_STATUSES = {
    "queued": "Waiting to start",
    "running": "Running",
    "succeeded": "Done",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "unfinished": "Waiting or running",  # the Jobs page's filter for both
}
STEP_STATUSES = {"not started": "Not started", "done": "Done", "stale": "Out of date"}
UPGRADE_STATUSES = {
    "running": "Running",
    "succeeded": "Done",
    "failed": "Failed",
    "interrupted": "Stopped before it finished",
}
#: Each kind of status by the name templates give it (widgets/status.jinja2).
STATUSES: Mapping[str, Mapping[str, str]] = {
    "row": ALL_ROW_STATUSES,
    "batch": BATCH_STATUSES,
    "job": JOB_STATUSES,
    "step": STEP_STATUSES,
    "upgrade": UPGRADE_STATUSES,
}

#: What each type of export is, on the Exports page and its filter.
EXPORT_TYPES = {
    "catalog": "Catalog change report",
    "workbook": "Data set workbook",
    "product_feed": "Storefront product feed",
}

#: The keys of jobs' results and of batches' execution summaries (the counts a data
#: set's import gives are its sheets' names).
KEYS = {
    "applies_queued": "Scheduled applies started",
    "average_margin": "Average margin %",
    "batch_id": "Batch",
    "bytes": "Size",
    "costs_removed": "Costs removed",
    "costs_updated": "Costs updated",
    "departments": "Departments",
    "errors_skipped": "Rows in error, skipped",
    "file": "File",
    "filename": "File",
    "history_rows": "Changes written to product histories",
    "items_retired": "Added products made inactive",
    "kept": "Kept",
    "lines_merged": "Lines added to another line of their product",
    "name": "Name",
    "needing_attention": "Products needing attention",
    "new_costs": "New costs",
    "new_items_added": "New items added",
    "new_items_skipped": "New items not added",
    "on_hand_set": "On-hand set",
    "product_costs": "Product costs",
    "products": "Products",
    "purged": "Jobs removed",
    "read_from": "Read from",
    "removed": "Removed",
    "rows": "Rows",
    "rows_excluded": "Rows left out",
    "schedules_dropped": "Schedules dropped",
    "statuses": "Rows by status",
    "unchanged": "Unchanged",
    "value_at_cost": "Inventory value at cost",
    "value_by_department": "Value at cost by department",
    "vendors": "Vendors",
    "zeroed": "Not counted, set to zero",
}
#: Result keys a job's page shows otherwise (as a link or a download), never as a line.
LINKED_KEYS = frozenset({"download", "export_id", "data_set_id", "report_job_id"})

_UNITS = ("KB", "MB", "GB", "TB")


def key_words(key: str, table: Mapping[str, str] = KEYS) -> str:
    """The words for ``key``: the table's, else the key with spaces, capitalised."""
    found = table.get(key)
    if found:
        return found
    text = str(key).replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def status_words(kind: str, value: str) -> str:
    """A status as operators read it; ``kind`` is row, batch, job or step."""
    return key_words(value, STATUSES.get(kind, {}))


def export_type_words(export_type: str) -> str:
    return key_words(export_type, EXPORT_TYPES)


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def file_size(count: int) -> str:
    """A size as a file manager shows it: "512 bytes", "1.2 MB" (1 KB = 1,024 bytes)."""
    if count < 1024:
        return f"{count:,} byte{'' if count == 1 else 's'}"
    size = float(count)
    for unit in _UNITS:
        size /= 1024
        if size < 1024 or unit == _UNITS[-1]:
            return f"{size:,.1f} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def value_words(value: Any, key: str = "") -> str:
    """A value as a line of a page: numbers grouped, yes/no, counts by status in words."""
    if key == "bytes" and isinstance(value, int):
        return file_size(value)
    if key == "batch_id" and isinstance(value, int):
        return f"#{value}"
    if value is None:
        return "—"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | Decimal):
        return f"{value:,}"
    if isinstance(value, Mapping):
        table = ALL_ROW_STATUSES if key == "statuses" else KEYS
        return ", ".join(f"{key_words(k, table)} {value_words(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(value_words(item) for item in value)
    return str(value)


def result_lines(result: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """A job's result or a batch's execution summary as (words, value) lines, in the
    order the task gave them; the keys a page shows as links are left out."""
    return [
        (key_words(key), value_words(value, key))
        for key, value in (result or {}).items()
        if key not in LINKED_KEYS
    ]


def started_words(title: str) -> str:
    """What a page says when it has started a job: which, and where to watch it."""
    return f"Started: {title.rstrip('.')}. Its progress shows below."
