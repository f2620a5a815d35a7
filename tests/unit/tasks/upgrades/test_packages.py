"""The package diff: added, removed and changed, by canonical name, in name order."""

from __future__ import annotations

from pathlib import Path

from poser.tasks.upgrades.packages import (
    PackageDiff,
    canonical_name,
    installed_packages,
    package_diff,
    read_snapshot,
    write_snapshot,
)


def test_the_diff_names_what_was_added_removed_and_changed() -> None:
    before = {"poser": "0.1.0", "huey": "2.5.0", "old-thing": "1.0", "same": "3"}
    after = {"poser": "0.2.0", "huey": "2.5.1", "new-thing": "0.9", "same": "3"}
    assert package_diff(before, after) == PackageDiff(
        added=[("new-thing", "0.9")],
        removed=[("old-thing", "1.0")],
        changed=[("huey", "2.5.0", "2.5.1"), ("poser", "0.1.0", "0.2.0")],
    )
    assert not package_diff(before, before)


def test_snapshots_are_name_equals_version_lines(tmp_path: Path) -> None:
    packages = installed_packages()
    assert packages["poser"]
    assert packages["sqlalchemy"]  # canonical: lower case
    write_snapshot(tmp_path / "p.txt", {"b": "2", "a": "1"})
    assert (tmp_path / "p.txt").read_text() == "a==1\nb==2\n"
    assert read_snapshot(tmp_path / "p.txt") == {"a": "1", "b": "2"}
    assert read_snapshot(tmp_path / "missing.txt") is None
    assert canonical_name("Zope.SQLAlchemy") == "zope-sqlalchemy"


def test_durations_read_as_words() -> None:
    from datetime import timedelta

    from poser.tasks.upgrades.records import duration_words

    assert duration_words(timedelta(seconds=0)) == "0 seconds"
    assert duration_words(timedelta(seconds=1)) == "1 second"
    assert duration_words(timedelta(seconds=190)) == "3 minutes 10 seconds"
    assert duration_words(timedelta(seconds=120)) == "2 minutes"
    assert duration_words(timedelta(hours=2, minutes=5, seconds=9)) == "2 hours 5 minutes"
