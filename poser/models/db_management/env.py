"""Alembic environment: used by `poser db ...` and by `alembic -c development.ini ...`."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from poser.models.db_management import include_name
from poser.models.engine import get_engine
from poser.models.orm import Base
from poser.utils.settings import load_settings

config = context.config
settings = config.attributes.get("poser_settings")
if settings is None:
    # Plain `alembic -c FILE`: read the app's settings from the same ini.
    ini = config.config_file_name
    if ini is None:
        raise SystemExit("alembic needs -c FILE naming a Poser ini file")
    if config.get_section("loggers"):
        fileConfig(ini, disable_existing_loggers=False)
    settings = load_settings(ini)

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=settings["sqlalchemy.url"],
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = get_engine(settings)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                # SQLite alters tables by copying them; batch mode does that for us.
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_name=include_name,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
