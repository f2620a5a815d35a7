from __future__ import annotations

from collections.abc import Iterator

import pytest

from poser.storage import MemoryFileStore, memory_store


@pytest.fixture
def files() -> Iterator[MemoryFileStore]:
    store = memory_store()
    yield store
    for key in store.list():
        store.remove(key)
