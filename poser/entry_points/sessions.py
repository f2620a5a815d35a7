"""Server-side sessions (beaker): ended on the server, saved when they change, and
their last access saved at most once a minute.

Ending a session deletes it from its backend. Beaker's ``invalidate()`` (logout, and
login's defence against session fixation) gives the browser a new id but leaves the
old session stored: its cookie, kept or stolen, still opens every page. Here every
invalidation, and every session found timed out, first removes what the backend holds
under the old id: a file, a Redis key or a database row.

Beaker saves a session on every request that reads it, only to move its last-access
time: a file rewritten under a lock for each page, grid fragment and progress poll.
That time serves the inactivity timeout alone, which needs no second's precision, so
an unchanged session is saved again only when its stored access time is older than
`ACCESS_REFRESH_SECONDS`: it still expires after `session.timeout` seconds without a
request, give or take that minute. And pyramid_beaker's `pop_flash`, which every page
calls, changes the session only when there is a message to pop.
"""

from __future__ import annotations

import time
from typing import Any

from beaker.session import Session as BeakerSession
from pyramid_beaker import session_factory_from_settings

#: How stale the stored last access may get before an unchanged session is saved (at
#: most a tenth of the timeout, for a short one).
ACCESS_REFRESH_SECONDS = 60


class ServerSession(BeakerSession):  # type: ignore[misc]
    """A beaker session whose invalidation deletes the stored session it replaces."""

    def invalidate(self) -> None:
        # load() sets the namespace of the id the browser sent; a session that was
        # never stored has none, and there is nothing to delete.
        namespace = getattr(self, "namespace", None)
        if namespace is not None:
            namespace.remove()
        super().invalidate()


def make_session_factory(settings: dict[str, Any]) -> Any:
    """pyramid_beaker's session factory for these settings, ending and saving sessions
    as said above."""
    beaker_session = session_factory_from_settings(
        {**settings, "session.session_class": ServerSession}
    )
    timeout = settings.get("session.timeout")

    class Session(beaker_session):  # type: ignore[misc, valid-type]
        def pop_flash(self, queue: str = "") -> list[Any]:
            # pyramid_beaker's marks the session changed even when there was nothing to
            # pop, and every page asks: every page would rewrite the session.
            if "_f_" + queue not in self:
                return []
            return super().pop_flash(queue)  # type: ignore[no-any-return]

        def persist(self) -> None:
            if not self.dirty():
                refresh = ACCESS_REFRESH_SECONDS
                if timeout:
                    refresh = min(refresh, int(timeout) / 10)
                last = self._session().last_accessed  # as stored: None for a new session
                if last is not None and time.time() - last < refresh:
                    return
            super().persist()

    return Session
