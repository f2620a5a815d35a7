"""`poser user disable/enable/list`: a disabled user is listed as such, and every
session of theirs ends (the credentials version moves on)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import User
from tests.unit.entry_points.test_cli import _ini, run

pytestmark = pytest.mark.usefixtures("clean_environ")


def _state(dbsession: Session, name: str) -> tuple[bool, int]:
    dbsession.rollback()
    user = dbsession.scalars(select(User).where(User.username == name)).one()
    return user.active, user.credentials_version


def test_disable_and_enable_a_user(
    tmp_path: Path, database_url: str, session_factory: object, dbsession: Session
) -> None:
    ini = str(_ini(tmp_path, database_url))
    run("-c", ini, "user", "create", "tina", stdin="a long password\n")

    disabled = run("-c", ini, "user", "disable", "Tina")
    assert disabled.exit_code == 0, disabled.output
    assert disabled.output == "disabled tina; their sessions have ended\n"
    assert _state(dbsession, "tina") == (False, 2)
    assert run("-c", ini, "user", "list").output.splitlines() == ["tina\toperator (disabled)"]

    enabled = run("-c", ini, "user", "enable", "tina")
    assert enabled.output == "enabled tina\n"
    assert _state(dbsession, "tina") == (True, 2)
    assert run("-c", ini, "user", "list").output.splitlines() == ["tina\toperator"]

    unknown = run("-c", ini, "user", "disable", "nobody")
    assert unknown.exit_code == 1
    assert "no user named 'nobody'" in unknown.output
