"""The worker process (`poser worker`) and the scheduler process (`poser scheduler`)."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from huey.consumer import Consumer
from sqlalchemy.exc import OperationalError

from poser.entry_points import queues
from poser.entry_points.plugins import load_tasks
from poser.entry_points.schedule import Schedule, scheduler_loop, schedules
from poser.models.engine import get_engine, get_session_factory, is_sqlite_busy
from poser.storage import store_from_settings
from poser.tasks import jobs, periodic
from poser.utils.settings import setting_bool, setting_int

log = logging.getLogger(__name__)

#: How often a worker looks for jobs left running by workers that died.
RECOVERY_SECONDS = 60


class WorkerRuntime:
    """What the worker's threads share: database, files, the queue, and the stop flag."""

    def __init__(self, settings: Mapping[str, Any], queue: queues.HueyJobQueue) -> None:
        self.settings = settings
        self.queue = queue
        self.worker_id = queues.new_worker_id()
        self.engine = get_engine(settings)
        self.session_factory = get_session_factory(self.engine)
        self.stopping = threading.Event()
        self.schedules: dict[str, Schedule] = schedules(settings)
        self.resources = {
            "files": store_from_settings(settings),
            "progress_store": queue.store,
            "queue": queue,
            "settings": settings,
            "work_dir": Path(str(settings["poser.appdir"])) / "work",
        }

    def run_job(self, job_id: int) -> None:
        started = time.perf_counter()
        status = jobs.run(
            self.session_factory,
            self.queue,
            job_id,
            worker=self.worker_id,
            resources=self.resources,
            should_stop=self.stopping.is_set,
        )
        if status is not None:
            log.info("job %s: %s in %.1f s", job_id, status, time.perf_counter() - started)

    def run_periodic(self, name: str, scheduled_for: str) -> None:
        schedule = self.schedules.get(name)
        if schedule is None:
            log.warning("periodic %s is not enabled in this worker's settings; skipped", name)
            return
        periodic.run_periodic(
            self.session_factory,
            self.queue,
            name,
            schedule.job.task,
            schedule.parameters,
            datetime.fromisoformat(scheduled_for),
            worker=self.worker_id,
            resources=self.resources,
            should_stop=self.stopping.is_set,
        )

    def is_alive(self, worker_id: str) -> bool:
        if worker_id == self.worker_id:
            return True
        stale = 6 * queues.heartbeat_interval(self.settings)
        return queues.worker_is_alive(worker_id, self.queue.store, stale)

    def recover(self) -> bool:
        """Settle the jobs of workers that died; False when it has to wait for later.

        That takes the main database's write lock, which a long job (this worker's,
        say) may hold for longer than the busy timeout: then nothing is lost by waiting,
        and the next round (RECOVERY_SECONDS on) tries again. Not an error.
        """
        try:
            outcomes = jobs.recover_orphans(self.session_factory, self.queue, self.is_alive)
        except OperationalError as error:
            if not is_sqlite_busy(error):
                raise
            log.info("jobs left by dead workers: not checked, the database is busy; later")
            return False
        for job_id, status in outcomes:
            log.warning("recovered job %s left running by a dead worker: now %s", job_id, status)
        return True

    def heartbeat_loop(self, stop: threading.Event) -> None:
        """This worker's heartbeat, in the queue's store every interval. Never the main
        database: a long job's write lock there must not make the worker look dead."""
        interval = queues.heartbeat_interval(self.settings)
        while not stop.is_set():
            try:
                queues.write_heartbeat(self.queue.store, self.worker_id)
            except Exception:
                log.exception("heartbeat failed")
            stop.wait(interval)

    def recovery_loop(self, stop: threading.Event) -> None:
        """Workers on other hosts may die meanwhile: look for their jobs each round, in a
        thread of its own, so waiting for the database never delays a heartbeat."""
        while not stop.wait(RECOVERY_SECONDS):
            try:
                self.recover()
            except Exception:
                log.exception("recovering the jobs of dead workers failed")


class GracefulConsumer(Consumer):
    """huey's consumer, with SIGTERM as graceful as SIGINT (systemd and Ctrl-C alike).

    A graceful stop also tells running jobs to stop at their next progress call, so
    shutting down does not wait for a long job: the job is re-queued if idempotent,
    else marked failed, and nothing it did is saved.
    """

    def __init__(self, *args: Any, runtime: WorkerRuntime, **kwargs: Any) -> None:
        self.runtime = runtime
        super().__init__(*args, **kwargs)
        self._signal_actions[signal.SIGTERM] = (False, True)
        self._signal_actions[signal.SIGINT] = (False, True)

    def _handle_signal(self, signum: int, frame: Any) -> None:
        self.runtime.stopping.set()
        super()._handle_signal(signum, frame)


def run_worker(settings: Mapping[str, Any], workers: int | None, periodic_on: bool | None) -> None:
    load_tasks(settings)
    queue = queues.make_queue(settings)
    runtime = WorkerRuntime(settings, queue)
    queues.RUNTIME.update(run_job=runtime.run_job, run_periodic=runtime.run_periodic)
    workers = workers or setting_int(settings, "poser.queue.workers", 2)
    if periodic_on is None:
        periodic_on = setting_bool(settings, "poser.queue.periodic", False)

    queues.write_heartbeat(queue.store, runtime.worker_id)
    runtime.recover()
    stop = threading.Event()
    loops = {"heartbeat": runtime.heartbeat_loop, "recovery": runtime.recovery_loop}
    threads = [
        threading.Thread(target=loop, args=(stop,), name=name, daemon=True)
        for name, loop in loops.items()
    ]
    if periodic_on:
        threads.append(
            threading.Thread(
                target=scheduler_loop,
                args=(runtime.schedules, _enqueue_periodic(queue), stop),
                name="scheduler",
                daemon=True,
            )
        )
    for thread in threads:
        thread.start()
    log.info(
        startup_message(
            runtime.worker_id,
            workers,
            type(queue.huey).__name__,
            periodic_on and list(runtime.schedules),
        )
    )
    # huey's own start-up lines describe its scheduler, which is off (periodic=False):
    # the line above says what schedules the periodic jobs.
    logging.getLogger("huey.consumer").addFilter(_not_huey_startup)
    # huey names each task it runs by its queue's id ("Executing ...run_job: <uuid>");
    # run_job says which job it ran and how it ended.
    logging.getLogger("huey").addFilter(_not_huey_task_line)
    consumer = GracefulConsumer(
        queue.huey,
        runtime=runtime,
        workers=workers,
        worker_type="thread",
        periodic=False,  # our scheduler (above) claims each run in the database
        initial_delay=0.1,
        max_delay=1.0,
        shutdown_timeout=setting_int(settings, "poser.queue.shutdown_timeout", 30),
    )
    try:
        consumer.run()
    finally:
        stop.set()
        runtime.engine.dispose()


#: How huey's consumer begins the lines it logs as it starts.
HUEY_STARTUP = (
    "Huey consumer started",
    "Scheduler runs every",
    "Periodic tasks are",
    "The following commands",
)


def _not_huey_startup(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith(HUEY_STARTUP)


#: The lines huey logs around each task it runs, as its format strings.
HUEY_TASK_LINES = ("Executing %s", "%s executed in %0.3fs")


def _not_huey_task_line(record: logging.LogRecord) -> bool:
    return record.msg not in HUEY_TASK_LINES


def startup_message(worker_id: str, workers: int, queue: str, periodic: list[str] | bool) -> str:
    """What a starting worker says: its threads, its queue, and whether it schedules
    the periodic jobs (``periodic``: their names, or False when it does not)."""
    if periodic is False:
        scheduling = "it schedules no periodic jobs (`poser scheduler` does)"
    elif periodic:
        scheduling = "it also schedules the periodic jobs: " + ", ".join(periodic)
    else:
        scheduling = "it would schedule the periodic jobs, but the settings turn each off"
    return (
        f"worker {worker_id} runs jobs from the queue ({queue}) on {workers} threads; {scheduling}"
    )


def run_scheduler(settings: Mapping[str, Any]) -> None:
    """The one process that schedules periodic jobs, when workers run with periodic off."""
    load_tasks(settings)
    queue = queues.make_queue(settings)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        log.info("scheduler: stopping on %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("scheduler: %s", ", ".join(schedules(settings)) or "nothing enabled")
    scheduler_loop(schedules(settings), _enqueue_periodic(queue), stop)


def _enqueue_periodic(queue: queues.HueyJobQueue) -> Any:
    def enqueue(name: str, scheduled_for: str) -> None:
        queue.run_periodic(name, scheduled_for)

    return enqueue
