from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from poser.models.data_extraction.users import count_users, recent_failures, user_by_name
from poser.models.orm import LoginFailure
from poser.utils.timeutil import utcnow
from tests.factories import make_user


def test_lookups_and_counts(dbsession: Session) -> None:
    make_user(dbsession, "ann", role="admin")
    make_user(dbsession, "ben")
    assert user_by_name(dbsession, "ann").role == "admin"
    assert user_by_name(dbsession, "nobody") is None
    assert count_users(dbsession) == 2
    assert count_users(dbsession, role="admin") == 1


def test_recent_failures_count_the_name_there_and_the_address_inside_the_window(
    dbsession: Session,
) -> None:
    now = utcnow()
    dbsession.add_all(
        [
            LoginFailure(username="ann", address="10.0.0.2", at=now - timedelta(minutes=4)),
            LoginFailure(username="ann", address="10.0.0.1", at=now - timedelta(minutes=1)),
            LoginFailure(username="zed", address="10.0.0.2", at=now - timedelta(minutes=2)),
            LoginFailure(username="bob", address="10.0.0.2", at=now - timedelta(minutes=3)),
            LoginFailure(username="ann", address="10.0.0.2", at=now - timedelta(hours=2)),
        ]
    )
    dbsession.commit()
    since = now - timedelta(minutes=15)
    assert recent_failures(dbsession, "ann", "10.0.0.2", since) == (
        1, now - timedelta(minutes=4), 3, now - timedelta(minutes=2),
    )  # fmt: skip
    assert recent_failures(dbsession, "new", "10.0.0.2", since) == (
        0, None, 3, now - timedelta(minutes=2),
    )  # fmt: skip
    assert recent_failures(dbsession, "new", "10.9.9.9", since) == (0, None, 0, None)
