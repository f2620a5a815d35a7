"""`poser worker`, `poser scheduler`, `poser jobs ...` and `poser maintenance ...`."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from poser.entry_points.cli_context import Context, pass_context
from poser.entry_points.cli_progress import TerminalProgress
from poser.entry_points.plugins import load_tasks
from poser.entry_points.queues import make_queue
from poser.entry_points.worker import run_scheduler, run_worker
from poser.models.orm import JOB_STATUSES, Job
from poser.storage import store_from_settings
from poser.tasks import jobs as job_tasks
from poser.tasks import maintenance
from poser.tasks.job_progress import read_progress
from poser.utils.cells import MAX_INT

#: A job's id: what the job table can hold, so a mistyped one is refused, not looked up.
JOB_ID = click.IntRange(1, MAX_INT)


@click.command()
@click.option("--workers", type=click.IntRange(1, 64), help="Threads running jobs.")
@click.option(
    "--periodic/--no-periodic",
    default=None,
    help="Also schedule periodic jobs (default: the poser.queue.periodic setting).",
)
@pass_context
def worker(ctx: Context, workers: int | None, periodic: bool | None) -> None:
    """Run queued jobs until stopped (SIGTERM or Ctrl-C stop it gracefully)."""
    _log_info("poser", "huey")
    run_worker(ctx.settings, workers, periodic)


@click.command()
@pass_context
def scheduler(ctx: Context) -> None:
    """Schedule the periodic jobs (run one, with workers started --no-periodic)."""
    _log_info("poser")
    run_scheduler(ctx.settings)


def _log_info(*names: str) -> None:
    # Long-running processes say what they do; one-shot commands stay quiet.
    for name in names:
        logging.getLogger(name).setLevel(logging.INFO)


@click.group()
def jobs() -> None:
    """Background jobs."""


@jobs.command("list")
@click.option("--status", type=click.Choice(JOB_STATUSES))
@click.option("--kind")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@pass_context
def list_jobs(ctx: Context, status: str | None, kind: str | None, limit: int) -> None:
    """List recent jobs, newest first."""
    with ctx.dbsession() as dbsession:
        query = select(Job).order_by(Job.id.desc()).limit(limit)
        if status:
            query = query.where(Job.status == status)
        if kind:
            query = query.where(Job.kind == kind)
        for job in dbsession.scalars(query):
            created = job.created_at.strftime("%Y-%m-%d %H:%M")
            click.echo(f"{job.id}\t{job.status}\t{job.kind}\t{created}\t{job.error or ''}")


def _job(dbsession: Any, job_id: int) -> Job:
    job = dbsession.get(Job, job_id)
    if job is None:
        raise click.ClickException(f"no job {job_id}")
    return job


@jobs.command("show")
@click.argument("job_id", type=JOB_ID)
@pass_context
def show(ctx: Context, job_id: int) -> None:
    """A job's state, progress, log, result and error."""
    queue = make_queue(ctx.settings)
    with ctx.dbsession() as dbsession:
        job = _job(dbsession, job_id)
        live = read_progress(queue.store, job.id)
        click.echo(f"job {job.id}: {job.kind} — {job.status} (attempts: {job.attempts})")
        click.echo(f"parameters: {json.dumps(job.parameters)}")
        if live["percent"] is not None:
            click.echo(f"progress: {live['percent']:.1f}% {live['message']}")
        if job.result:
            click.echo(f"result: {json.dumps(job.result)}")
        if job.error:
            click.echo(f"error: {job.error}")
        for line in live["log"]:
            click.echo(f"  {line}")


@jobs.command("cancel")
@click.argument("job_id", type=JOB_ID)
@pass_context
def cancel(ctx: Context, job_id: int) -> None:
    """Cancel a queued job, or ask a running one to stop."""
    queue = make_queue(ctx.settings)
    try:
        with ctx.dbsession() as dbsession:
            job = _job(dbsession, job_id)
            job_tasks.cancel(dbsession, queue, job)
            state = job.status if job.status == "cancelled" else "asked to stop"
    except job_tasks.JobStateError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"job {job_id}: {state}")


@jobs.command("retry")
@click.argument("job_id", type=JOB_ID)
@pass_context
def retry(ctx: Context, job_id: int) -> None:
    """Queue a failed or cancelled job again."""
    load_tasks(ctx.settings)
    queue = make_queue(ctx.settings)
    try:
        with ctx.dbsession() as dbsession:
            job_tasks.retry(dbsession, queue, _job(dbsession, job_id))
    except job_tasks.JobStateError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"job {job_id}: queued again")


@click.group("maintenance")
def maintenance_group() -> None:
    """Run the periodic housekeeping now, in this terminal."""


def _days_option(default: int) -> Any:
    return click.option(
        "--older-than-days", default=default, show_default=True, type=click.IntRange(0, 36500)
    )


@maintenance_group.command("purge-work")
@_days_option(2)
@pass_context
def purge_work(ctx: Context, older_than_days: int) -> None:
    """Remove scratch files in the app dir's work/ folder."""
    work_dir = Path(str(ctx.settings["poser.appdir"])) / "work"
    _run(ctx, maintenance.purge_work, work_dir=work_dir, older_than_days=older_than_days)


@maintenance_group.command("purge-uploads")
@_days_option(7)
@pass_context
def purge_uploads(ctx: Context, older_than_days: int) -> None:
    """Remove uploads that no batch claimed."""
    files = store_from_settings(ctx.settings)
    _run(ctx, maintenance.purge_uploads, files=files, older_than_days=older_than_days)


@maintenance_group.command("purge-job-logs")
@_days_option(30)
@pass_context
def purge_job_logs(ctx: Context, older_than_days: int) -> None:
    """Forget the progress and logs of long-finished jobs."""
    store = make_queue(ctx.settings).store
    _run(ctx, maintenance.purge_job_logs, progress_store=store, older_than_days=older_than_days)


def _run(ctx: Context, task: Any, **arguments: Any) -> None:
    progress = TerminalProgress(task.__name__.replace("_", " "))
    try:
        with ctx.dbsession() as dbsession:
            result = task(dbsession, progress=progress, **arguments)
    finally:
        progress.close()
    click.echo(json.dumps(result))
