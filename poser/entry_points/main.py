"""The `poser` command line. Every command takes -c/--config FILE.

Commands run the same tasks as the web app; each owns its transaction.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from poser.entry_points import (
    cli_appdir,
    cli_backup,
    cli_catalog,
    cli_datasets,
    cli_db,
    cli_inventory,
    cli_queue,
    cli_reports,
    cli_upgrade,
    cli_users,
)
from poser.entry_points.cli_context import Context
from poser.utils.appdir import keep_files_private


def _default_config() -> str:
    return os.environ.get("POSER_CONFIG") or "development.ini"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-c",
    "--config",
    "config_file",
    metavar="FILE",
    default=_default_config,
    show_default="$POSER_CONFIG, else development.ini",
    help="The PasteDeploy ini file with the app's settings.",
)
@click.pass_context
def cli(ctx: click.Context, config_file: str) -> None:
    """Poser: keep a retail product catalog right."""
    keep_files_private()  # every command, before it creates a file
    if not Path(config_file).is_file():
        raise click.UsageError(f"config file not found: {config_file} (give one with -c FILE)")
    # Short log lines on stderr: the app's warnings. A command says what it did in its
    # own words (`poser db upgrade`: one line), not in alembic's progress lines.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    ctx.obj = Context(config_file)


cli.add_command(cli_appdir.make_appdir_command)
cli.add_command(cli_appdir.dev_setup_command)
cli.add_command(cli_db.db)
cli.add_command(cli_users.user)
cli.add_command(cli_queue.worker)
cli.add_command(cli_queue.scheduler)
cli.add_command(cli_queue.jobs)
cli.add_command(cli_queue.maintenance_group)
cli.add_command(cli_datasets.data_set_group)
cli.add_command(cli_catalog.catalog_group)
cli.add_command(cli_inventory.inventory_group)
cli.add_command(cli_reports.report_group)
cli.add_command(cli_backup.backup_command)
cli.add_command(cli_backup.restore_command)
cli.add_command(cli_upgrade.upgrade_group)
