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
    passes as keyword arguments (e.g. "files", "progress_store", "work_dir").
    An ``idempotent`` job is re-queued, not failed, when its worker dies mid-way.
    ``on_failure(session, job, message)`` records a failure on the job's subject (e.g.
    a batch whose file could not be read) in the short transaction that records the
    failed job, since the task's own transaction was rolled back.
    """

    name: str
    title: str
    function: JobFunction
    scope: str = "data_set"
    idempotent: bool = False
    uses: tuple[str, ...] = field(default_factory=tuple)
    on_failure: FailureHook | None = None


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
) -> Callable[[JobFunction], JobFunction]:
    """Decorator: register ``function`` as the job kind ``name``."""
    if scope not in ("data_set", "global"):
        raise ValueError(f"scope must be 'data_set' or 'global', not {scope!r}")

    def register(function: JobFunction) -> JobFunction:
        existing = _KINDS.get(name)
        if existing is not None and existing.function is not function:
            raise ValueError(f"job kind {name!r} is registered twice")
        _KINDS[name] = JobKind(name, title, function, scope, idempotent, tuple(uses), on_failure)
        return function

    return register


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownJobKindError(f"no job kind named {name!r}") from None


def all_kinds() -> list[JobKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.name)
