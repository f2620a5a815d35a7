"""Vendor catalogs: a vendor's catalog, uploaded, reviewed, applied, reported.

Where the pieces are:

- ``application.py`` here: the Application (its options, steps and widgets);
- ``poser/tasks/batches/catalog/``: reading a catalog into rows, comparing them with the
  data set, applying them, and the change report;
- ``poser/models/orm/batches.py`` (``CatalogBatchRow``) and
  ``poser/models/data_extraction/batches.py``: its rows and the queries of its pages;
- ``poser/apps/gui/batches.py``: the batch widgets every batch type's steps share.
"""

from __future__ import annotations

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    from poser.apps.catalog.application import CATALOG

    config.add_application(CATALOG)
