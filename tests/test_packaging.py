"""The sdist ships what a deployment needs: templates, static files, migrations, data."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_sdist_ships_templates_static_files_migrations_and_settings(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (sdist,) = tmp_path.glob("poser-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    expected = {
        "development.ini",
        "production.ini",
        "MANIFEST.in",
        "poser/apps/templates/site/layout.jinja2",
        "poser/apps/templates/site/login.jinja2",
        "poser/apps/static/vendor/htmx/htmx.min.js",
        "poser/apps/static/vendor/htmx/LICENSE",
        "poser/apps/static/css/poser.css",
        "poser/models/db_management/env.py",
        "poser/models/db_management/script.py.mako",
        "poser/models/db_management/versions/0001_initial_schema.py",
        "poser/data/README.md",
        "poser/data/templates/catalog_change_report.json",
        "docs/deploy.md",
        "docs/deploy/nginx-poser.conf",
        "docs/deploy/poser-web@.service",
        "docs/deploy/poser.env",
        "docs/deploy/poser.target",
    }
    assert expected <= names, sorted(expected - names)
    assert not any(name.startswith(("app/", "tests/")) for name in names)
