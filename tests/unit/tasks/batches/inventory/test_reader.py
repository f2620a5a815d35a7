"""The reader's short paths give what the general ones give."""

import io
import random

import pytest

from poser.tasks.batches.inventory.reader import _check_digit_holds, read_count_file
from poser.utils.upc import check_digit, has_valid_check_digit


def test_the_check_digit_by_look_ups_is_the_gs1_rule() -> None:
    rng = random.Random(21)
    codes = ["".join(rng.choice("0123456789") for _ in range(13)) for _ in range(5_000)]
    valid = [code + str(check_digit(code)) for code in codes]
    wrong = [code + str((check_digit(code) + 1 + rng.randrange(9)) % 10) for code in codes]
    for code in valid + wrong:
        assert _check_digit_holds(code) == has_valid_check_digit(code), code
    assert all(map(_check_digit_holds, valid))
    assert not any(map(_check_digit_holds, wrong))


@pytest.mark.parametrize(
    ("text", "upc", "quantity", "section"),
    [
        ("036000291452, 4 ,A1", "00036000291452", "4", "A1"),
        ('"036000291452","4","Aisle, 3"', "00036000291452", "4", "Aisle, 3"),
        ("036000291452;4;B2", "00036000291452", "4", "B2"),
        ("036000291452\t4", "00036000291452", "4", ""),
    ],
)
def test_a_line_reads_the_same_quoted_or_not(text, upc, quantity, section) -> None:
    (chunk,) = read_count_file(io.BytesIO(text.encode() + b"\n"), "scan.csv", "units", 1, 1)
    (record,) = chunk
    assert (record["upc"], record["quantity"], record["section"]) == (upc, quantity, section)
    assert record["status"] is None
