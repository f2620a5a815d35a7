"""`poser upgrade run|list|show`."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from poser.entry_points.cli_context import Context, pass_context
from poser.models.data_extraction.upgrades import recent_upgrades, upgrade_by_id
from poser.models.engine import get_engine, get_session_factory
from poser.tasks.upgrades import UpgradeError, UpgradePlan, mark_interrupted, run_upgrade
from poser.tasks.upgrades.records import UpgradeRecord, duration_words, read_record
from poser.utils.cells import MAX_INT
from poser.utils.settings import SettingsError


def _upgrades_dir(ctx: Context) -> Path:
    return Path(str(ctx.settings["poser.appdir"])) / "data" / "upgrades"


def _settle(ctx: Context) -> None:
    """Mark upgrades whose process died, so no list shows them running."""
    engine = get_engine(ctx.settings)
    try:
        for upgrade_id in mark_interrupted(get_session_factory(engine), engine, _upgrades_dir(ctx)):
            click.echo(f"upgrade {upgrade_id} had stopped before it finished: marked interrupted")
    finally:
        engine.dispose()


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@click.group("upgrade")
def upgrade_group() -> None:
    """Upgrade the site, and read the record of past upgrades."""


@upgrade_group.command("run")
@click.option("--note", default="", help="Why, in a few words: shown with the record.")
@pass_context
def run_command(ctx: Context, note: str) -> None:
    """Run the ini's poser.upgrade.command (by default: install the newest Poser), then
    the migrations, and record it all under the app dir's data/upgrades/<id>/."""
    try:
        plan = UpgradePlan.from_settings(ctx.settings, ctx.config_file)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    engine = get_engine(ctx.settings)
    try:
        click.echo(f"running: {plan.text()}")
        upgrade = run_upgrade(
            get_session_factory(engine), engine, plan, _upgrades_dir(ctx), run_by=_who(), note=note
        )
    except UpgradeError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    record = read_record(_upgrades_dir(ctx), upgrade)
    click.echo(f"upgrade {upgrade.id}: {upgrade.status} in {duration_words(record.duration)}")
    _echo_changes(record)
    if upgrade.status != "succeeded":
        raise click.ClickException(upgrade.error or "the upgrade failed")


@upgrade_group.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@pass_context
def list_command(ctx: Context, limit: int) -> None:
    """The upgrades, newest first."""
    _settle(ctx)
    with ctx.dbsession() as dbsession:
        rows, _ = recent_upgrades(dbsession, limit=limit)
        for upgrade in rows:
            started = upgrade.started_at.strftime("%Y-%m-%d %H:%M")
            revisions = f"{upgrade.revision_before or '-'} -> {upgrade.revision_after or '-'}"
            click.echo(
                f"{upgrade.id}\t{upgrade.status}\t{started}\t{upgrade.run_by}\t{revisions}\t{upgrade.note}"
            )


@upgrade_group.command("show")
@click.argument("upgrade_id", type=click.IntRange(1, MAX_INT))
@pass_context
def show_command(ctx: Context, upgrade_id: int) -> None:
    """One upgrade: who, when, how it ended, what changed, and its logs' ends."""
    _settle(ctx)
    with ctx.dbsession() as dbsession:
        upgrade = upgrade_by_id(dbsession, upgrade_id)
        if upgrade is None:
            raise click.ClickException(f"no upgrade {upgrade_id}")
        record = read_record(_upgrades_dir(ctx), upgrade)
        click.echo(f"upgrade {upgrade.id}: {upgrade.status}, run by {upgrade.run_by}")
        took = duration_words(record.duration)
        click.echo(f"started {upgrade.started_at:%Y-%m-%d %H:%M:%S} UTC, took {took}")
        if upgrade.note:
            click.echo(f"note: {upgrade.note}")
        click.echo(f"command: {upgrade.command}")
        click.echo(f"exit code: {'-' if upgrade.exit_code is None else upgrade.exit_code}")
        if upgrade.error:
            click.echo(f"error: {upgrade.error}")
        _echo_changes(record)
        for name, tail in (("stdout", record.stdout), ("stderr", record.stderr)):
            if tail.text:
                click.echo(f"--- {name}{' (its end)' if tail.truncated else ''}")
                click.echo(tail.text.rstrip("\n"))


def _echo_changes(record: UpgradeRecord) -> None:
    upgrade, diff = record.upgrade, record.diff
    click.echo(f"schema: {upgrade.revision_before or '-'} -> {upgrade.revision_after or '-'}")
    for migration in upgrade.migrations:
        click.echo(f"  migration {migration['revision']}: {migration['title']}")
    if diff is None:
        click.echo("packages: no snapshot to compare")
    elif not diff:
        click.echo("packages: unchanged")
    for name, version in diff.added if diff else ():
        click.echo(f"  added {name} {version}")
    for name, version in diff.removed if diff else ():
        click.echo(f"  removed {name} {version}")
    for name, old, new in diff.changed if diff else ():
        click.echo(f"  changed {name} {old} -> {new}")
