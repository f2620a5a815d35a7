"""`poser catalog import`: a vendor catalog file read (and applied) from the terminal.

It runs the tasks the Catalog app runs, in the same order and with the same checks:
store the upload, make the batch, populate it, and on request execute it (or schedule
it for its effective date) and write its change report. Each step is its own
transaction, as each is a request or a job in the web app, so a file that cannot be
read leaves a failed batch saying why, and a batch with rows in error stays populated
for review in the browser. The report is the web app's report job, run here once the
apply has committed: a worker that takes it first writes it instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from poser.entry_points.cli_batches import (
    RowsInError,
    populate,
    print_table,
    refusals,
)
from poser.entry_points.cli_context import Context, data_set_named, pass_context, user_named
from poser.entry_points.cli_progress import TerminalProgress
from poser.entry_points.queues import make_queue
from poser.models.data_extraction.batches import STATUS_LABELS, batch_report
from poser.models.engine import get_engine, get_session_factory
from poser.models.orm import Batch, Job, User
from poser.storage import store_from_settings
from poser.tasks import jobs
from poser.tasks.batches import get_handler
from poser.tasks.batches.base import early_until, today
from poser.tasks.batches.catalog.review import review_counts
from poser.tasks.batches.catalog.upload import (
    catalog_parameters,
    make_catalog_batch,
    same_file_message,
)
from poser.tasks.batches.jobs import execute_batch
from poser.tasks.jobs import JobQueue
from poser.tasks.permissions import may
from poser.tasks.product_history import ChangeSource
from poser.tasks.uploads import max_upload_bytes, store_upload
from poser.utils.labels import key_words

#: Exit status when --execute stops at a batch whose effective date is after today.
EXIT_DATED_LATER = 4


class DatedLater(click.ClickException):
    exit_code = EXIT_DATED_LATER


@click.group("catalog")
def catalog_group() -> None:
    """Vendor catalogs: read a vendor's price list into a batch, and apply it."""


@catalog_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--data-set", "data_set_name", metavar="NAME", help="The data set, by name.")
@click.option(
    "--data-set-id", type=int, metavar="ID", help="The data set, by id (when names repeat)."
)
@click.option("--vendor", "vendor_code", required=True, metavar="CODE", help="The vendor's code.")
@click.option("--execute", is_flag=True, help="Apply the batch once it is read.")
@click.option(
    "--apply-early",
    is_flag=True,
    help="With --execute: apply a batch whose effective date is after today now, before that date.",
)
@click.option(
    "--schedule",
    is_flag=True,
    help="Have the scheduler apply the batch on its effective date (after today), as --user.",
)
@click.option(
    "--skip-errors",
    is_flag=True,
    help="With --execute or --schedule: acknowledge rows in error, which are then skipped.",
)
@click.option(
    "--apply-flagged",
    is_flag=True,
    help="With --execute or --schedule: apply rows whose cost changes past the tolerance.",
)
@click.option(
    "--new-items",
    type=click.Choice(["add", "skip"]),
    default="skip",
    show_default=True,
    help="Add items the catalog does not have yet, or leave them out.",
)
@click.option(
    "--tolerance",
    default="10",
    show_default=True,
    metavar="PCT",
    help="Flag cost changes larger than this percent.",
)
@click.option("--effective-date", metavar="YYYY-MM-DD", help="When the new costs take effect.")
@click.option(
    "--user", "username", metavar="NAME", help="Who acts: an owner or editor of the data set."
)
@pass_context
def import_command(
    ctx: Context,
    file: Path,
    data_set_name: str | None,
    data_set_id: int | None,
    vendor_code: str,
    execute: bool,
    apply_early: bool,
    schedule: bool,
    skip_errors: bool,
    apply_flagged: bool,
    new_items: str,
    tolerance: str,
    effective_date: str | None,
    username: str | None,
) -> None:
    """Read FILE (CSV or .xlsx), a vendor's catalog, into a batch and show what it would
    change; with --execute, apply it and write the change report; with --schedule, have
    it applied on its effective date.

    A batch whose effective date is after today is not applied by --execute unless
    --apply-early says to apply it before that date.

    Exits 1 when the file or an option is refused, 3 when --execute or --schedule stops
    at rows in error or at flagged rows (the batch stays, for review in the browser, or
    --skip-errors, --apply-flagged), and 4 when --execute stops at a batch dated after
    today.
    """
    if (data_set_name is None) == (data_set_id is None):
        raise click.UsageError("give either --data-set NAME or --data-set-id ID")
    if execute and schedule:
        raise click.UsageError("give --execute (apply now) or --schedule (on its date), not both")
    if apply_early and not execute:
        raise click.UsageError("--apply-early goes with --execute")
    handler = get_handler("catalog")
    files = store_from_settings(ctx.settings)
    with refusals(file):
        with ctx.write_session() as session, file.open("rb") as stream:
            data_set = data_set_named(session, data_set_name, data_set_id)
            handler.check_data_set(data_set)
            user = user_named(session, username)
            if user is not None and not may(session, user, "edit", data_set.id):
                # The batch's jobs (its report, a scheduled apply) act for --user, and run
                # only for someone who may change the data set.
                raise click.ClickException(
                    f"{user.username} may not change data set {data_set.id} "
                    f"{data_set.name!r}: name an owner or editor of it with --user"
                )
            parameters = catalog_parameters(
                data_set,
                vendor_code=vendor_code,
                tolerance=tolerance,
                new_items=new_items,
                effective_date=effective_date,
            )
            upload = store_upload(
                data_set, files, stream, file.name, user, max_upload_bytes(ctx.settings)
            )
            made = make_catalog_batch(data_set, files, upload, parameters, user)
            batch_id, user_id = made.batch.id, user.id if user else None
            same_file = same_file_message(made)
        if same_file:
            click.echo(f"batch {batch_id}: {same_file}", err=True)
        counts = populate(ctx, batch_id, files)
        _print_counts(batch_id, counts)
        if not (execute or schedule):
            return
        queue = make_queue(ctx.settings)
        with ctx.write_session() as session:
            batch = session.get_one(Batch, batch_id)
            user = session.get(User, user_id) if user_id else None
            errors = handler.needs_acknowledgement(batch)
            if errors and not skip_errors:
                raise RowsInError(
                    f"batch {batch_id}: {errors:,} row(s) are in error, so nothing was "
                    "applied; review them in the browser, or run again with --skip-errors "
                    "to skip them"
                )
            if errors:
                handler.acknowledge(batch, user)
            flagged = review_counts(batch).flagged_included
            if flagged and not apply_flagged:
                raise RowsInError(
                    f"batch {batch_id}: {flagged:,} row(s) are flagged (their cost changes "
                    "past the tolerance), so nothing was applied; review them in the "
                    "browser, or run again with --apply-flagged to apply them"
                )
            if schedule:
                handler.schedule(batch, user, None, today())
                scheduled_for = batch.scheduled_for
            else:
                summary, report_job_id = _execute(batch, queue, user, apply_early)
    if schedule:
        click.echo(f"batch {batch_id}: to be applied on {scheduled_for} by the scheduler")
        return
    _print_summary(batch_id, summary)
    _write_report(ctx, queue, files, batch_id, report_job_id)


def _execute(
    batch: Batch, queue: JobQueue, user: User | None, apply_early: bool
) -> tuple[dict[str, Any], int]:
    """Apply the batch, unless it is dated after today and not --apply-early; the apply's
    summary and the id of the job that writes its report."""
    early = early_until(batch, today())
    if early is not None and not apply_early:
        raise DatedLater(
            f"batch {batch.id}: it takes effect on {early.isoformat()}, after today, so "
            "nothing was applied; run again with --schedule to have it applied on that "
            "date, or with --apply-early to apply it now"
        )
    progress = TerminalProgress("applying")
    try:
        via = ChangeSource("command", command="poser catalog import")
        summary, report_job = execute_batch(batch, queue, user, progress, via=via)
    finally:
        progress.close()
    return summary, report_job.id


def _write_report(ctx: Context, queue: JobQueue, files: Any, batch_id: int, job_id: int) -> None:
    """Run the report job the apply queued, here and now, unless a worker took it."""
    engine = get_engine(ctx.settings)
    try:
        session_factory = get_session_factory(engine)
        status = jobs.run(
            session_factory,
            queue,
            job_id,
            worker="poser catalog import",
            resources={"files": files},
        )
        with session_factory() as session:
            report = batch_report(session, batch_id)
            error = session.scalar(select(Job.error).where(Job.id == job_id))
    finally:
        engine.dispose()
    if report is not None:
        click.echo("change report:")
        for name in report.files:
            click.echo(f"  {report.folder}/{name}")
    elif status is None:
        click.echo(f"change report: being written by a worker (job {job_id})")
    else:
        raise click.ClickException(
            f"batch {batch_id} was applied, but its change report was not written: {error} "
            f"`poser jobs retry {job_id}` writes it"
        )


def _print_counts(batch_id: int, counts: dict[str, int]) -> None:
    total = sum(counts.values())
    click.echo(f"batch {batch_id}: {total:,} rows read")
    order = list(STATUS_LABELS) + sorted(set(counts) - set(STATUS_LABELS))
    rows = [
        (STATUS_LABELS.get(status, status), counts[status]) for status in order if status in counts
    ]
    print_table(("status", "rows"), rows)


def _print_summary(batch_id: int, summary: dict[str, Any]) -> None:
    click.echo(f"batch {batch_id}: applied")
    print_table(("change", "rows"), [(key_words(key), value) for key, value in summary.items()])
