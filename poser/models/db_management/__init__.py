"""Alembic: env.py, script.py.mako and versions/. Migrations are the only way the schema is made."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from alembic.config import Config

SCRIPT_LOCATION = "poser.models:db_management"

#: Tables and indexes that migrations make but no model declares: the description
#: search, on SQLite an FTS5 table with its shadow tables (0009) and the descriptions'
#: words (0027), on PostgreSQL a pg_trgm index. Checks of the models against the
#: database skip them.
UNMODELLED = (
    "product_search",
    "product_word",
    "product_vocabulary",
    "ix_product_description_search",
)


def include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """alembic's ``include_name`` hook: everything but `UNMODELLED` (and their parts)."""
    return not (name and name.startswith(UNMODELLED))


def alembic_config(settings: Mapping[str, Any], config_file: str | None = None) -> Config:
    """An alembic Config that migrates the database the given (prepared) settings name."""
    # Config's default stdout is bound when alembic is imported; give it today's.
    config = Config(config_file, stdout=sys.stdout)
    config.set_main_option("script_location", SCRIPT_LOCATION)
    # Migrations are numbered 0001, 0002...: the order is readable from the file names.
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # env.py uses these settings instead of reading the ini again.
    config.attributes["poser_settings"] = dict(settings)
    return config


def next_revision_id(config: Config) -> str:
    """The next number after the newest migration's, as four digits."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(config).get_heads()
    numbers = [int(head) for head in heads if head.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"
