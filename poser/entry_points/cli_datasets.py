"""`poser data-set ...`: sample catalogs, and data sets to and from Excel workbooks."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click
from sqlalchemy.orm import Session

from poser.entry_points.cli_context import Context, pass_context
from poser.entry_points.cli_progress import TerminalProgress
from poser.models.data_extraction.users import user_by_name
from poser.models.orm import DataSet
from poser.tasks.datasets import DataSetError, create_data_set
from poser.tasks.datasets.workbook import export_data_set, import_data_set
from poser.tasks.generate import MAX_PRODUCTS, generate_products
from poser.tasks.jobs import TaskError
from poser.tasks.users import normalize_username

DEFAULT_APPLICATION = "products"


@click.group("data-set")
def data_set_group() -> None:
    """Data sets: generate sample catalogs, export and import workbooks."""


_application_option = click.option(
    "--application",
    default=DEFAULT_APPLICATION,
    show_default=True,
    help="The url name of the Application the new data set belongs to.",
)
_owner_option = click.option(
    "--owner", metavar="USERNAME", help="Make this user the new data set's owner."
)


@data_set_group.command("generate")
@click.argument("name")
@click.option(
    "--products",
    type=click.IntRange(0, MAX_PRODUCTS),
    required=True,
    help="How many products to make (each gets one to three vendor costs).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@_application_option
@_owner_option
@pass_context
def generate(
    ctx: Context, name: str, products: int, seed: int, application: str, owner: str | None
) -> None:
    """Create data set NAME filled with a generated grocery catalog."""

    def fill(data_set: DataSet, progress: TerminalProgress) -> dict[str, int]:
        return generate_products(data_set, products=products, seed=seed, progress=progress)

    _create_filled(ctx, name, application, owner, "generating", fill)


@data_set_group.command("export")
@click.argument("data_set_id", metavar="ID", type=int)
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@pass_context
def export(ctx: Context, data_set_id: int, file: Path) -> None:
    """Write data set ID's catalog to FILE (.xlsx), one sheet per table."""
    # Written beside FILE, then renamed: a failed export never leaves half a workbook.
    partial = file.with_name(f".{file.name}.partial")
    progress = TerminalProgress("exporting")
    try:
        with ctx.dbsession() as session:
            data_set = session.get(DataSet, data_set_id)
            if data_set is None:
                raise click.ClickException(f"no data set {data_set_id}")
            with partial.open("wb") as stream:
                counts = export_data_set(data_set, stream, progress=progress)
        os.replace(partial, file)
    except TaskError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        progress.close()
        partial.unlink(missing_ok=True)
    click.echo(f"exported data set {data_set_id} to {file}: {_counts(counts)}")


@data_set_group.command("import")
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_application_option
@_owner_option
@pass_context
def import_command(
    ctx: Context, name: str, file: Path, application: str, owner: str | None
) -> None:
    """Create data set NAME from FILE, a workbook written by `export`.

    Nothing is saved unless the whole file imports.
    """

    def fill(data_set: DataSet, progress: TerminalProgress) -> dict[str, int]:
        return import_data_set(data_set, file, progress=progress)

    _create_filled(ctx, name, application, owner, "importing", fill)


def _create_filled(
    ctx: Context,
    name: str,
    application: str,
    owner: str | None,
    doing: str,
    fill: Callable[[DataSet, TerminalProgress], dict[str, int]],
) -> None:
    """Create data set NAME and ``fill`` it in one transaction, so that nothing is saved
    unless it is filled; say what it holds."""
    progress = TerminalProgress(doing)
    try:
        with ctx.write_session() as session:
            data_set = _new_data_set(session, name, application, owner)
            counts = fill(data_set, progress)
            data_set_id = data_set.id
    except (TaskError, DataSetError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        progress.close()
    click.echo(f"created data set {data_set_id} {name!r}: {_counts(counts)}")


def _new_data_set(session: Session, name: str, application: str, owner: str | None) -> DataSet:
    user = None
    if owner is not None:
        user = user_by_name(session, normalize_username(owner))
        if user is None:
            raise click.ClickException(f"no user named {owner!r}")
    return create_data_set(session, name, application, user)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {table.replace('_', ' ')}" for table, count in counts.items())
