"""What the installed packages add to Poser, through two entry point groups.

``poser.applications`` (the web side): each entry point names the Pyramid include of
one Application, a module whose ``includeme`` calls ``config.add_application``. Only
the web process loads it. The setting ``poser.applications`` picks some of them by
entry point name (unset: all that are installed; empty: none).

``poser.tasks`` (the task side, `poser.tasks.plugins`): each entry point names a module
that declares job kinds, batch types or data set formats. Every process loads it: the
worker and the scheduler to run jobs, the web app and the CLI to submit them and to
show their titles. The setting ``poser.job_modules`` adds modules no installed package
names (a test's sample jobs, a module tried before it is packaged).

``poser.includes`` adds Pyramid includes to the web app besides the Applications: a
test's sample Applications, or a project's own pages before they are packaged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from poser.tasks.plugins import load_task_modules
from poser.utils.registry import group_entry_points
from poser.utils.settings import SettingsError

APPLICATIONS_GROUP = "poser.applications"


def load_tasks(settings: Mapping[str, Any]) -> None:
    """Import every installed task module, then those ``poser.job_modules`` names."""
    load_task_modules(listed(settings.get("poser.job_modules")))


def application_includes(settings: Mapping[str, Any]) -> list[str]:
    """The Pyramid includes of the Applications this site offers, then the extra
    includes of ``poser.includes``."""
    installed = group_entry_points(APPLICATIONS_GROUP)
    chosen = settings.get("poser.applications")
    names = sorted(installed) if chosen is None else listed(chosen)
    unknown = [name for name in names if name not in installed]
    if unknown:
        raise SettingsError(
            f"poser.applications names {', '.join(map(repr, unknown))}, which no installed "
            f"package offers; the installed Applications are {', '.join(sorted(installed))}"
        )
    return [installed[name].value for name in names] + listed(settings.get("poser.includes"))


def listed(value: Any) -> list[str]:
    """A setting's list: words of a string, or the items of a list."""
    return value.split() if isinstance(value, str) else list(value or [])
