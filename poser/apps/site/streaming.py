"""Response bodies that read the database while they are sent.

A view's transaction ends (pyramid_tm commits it) when the view returns, before the
server sends the body. A body that reads as it is sent (every row of a large grid, in
constant memory) therefore reads through a session of its own: ``BodySession`` takes
one from the app's session factory (``registry["dbsession_factory"]``, which the web
process configures with the request's session), and closes it, with the rows it was
reading, when the server is done with the body: sent whole, cut off by the client, or
never started (a HEAD).

The view builds its statement with the request's session (a column's condition may read
it) and hands it to ``session``, which reads nothing until the body is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pyramid.request import Request
from sqlalchemy.orm import Session

#: Where the web process keeps its session factory (poser.entry_points.web).
SESSION_FACTORY_KEY = "dbsession_factory"


class BodySession:
    """A session for one response body: ``session`` to read with, ``body(chunks)`` the
    app_iter that sends the chunks and then closes both."""

    def __init__(self, request: Request) -> None:
        self.session: Session = request.registry[SESSION_FACTORY_KEY]()

    def body(self, chunks: Iterable[bytes]) -> _ClosingBody:
        return _ClosingBody(chunks, self.session)


class _ClosingBody:
    """A WSGI app_iter: the server calls ``close`` once it is done, however it ends."""

    def __init__(self, chunks: Iterable[bytes], session: Session) -> None:
        self._chunks = chunks
        self._session = session

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._chunks)

    def close(self) -> None:
        try:
            closing: Any = getattr(self._chunks, "close", None)
            if closing is not None:
                closing()
        finally:
            self._session.close()
