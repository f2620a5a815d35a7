from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.entry_points.main import cli
from poser.models.db_management import alembic_config
from poser.models.orm import DataSet
from poser.tasks.users import authenticate
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.usefixtures("clean_environ")


def _ini(folder: Path, database_url: str | None = None, environment: str = "development") -> Path:
    ini = folder / "site.ini"
    url = database_url or f"sqlite:///{folder / 'app' / 'data' / 'poser.sqlite'}"
    ini.write_text(
        "[app:main]\nuse = egg:poser\n"
        f"poser.environment = {environment}\n"
        "poser.appdir = %(here)s/app\n"
        f"sqlalchemy.url = {url}\n",
        encoding="utf-8",
    )
    return ini


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config({})).get_current_head() or ""


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def test_help_lists_every_command_with_its_help() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("db", "dev-setup", "make-appdir", "user"):
        assert command in result.output
    assert "-c, --config FILE" in result.output
    db_help = run("-c", "development.ini", "db", "--help").output
    for sub in ("upgrade", "downgrade", "current", "history", "check", "revision"):
        assert sub in db_help


def test_bad_arguments_give_a_clear_message_and_exit_2(tmp_path: Path) -> None:
    result = run("-c", str(_ini(tmp_path)), "frobnicate")
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.output
    missing = run("-c", str(tmp_path / "nope.ini"), "db", "current")
    assert missing.exit_code == 2
    assert "config file not found" in missing.output


def test_config_defaults_to_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSER_CONFIG", str(_ini(tmp_path)))
    result = run("make-appdir")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "app" / "sessions" / "lock").is_dir()


def test_production_without_a_secret_says_which_one(tmp_path: Path) -> None:
    result = run("-c", str(_ini(tmp_path, environment="production")), "user", "list")
    assert result.exit_code == 1
    assert "POSER_SESSION_SECRET is missing" in result.output


def test_migrations_up_down_and_history(tmp_path: Path) -> None:
    ini = str(_ini(tmp_path))
    assert run("-c", ini, "make-appdir").exit_code == 0
    assert run("-c", ini, "db", "upgrade").exit_code == 0
    assert "(head)" in run("-c", ini, "db", "current").output
    assert "initial schema" in run("-c", ini, "db", "history").output
    assert run("-c", ini, "db", "downgrade", "base").exit_code == 0
    assert "(head)" not in run("-c", ini, "db", "current").output
    bad = run("-c", ini, "db", "upgrade", "no-such-revision")
    assert bad.exit_code == 1
    assert "no-such-revision" in bad.output


def test_db_check_passes_on_the_test_database(
    tmp_path: Path, database_url: str, engine: object
) -> None:
    result = run("-c", str(_ini(tmp_path, database_url)), "db", "check")
    assert result.exit_code == 0, result.output
    assert "models and migrations agree" in result.output


def test_db_upgrade_says_in_one_line_what_it_did(tmp_path: Path) -> None:
    ini = str(_ini(tmp_path))  # a new SQLite database of its own
    run("-c", ini, "make-appdir")
    made = run("-c", ini, "db", "upgrade", "0002")
    assert made.output == "Database schema created (revision 0002).\n"
    upgraded = run("-c", ini, "db", "upgrade")
    assert upgraded.output == f"Database schema upgraded from revision 0002 to {_head()}.\n"
    again = run("-c", ini, "db", "upgrade")
    assert again.output == f"Database schema is up to date (revision {_head()}).\n"


def test_dev_setup_creates_one_admin_and_prints_the_password_once(
    tmp_path: Path, database_url: str, session_factory: object, dbsession: Session
) -> None:
    ini = str(_ini(tmp_path, database_url))
    first = run("-c", ini, "dev-setup")
    assert first.exit_code == 0, first.output
    password = first.output.split("password: ")[1].split()[0]
    assert authenticate(session_factory, "admin", password, "127.0.0.1").user is not None
    assert "Example data set 'Sample Store': 3,000 products." in first.output
    assert f"Database schema is up to date (revision {_head()})." in first.output
    assert "Log in at http://127.0.0.1:8080/login" in first.output  # waitress' default
    example = dbsession.scalars(select(DataSet).where(DataSet.name == "Sample Store")).one()
    assert example.application == "products"
    assert [m.role for m in example.members] == ["owner"]
    again = run("-c", ini, "dev-setup")
    assert again.exit_code == 0
    assert "An admin exists already" in again.output
    assert password not in again.output


def test_user_create_reads_the_password_from_stdin(
    tmp_path: Path, database_url: str, session_factory: object, dbsession: Session
) -> None:
    ini = str(_ini(tmp_path, database_url))
    created = run("-c", ini, "user", "create", "Nina", "--admin", stdin="a long password\n")
    assert created.exit_code == 0, created.output
    assert "created admin nina" in created.output
    assert authenticate(session_factory, "nina", "a long password", "127.0.0.1").user is not None

    short = run("-c", ini, "user", "create", "omar", stdin="tiny\n")
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    duplicate = run("-c", ini, "user", "create", "NINA", stdin="a long password\n")
    assert "already exists" in duplicate.output
    empty = run("-c", ini, "user", "create", "paul", stdin="")
    assert "no password on standard input" in empty.output
    assert run("-c", ini, "user", "list").output.splitlines() == ["nina\tadmin"]


def test_user_password_changes_it(
    tmp_path: Path, database_url: str, session_factory: object, dbsession: Session
) -> None:
    ini = str(_ini(tmp_path, database_url))
    run("-c", ini, "user", "create", "ruth", stdin="first long password\n")
    changed = run("-c", ini, "user", "password", "ruth", stdin="second long password\n")
    assert changed.exit_code == 0, changed.output
    assert authenticate(session_factory, "ruth", "second long password", "127.0.0.1").user
    unknown = run("-c", ini, "user", "password", "nobody", stdin="second long password\n")
    assert unknown.exit_code == 1
    assert "no user named 'nobody'" in unknown.output


def test_the_secret_is_not_needed_in_the_ini_for_development() -> None:
    # The committed ini files hold no secret; production takes it from the environment.
    for name in ("development.ini", "production.ini"):
        text = (Path(__file__).parents[3] / name).read_text(encoding="utf-8")
        assert "session.secret" not in text
        assert TEST_SECRET not in text
