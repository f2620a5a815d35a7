"""`poser report list` and `poser report run NAME`: a data set's reports from the
terminal, written as the web's are (a Job of the report's kind, its files recorded as
an export, listed on the report's page and the Exports page)."""

from __future__ import annotations

import click

from poser.entry_points.cli_context import Context, data_set_named, pass_context, user_named
from poser.entry_points.queues import make_queue
from poser.models.engine import get_engine, get_session_factory
from poser.models.orm import Export, Job
from poser.storage import store_from_settings
from poser.tasks import jobs
from poser.tasks.job_kinds import get_kind
from poser.tasks.permissions import may
from poser.tasks.reports import UnknownReportError, all_reports, get_report, parse_cli_values


@click.group("report")
def report_group() -> None:
    """Reports of a data set: list them, run one."""


@report_group.command("list")
def list_reports() -> None:
    """The reports there are, and their parameters (NAME=VALUE for --param)."""
    for report in all_reports():
        click.echo(f"{report.name}: {report.title}")
        for parameter in report.parameters.parameters:
            need = "" if parameter.required and parameter.default is None else ", optional"
            kind = parameter.type
            if parameter.type == "choice":
                kind = "one of " + ", ".join(value for value, _ in parameter.choices)
            elif parameter.type == "date":
                kind = "date YYYY-MM-DD"
            click.echo(f"  --param {parameter.name}=...  {parameter.label} ({kind}{need})")


@report_group.command("run")
@click.argument("name")
@click.option("--data-set", "data_set_name", metavar="NAME", help="The data set, by name.")
@click.option("--data-set-id", type=int, help="The data set, by id (when names repeat).")
@click.option(
    "--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter; repeat for more."
)
@click.option("--user", "username", metavar="NAME", help="Who runs it (a member); else the system.")
@pass_context
def run_report(
    ctx: Context,
    name: str,
    data_set_name: str | None,
    data_set_id: int | None,
    params: tuple[str, ...],
    username: str | None,
) -> None:
    """Run report NAME on a data set, here and now; print the files it wrote."""
    if (data_set_name is None) == (data_set_id is None):
        raise click.UsageError("name the data set with --data-set NAME or --data-set-id ID")
    try:
        report = get_report(name)
    except UnknownReportError as error:
        names = ", ".join(r.name for r in all_reports())
        raise click.ClickException(f"{error} The reports are: {names}.") from None
    try:
        values = parse_cli_values(report, params)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    queue = make_queue(ctx.settings)
    with ctx.dbsession() as session:
        data_set = data_set_named(session, data_set_name, data_set_id)
        if data_set.application != report.data_set_kind:
            raise click.ClickException(
                f"{report.name} is a report of {report.data_set_kind} data sets"
            )
        user = user_named(session, username)
        if user is not None and not may(session, user, "view", data_set.id):
            raise click.ClickException(f"{user.username} is not a member of {data_set.name!r}")
        job = jobs.submit(session, queue, get_kind(report.job_kind_name), data_set=data_set,
                          user=user, parameters={"values": values})  # fmt: skip
        job_id = job.id
    engine = get_engine(ctx.settings)
    try:
        session_factory = get_session_factory(engine)
        status = jobs.run(
            session_factory,
            queue,
            job_id,
            worker="poser report run",
            resources={"files": store_from_settings(ctx.settings)},
        )
        with session_factory() as session:
            job = session.get_one(Job, job_id)
            export_id = (job.result or {}).get("export_id")
            export = session.get(Export, export_id) if isinstance(export_id, int) else None
            error = job.error
    finally:
        engine.dispose()
    if status is None:
        click.echo(f"{report.title}: being written by a worker (job {job_id})")
    elif export is None:
        raise click.ClickException(f"{report.title} was not written: {error}")
    else:
        click.echo(f"{report.title}: {export.row_count:,} rows (job {job_id}, export {export.id})")
        for file_name in export.files:
            click.echo(f"  {export.folder}/{file_name}")
