"""Vendor catalogs: a vendor's catalog, uploaded, reviewed, applied, reported.

Where the pieces are:

- ``application.py`` here: the Application (its options, steps and widgets);
- ``poser/tasks/batches/catalog/``: reading a catalog into rows, comparing them with the
  data set, applying them, and the change report;
- ``poser/models/orm/batches.py`` (``CatalogBatchRow``) and
  ``poser/models/data_extraction/batches.py``: its rows and the queries of its pages;
- ``poser/apps/gui/batch_steps.py``: the steps and widgets every batch type shares,
  which ``application.py`` hands the catalog's own (vendor, columns, exclusions, revert).
"""

from __future__ import annotations

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    from poser.apps.catalog.application import CATALOG

    config.add_application(CATALOG)
