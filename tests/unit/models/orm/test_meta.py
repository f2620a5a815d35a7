from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from poser.models.orm import Base, LoginFailure


def test_every_constraint_has_a_conventional_name() -> None:
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            assert constraint.name, f"unnamed constraint on {table.name}"
        for index in table.indexes:
            prefix = "uq_" if index.unique else "ix_"
            assert str(index.name).startswith(prefix), index.name


def test_times_come_back_in_utc(dbsession: Session) -> None:
    eastern = timezone(timedelta(hours=-5))
    at = datetime(2026, 1, 2, 7, 30, tzinfo=eastern)
    dbsession.add(LoginFailure(username="x", address="a", at=at))
    dbsession.commit()
    dbsession.expire_all()
    stored = dbsession.scalar(select(LoginFailure.at))
    assert stored == at
    assert stored.tzinfo == UTC
    assert stored.hour == 12


def test_naive_times_are_refused(dbsession: Session) -> None:
    dbsession.add(LoginFailure(username="x", address="a", at=datetime(2026, 1, 2)))
    with pytest.raises(StatementError, match="naive datetime"):
        dbsession.flush()
