"""What the batch commands (`poser catalog import`, `poser inventory import`) share:
a batch's files read with a progress bar, the tasks' refusals as one line and an exit
status, a table of counts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from poser.entry_points.cli_context import Context
from poser.entry_points.cli_progress import TerminalProgress
from poser.models.orm import Batch
from poser.tasks.batches import BatchError, get_handler
from poser.tasks.jobs import TaskError
from poser.tasks.uploads import UploadError
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


def print_table(header: tuple[str, str], rows: list[tuple[str, int]]) -> None:
    width = max(len(label) for label in [header[0], *(label for label, _ in rows)])
    numbers = max(len(header[1]), *(len(f"{count:,}") for _, count in rows)) if rows else 4
    click.echo(f"  {header[0]:<{width}}  {header[1]:>{numbers}}")
    for label, count in rows:
        click.echo(f"  {label:<{width}}  {count:>{numbers},}")


def print_columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A table of text already formatted: the first column to the left, the others (the
    figures, as the pages write them) to the right."""
    lines = [header, *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        cells = [f"{line[0]:<{widths[0]}}"]
        cells += [f"{cell:>{width}}" for cell, width in zip(line[1:], widths[1:], strict=True)]
        click.echo("  " + "  ".join(cells))
