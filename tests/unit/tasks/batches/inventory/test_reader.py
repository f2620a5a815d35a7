"""The reader's short paths give what the general ones give."""

import io
import random

import pytest

from poser.tasks.batches import BatchError
from poser.tasks.batches.inventory.reader import _check_digit_holds, read_count_file
from poser.tasks.batches.inventory.scanner_text import SNIFF_BYTES
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


def _records(data: bytes, name: str = "scan.csv") -> list[dict]:
    return [r for chunk in read_count_file(io.BytesIO(data), name, "units", 1, 1) for r in chunk]


def test_a_crlf_across_two_blocks_read_is_one_line_end() -> None:
    header = next(h for p in range(16) if (len(h := f"UPC,Qty{' ' * p}\r\n") + 14) % 16 == 15)
    lines = (SNIFF_BYTES - 1 - len(header) - 14) // 16
    data = (header + "036000291452,1\r\n" * lines + "012345678905,2\r\n042100005264,3\r\n").encode()
    assert data[SNIFF_BYTES - 1 : SNIFF_BYTES + 1] == b"\r\n"
    records = _records(data)
    assert [r["line"] for r in records] == list(range(2, lines + 4))
    assert records[-1]["upc"] == "00042100005264"


def test_a_line_that_never_ends_is_refused_before_it_is_held() -> None:
    with pytest.raises(BatchError, match=r"^scan.csv has a line of more than 1,000,000 char"):
        _records(b"UPC,Qty\n" + b"9" * 1_100_000)


@pytest.mark.parametrize(
    ("line", "quantity", "message"),
    [
        ("036000291452;1,500", "1.5", ""),  # a semicolon file writes a decimal comma
        ("036000291452\t1,25", "1.25", ""),
        (
            '"036000291452","1,500"',
            None,
            "quantity: '1,500' can be read as 1500 or as 1.500, and the file does not show "
            "whether its decimal mark is a point or a comma",
        ),
        ("036000291452;-1,5", None, "quantity -1,5 is negative: a count is zero or more"),
        ("36000291452.0,2", "2", ""),  # a UPC exported as a decimal number
    ],
)
def test_commas_and_points_in_numbers(line, quantity, message) -> None:
    record, good = _records(line.encode() + b"\n042100005264,1\n")
    assert good["message"] == ""
    assert (record["upc"], record["quantity"], record["message"]) == (
        "00036000291452" if record["upc"] else None,
        quantity,
        message,
    )
