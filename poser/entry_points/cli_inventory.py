"""`poser inventory import`: scanner files counted (and applied) from the terminal.

The Inventory app's tasks in the same order, each step its own transaction as each is
a request or a job in the web app: the count is made with its options and its files
(a refused file, or the same file twice, refuses the whole import: nothing is made),
then read (a file that is not a count leaves a failed batch saying why), and on
request applied. Rows in error or flagged for recount stop --execute unless
--skip-errors or --apply-flagged say otherwise, as the Apply step asks. Without
--execute it prints the count's summary (``cli_inventory_counts``: the variance by
department, the rows flagged for recount) and the commands that come next: show,
recount, apply and revert, the group's other commands. ``line`` adds a typed line to
a count, as the Count step's typed lines.
"""

from __future__ import annotations

from pathlib import Path

import click

from poser.entry_points.cli_batches import EXIT_ROWS_IN_ERROR, REFUSED, populate, refusals
from poser.entry_points.cli_context import Context, data_set_named, pass_context
from poser.entry_points.cli_inventory_apply import COMMANDS as APPLY_COMMANDS
from poser.entry_points.cli_inventory_apply import apply_count
from poser.entry_points.cli_inventory_counts import (
    COMMANDS,
    editor_named,
    open_count,
    print_summary,
    refused,
)
from poser.models.orm import Batch, DataSet
from poser.storage import store_from_settings
from poser.tasks.batches.inventory.counting import add_file, add_typed_line, make_count
from poser.tasks.batches.inventory.handler import MODES
from poser.tasks.uploads import max_upload_bytes, store_upload

__all__ = ["EXIT_ROWS_IN_ERROR", "inventory_group"]


@click.group("inventory")
def inventory_group() -> None:
    """Inventory counts: scanner files and typed lines into a count, its variance and
    recount list, recounts, and its apply to on-hand (once) and revert."""


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
    rows by status, its variance by department in units and money, the rows flagged for
    recount and the commands that come next; with --execute, apply it to on-hand.

    Exits 1 when a file or an option is refused (nothing is applied), 3 when --execute
    stops at rows in error or flagged for recount (the count stays, for review).
    """
    if (data_set_name is None) == (data_set_id is None):
        raise click.UsageError("give either --data-set NAME or --data-set-id ID")
    store = store_from_settings(ctx.settings)
    unit = "cases" if cases else "units"
    with ctx.write_session() as session:
        data_set = data_set_named(session, data_set_name, data_set_id)
        user = editor_named(session, data_set, username)
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
        batch_id = batch.id
    populate(ctx, batch_id, store)
    with ctx.dbsession() as session:
        print_summary(session, session.get_one(Batch, batch_id), username, next_steps=not execute)
    if not execute:
        return
    apply_count(ctx, batch_id, username, skip_errors, apply_flagged, "poser inventory import")


@inventory_group.command("line")
@click.argument("batch_id", type=int, metavar="BATCH_ID")
@click.argument("upc")
@click.argument("quantity")
@click.option("--section", default="", metavar="TEXT", help="The section or aisle counted.")
@click.option("--cases", is_flag=True, help="QUANTITY is cases (x the preferred case size).")
@click.option("--user", "username", metavar="NAME", help="Who acts: an owner or editor.")
@pass_context
def line_command(
    ctx: Context,
    batch_id: int,
    upc: str,
    quantity: str,
    section: str,
    cases: bool,
    username: str | None,
) -> None:
    """Add a typed line to the count BATCH_ID, as the Count step's typed lines are: UPC
    counted QUANTITY times, its product compared again. Exits 1, nothing added, when the
    line cannot be counted (a UPC the catalog does not have, not a quantity)."""
    unit = "cases" if cases else "units"
    with ctx.write_session() as session:
        batch = open_count(session, batch_id)
        editor_named(session, session.get_one(DataSet, batch.data_set_id), username)
        try:
            line = add_typed_line(batch, upc, quantity, unit, section, refuse_errors=True)
        except REFUSED as error:
            raise refused(batch_id, error) from error
        what = line.description or f"UPC {upc}"
        unit = unit.removesuffix("s") if quantity.strip() == "1" else unit
        click.echo(f"batch {batch_id}: typed line {line.number}, {quantity} {unit} of {what}")
        print_summary(session, batch, username)


for command in (*COMMANDS, *APPLY_COMMANDS):
    inventory_group.add_command(command)
