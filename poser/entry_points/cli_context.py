"""What every `poser` command is handed: the settings and database of one run, and the
helpers commands share. The command modules import this, never `main`, which imports
them."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.data_extraction.users import user_by_name
from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.models.orm import DataSet, User
from poser.tasks.users import normalize_username
from poser.utils.settings import SettingsError, load_settings


class Context:
    """Settings and database for one CLI run, loaded on first use."""

    def __init__(self, config_file: str) -> None:
        self.config_file = config_file

    @cached_property
    def settings(self) -> dict[str, Any]:
        try:
            return load_settings(self.config_file)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from exc

    @contextmanager
    def dbsession(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        engine = get_engine(self.settings)
        try:
            with get_session_factory(engine).begin() as session:
                yield session
        finally:
            engine.dispose()

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """Like `dbsession`, but the transaction takes SQLite's write lock at BEGIN: a
        long load that read first would otherwise be refused its first write whenever
        the web app or a worker had written in the meantime."""
        engine = get_engine(self.settings)
        try:
            with write_transaction(get_session_factory(engine)) as session:
                yield session
        finally:
            engine.dispose()


pass_context = click.make_pass_decorator(Context)


def read_password(prompt: bool) -> str:
    """From a prompt (asked twice) on a terminal, else the first line of stdin; never argv."""
    if sys.stdin.isatty() and prompt:
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line:
        raise click.ClickException("no password on standard input")
    return line.rstrip("\r\n")


def random_password() -> str:
    return secrets.token_urlsafe(15)


def data_set_named(session: Session, name: str | None, data_set_id: int | None) -> DataSet:
    """The data set a command names, by --data-set-id or by a name only one has."""
    if data_set_id is not None:
        data_set = session.get(DataSet, data_set_id)
        if data_set is None:
            raise click.ClickException(f"no data set {data_set_id}")
        return data_set
    found = session.scalars(select(DataSet).where(DataSet.name == name).order_by(DataSet.id)).all()
    if not found:
        raise click.ClickException(f"no data set named {name!r}")
    if len(found) > 1:
        ids = ", ".join(str(data_set.id) for data_set in found)
        raise click.ClickException(
            f"{len(found)} data sets are named {name!r} (ids {ids}); choose one with --data-set-id"
        )
    return found[0]


def user_named(session: Session, username: str | None) -> User | None:
    """The user a command names (--user), None when it names none."""
    if username is None:
        return None
    user = user_by_name(session, normalize_username(username))
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    return user
