"""What the batch commands (`poser catalog import`, `poser inventory import`) share:
the data set and the user named on the command line, a batch's files read with a
progress bar, the tasks' refusals as one line and an exit status, a table of counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.entry_points.cli_context import Context
from poser.entry_points.cli_progress import TerminalProgress
from poser.models.data_extraction.users import user_by_name
from poser.models.orm import Batch, DataSet, User
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.jobs import TaskError
from poser.tasks.uploads import UploadError
from poser.tasks.users import normalize_username
from poser.utils.tabular import TabularError

#: Exit status when the file was read but rows in error stopped --execute: scripts can
#: tell "look at this batch" from "this did not work".
EXIT_ROWS_IN_ERROR = 3
#: The tasks' refusals: a message for the operator, never a traceback.
REFUSED = (BatchError, UploadError, TabularError, TaskError)


class RowsInError(click.ClickException):
    exit_code = EXIT_ROWS_IN_ERROR


@contextmanager
def refusals(file: Path) -> Iterator[None]:
    """The operator messages of the tasks as one line on stderr and exit 1, no traceback."""
    try:
        yield
    except UploadError as error:
        raise click.ClickException(f"{file.name}: {error}") from error
    except REFUSED as error:
        raise click.ClickException(str(error)) from error


def populate(ctx: Context, batch_id: int, files: Any) -> dict[str, int]:
    """Read a batch's file(s) into its rows, with a progress bar; a refused file is
    kept on the batch as its reason and ends the command (exit 1)."""
    progress = TerminalProgress("reading")
    try:
        with ctx.write_session() as session:
            batch = session.get_one(Batch, batch_id)
            handler = get_handler(batch.batch_type)
            counts = handler.populate(batch, files, progress)
    except REFUSED as error:
        # The rows were rolled back; the batch keeps the reason, as a failed job's does.
        with ctx.write_session() as session:
            handler.populate_failed(session.get_one(Batch, batch_id), str(error))
        raise click.ClickException(f"batch {batch_id}: {error}") from error
    finally:
        progress.close()
    return counts


def data_set_named(session: Session, name: str | None, data_set_id: int | None) -> DataSet:
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
    if username is None:
        return None
    user = user_by_name(session, normalize_username(username))
    if user is None:
        raise click.ClickException(f"no user named {username!r}")
    return user


def print_table(header: tuple[str, str], rows: list[tuple[str, int]]) -> None:
    width = max(len(label) for label in [header[0], *(label for label, _ in rows)])
    numbers = max(len(header[1]), *(len(f"{count:,}") for _, count in rows)) if rows else 4
    click.echo(f"  {header[0]:<{width}}  {header[1]:>{numbers}}")
    for label, count in rows:
        click.echo(f"  {label:<{width}}  {count:>{numbers},}")
