"""Products: browse and edit a data set's catalog (departments, vendors, products and
their costs), look a product up, see margins by department.

``application.py`` declares the Application; ``widgets.py`` holds the widgets only it
uses. Its queries are in ``poser/models/data_extraction/products.py``.
"""

from __future__ import annotations

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    from poser.apps.products.application import PRODUCTS

    config.add_application(PRODUCTS)
