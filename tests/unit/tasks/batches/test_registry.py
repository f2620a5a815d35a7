"""The batch type registry: one handler per type, declared by its module."""

from __future__ import annotations

import pytest

from poser.tasks.batches import BatchError, get_handler, handlers, register_batch_type
from poser.tasks.batches.base import BatchHandler
from poser.tasks.batches.catalog.handler import CatalogHandler
from poser.utils.registry import DuplicateNameError
from tests.fresh_process import printed_by


def test_the_installed_batch_types_are_found_by_name() -> None:
    assert isinstance(get_handler("catalog"), CatalogHandler)
    assert handlers() == {"catalog": get_handler("catalog"), "inventory": get_handler("inventory")}


def test_an_unknown_batch_type_is_a_batch_error() -> None:
    with pytest.raises(BatchError, match="There is no batch type 'nope'"):
        get_handler("nope")


def test_a_second_handler_for_a_type_is_refused() -> None:
    class AnotherCatalog(BatchHandler):
        batch_type = "catalog"
        title = "Another catalog"
        data_sets_of = "products"

    with pytest.raises(DuplicateNameError, match="a batch type named 'catalog'"):
        register_batch_type(AnotherCatalog)
    assert isinstance(get_handler("catalog"), CatalogHandler)


def test_a_handler_says_which_kind_of_data_set_it_changes() -> None:
    class Labels(BatchHandler):
        batch_type = "labels"
        title = "Shelf labels"

    with pytest.raises(TypeError, match="batch type 'labels': set data_sets_of"):
        register_batch_type(Labels)
    assert "labels" not in handlers()


def test_the_catalog_readers_child_imports_no_orm() -> None:
    """The reading process imports the reader module (and so this package): neither
    brings SQLAlchemy, the ORM or the handlers with it, a large part of its start."""
    script = (
        "import sys\n"
        "import poser.tasks.batches.catalog.reader\n"
        "print(sorted(name for name in ('sqlalchemy', 'poser.models.orm',\n"
        "    'poser.tasks.batches.base', 'poser.tasks.batches.catalog.handler')\n"
        "    if name in sys.modules))\n"
    )
    assert printed_by(script) == "[]"
