"""`poser user ...`."""

from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy.orm import Session

from poser.entry_points.cli_context import Context, pass_context, read_password
from poser.models.data_extraction.users import user_by_name, users
from poser.models.orm import User
from poser.tasks.users import (
    UserError,
    create_user,
    disable_user,
    enable_user,
    normalize_username,
    set_password,
)


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


def _change(ctx: Context, name: str, change: Callable[[Session, User], None]) -> str:
    """Apply ``change`` to user NAME in one transaction; the normalized name."""
    username = normalize_username(name)
    try:
        with ctx.write_session() as dbsession:
            account = user_by_name(dbsession, username)
            if account is None:
                raise click.ClickException(f"no user named {name!r}")
            change(dbsession, account)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    return username


@user.command("password")
@click.argument("name")
@pass_context
def password(ctx: Context, name: str) -> None:
    """Set a new password for NAME (from a prompt, or stdin when piped). Every session
    of NAME ends."""
    new_password = read_password(prompt=True)
    username = _change(
        ctx, name, lambda dbsession, account: set_password(dbsession, account, new_password)
    )
    click.echo(f"password changed for {username}; their sessions have ended")


@user.command("disable")
@click.argument("name")
@pass_context
def disable(ctx: Context, name: str) -> None:
    """Disable NAME: no more logins, and every session of NAME ends."""
    click.echo(f"disabled {_change(ctx, name, disable_user)}; their sessions have ended")


@user.command("enable")
@click.argument("name")
@pass_context
def enable(ctx: Context, name: str) -> None:
    """Let NAME, disabled, log in again."""
    click.echo(f"enabled {_change(ctx, name, enable_user)}")


@user.command("list")
@pass_context
def list_users(ctx: Context) -> None:
    """List the users."""
    with ctx.dbsession() as dbsession:
        for account in users(dbsession):
            state = "" if account.active else " (disabled)"
            click.echo(f"{account.username}\t{account.role}{state}")
