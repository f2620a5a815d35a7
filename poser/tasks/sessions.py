"""The session a task works in: the one its data set (or other row) was loaded in.

Tasks take rows, not sessions, so the caller's transaction is the task's transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, object_session


def session_of(instance: object) -> Session:
    session = object_session(instance)
    if session is None:
        raise ValueError(f"{instance!r} must belong to a session")
    return session
