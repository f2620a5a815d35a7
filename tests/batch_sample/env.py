"""Alembic's environment for the Tally tables (see __init__.py)."""

from __future__ import annotations

from tests.batch_sample import VERSION_TABLE
from tests.migration_support import run_migrations

run_migrations(VERSION_TABLE)
