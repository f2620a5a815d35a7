"""Every database the tests use is built by migrations: the suite's by the app's, the
grid's sample tables by their own (tests/grid_sample). A schema made from Table objects
(``create_all``) could drift from what migrations make, and pass where they fail."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_test_makes_a_schema_from_its_tables() -> None:
    found = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "create_all(" in line or "drop_all(" in line
    ]
    assert not found, f"build these databases with migrations: {found}"
