"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane): about 40 ms
#: of one core a check. argon2-cffi's default (64 MiB, 3 passes, 4 lanes) costs seven
#: times that, and a morning's logins would take a small server's CPU from every page.
#: A hash made with other parameters is made again at its user's next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this when a username is unknown costs the same time as a real
# check, so response times do not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("poser-dummy-password")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Passwords need at least {MIN_PASSWORD_LENGTH} characters."
    if password.strip() != password:
        return "Passwords cannot begin or end with spaces."
    return None
