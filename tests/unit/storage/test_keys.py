"""The key rules themselves; every store operation applies them (see the contract)."""

from __future__ import annotations

import pytest

from poser.storage.keys import InvalidKey, validate_key, validate_prefix


def test_valid_keys_come_back_unchanged() -> None:
    assert validate_key("batches/price/7/input.csv") == "batches/price/7/input.csv"


def test_invalid_key_is_a_value_error_that_says_why() -> None:
    with pytest.raises(ValueError, match=r"'\.\.' segment") as caught:
        validate_key("uploads/../../etc/passwd")
    assert isinstance(caught.value, InvalidKey)


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "empty"),
        ("/abs", "absolute"),
        ("a\\b", "backslash"),
        ("a\x00b", "control character"),
        ("a//b", "empty segment"),
        (" a", "spaces"),
        (".poser-tmp-x", "reserved"),
        ("x" * 256, "longer than 255 bytes"),
        ("é" * 600, "longer than 1024 bytes"),
    ],
)
def test_messages_name_the_problem(key: str, reason: str) -> None:
    with pytest.raises(InvalidKey, match=reason):
        validate_key(key)


def test_prefixes() -> None:
    assert validate_prefix("", allow_root=True) == ""
    assert validate_prefix("exports/", allow_root=True) == "exports"
    assert validate_prefix("exports/price", allow_root=False) == "exports/price"
    with pytest.raises(InvalidKey, match="empty"):
        validate_prefix("", allow_root=False)
    with pytest.raises(InvalidKey, match="empty segment"):
        validate_prefix("exports//", allow_root=True)
