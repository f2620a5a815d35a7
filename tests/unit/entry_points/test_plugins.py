"""The entry point groups: a separate installed package adds an Application (web side),
a batch type and its job kinds (task side), and each process finds them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from poser.entry_points.plugins import APPLICATIONS_GROUP, application_includes
from poser.tasks.plugins import GROUP
from poser.utils.registry import group_entry_points
from poser.utils.settings import SettingsError
from tests.unit.utils.test_registry import fake_distribution

ROOT = Path(__file__).resolve().parents[3]


def test_poser_declares_its_own_applications_and_task_modules() -> None:
    applications = group_entry_points(APPLICATIONS_GROUP)
    assert {name: entry.value for name, entry in applications.items()} == {
        "catalog": "poser.apps.catalog",
        "inventory": "poser.apps.inventory",
        "products": "poser.apps.products",
    }
    tasks = {entry.value for entry in group_entry_points(GROUP).values()}
    assert tasks >= {
        "poser.tasks.maintenance",
        "poser.tasks.datasets.jobs",
        "poser.tasks.generate",
        "poser.tasks.products_data",
        "poser.tasks.batches.jobs",
        "poser.tasks.batches.catalog.handler",
    }
    assert not any(value.startswith("poser.apps") for value in tasks)  # tasks never load apps


def test_the_ini_picks_applications_by_name_and_adds_includes() -> None:
    assert application_includes({}) == [
        "poser.apps.catalog",
        "poser.apps.inventory",
        "poser.apps.products",
    ]
    assert application_includes({"poser.applications": "products"}) == ["poser.apps.products"]
    assert application_includes({"poser.applications": "", "poser.includes": "a.b c"}) == [
        "a.b",
        "c",
    ]
    with pytest.raises(SettingsError, match=r"names 'poser\.apps\.products', which no installed"):
        application_includes({"poser.applications": "poser.apps.products"})


PACKAGE = {
    "__init__.py": """
        from poser.apps.framework.application import Application

        def includeme(config):
            config.add_application(Application(name="Shelf labels", url_name="labels"))
    """,
    "tasks.py": """
        from poser.tasks.batches import register_batch_type
        from poser.tasks.batches.base import BatchHandler
        from poser.tasks.job_kinds import job_kind

        @register_batch_type
        class LabelsHandler(BatchHandler):
            batch_type = "labels"
            title = "Shelf labels"
            data_sets_of = "products"

        @job_kind("labels.print", "Print the shelf labels")
        def print_labels(data_set, progress=None):
            return {}
    """,
}

SCRIPT = """
from pyramid import testing

from poser.apps.framework.registry import registered_applications
from poser.entry_points.plugins import application_includes, load_tasks
from poser.tasks.batches import get_handler
from poser.tasks.job_kinds import get_kind

load_tasks({})
print(get_kind("labels.print").title, "|", get_handler("labels").title)
with testing.testConfig() as config:
    config.include("poser.apps.framework")
    for name in application_includes({}):
        config.include(name)
    config.commit()
    print(sorted(app.url_name for app in registered_applications(config.registry)))
"""


def test_a_separate_package_adds_an_application_a_batch_type_and_a_job_kind(
    tmp_path: Path,
) -> None:
    package = tmp_path / "poser_labels"
    package.mkdir()
    for name, text in PACKAGE.items():
        (package / name).write_text(textwrap.dedent(text))
    fake_distribution(
        tmp_path,
        "poser_labels",
        {APPLICATIONS_GROUP: {"labels": "poser_labels"}, GROUP: {"labels": "poser_labels.tasks"}},
    )
    shown = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": ""},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert shown == [
        "Print the shelf labels | Shelf labels",
        "['catalog', 'inventory', 'labels', 'products']",
    ]
