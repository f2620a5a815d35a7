"""BodySession: a response body that reads while it is sent, through a session of the
app's factory, closed with the body however the body ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyramid import testing
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from poser.apps.site.streaming import SESSION_FACTORY_KEY, BodySession


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://", poolclass=QueuePool)
    yield engine
    engine.dispose()


def _body_session(engine: Engine) -> BodySession:
    request = testing.DummyRequest()
    request.registry[SESSION_FACTORY_KEY] = sessionmaker(bind=engine)
    return BodySession(request)


def _lines(session: Session) -> Iterator[bytes]:
    for (number,) in session.execute(text("SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3")):
        yield f"{number}\n".encode()


def test_the_body_reads_through_its_session_and_closes_it_at_the_end(engine: Engine) -> None:
    with testing.testConfig():
        reader = _body_session(engine)
        body = reader.body(_lines(reader.session))
        assert engine.pool.checkedout() == 0, "nothing is read before the body is sent"
        assert b"".join(body) == b"1\n2\n3\n"
        body.close()
    assert engine.pool.checkedout() == 0


def test_a_body_cut_off_or_never_sent_closes_its_session(engine: Engine) -> None:
    with testing.testConfig():
        reader = _body_session(engine)
        body = reader.body(_lines(reader.session))
        assert next(iter(body)) == b"1\n"
        assert engine.pool.checkedout() == 1
        body.close()  # the client went away
        assert engine.pool.checkedout() == 0
        never = _body_session(engine)
        never.body(_lines(never.session)).close()  # a HEAD: the body is not sent
        assert engine.pool.checkedout() == 0
