"""What the migration tests share: an empty database of the suite's kind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.database_support import scratch_database


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's kind, for migrations to run on from the start."""
    with scratch_database(database_url, tmp_path) as url:
        yield url
