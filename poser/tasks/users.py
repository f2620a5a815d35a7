"""Users: creation, passwords and the login check with its slow-down on failures."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from poser.models.data_extraction.users import recent_failures, user_by_name
from poser.models.orm import ROLES, LoginFailure, User
from poser.utils.passwords import hash_password, needs_rehash, password_problem, verify_password
from poser.utils.timeutil import utcnow

log = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")


class UserError(ValueError):
    """Input that cannot make a valid user; the message is for the person who gave it."""


def normalize_username(username: str) -> str:
    return username.strip().lower()


def create_user(dbsession: Session, username: str, password: str, role: str = "operator") -> User:
    name = normalize_username(username)
    if not USERNAME_PATTERN.match(name):
        raise UserError(
            "Usernames are 2 to 100 characters: letters, digits and . _ @ - "
            "(starting with a letter or digit)."
        )
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if user_by_name(dbsession, name) is not None:
        raise UserError(f"A user named {name!r} already exists.")
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    user = User(username=name, password_hash=hash_password(password), role=role)
    dbsession.add(user)
    dbsession.flush()
    log.info("user created: %s (%s)", name, role)
    return user


def set_password(dbsession: Session, user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    user.password_hash = hash_password(password)
    dbsession.flush()


@dataclass(frozen=True)
class LoginPolicy:
    """Failures allowed in ``window`` before each further attempt must wait.

    The wait doubles with each failure past ``free_failures``, up to ``max_delay``.
    Counting by name and by address slows both guessing one account and spraying many.
    """

    free_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    max_delay: timedelta = timedelta(minutes=5)

    def delay_after(self, failures: int) -> timedelta:
        if failures < self.free_failures:
            return timedelta(0)
        exponent = min(failures - self.free_failures, 20)
        return min(timedelta(seconds=2**exponent), self.max_delay)


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    retry_after: int = 0  # seconds to wait before the next attempt is considered

    @property
    def throttled(self) -> bool:
        return self.retry_after > 0


def authenticate(
    dbsession: Session,
    username: str,
    password: str,
    address: str,
    policy: LoginPolicy = LoginPolicy(),
    now: datetime | None = None,
) -> LoginOutcome:
    """Check a login. Records failures; refuses without checking while a wait is due."""
    now = now or utcnow()
    name = normalize_username(username)[:100]
    address = (address or "unknown")[:64]
    failures, latest = recent_failures(dbsession, name, address, now - policy.window)
    if latest is not None:
        wait_until = latest + policy.delay_after(failures)
        if wait_until > now:
            retry_after = math.ceil((wait_until - now).total_seconds())
            log.warning(
                "login refused while slowed down: user=%r address=%s failures=%d wait=%ds",
                name, address, failures, retry_after,
            )  # fmt: skip
            return LoginOutcome(None, retry_after=retry_after)

    user = user_by_name(dbsession, name)
    valid = verify_password(user.password_hash if user else None, password)
    if not (user and valid and user.active):
        dbsession.add(LoginFailure(username=name, address=address, at=now))
        dbsession.flush()
        log.warning("login failed: user=%r address=%s failures=%d", name, address, failures + 1)
        return LoginOutcome(None)

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    dbsession.execute(delete(LoginFailure).where(LoginFailure.username == name))
    log.info("login: user=%r address=%s", name, address)
    return LoginOutcome(user)
