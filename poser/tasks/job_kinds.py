"""The registry of job kinds: which task function a Job row's ``kind`` runs.

A module declares a kind by decorating its task function (`job_kind`); the decorated
function carries its `JobKind` (``function.job_kind``), and that is what a caller
hands to `poser.tasks.jobs.submit`: the kind's name is written once, in the
decorator, and stored in the Job row. The modules that declare kinds are named in the
``poser.tasks`` entry point group (`poser.tasks.plugins`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from poser.tasks.plugins import GROUP
from poser.utils.registry import Registry

JobFunction = Callable[..., dict[str, Any] | None]
FailureHook = Callable[[Any, Any, str], None]


@dataclass(frozen=True)
class JobKind:
    """A task that can run as a job.

    ``scope`` is "data_set" (the function's first argument is the job's DataSet) or
    "global" (its first argument is the session). ``uses`` names adapters the runner
    passes as keyword arguments (e.g. "files", "progress_store", "work_dir"), or
    "job_id", the job's own id (e.g. to name a file no other job writes).
    An ``idempotent`` job is re-queued, not failed, when its worker dies mid-way.
    ``on_failure(session, job, message)`` records a failure on the job's subject (e.g.
    a batch whose file could not be read) in the short transaction that records the
    failed job, since the task's own transaction was rolled back.

    ``permission`` is what running the kind takes, and so what cancelling or retrying
    one of its jobs takes: a data set permission ("view", "edit", "manage") of the
    member's role for a data set kind, "admin" for a global kind (global jobs are
    admins' only). ``user_parameter`` names the parameter that says whom the job acts
    for (a copy's owner, who applied a batch): a retry by another member sets it to
    them, so a job never acts for someone who may no longer run it.
    """

    name: str
    title: str
    function: JobFunction
    scope: str = "data_set"
    idempotent: bool = False
    uses: tuple[str, ...] = field(default_factory=tuple)
    on_failure: FailureHook | None = None
    permission: str = "edit"
    user_parameter: str | None = None


#: The permissions a kind may ask for, by scope, and the one it takes unless it says.
PERMISSIONS = {"data_set": ("view", "edit", "manage"), "global": ("admin",)}
DEFAULT_PERMISSION = {"data_set": "edit", "global": "admin"}
#: What a job of a kind this process does not know takes: the most, never the least.
UNKNOWN_KIND_PERMISSION = "manage"


class UnknownJobKindError(LookupError):
    pass


class Task(Protocol):
    """A task function `job_kind` decorated: it carries its kind."""

    job_kind: JobKind

    def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None: ...


_KINDS: Registry[JobKind] = Registry(
    "job kind", GROUP, lambda name: UnknownJobKindError(f"no job kind named {name!r}")
)


def job_kind(
    name: str,
    title: str,
    scope: str = "data_set",
    idempotent: bool = False,
    uses: tuple[str, ...] = (),
    on_failure: FailureHook | None = None,
    permission: str | None = None,
    user_parameter: str | None = None,
) -> Callable[[JobFunction], JobFunction]:
    """Decorator: register ``function`` as the job kind ``name``; returns the function,
    which carries the kind as ``function.job_kind`` (what `jobs.submit` takes).

    ``permission`` defaults to "edit" for a data set kind and is "admin" for a global one.
    A second, different kind under a taken name is refused (DuplicateNameError).
    """
    if scope not in PERMISSIONS:
        raise ValueError(f"scope must be 'data_set' or 'global', not {scope!r}")
    permission = permission or DEFAULT_PERMISSION[scope]
    if permission not in PERMISSIONS[scope]:
        allowed = ", ".join(PERMISSIONS[scope])
        raise ValueError(f"a {scope} job kind takes the permission {allowed}, not {permission!r}")

    def register(function: JobFunction) -> Task:
        kind = JobKind(
            name,
            title,
            function,
            scope,
            idempotent,
            tuple(uses),
            on_failure,
            permission,
            user_parameter,
        )
        _KINDS.add(name, kind)
        function.job_kind = kind  # type: ignore[attr-defined]
        return function  # type: ignore[return-value]

    return register


def kind_of(task: Task | JobKind) -> JobKind:
    """The kind of a decorated task (or the kind itself); a kind's name is refused: a
    caller names the task it means, which an editor and a reader can follow."""
    if isinstance(task, JobKind):
        return task
    kind = getattr(task, "job_kind", None)
    if not isinstance(kind, JobKind):
        raise TypeError(f"{task!r} is not a job kind: pass a function that @job_kind declares")
    return kind


def registered_kind(task: Task | JobKind) -> JobKind:
    """The kind of ``task``, which must be the one registered under its name (what a
    worker runs when it reads the name off a Job row); a kind no loaded module declares
    fails here, before a row is written."""
    kind = kind_of(task)
    if get_kind(kind.name) is not kind:
        raise ValueError(f"job kind {kind.name!r} is not the one registered by that name")
    return kind


def get_kind(name: str) -> JobKind:
    """The kind a Job row names (UnknownJobKindError when no loaded module declares it)."""
    return _KINDS.get(name)


def all_kinds() -> list[JobKind]:
    return list(_KINDS)


def permission_to_run(name: str) -> str:
    """The permission running (cancelling, retrying) a job of kind ``name`` takes."""
    kind = _KINDS.find(name)
    return kind.permission if kind is not None else UNKNOWN_KIND_PERMISSION
