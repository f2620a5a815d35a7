"""`poser inventory apply` and `revert`: an existing count applied to on-hand, or undone,
from the terminal, through the tasks the Inventory app's pages use.

Apply and revert apply once, as the pages do; each product's history names the batch,
the user (--user, an owner or editor of the data set) and the command. An apply writes
the count's change report after it, as the web's apply has its report job write it.
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.orm.exc import StaleDataError

from poser.apps.inventory.review import reverted
from poser.entry_points.cli_batches import REFUSED, RowsInError, print_table
from poser.entry_points.cli_context import Context, pass_context, user_named
from poser.entry_points.cli_inventory_counts import (
    BATCH_TYPE,
    batch_argument,
    count_named,
    editor_named,
    print_next,
    refused,
    user_option,
)
from poser.entry_points.cli_progress import TerminalProgress
from poser.models.orm import Batch, DataSet, User
from poser.storage import store_from_settings
from poser.tasks.batches import get_handler
from poser.tasks.batches.base import moved_on
from poser.tasks.batches.inventory import revert
from poser.tasks.product_history import ChangeSource
from poser.utils.labels import key_words

#: What the product history names as having run an apply of this module.
APPLY_COMMAND = "poser inventory apply"
REVERT_COMMAND = "poser inventory revert"


def print_applied(batch: Batch, summary: dict[str, Any]) -> None:
    click.echo(f"batch {batch.id}: applied")
    print_table(("change", "rows"), [(key_words(k), v) for k, v in summary.items()])


def may_apply(batch: Batch, user: User | None, skip_errors: bool, apply_flagged: bool) -> None:
    """Refuse to apply while rows in error or flagged for recount are in the count,
    unless --skip-errors (the errors acknowledged, as the Apply step asks) or
    --apply-flagged (the confirmation the Apply step's box gives) say otherwise."""
    handler = get_handler(BATCH_TYPE)
    if batch.status != "populated" or batch.deleted_at is not None:
        raise click.ClickException(
            f"batch {batch.id}: " + " ".join(handler.why_not_executable(batch))
        )
    errors = handler.needs_acknowledgement(batch)
    if errors and not skip_errors:
        raise RowsInError(
            f"batch {batch.id}: {errors:,} row(s) are in error, so nothing was applied; "
            "review them, or run again with --skip-errors to skip them"
        )
    if errors:
        handler.acknowledge(batch, user)
    flagged = handler.flagged_included(batch)
    if flagged and not apply_flagged:
        raise RowsInError(
            f"batch {batch.id}: {flagged:,} row(s) are flagged for recount, so nothing was "
            "applied; recount them, or run again with --apply-flagged to apply them"
        )


@click.command("apply")
@batch_argument
@click.option("--skip-errors", is_flag=True, help="Skip the rows in error.")
@click.option("--apply-flagged", is_flag=True, help="Apply the rows flagged for recount too.")
@user_option
@pass_context
def apply_command(
    ctx: Context, batch_id: int, skip_errors: bool, apply_flagged: bool, username: str | None
) -> None:
    """Apply the count BATCH_ID to on-hand, once: all of it or nothing.

    Exits 1 when it cannot be applied (applied already, variance only, on-hand moved
    since it was read), 3 when rows in error or flagged for recount stop it.
    """
    apply_count(ctx, batch_id, username, skip_errors, apply_flagged, APPLY_COMMAND)


def apply_count(
    ctx: Context,
    batch_id: int,
    username: str | None,
    skip_errors: bool,
    apply_flagged: bool,
    command: str,
) -> None:
    """Apply the count as ``username`` (an owner or editor), its history naming
    ``command``, and print what it did and what comes next."""
    progress = TerminalProgress("applying")
    try:
        with ctx.write_session() as session:
            batch = count_named(session, batch_id)
            user = editor_named(session, session.get_one(DataSet, batch.data_set_id), username)
            may_apply(batch, user, skip_errors, apply_flagged)
            via = ChangeSource("command", command=command)
            try:
                summary = get_handler(BATCH_TYPE).execute(batch, user, progress, via)
            except REFUSED as error:
                raise refused(batch_id, error) from error
    finally:
        progress.close()
    with ctx.write_session() as session:
        # What it changed, as the web's apply writes it after (its report job).
        batch = session.get_one(Batch, batch_id)
        files = store_from_settings(ctx.settings)
        report = get_handler(BATCH_TYPE).report(batch, files, user_named(session, username))
        print_applied(batch, summary)
        click.echo("change report:")
        for name in report.files if report else ():
            click.echo(f"  {report.folder}/{name}")
        print_next(batch, session.get_one(DataSet, batch.data_set_id), 0, username)


@click.command("revert")
@batch_argument
@user_option
@pass_context
def revert_command(ctx: Context, batch_id: int, username: str | None) -> None:
    """Undo the applied count BATCH_ID: a new batch puts each product's on-hand back as
    it was before, applied at once; a product whose on-hand changed since is left as
    it is. Exits 1 when the count cannot be undone (not applied, reverted already)."""
    progress = TerminalProgress("reverting")
    try:
        with ctx.write_session() as session:
            original = count_named(session, batch_id)
            user = editor_named(session, session.get_one(DataSet, original.data_set_id), username)
            via = ChangeSource("command", command=REVERT_COMMAND)
            try:
                moved_on(original)  # a revert made at the same time finds it moved on
                session.flush()
                made = revert.make_revert(original, user)
                summary = get_handler(BATCH_TYPE).execute(made, user, progress, via)
            except StaleDataError:
                raise click.ClickException(
                    f"batch {batch_id} changed while this ran (reverted by someone else?): "
                    "nothing was done; look at it again"
                ) from None
            except REFUSED as error:
                raise refused(batch_id, error) from error
            made_id = made.id
            said = reverted(made)
    finally:
        progress.close()
    click.echo(said)
    with ctx.dbsession() as session:
        print_applied(session.get_one(Batch, made_id), summary)


COMMANDS = (apply_command, revert_command)
