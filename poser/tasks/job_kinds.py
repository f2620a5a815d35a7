"""The registry of job kinds: which task function a Job row's ``kind`` runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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

_KINDS: dict[str, JobKind] = {}


class UnknownJobKindError(LookupError):
    pass


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
    """Decorator: register ``function`` as the job kind ``name``.

    ``permission`` defaults to "edit" for a data set kind and is "admin" for a global one.
    """
    if scope not in PERMISSIONS:
        raise ValueError(f"scope must be 'data_set' or 'global', not {scope!r}")
    permission = permission or DEFAULT_PERMISSION[scope]
    if permission not in PERMISSIONS[scope]:
        allowed = ", ".join(PERMISSIONS[scope])
        raise ValueError(f"a {scope} job kind takes the permission {allowed}, not {permission!r}")

    def register(function: JobFunction) -> JobFunction:
        existing = _KINDS.get(name)
        if existing is not None and existing.function is not function:
            raise ValueError(f"job kind {name!r} is registered twice")
        _KINDS[name] = JobKind(
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
        return function

    return register


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownJobKindError(f"no job kind named {name!r}") from None


def all_kinds() -> list[JobKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.name)


def permission_to_run(name: str) -> str:
    """The permission running (cancelling, retrying) a job of kind ``name`` takes."""
    kind = _KINDS.get(name)
    return kind.permission if kind is not None else UNKNOWN_KIND_PERMISSION
