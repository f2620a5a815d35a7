from __future__ import annotations

from argon2 import PasswordHasher

from poser.utils.passwords import hash_password, needs_rehash, password_problem, verify_password


def test_hash_is_argon2id_and_verifies() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse batterY")
    assert not needs_rehash(hashed)


def test_unknown_user_and_garbage_hashes_never_verify() -> None:
    assert not verify_password(None, "poser-dummy-password")
    assert not verify_password("not-a-hash", "anything")


def test_password_rules() -> None:
    assert password_problem("short") == "Passwords need at least 10 characters."
    assert password_problem(" leading space!") == "Passwords cannot begin or end with spaces."
    assert password_problem("long enough pass") is None


def test_hashes_take_owasps_parameters_and_older_ones_are_made_again() -> None:
    assert hash_password("correct horse battery").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    older = PasswordHasher().hash("correct horse battery")  # argon2-cffi's own default
    assert verify_password(older, "correct horse battery")
    assert needs_rehash(older)
