"""`poser inventory show` and `recount`: an existing count from the terminal, through
the tasks the Inventory app's pages use (`cli_inventory_apply`: apply and revert).

A count is named by its batch id; a batch that is not an inventory count is refused.
The summary is the Review step's: the rows by status, the variance by department in
units, at cost and at retail (the page's subtotals, formatted as the page formats
them), the rows flagged for recount, and the commands that come next. A recount adds
files as the Count step's "This file is a recount" box does and reads the count again,
all in one transaction: a refused file changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.orm import Session

from poser.apps.inventory.variance import RecountList, count_subtotals, recount_text
from poser.entry_points.cli_batches import (
    REFUSED,
    print_columns,
    print_table,
    refusals,
)
from poser.entry_points.cli_context import Context, pass_context, user_named
from poser.entry_points.cli_progress import TerminalProgress
from poser.models.data_extraction.inventory_review import error_rows, recount_rows
from poser.models.orm import Batch, DataSet, User
from poser.storage import store_from_settings
from poser.tasks.batches import get_handler
from poser.tasks.batches.inventory import counting, revert
from poser.tasks.batches.inventory.handler import MODE_WORDS
from poser.tasks.permissions import may
from poser.tasks.uploads import max_upload_bytes, store_upload
from poser.utils.labels import INVENTORY_ROW_STATUSES, status_words

BATCH_TYPE = "inventory"


def count_named(session: Session, batch_id: int) -> Batch:
    """The inventory count with this batch id; a one-line refusal for any other batch."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise click.ClickException(f"no batch {batch_id}")
    if batch.batch_type != BATCH_TYPE:
        kind = get_handler(batch.batch_type).title.lower()
        raise click.ClickException(
            f"batch {batch_id} is a {kind}, not an inventory count: nothing was done"
        )
    return batch


def open_count(session: Session, batch_id: int) -> Batch:
    """The count with this batch id while files and lines still go into it (as the Count
    step's: not applied, not deleted, not a revert)."""
    batch = count_named(session, batch_id)
    if not counting.is_open(batch):
        why = " ".join(get_handler(BATCH_TYPE).why_not_executable(batch))
        if batch.reverts_batch_id is not None:
            why = f"it undoes batch {batch.reverts_batch_id}"
        raise click.ClickException(f"batch {batch_id} takes no more files or lines: {why}")
    return batch


def editor_named(session: Session, data_set: DataSet, username: str | None) -> User | None:
    """The user --user names, when they may change the data set (an owner or editor)."""
    user = user_named(session, username)
    if user is not None and not may(session, user, "edit", data_set.id):
        raise click.ClickException(
            f"{user.username} may not change data set {data_set.id} {data_set.name!r}: "
            "name an owner or editor of it with --user"
        )
    return user


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def print_counts(batch_id: int, counts: dict[str, int]) -> None:
    """The count's rows by status, in the pages' words and order."""
    click.echo(f"batch {batch_id}: {sum(counts.values()):,} rows read")
    order = [status for status in INVENTORY_ROW_STATUSES if status in counts]
    order += sorted(set(counts) - set(order))
    print_table(("status", "rows"), [(status_words("row", s), counts[s]) for s in order])


def _state(session: Session, batch: Batch) -> str:
    if batch.deleted_at is not None:
        return "deleted (it changed nothing)"
    if batch.status == "executed":
        who = session.get(User, batch.executed_by_id) if batch.executed_by_id else None
        day = batch.executed_at.astimezone().date().isoformat() if batch.executed_at else ""
        return f"applied on {day}" + (f" by {who.username}" if who else "")
    if batch.status == "failed":
        return f"its files could not be read: {batch.error}"
    if batch.status == "new":
        return "not read yet"
    return "read, not applied"


def print_summary(
    session: Session, batch: Batch, username: str | None = None, next_steps: bool = True
) -> None:
    """What an operator decides on: the rows by status, the variance by department and
    its total, the rows flagged for recount; then the commands that come next."""
    data_set = session.get_one(DataSet, batch.data_set_id)
    mode = MODE_WORDS.get((batch.parameters or {}).get("mode") or "", "")
    click.echo(
        f"batch {batch.id}: inventory count of {data_set.name!r} (data set {data_set.id}), "
        f"{mode[:1].lower()}{mode[1:]}: {_state(session, batch)}"
    )
    if batch.reverts_batch_id is not None:
        click.echo(f"  it undoes batch {batch.reverts_batch_id}")
    if batch.status not in ("populated", "executed"):
        return
    counts = dict(batch.status_counts or {})
    print_counts(batch.id, counts)
    print_errors(session, batch, counts.get("error", 0))
    lines, total = count_subtotals(session, batch)
    click.echo("variance by department (rows that change or compare with on-hand, not left out):")
    header = ("department", "rows", "flagged", "units", "at cost", "at retail")
    cells = [line.cells() for line in [*lines, total]]
    keys = ("rows", "flagged", "units", "cost", "retail")
    print_columns(
        header,
        [
            (line.department, *(cell[key] for key in keys))
            for line, cell in zip([*lines, total], cells, strict=True)
        ],
    )
    if batch.status == "populated":
        click.echo(f"{_plural(total.flagged, 'row')} flagged for recount")
    if next_steps:
        print_next(batch, data_set, total.flagged, username)


def print_errors(session: Session, batch: Batch, errors: int, shown: int = 5) -> None:
    """The first rows in error, each with its place and what is wrong."""
    if not errors:
        return
    click.echo("rows in error:")
    for file_name, line, message in session.execute(error_rows(batch.id).limit(shown)):
        click.echo(f"  {file_name or 'typed'} line {line}: {message}")
    if errors > shown:
        click.echo(f"  and {errors - shown:,} more: the Review page lists them all")


def print_next(batch: Batch, data_set: DataSet, flagged: int, username: str | None) -> None:
    handler = get_handler(BATCH_TYPE)
    user = f" --user {username}" if username else " --user NAME"
    steps: list[tuple[str, str]] = []
    if batch.deleted_at is not None:
        return
    if batch.status == "populated" and flagged:
        name = RecountList.file_name(batch, "txt")
        steps += [
            (f"poser inventory show {batch.id} --recount-list {name}",
             "the flagged rows' UPCs, for the scanner"),
            (f"poser inventory recount {batch.id} FILE...{user}",
             "the scanner's recount: its counts replace those products' lines"),
        ]  # fmt: skip
    if batch.status == "populated" and (batch.parameters or {}).get("mode") != "variance_only":
        options, how = "", []
        if handler.needs_acknowledgement(batch):
            options, how = " --skip-errors", ["skipping the rows in error"]
        if handler.flagged_included(batch):
            options += " --apply-flagged"
            how.append("applying the flagged rows as they were counted")
        why = "set on-hand from the count" + (", " + " and ".join(how) if how else "")
        steps.append((f"poser inventory apply {batch.id}{user}{options}", why))
    if batch.status == "executed":
        if revert.why_not_revertible(batch) is None:
            steps.append((f"poser inventory revert {batch.id}{user}", "put on-hand back"))
        steps.append(
            (f"poser report run inventory_valuation --data-set-id {data_set.id}",
             "the stock on hand valued, as CSV and Excel")
        )  # fmt: skip
    if steps:
        click.echo("next:")
        for command, why in steps:
            click.echo(f"  {command}")
            click.echo(f"      {why}")


def refused(batch_id: int, error: Exception) -> click.ClickException:
    return click.ClickException(f"batch {batch_id}: {error}")


# -- the commands ------------------------------------------------------------------------

batch_argument = click.argument("batch_id", type=int, metavar="BATCH_ID")
user_option = click.option(
    "--user", "username", metavar="NAME", help="Who acts: an owner or editor."
)


@click.command("show")
@batch_argument
@click.option(
    "--recount-list",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="FILE",
    help="Write the flagged rows' UPCs to FILE, one a line, as a scanner takes them.",
)
@pass_context
def show_command(ctx: Context, batch_id: int, recount_list: Path | None) -> None:
    """The count BATCH_ID: its rows by status, its variance by department in units, at
    cost and at retail, the rows flagged for recount, and what comes next."""
    with ctx.dbsession() as session:
        batch = count_named(session, batch_id)
        print_summary(session, batch)
        if recount_list is None:
            return
        if batch.status not in ("populated", "executed"):
            raise click.ClickException(f"batch {batch_id} has not been read: no recount list")
        body = recount_text(session.execute(recount_rows(batch.id)).all())
    recount_list.write_bytes(body)
    upcs = body.count(b"\n")
    click.echo(f"recount list: {_plural(upcs, 'UPC')} written to {recount_list}")


@click.command("recount")
@batch_argument
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--cases", is_flag=True, help="The files count cases (x the preferred case size), not units."
)
@user_option
@pass_context
def recount_command(
    ctx: Context, batch_id: int, files: tuple[Path, ...], cases: bool, username: str | None
) -> None:
    """Add FILES to the count BATCH_ID as recounts: for each product they count, their
    lines replace the count's earlier ones. The count is read again, then summed up.

    Exits 1, the count as it was, when a file is refused (not a count, the same file as
    one already in it) or the count cannot take files (applied, deleted, a revert).
    """
    store = store_from_settings(ctx.settings)
    unit = "cases" if cases else "units"
    added: list[str] = []
    warnings: list[str] = []
    progress = TerminalProgress("reading")
    try:
        with ctx.write_session() as session:
            batch = open_count(session, batch_id)
            data_set = session.get_one(DataSet, batch.data_set_id)
            user = editor_named(session, data_set, username)
            for file in files:
                with refusals(file), file.open("rb") as stream:
                    limit = max_upload_bytes(ctx.settings)
                    upload = store_upload(
                        data_set, store, stream, file.name, user, limit, formats=("csv",)
                    )
                    counting.check_file(batch, store, upload, unit)
                    counting.add_file(batch, store, upload, unit, recount=True)
                added.append(upload.key)
                earlier = counting.earlier_count(batch, upload.sha256)
                if earlier is not None:
                    warnings.append(counting.earlier_count_message(upload.filename, earlier))
            try:
                get_handler(BATCH_TYPE).populate(batch, store, progress)
            except REFUSED as error:
                raise refused(batch_id, error) from error
    except BaseException:
        for key in added:  # the transaction is rolled back: so are the files it took
            store.remove(key)
        raise
    finally:
        progress.close()
    for warning in warnings:
        click.echo(f"batch {batch_id}: {warning}", err=True)
    with ctx.dbsession() as session:
        print_summary(session, session.get_one(Batch, batch_id), username)


COMMANDS = (show_command, recount_command)
