"""What the task side of every process knows: the job kinds, batch types and data set
formats that the modules of the ``poser.tasks`` entry point group declare.

Each installed distribution names its modules in that group (Poser's own are in
setup.cfg, ``[options.entry_points]``); the registries (`poser.tasks.job_kinds`,
`poser.tasks.batches`, `poser.tasks.datasets.formats`) import them at their first
look-up, so a worker, the web app and the CLI know the same things. The group names
task modules only: the web side's Applications have a group of their own
(``poser.applications``), which only the web process loads.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from poser.utils.registry import load_group

GROUP = "poser.tasks"


def load_task_modules(extra: Iterable[str] = ()) -> list[str]:
    """Import the group's modules, then ``extra`` modules (named by a setting, e.g. a
    test's sample jobs, which no installed distribution names); returns the names of
    the group's entry points loaded by this call."""
    loaded = load_group(GROUP)
    for name in extra:
        import_module(name)
    return loaded
