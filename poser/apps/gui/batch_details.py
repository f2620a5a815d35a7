"""What a batch's pages show of its parameters (its "details"), in the operator's words.

A batch type's steps name them (`batch_steps.BatchSteps.details`); the batch panel,
the list of batches and the report show them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from poser.apps.framework.widget import WidgetContext
from poser.models.orm import Batch

#: The words of a code's values, as its select shows them: (value, words) pairs.
ChoicesOf = Callable[[WidgetContext], Sequence[tuple[Any, str]]]
#: What a batch's pages show of its parameters: (label, parameter name) pairs, or
#: (label, name, choices_of) for a parameter stored as a code, which the pages show in
#: the words of its select ("GLNF: Great Lakes Natural Foods", not "GLNF").
Details = tuple[tuple[str, str] | tuple[str, str, ChoicesOf], ...]


def detail_texts(ctx: WidgetContext, details: Details) -> Callable[[Batch], list[tuple[str, str]]]:
    """(label, text) of each of a batch's details; each code's words are read once for
    every batch a page shows, and not at all when it shows none (a Report without
    earlier batches). A value no choice has (a vendor since deleted) shows as it is
    stored."""

    @functools.cache
    def words() -> dict[str, dict[Any, str]]:
        return {detail[1]: dict(detail[2](ctx)) for detail in details if len(detail) > 2}

    def texts(batch: Batch) -> list[tuple[str, str]]:
        parameters = batch.parameters or {}
        shown = []
        for label, name, *_ in details:
            value = parameters.get(name)
            text = "" if value is None else str(value)
            shown.append((label, words().get(name, {}).get(value, text)))
        return shown

    return texts
