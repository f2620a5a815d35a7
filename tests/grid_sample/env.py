"""Alembic's environment for the grid's sample tables (see __init__.py)."""

from __future__ import annotations

from tests.grid_sample import VERSION_TABLE
from tests.migration_support import run_migrations

run_migrations(VERSION_TABLE)
