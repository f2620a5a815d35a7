"""Alembic's environment for the Notes tables (see __init__.py)."""

from __future__ import annotations

from tests.migration_support import run_migrations
from tests.notes_sample import VERSION_TABLE

run_migrations(VERSION_TABLE)
