"""`poser make-appdir` and `poser dev-setup`."""

from __future__ import annotations

from pathlib import Path

import click
import plaster

from poser.entry_points.cli_context import Context, pass_context, random_password
from poser.entry_points.cli_db import upgrade_database
from poser.models.data_extraction.users import count_users
from poser.tasks.datasets import create_data_set
from poser.tasks.datasets.jobs import load_example
from poser.tasks.users import create_user
from poser.utils.appdir import make_appdir

EXAMPLE_NAME = "Sample Store"
EXAMPLE_RESOURCE = "poser:data/sample_store.xlsx"


@click.command("make-appdir")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@pass_context
def make_appdir_command(ctx: Context, path: Path | None) -> None:
    """Create the app dir tree at PATH (default: the settings' poser.appdir)."""
    target = path or Path(ctx.settings["poser.appdir"])
    made = make_appdir(target)
    click.echo(f"app dir ready: {target} ({len(made)} folders created)")


@click.command("dev-setup")
@click.option("--admin", "admin_name", default="admin", show_default=True)
@pass_context
def dev_setup_command(ctx: Context, admin_name: str) -> None:
    """First run: app dir, database at the newest schema, and, if there is no admin yet,
    an admin owning the example data set "Sample Store".

    Safe to run again. The admin's random password is printed once.
    """
    make_appdir(ctx.settings["poser.appdir"])
    upgrade_database(ctx, "head")
    with ctx.dbsession() as dbsession:
        if count_users(dbsession, role="admin"):
            click.echo("An admin exists already; `poser user password NAME` sets a new password.")
            return
        password = random_password()
        admin = create_user(dbsession, admin_name, password, role="admin")
        # Example data to try every Application on (and a vendor catalog for it is
        # poser/data/sample_vendor_catalog.csv).
        example = create_data_set(dbsession, EXAMPLE_NAME, "products", admin)
        counts = load_example(example, resource=EXAMPLE_RESOURCE)
    click.echo(f"Example data set {EXAMPLE_NAME!r}: {counts.get('products', 0):,} products.")
    click.echo("")
    click.echo("Created the development admin (this password is shown only once):")
    click.echo(f"    username: {admin_name}")
    click.echo(f"    password: {password}")
    click.echo(f"Log in at {login_url(ctx.config_file)}")


def login_url(config_file: str) -> str:
    """Where the ini's server listens, as a browser on this machine reaches it."""
    try:
        server = plaster.get_settings(config_file, "server:main")
    except (plaster.PlasterError, LookupError, OSError):
        server = {}
    listen = str(server.get("listen") or "").split()
    address = listen[0] if listen else f"{server.get('host', '')}:{server.get('port', '')}"
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::", "*"):  # noqa: S104 (any address: this machine too)
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port or 8080}/login"
