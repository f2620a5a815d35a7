"""The inventory count batch type: ``handler`` (its BatchHandler and options),
``reader`` (scanner files and typed lines into row records), ``compare`` (the rows
against on-hand, set-based), ``execute`` (setting on-hand, logged), ``counting`` (the
files and typed lines of a count), ``revert`` and ``valuation``."""
