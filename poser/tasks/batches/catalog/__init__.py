"""The vendor catalog batch type: ``handler`` (its BatchHandler), ``reader`` and ``rows``
(reading a vendor's file into rows), ``compare`` (each row against the data set),
``execute`` (applying them) and ``report`` (the change report).

Nothing is imported here: the reader's child process imports ``reader`` alone.
"""
