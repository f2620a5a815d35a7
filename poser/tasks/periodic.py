"""Periodic runs: each (name, scheduled time) is claimed once, then run as a Job."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import Job, PeriodicRun
from poser.tasks.job_kinds import JobKind, Task, registered_kind
from poser.tasks.jobs import JobQueue, run

log = logging.getLogger(__name__)


def claim(
    session_factory: sessionmaker[Session],
    name: str,
    task: Task | JobKind,
    parameters: dict[str, Any],
    scheduled_for: datetime,
    worker: str,
) -> int | None:
    """Record the run and its queued Job of ``task`` (a function `job_kind` declares,
    or its JobKind; the row stores the kind's name); None if another worker claimed it
    first."""
    kind = registered_kind(task)
    try:
        with session_factory.begin() as session:
            job = Job(kind=kind.name, parameters=parameters, status="queued")
            session.add(job)
            session.flush()
            session.add(
                PeriodicRun(
                    name=name, scheduled_for=scheduled_for, job_id=job.id, claimed_by=worker
                )
            )
            session.flush()
            return job.id
    except IntegrityError:
        log.info("periodic %s at %s: already claimed; skipped", name, scheduled_for.isoformat())
        return None


def run_periodic(
    session_factory: sessionmaker[Session],
    queue: JobQueue,
    name: str,
    task: Task | JobKind,
    parameters: dict[str, Any],
    scheduled_for: datetime,
    *,
    worker: str,
    resources: dict[str, Any] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> str | None:
    """Claim and run one periodic job in this worker; returns its status or None."""
    job_id = claim(session_factory, name, task, parameters, scheduled_for, worker)
    if job_id is None:
        return None
    return run(
        session_factory,
        queue,
        job_id,
        worker=worker,
        resources=resources,
        should_stop=should_stop,
    )
