"""The `poser` command line. Every command takes -c/--config FILE.

Commands run the same tasks as the web app; each owns its transaction.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

from poser.models.engine import get_engine, get_session_factory, write_transaction
from poser.utils.appdir import keep_files_private
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


def _default_config() -> str:
    return os.environ.get("POSER_CONFIG") or "development.ini"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-c",
    "--config",
    "config_file",
    metavar="FILE",
    default=_default_config,
    show_default="$POSER_CONFIG, else development.ini",
    help="The PasteDeploy ini file with the app's settings.",
)
@click.pass_context
def cli(ctx: click.Context, config_file: str) -> None:
    """Poser: keep a retail product catalog right."""
    keep_files_private()  # every command, before it creates a file
    if not Path(config_file).is_file():
        raise click.UsageError(f"config file not found: {config_file} (give one with -c FILE)")
    # Short log lines on stderr: alembic's progress and the app's warnings.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.INFO)
    ctx.obj = Context(config_file)


pass_context = click.make_pass_decorator(Context)


def _register_commands() -> None:
    from poser.entry_points import (
        cli_appdir,
        cli_catalog,
        cli_datasets,
        cli_db,
        cli_queue,
        cli_users,
    )

    cli.add_command(cli_appdir.make_appdir_command)
    cli.add_command(cli_appdir.dev_setup_command)
    cli.add_command(cli_db.db)
    cli.add_command(cli_users.user)
    cli.add_command(cli_queue.worker)
    cli.add_command(cli_queue.scheduler)
    cli.add_command(cli_queue.jobs)
    cli.add_command(cli_queue.maintenance_group)
    cli.add_command(cli_datasets.data_set_group)
    cli.add_command(cli_catalog.catalog_group)


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


_register_commands()
