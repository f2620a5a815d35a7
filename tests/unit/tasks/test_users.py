from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import poser.tasks.users as users_module
from poser.models.data_extraction.users import RecentFailures
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import LoginFailure, User
from poser.tasks.users import (
    LoginOutcome,
    LoginPolicy,
    UserError,
    authenticate,
    create_user,
    disable_user,
    enable_user,
    set_password,
)
from poser.utils.passwords import verify_password
from poser.utils.timeutil import utcnow
from tests.factories import PASSWORD, make_user

POLICY = LoginPolicy(
    free_failures=3,
    address_free_failures=5,
    window=timedelta(minutes=15),
    max_delay=timedelta(seconds=60),
)


def _failures(dbsession: Session) -> int:
    dbsession.rollback()  # a fresh snapshot: the logins commit in their own sessions
    return dbsession.scalar(select(func.count()).select_from(LoginFailure)) or 0


def test_create_user_normalizes_the_name_and_hashes_the_password(dbsession: Session) -> None:
    user = create_user(dbsession, "  Alice ", "a long password")
    assert user.username == "alice"
    assert user.role == "operator"
    assert user.password_hash != "a long password"
    assert verify_password(user.password_hash, "a long password")


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("a", "a long password", "operator", "Usernames are 2 to 100 characters"),
        ("bad name", "a long password", "operator", "Usernames are"),
        ("carol", "short", "operator", "at least 10 characters"),
        ("carol", "a long password", "king", "Unknown role 'king'"),
    ],
)
def test_create_user_refuses_bad_input(
    dbsession: Session, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        create_user(dbsession, username, password, role=role)


def test_usernames_are_unique_whatever_the_case(dbsession: Session) -> None:
    make_user(dbsession, "dave")
    with pytest.raises(UserError, match="already exists"):
        create_user(dbsession, "DAVE", "a long password")


def test_a_new_password_moves_the_credentials_version_on(dbsession: Session) -> None:
    user = make_user(dbsession, "erin")
    assert user.credentials_version == 1
    set_password(dbsession, user, "another long one")
    dbsession.commit()
    assert verify_password(user.password_hash, "another long one")
    assert user.credentials_version == 2
    with pytest.raises(UserError):
        set_password(dbsession, user, "tiny")


def test_disabling_moves_the_version_on_and_enabling_leaves_it(dbsession: Session) -> None:
    user = make_user(dbsession, "elsa")
    disable_user(dbsession, user)
    dbsession.commit()
    assert (user.active, user.credentials_version) == (False, 2)
    enable_user(dbsession, user)
    dbsession.commit()
    assert (user.active, user.credentials_version) == (True, 2)


def test_a_good_login_returns_the_user_and_clears_its_failures_there(
    dbsession: Session, session_factory: sessionmaker[Session]
) -> None:
    make_user(dbsession, "fay")
    now = utcnow()
    assert authenticate(session_factory, "fay", "wrong", "10.0.0.1", POLICY, now).user is None
    assert authenticate(session_factory, "fay", "wrong", "10.0.0.2", POLICY, now).user is None
    outcome = authenticate(session_factory, "FAY", PASSWORD, "10.0.0.1", POLICY, now)
    assert outcome.user is not None
    assert outcome.user.username == "fay"
    assert outcome.user.last_login_at == now
    assert outcome.user.credentials_version == 1
    # The failure from the other address is someone else's business.
    assert dbsession.scalars(select(LoginFailure.address)).all() == ["10.0.0.2"]


def test_unknown_and_disabled_users_fail_like_wrong_passwords(
    dbsession: Session, session_factory: sessionmaker[Session]
) -> None:
    disable_user(dbsession, make_user(dbsession, "gus"))
    dbsession.commit()
    assert authenticate(session_factory, "gus", PASSWORD, "10.0.0.1", POLICY).user is None
    assert authenticate(session_factory, "nobody", PASSWORD, "10.0.0.1", POLICY).user is None
    assert _failures(dbsession) == 2


def test_failures_past_the_free_ones_make_the_next_attempt_wait(
    dbsession: Session, session_factory: sessionmaker[Session]
) -> None:
    make_user(dbsession, "hal")
    start = utcnow()

    def attempt(password: str, at: Any) -> LoginOutcome:
        return authenticate(session_factory, "hal", password, "10.0.0.1", POLICY, at)

    for second in range(3):
        assert not attempt("nope", start + timedelta(seconds=second)).throttled
    # The third failure reached the limit: the next attempt waits 2**0 = 1 s after it.
    last = start + timedelta(seconds=2)
    refused = attempt(PASSWORD, last)
    assert refused.throttled
    assert refused.retry_after == 1
    assert refused.user is None, "the right password is not even checked while waiting"
    assert _failures(dbsession) == 3, "a refused attempt is not a failure"
    # After the wait, one more failure doubles it.
    later = last + timedelta(seconds=1)
    assert attempt("nope", later).user is None
    assert attempt(PASSWORD, later).retry_after == 2
    # Once the wait is over, the right password works.
    assert attempt(PASSWORD, later + timedelta(seconds=2)).user


def test_failures_from_one_address_do_not_slow_the_owner_down_at_another(
    dbsession: Session, session_factory: sessionmaker[Session]
) -> None:
    make_user(dbsession, "admin", role="admin")
    now = utcnow()
    for _ in range(10):
        authenticate(session_factory, "admin", "guess", "10.6.6.6", POLICY, now)
    assert authenticate(session_factory, "admin", PASSWORD, "10.6.6.6", POLICY, now).throttled
    owner = authenticate(session_factory, "admin", PASSWORD, "10.0.0.7", POLICY, now)
    assert owner.user is not None
    assert not owner.throttled


def test_an_address_spraying_many_names_is_slowed_down(
    dbsession: Session, session_factory: sessionmaker[Session]
) -> None:
    now = utcnow()
    for name in ("ida", "jon", "kim", "lee", "max"):
        assert not authenticate(session_factory, name, "guess", "10.6.6.6", POLICY, now).throttled
    assert authenticate(session_factory, "ned", "guess", "10.6.6.6", POLICY, now).throttled
    assert not authenticate(session_factory, "ned", "guess", "10.0.0.9", POLICY, now).throttled


def test_the_delay_doubles_up_to_the_maximum() -> None:
    assert [POLICY.delay_after(n).total_seconds() for n in range(2, 11)] == [
        0, 1, 2, 4, 8, 16, 32, 60, 60,
    ]  # fmt: skip
    assert POLICY.delay_after(5, free=POLICY.address_free_failures).total_seconds() == 1


def test_attempts_under_way_elsewhere_make_no_wait_below_the_limits() -> None:
    now = utcnow()
    # Another attempt from the address, recorded after this one's clock was read.
    other = now + timedelta(milliseconds=300)
    assert POLICY.retry_after(RecentFailures(0, None, 3, other), now) == 0
    assert POLICY.retry_after(RecentFailures(2, other, 3, other), now) == 0
    assert POLICY.retry_after(RecentFailures(3, other, 3, other), now) == 2  # 1 s after it


def test_a_burst_of_wrong_passwords_gets_only_the_free_ones_checked(
    dbsession: Session, session_factory: sessionmaker[Session]
) -> None:
    make_user(dbsession, "admin", role="admin")
    policy = LoginPolicy(free_failures=5, window=timedelta(minutes=15))
    attempts = 60
    start = threading.Barrier(attempts)
    now = utcnow()  # one instant, however long the burst takes: no wait runs out

    def attempt(number: int) -> LoginOutcome:
        start.wait()
        return authenticate(session_factory, "admin", f"guess {number}", "10.6.6.6", policy, now)

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        outcomes = list(pool.map(attempt, range(attempts)))
    checked = [outcome for outcome in outcomes if not outcome.throttled]
    assert len(checked) == policy.free_failures
    assert _failures(dbsession) == policy.free_failures


def test_the_password_is_checked_while_others_can_write(
    dbsession: Session,
    session_factory: sessionmaker[Session],
    settings: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No transaction of the login is open while argon2 runs: on SQLite, another
    writer that will not wait at all still writes then."""
    make_user(dbsession, "ivy")
    impatient = get_engine({**settings, "poser.sqlite.busy_timeout_ms": 0})
    wrote: list[str] = []

    def verify_while_another_writes(password_hash: str | None, password: str) -> bool:
        with write_transaction(get_session_factory(impatient)) as other:
            other.add(LoginFailure(username="other", address="10.1.1.1", at=utcnow()))
        wrote.append("other")
        return verify_password(password_hash, password)

    monkeypatch.setattr(users_module, "verify_password", verify_while_another_writes)
    try:
        assert authenticate(session_factory, "ivy", PASSWORD, "10.0.0.1", POLICY).user
    finally:
        impatient.dispose()
    assert wrote == ["other"]


def test_a_password_changed_during_the_check_refuses_the_login(
    dbsession: Session, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(dbsession, "jay")

    def verify_while_an_admin_disables(password_hash: str | None, password: str) -> bool:
        with session_factory.begin() as admin:
            user = admin.scalars(select(User).where(User.username == "jay")).one()
            disable_user(admin, user)
            enable_user(admin, user)
        return verify_password(password_hash, password)

    monkeypatch.setattr(users_module, "verify_password", verify_while_an_admin_disables)
    assert authenticate(session_factory, "jay", PASSWORD, "10.0.0.1", POLICY).user is None
    assert _failures(dbsession) == 1


def test_a_login_makes_a_hash_of_other_parameters_again_and_keeps_the_sessions(
    session_factory: sessionmaker[Session], dbsession: Session
) -> None:
    user = make_user(dbsession, "ivo")
    user.password_hash = PasswordHasher().hash(PASSWORD)  # argon2-cffi's default
    dbsession.commit()
    version = user.credentials_version
    assert authenticate(session_factory, "ivo", PASSWORD, "10.0.0.1", POLICY).user
    dbsession.expire_all()
    assert dbsession.get_one(User, user.id).password_hash.startswith("$argon2id$v=19$m=19456")
    assert dbsession.get_one(User, user.id).credentials_version == version
