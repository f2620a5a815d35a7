"""`poser backup FILE` and `poser restore FILE PATH`."""

from __future__ import annotations

from pathlib import Path

import click

from poser.entry_points.cli_context import Context, pass_context
from poser.tasks.backups import BackupError, BackupSources, restore_backup, take_backup


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
def backup_command(ctx: Context, file: Path) -> None:
    """Write one archive of the app dir to FILE while the site runs: the database (by
    SQLite's backup API, or pg_dump on PostgreSQL), the queue, and data/, with a
    manifest of versions, row counts and checksums."""
    sources = BackupSources.from_settings(ctx.settings)
    try:
        manifest = take_backup(sources, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest["row_counts"].values())
    files = sum(1 for name in manifest["members"] if name.startswith("data/"))
    click.echo(
        f"backup written: {file} ({manifest['database']['backend']} database at revision "
        f"{manifest['alembic_revision']}, {_count(rows, 'row')}, {_count(files, 'file')})"
    )
    if sources.storage_backend != "local":
        click.echo(
            f"note: files are stored on {sources.storage_backend}, not in the app dir: "
            "back up that store too"
        )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data/ of a non-empty app dir.")
@click.option(
    "--database-url",
    metavar="URL",
    help="PostgreSQL backups: the empty database to load the dump into with pg_restore.",
)
@pass_context
def restore_command(
    ctx: Context, file: Path, path: Path, force: bool, database_url: str | None
) -> None:
    """Rebuild an app dir at PATH from the backup FILE, after checking every checksum."""
    try:
        restored = restore_backup(file, path, force=force, database_url=database_url)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    manifest = restored.manifest
    click.echo(
        f"restored {file} into {restored.appdir}: {_count(restored.files, 'file')}, database "
        f"at revision {manifest['alembic_revision']} ({restored.database})"
    )
    for note in restored.notes:
        click.echo(f"note: {note}")
    if restored.pg_restore_command:
        click.echo("The PostgreSQL dump is not loaded yet; load it into an empty database:")
        click.echo(f"    {restored.pg_restore_command}")
        click.echo("or run poser restore again with --database-url URL.")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
