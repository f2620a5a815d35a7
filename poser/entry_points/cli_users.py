"""`poser user ...`."""

from __future__ import annotations

import click

from poser.entry_points.main import Context, pass_context, read_password
from poser.models.data_extraction.users import user_by_name, users
from poser.tasks.users import UserError, create_user, normalize_username, set_password


@click.group()
def user() -> None:
    """User accounts."""


@user.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Make an admin instead of an operator.")
@pass_context
def create(ctx: Context, name: str, admin: bool) -> None:
    """Create user NAME. The password is read from a prompt, or from stdin when piped."""
    password = read_password(prompt=True)
    try:
        with ctx.dbsession() as dbsession:
            created = create_user(dbsession, name, password, role="admin" if admin else "operator")
            click.echo(f"created {created.role} {created.username}")
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc


@user.command("password")
@click.argument("name")
@pass_context
def password(ctx: Context, name: str) -> None:
    """Set a new password for NAME (from a prompt, or stdin when piped)."""
    new_password = read_password(prompt=True)
    try:
        with ctx.dbsession() as dbsession:
            account = user_by_name(dbsession, normalize_username(name))
            if account is None:
                raise click.ClickException(f"no user named {name!r}")
            set_password(dbsession, account, new_password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"password changed for {normalize_username(name)}")


@user.command("list")
@pass_context
def list_users(ctx: Context) -> None:
    """List the users."""
    with ctx.dbsession() as dbsession:
        for account in users(dbsession):
            state = "" if account.active else " (inactive)"
            click.echo(f"{account.username}\t{account.role}{state}")
