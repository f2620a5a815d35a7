"""The two error types callers report to operators."""

from __future__ import annotations

from poser.utils.tabular import RowError, TabularError


def test_row_error_reads_as_a_sentence_with_its_place() -> None:
    assert str(RowError(12, "unit_cost", "not a number")) == "line 12, unit_cost: not a number"
    assert str(RowError(3, None, "too many values")) == "line 3: too many values"


def test_tabular_error_keeps_the_line_apart() -> None:
    error = TabularError("too long", line=7)
    assert (str(error), error.message, error.line) == ("line 7: too long", "too long", 7)
    assert TabularError("the file is empty").line is None
