from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import LoginFailure
from poser.tasks.users import (
    LoginPolicy,
    UserError,
    authenticate,
    create_user,
    set_password,
)
from poser.utils.passwords import verify_password
from poser.utils.timeutil import utcnow
from tests.factories import PASSWORD, make_user

POLICY = LoginPolicy(free_failures=3, window=timedelta(minutes=15), max_delay=timedelta(seconds=60))


def _failures(dbsession: Session) -> int:
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


def test_set_password(dbsession: Session) -> None:
    user = make_user(dbsession, "erin")
    set_password(dbsession, user, "another long one")
    assert verify_password(user.password_hash, "another long one")
    with pytest.raises(UserError):
        set_password(dbsession, user, "tiny")


def test_a_good_login_returns_the_user_and_clears_its_failures(dbsession: Session) -> None:
    make_user(dbsession, "fay")
    now = utcnow()
    assert authenticate(dbsession, "fay", "wrong", "10.0.0.1", POLICY, now).user is None
    outcome = authenticate(dbsession, "FAY", PASSWORD, "10.0.0.1", POLICY, now)
    assert outcome.user is not None
    assert outcome.user.username == "fay"
    assert outcome.user.last_login_at == now
    assert _failures(dbsession) == 0


def test_unknown_and_inactive_users_fail_like_wrong_passwords(dbsession: Session) -> None:
    user = make_user(dbsession, "gus")
    user.active = False
    dbsession.commit()
    assert authenticate(dbsession, "gus", PASSWORD, "10.0.0.1", POLICY).user is None
    assert authenticate(dbsession, "nobody", PASSWORD, "10.0.0.1", POLICY).user is None
    assert _failures(dbsession) == 2


def test_failures_past_the_free_ones_make_the_next_attempt_wait(dbsession: Session) -> None:
    make_user(dbsession, "hal")
    start = utcnow()
    for attempt in range(3):
        at = start + timedelta(seconds=attempt)
        assert not authenticate(dbsession, "hal", "nope", "10.0.0.1", POLICY, at).throttled
    # The third failure reached the limit: the next attempt waits 2**0 = 1 s after it.
    last = start + timedelta(seconds=2)
    refused = authenticate(dbsession, "hal", PASSWORD, "10.0.0.1", POLICY, last)
    assert refused.throttled
    assert refused.retry_after == 1
    assert refused.user is None, "the right password is not even checked while waiting"
    # After the wait, one more failure doubles it.
    later = last + timedelta(seconds=1)
    assert authenticate(dbsession, "hal", "nope", "10.0.0.1", POLICY, later).user is None
    assert authenticate(dbsession, "hal", PASSWORD, "10.0.0.1", POLICY, later).retry_after == 2
    # Once the wait is over, the right password works.
    assert authenticate(
        dbsession, "hal", PASSWORD, "10.0.0.1", POLICY, later + timedelta(seconds=2)
    ).user


def test_an_address_spraying_many_names_is_slowed_down(dbsession: Session) -> None:
    now = utcnow()
    for name in ("ida", "jon", "kim"):
        authenticate(dbsession, name, "guess", "10.6.6.6", POLICY, now)
    assert authenticate(dbsession, "lee", "guess", "10.6.6.6", POLICY, now).throttled
    assert not authenticate(dbsession, "lee", "guess", "10.0.0.9", POLICY, now).throttled


def test_the_delay_doubles_up_to_the_maximum() -> None:
    assert [POLICY.delay_after(n).total_seconds() for n in range(2, 11)] == [
        0, 1, 2, 4, 8, 16, 32, 60, 60,
    ]  # fmt: skip
