"""The internal keys and values no page made for people may show (issue 20, item 9).

The functional tests look for them in pages webtest fetches, the browser tests in the
visible text of every page they visit (tests/browser/conftest.py). The list is kept
here, by hand, not read from the code: a key the code forgets to name in words must
still fail a test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

#: Keys of jobs' results, of a batch's execution summary and of tables.
KEYS = (
    "product_costs",
    "data_set_id",
    "batch_id",
    "export_id",
    "report_job_id",
    "history_rows",
    "costs_updated",
    "new_costs",
    "new_items_added",
    "new_items_skipped",
    "errors_skipped",
    "rows_excluded",
    "costs_removed",
    "items_retired",
    "applies_queued",
    "schedules_dropped",
    "read_from",
    "vendor_code",
    "department_number",
    "costs_removed",
    "items_retired",
    "rows_excluded",
)
#: A catalog row's statuses as stored (the words are "Cost up", "New item", ...).
ROW_STATUSES = (
    "new_item",
    "new_cost",
    "cost_up",
    "cost_down",
    "case_size_change",
    "vendor_code_change",
    "remove_cost",
    "retire_item",
)
#: An inventory count's row statuses and modes as stored that read as no English ("On-hand
#: up" is "increase", a plain word a page may well say otherwise).
INVENTORY = (
    "not_counted",
    "zero_rest",
    "variance_only",
    "variance_units",
    "variance_cost",
    "on_hand_set",
    "lines_merged",
)
#: Batch and job statuses as stored whose words differ ("Applied", "Done", ...).
STATUSES = ("populated", "executed", "succeeded")
#: Job kinds' names, as jobs store them (each kind has a title operators read); kinds
#: added later are found in the registry too (``internal_keys``).
JOB_KINDS = (
    "batches.populate",
    "batches.execute",
    "batches.report",
    "batches.apply_scheduled",
    "datasets.copy",
    "datasets.export",
    "datasets.generate",
    "datasets.import_upload",
    "datasets.load_example",
    "maintenance.purge_job_logs",
    "maintenance.purge_uploads",
    "maintenance.purge_work",
)
VALUES = ("true", "false", "True", "False", "None")

INTERNAL = (*KEYS, *ROW_STATUSES, *INVENTORY, *STATUSES, *JOB_KINDS, *VALUES)


@cache
def _word() -> re.Pattern[str]:
    from poser.tasks.job_kinds import all_kinds

    keys = dict.fromkeys((*INTERNAL, *(kind.name for kind in all_kinds())))
    alternatives = "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))
    return re.compile(r"(?<![\w.-])(" + alternatives + r")(?![\w-]|\.\w)")


#: A storage key of an export, a batch's file or an upload: ``exports/data-sets/2/...``.
_PATH = re.compile(r"\b(?:exports|batches|uploads|templates)/[\w.-]+/\d+\b")


def internal_keys_in(text: str) -> list[str]:
    """The internal keys and storage paths ``text`` shows, each once, in order."""
    found = [match.group(0) for match in _word().finditer(text)]
    found += [match.group(0) for match in _PATH.finditer(text)]
    return list(dict.fromkeys(found))


def assert_words_only(texts: Iterable[str], where: str = "") -> None:
    for text in texts:
        found = internal_keys_in(text)
        assert found == [], f"{where} shows internal keys {found}: {text[:2000]}"
