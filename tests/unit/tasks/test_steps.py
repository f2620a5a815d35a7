"""Step progress records: one row per data set and name, however many requests write it
at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import DataSet, InputChange, StepRun
from poser.tasks.steps import mark_step_done, touch_inputs
from tests.factories import make_data_set

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_a_record_is_made_then_moved_on(dbsession: Session) -> None:
    data_set = make_data_set(dbsession)
    touch_inputs(data_set, ["products"], at=T0)
    mark_step_done(data_set, "review", at=T0)
    loaded = dbsession.get_one(InputChange, (data_set.id, "products"))
    touch_inputs(data_set, ["products", "costs"], at=T1)
    mark_step_done(data_set, "review", at=T1)
    assert loaded.changed_at == T1  # what the session holds is read again
    assert dbsession.get_one(StepRun, (data_set.id, "review")).completed_at == T1
    assert dbsession.scalar(select(func.count()).select_from(InputChange)) == 2


def test_two_requests_change_an_input_first_at_once_and_both_succeed(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes one writer at a time: the two requests never overlap")
    with session_factory() as setup:
        data_set_id = make_data_set(setup).id
        setup.commit()
    first, second = session_factory(), session_factory()
    errors: list[Exception] = []

    def other_request() -> None:
        try:
            touch_inputs(second.get_one(DataSet, data_set_id), ["products"], at=T1)
            second.commit()
        except Exception as error:  # the test reports it
            errors.append(error)

    try:
        # The first request has written its row and not committed yet: the second one
        # finds none and writes it too, waiting on the key until the first commits.
        touch_inputs(first.get_one(DataSet, data_set_id), ["products"], at=T0)
        thread = threading.Thread(target=other_request)
        thread.start()
        thread.join(0.5)
        first.commit()
        thread.join(10)
    finally:
        first.close()
        second.close()
    assert errors == []
    with session_factory() as check:
        (row,) = check.scalars(select(InputChange)).all()
        assert row.changed_at == T1
