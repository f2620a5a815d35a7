"""A catalog data set and a file store for the batch tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from poser.storage.backends import local_store
from tests.catalog_support import make_catalog
from tests.factories import make_data_set


@pytest.fixture
def files(tmp_path: Path) -> Any:
    return local_store(tmp_path)


@pytest.fixture
def store(dbsession: Session) -> dict[str, Any]:
    data_set = make_data_set(dbsession)
    return {"data_set": data_set, **make_catalog(dbsession, data_set)}
