"""Inventory counts: scanner files and typed lines counted into a batch, reviewed for
variances in units and money, applied to on-hand once, and the stock valued.

Where the pieces are:

- ``application.py`` here: the Application (its options, steps and widgets);
  ``options.py`` (mode, thresholds, the departments counted), ``count.py`` (scanner
  files and typed lines into the open count), ``review.py`` (variances, subtotals,
  recount list, rows left out, revert) and ``apply.py`` (the flagged rows' confirmation,
  the valuation report);
- ``poser/tasks/batches/inventory/``: reading a count, comparing it with on-hand,
  applying it, its files and typed lines (``counting``);
- ``poser/apps/gui/batch_steps.py``: the steps every batch type shares.
"""

from __future__ import annotations

from pyramid.config import Configurator


def includeme(config: Configurator) -> None:
    from poser.apps.inventory.application import INVENTORY

    config.add_application(INVENTORY)
