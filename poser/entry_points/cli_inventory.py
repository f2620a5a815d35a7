"""`poser inventory import`: scanner files counted (and applied) from the terminal.

The Inventory app's tasks in the same order, each step its own transaction as each is
a request or a job in the web app: the count is made with its options and its files
(a refused file, or the same file twice, refuses the whole import: nothing is made),
then read (a file that is not a count leaves a failed batch saying why), and on
request applied. Rows in error or flagged for recount stop --execute unless
--skip-errors or --apply-flagged say otherwise, as the Apply step asks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from poser.entry_points.cli_batches import (
    EXIT_ROWS_IN_ERROR,
    RowsInError,
    populate,
    print_table,
    refusals,
)
from poser.entry_points.cli_context import Context, data_set_named, pass_context, user_named
from poser.entry_points.cli_progress import TerminalProgress
from poser.models.orm import Batch, User
from poser.storage import store_from_settings
from poser.tasks.batches import get_handler
from poser.tasks.batches.inventory.counting import add_file, make_count
from poser.tasks.batches.inventory.handler import MODES
from poser.tasks.permissions import may
from poser.tasks.product_history import ChangeSource
from poser.tasks.uploads import max_upload_bytes, store_upload
from poser.utils.labels import INVENTORY_ROW_STATUSES, key_words, status_words

__all__ = ["EXIT_ROWS_IN_ERROR", "inventory_group"]


@click.group("inventory")
def inventory_group() -> None:
    """Inventory counts: read scanner files into a count, and apply it to on-hand."""


@inventory_group.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--data-set", "data_set_name", metavar="NAME", help="The data set, by name.")
@click.option("--data-set-id", type=int, metavar="ID", help="The data set, by id.")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="replace",
    show_default=True,
    help="replace: on-hand takes the count; adjust: the count is added; zero_rest: as "
    "replace, and the counted departments' products not counted go to zero; "
    "variance_only: review, nothing applied.",
)
@click.option(
    "--departments", metavar="N,N", default="", help="The department numbers being counted."
)
@click.option(
    "--cases", is_flag=True, help="The files count cases (x the preferred case size), not units."
)
@click.option("--threshold-units", metavar="N", help="Flag a variance past this many units.")
@click.option("--threshold-percent", metavar="PCT", help="Flag a variance past this percent.")
@click.option("--threshold-money", metavar="AMOUNT", help="Flag a variance past this value.")
@click.option("--execute", is_flag=True, help="Apply the count once it is read.")
@click.option("--skip-errors", is_flag=True, help="With --execute: skip the rows in error.")
@click.option("--apply-flagged", is_flag=True, help="With --execute: apply flagged rows too.")
@click.option("--user", "username", metavar="NAME", help="Who acts: an owner or editor.")
@pass_context
def import_command(
    ctx: Context,
    files: tuple[Path, ...],
    data_set_name: str | None,
    data_set_id: int | None,
    mode: str,
    departments: str,
    cases: bool,
    threshold_units: str | None,
    threshold_percent: str | None,
    threshold_money: str | None,
    execute: bool,
    skip_errors: bool,
    apply_flagged: bool,
    username: str | None,
) -> None:
    """Read FILES (a handheld scanner's CSV or text exports) into one count and show its
    rows by status; with --execute, apply it to on-hand.

    Exits 1 when a file or an option is refused (nothing is applied), 3 when --execute
    stops at rows in error or flagged for recount (the count stays, for review).
    """
    if (data_set_name is None) == (data_set_id is None):
        raise click.UsageError("give either --data-set NAME or --data-set-id ID")
    handler = get_handler("inventory")
    store = store_from_settings(ctx.settings)
    unit = "cases" if cases else "units"
    with ctx.write_session() as session:
        data_set = data_set_named(session, data_set_name, data_set_id)
        user = user_named(session, username)
        if user is not None and not may(session, user, "edit", data_set.id):
            raise click.ClickException(
                f"{user.username} may not change data set {data_set.id} {data_set.name!r}: "
                "name an owner or editor of it with --user"
            )
        parameters = {
            "mode": mode,
            "departments": departments,
            "threshold_units": threshold_units,
            "threshold_percent": threshold_percent,
            "threshold_money": threshold_money,
        }
        with refusals(files[0]):
            batch = make_count(data_set, store, parameters, user)
        for file in files:
            with refusals(file), file.open("rb") as stream:
                upload = store_upload(
                    data_set,
                    store,
                    stream,
                    file.name,
                    user,
                    max_upload_bytes(ctx.settings),
                    formats=("csv",),
                )
                add_file(batch, store, upload, unit)
        batch_id, user_id = batch.id, user.id if user else None
    counts = populate(ctx, batch_id, store)
    _print_counts(batch_id, counts)
    if not execute:
        return
    progress = TerminalProgress("applying")
    try:
        with ctx.write_session() as session:
            batch = session.get_one(Batch, batch_id)
            user = session.get(User, user_id) if user_id else None
            _may_apply(handler, batch, user, skip_errors, apply_flagged)
            via = ChangeSource("command", command="poser inventory import")
            with refusals(files[0]):
                summary = handler.execute(batch, user, progress, via)
    finally:
        progress.close()
    click.echo(f"batch {batch_id}: applied")
    print_table(("change", "rows"), [(key_words(k), v) for k, v in summary.items()])


def _may_apply(
    handler: Any, batch: Batch, user: User | None, skip_errors: bool, apply_flagged: bool
) -> None:
    errors = handler.needs_acknowledgement(batch)
    if errors and not skip_errors:
        raise RowsInError(
            f"batch {batch.id}: {errors:,} row(s) are in error, so nothing was applied; "
            "review them in the browser, or run again with --skip-errors to skip them"
        )
    if errors:
        handler.acknowledge(batch, user)
    flagged = handler.flagged_included(batch)
    if flagged and not apply_flagged:
        raise RowsInError(
            f"batch {batch.id}: {flagged:,} row(s) are flagged for recount, so nothing was "
            "applied; recount them, or run again with --apply-flagged to apply them"
        )


def _print_counts(batch_id: int, counts: dict[str, int]) -> None:
    click.echo(f"batch {batch_id}: {sum(counts.values()):,} rows read")
    order = [status for status in INVENTORY_ROW_STATUSES if status in counts]
    order += sorted(set(counts) - set(order))
    print_table(("status", "rows"), [(status_words("row", s), counts[s]) for s in order])
