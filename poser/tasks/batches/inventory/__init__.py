"""The inventory count batch type: ``handler`` (its BatchHandler and options),
``reader`` (scanner files and typed lines into row records), ``match`` (each chunk's
products, one query a chunk), ``compare`` (the rows against on-hand, set-based),
``execute`` (setting on-hand, logged), ``counting`` (the files and typed lines of a
count) and ``revert``. The inventory's value by department is one query,
``valuation_by_department`` (``poser.models.data_extraction.valuation``), which the
valuation report reads."""
