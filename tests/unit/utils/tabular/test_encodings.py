"""Decoding CSV files: each encoding vendors send, and files that are not text."""

from __future__ import annotations

import io

import pytest

from poser.utils.tabular import CATALOG_COLUMNS, Limits, TabularError, read_csv
from poser.utils.tabular.text import SAMPLE_BYTES, Replay, check_text, detect_encoding

HEADER = "UPC,Description,Unit Cost\r\n"


def rows_of(data: bytes) -> tuple[str | None, list[dict[str, object]]]:
    limits = Limits(max_cell_chars=SAMPLE_BYTES)
    with read_csv(io.BytesIO(data), columns=CATALOG_COLUMNS, limits=limits) as table:
        return table.encoding, [row.values for row in table]


def test_utf8_with_bom_strips_the_bom_from_the_first_header() -> None:
    encoding, rows = rows_of(("\ufeff" + HEADER + "0001,Crème brûlée,3.10\r\n").encode())
    assert encoding == "utf-8-sig"
    assert rows == [{"upc": "0001", "description": "Crème brûlée", "unit_cost": "3.10"}]


def test_utf8_without_bom() -> None:
    encoding, rows = rows_of((HEADER + "0001,café 😀,1\r\n").encode())
    assert encoding == "utf-8"
    assert rows[0]["description"] == "café 😀"


def test_cp1252_with_euro_sign_and_curly_quotes() -> None:
    encoding, rows = rows_of((HEADER + "0001,Café “crème”,€2.50\r\n").encode("cp1252"))
    assert encoding == "cp1252"
    assert rows[0]["description"] == "Café “crème”"
    assert rows[0]["unit_cost"] == "€2.50"


def test_latin1_text_decodes_to_the_same_characters() -> None:
    _, rows = rows_of((HEADER + "0001,Crème brûlée ÿ,1\r\n").encode("latin-1"))
    assert rows[0]["description"] == "Crème brûlée ÿ"


def test_latin1_when_cp1252_cannot_decode() -> None:
    # 0x81 is undefined in cp1252: only latin-1 decodes it.
    encoding, rows = rows_of(HEADER.encode() + b"0001,caf\xe9 \x81,1\r\n")
    assert encoding == "latin-1"
    assert rows[0]["description"] == "café \x81"


def test_utf16_with_bom_as_excel_unicode_text_saves_it() -> None:
    encoding, rows = rows_of("UPC\tDescription\r\n0001\tthé\r\n".encode("utf-16"))
    assert encoding == "utf-16"
    assert rows == [{"upc": "0001", "description": "thé"}]


def test_multibyte_character_cut_at_the_sample_boundary_is_still_utf8() -> None:
    prefix = (HEADER + "0001,").encode()
    filler = b"x" * (SAMPLE_BYTES - len(prefix) - 1)
    data = prefix + filler + "é,1\r\n".encode()  # é's two bytes straddle the boundary
    assert data[:SAMPLE_BYTES].endswith(b"\xc3")
    encoding, rows = rows_of(data)
    assert encoding == "utf-8"
    assert rows[0]["description"] == "x" * len(filler) + "é"


def test_cp1252_bytes_after_an_ascii_sample_are_not_mojibake() -> None:
    ascii_rows = "".join(f"{i:04d},plain,1\r\n" for i in range(SAMPLE_BYTES // 10))
    data = (HEADER + ascii_rows).encode() + "9999,café,1\r\n".encode("cp1252")
    encoding, rows = rows_of(data)
    assert encoding == "utf-8"
    assert rows[-1]["description"] == "café"


@pytest.mark.parametrize(
    ("sample", "complete", "expected"),
    [
        (b"", True, "utf-8"),
        (b"plain ascii", True, "utf-8"),
        ("\ufeffa".encode(), True, "utf-8-sig"),
        ("é".encode(), True, "utf-8"),
        (b"caf\xc3", False, "utf-8"),  # cut: more bytes may follow
        (b"caf\xc3", True, "cp1252"),  # whole file: not UTF-8
        (b"\x80 euro", True, "cp1252"),
        (b"\x8d", True, "latin-1"),
    ],
)
def test_detect_encoding(sample: bytes, complete: bool, expected: str) -> None:
    assert detect_encoding(sample, complete=complete) == expected


def test_nul_bytes_are_not_text() -> None:
    with pytest.raises(TabularError, match=r"this file is not text: it contains NUL bytes"):
        read_csv(io.BytesIO(b"UPC,Description\r\n\x00\x00\x00\x01"))


def test_many_control_characters_are_not_text() -> None:
    garbage = bytes(range(1, 32)) * 4 + b"some,text\n" * 20
    with pytest.raises(TabularError, match=r"not text: .* control characters"):
        read_csv(io.BytesIO(garbage))


def test_a_form_feed_dos_eof_and_a_stray_control_are_text() -> None:
    assert check_text(b"a,b\r\n1,2\x0c\x01\r\n\x1a", complete=True)[0] == "utf-8"


def test_replay_gives_back_the_head_then_the_rest() -> None:
    rest = io.BytesIO(b"0123456789")
    head = rest.read(4)
    stream = io.BufferedReader(Replay(head, rest), buffer_size=3)
    assert stream.read() == b"0123456789"
