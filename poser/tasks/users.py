"""Users: creation, passwords, disabling, and the login check with its slow-down on
failures."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from poser.models.data_extraction.users import (
    RecentFailures,
    recent_failures,
    serialize_login_attempts,
    user_by_id,
    user_by_name,
)
from poser.models.engine import write_transaction
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


def end_sessions(user: User) -> None:
    """Every session of ``user`` ends: each carries the credentials version it was
    opened with, and the security policy refuses one whose version is not the user's.
    A session that should go on (the one a user changed their own password in) is
    remembered again with the new version."""
    user.credentials_version = User.credentials_version + 1


def set_password(dbsession: Session, user: User, password: str) -> None:
    """A new password for ``user``; every session of theirs ends."""
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    user.password_hash = hash_password(password)
    end_sessions(user)
    dbsession.flush()
    log.info("password changed: %s; their sessions end", user.username)


def disable_user(dbsession: Session, user: User) -> None:
    """``user`` can no longer log in, and every session of theirs ends."""
    user.active = False
    end_sessions(user)
    dbsession.flush()
    log.info("user disabled: %s; their sessions end", user.username)


def enable_user(dbsession: Session, user: User) -> None:
    """``user`` can log in again (the sessions that disabling ended stay ended)."""
    user.active = True
    dbsession.flush()
    log.info("user enabled: %s", user.username)


@dataclass(frozen=True)
class LoginPolicy:
    """How many failed logins an address may make in ``window`` before it must wait.

    Failures count by username *and* address (``free_failures`` for one name from one
    address), and by address alone (``address_free_failures``, whatever the names):
    guessing one account's password and trying a password on many accounts are both
    slowed down, while the owner of an account, from an address that has not been
    failing, is never kept waiting by someone else's failures. Past the free ones, each
    further failure doubles the wait before the next attempt, up to ``max_delay``.
    """

    free_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    max_delay: timedelta = timedelta(minutes=5)
    address_free_failures: int = 20

    def delay_after(self, failures: int, free: int | None = None) -> timedelta:
        free = self.free_failures if free is None else free
        if failures < free:
            return timedelta(0)
        exponent = min(failures - free, 20)
        return min(timedelta(seconds=2**exponent), self.max_delay)

    def retry_after(self, recent: RecentFailures, now: datetime) -> int:
        """Seconds until the next attempt may be checked (0: now)."""
        waits = [timedelta(0)]
        for count, latest, free in (
            (recent.of_name, recent.name_latest, self.free_failures),
            (recent.of_address, recent.address_latest, self.address_free_failures),
        ):
            delay = self.delay_after(count, free)
            # Only a delay makes a wait: another attempt's record may carry a later
            # time than this attempt's ``now``.
            if latest is not None and delay:
                waits.append(latest + delay - now)
        return math.ceil(max(waits).total_seconds())


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    retry_after: int = 0  # seconds to wait before the next attempt is considered

    @property
    def throttled(self) -> bool:
        return self.retry_after > 0


def authenticate(
    session_factory: sessionmaker[Session],
    username: str,
    password: str,
    address: str,
    policy: LoginPolicy = LoginPolicy(),
    now: datetime | None = None,
) -> LoginOutcome:
    """Check a login from ``address``; refuse without checking while a wait is due.

    An attempt counts as a failure from before its password is checked until it proves
    right. One short transaction, which no other attempt from the same address runs
    beside, reads the recent failures and, unless a wait is due, records this attempt
    as one: however many attempts come at once, no more passwords are checked than the
    policy allows. The password is checked outside any transaction (argon2 takes a
    tenth of a second, and SQLite's write lock is not held for it); a right one then
    deletes the failures of that name from that address, its own included. The
    transactions are this function's own: the record must be committed before the
    check for a concurrent attempt to count it.
    """
    now = now or utcnow()
    name = normalize_username(username)[:100]
    address = (address or "unknown")[:64]
    with write_transaction(session_factory) as dbsession:
        serialize_login_attempts(dbsession, address)
        recent = recent_failures(dbsession, name, address, now - policy.window)
        retry_after = policy.retry_after(recent, now)
        if retry_after > 0:
            log.warning(
                "login refused while slowed down: user=%r address=%s failures=%d/%d wait=%ds",
                name, address, recent.of_name, recent.of_address, retry_after,
            )  # fmt: skip
            return LoginOutcome(None, retry_after=retry_after)
        dbsession.add(LoginFailure(username=name, address=address, at=now))
        user = user_by_name(dbsession, name)

    valid = verify_password(user.password_hash if user else None, password)
    if not (user and valid and user.active):
        log.warning(
            "login failed: user=%r address=%s failures=%d/%d",
            name, address, recent.of_name + 1, recent.of_address + 1,
        )  # fmt: skip
        return LoginOutcome(None)
    new_hash = hash_password(password) if needs_rehash(user.password_hash) else None

    with write_transaction(session_factory) as dbsession:
        current = user_by_id(dbsession, user.id)
        if current is None or current.credentials_version != user.credentials_version:
            # A new password or disabling came while this one was checked: the attempt
            # stays a failure.
            log.warning("login failed: user=%r address=%s credentials changed", name, address)
            return LoginOutcome(None)
        of_name_here = (LoginFailure.address == address) & (LoginFailure.username == name)
        dbsession.execute(delete(LoginFailure).where(of_name_here))
        current.last_login_at = now
        if new_hash is not None:
            current.password_hash = new_hash
    log.info("login: user=%r address=%s", name, address)
    return LoginOutcome(current)
