"""Jobs pages: the list, a job's live progress, Cancel and Retry."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.site.downloads import download_response
from poser.apps.site.forms import CSRFSchema, FormError, handle_form, make_form
from poser.apps.site.paging import page_number
from poser.apps.site.security import OwnedFactory, OwnedResource, job_acl
from poser.models.data_extraction.datasets import data_sets_for_user
from poser.models.data_extraction.jobs import UNFINISHED, job_kinds_in_use, visible_jobs
from poser.models.orm import JOB_STATUSES, Export, Job
from poser.tasks import jobs as job_tasks
from poser.tasks.datasets import jobs as data_set_jobs
from poser.tasks.job_kinds import all_kinds, get_kind, kind_of
from poser.tasks.job_progress import read_progress
from poser.utils.labels import started_words

PAGE_SIZE = 50


class JobResource(OwnedResource):
    """A job as a context: a 404 for anyone who may not see it."""

    def __init__(self, job: Job, role: str | None, acl: list[Any]) -> None:
        super().__init__(job, role, acl)
        self.job = job


job_factory = OwnedFactory(Job, "job_id", JobResource, acl=job_acl)


def _queue(request: Request) -> Any:
    return request.find_service(name="jobs")


#: Jobs that fill their own data set (an example, a workbook): it is what they made.
FILL_KINDS = {
    kind_of(task).name for task in (data_set_jobs.load_example, data_set_jobs.import_upload)
}
COPY_KIND = kind_of(data_set_jobs.copy).name


def made_links(
    request: Request, job: Job, mine: set[int], files: bool = False
) -> list[tuple[str, str]]:
    """What a job that succeeded made, as (words, URL) links to follow: the data set it
    loaded, its copy (for a member of it: ``mine`` holds the ids of the user's data
    sets), the job writing an apply's change report, or its export (with ``files``, its
    files too)."""
    if job.status != "succeeded":
        return []
    result, data_set = job.result or {}, job.data_set
    links = []
    if job.kind in FILL_KINDS and data_set is not None:
        links.append(
            (f"Open {data_set.name}", _data_set_url(request, data_set.application, data_set.id))
        )
    made = result.get("data_set_id")
    if job.kind == COPY_KIND and data_set is not None and made in mine:
        name = result.get("name") or "the copy"
        links.append((f"Open {name}", _data_set_url(request, data_set.application, made)))
    report = result.get("report_job_id")  # an apply's change report, written after it
    if isinstance(report, int):
        links.append(("Its change report", request.route_path("job", job_id=report)))
    export = result.get("export_id")
    if isinstance(export, int):
        # On the job's own page (``files``), its files at once (a report's) unless the
        # job has its own Download (a workbook's): one query, which the Jobs list, a
        # row a job, does not make. Then the page that lists every export.
        wanted = files and not result.get("download")
        written = request.dbsession.get(Export, export) if wanted else None
        for name in written.files if written is not None else ():
            kind = name.rsplit(".", 1)[-1].upper()
            href = request.route_path("export_file", export_id=export, name=name)
            links.append((f"Download {kind}", href))
        anchor = f"export-{export}"
        links.append(("See it on the Exports page", request.route_path("exports", _anchor=anchor)))
    return links


def _data_set_url(request: Request, application: str, data_set_id: int) -> str:
    return str(request.route_path("app_data_set", app=application, data_set_id=data_set_id))


def _my_data_sets(request: Request) -> set[int]:
    return {
        data_set.id for data_set, _ in data_sets_for_user(request.dbsession, request.identity.id)
    }


@view_config(route_name="jobs", renderer="site/jobs/list.jinja2", request_method="GET")
def jobs_list(request: Request) -> dict[str, Any]:
    status = request.params.get("status") or None
    kind = request.params.get("kind") or None
    if status not in (None, UNFINISHED, *JOB_STATUSES):
        status = None
    data_sets = data_sets_for_user(request.dbsession, request.identity.id)
    chosen = request.params.get("data_set", "")
    data_set_id = next((d.id for d, _ in data_sets if str(d.id) == chosen), None)
    page = page_number(request)
    rows, total = visible_jobs(
        request.dbsession,
        request.identity,
        status=status,
        kind=kind,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        data_set_id=data_set_id,
    )
    mine = {data_set.id for data_set, _ in data_sets}
    return {
        "jobs": rows,
        "made": {job.id: made_links(request, job, mine) for job in rows},
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "status": status or "",
        "kind": kind or "",
        "statuses": (UNFINISHED, *JOB_STATUSES),
        "data_sets": [data_set for data_set, _ in data_sets],
        "data_set": "" if data_set_id is None else str(data_set_id),
        "kinds": job_kinds_in_use(request.dbsession, request.identity),
        "titles": {kind.name: kind.title for kind in all_kinds()},
        "maintenance": [kind for kind in all_kinds() if kind.name.startswith("maintenance.")],
    }


def _panel(request: Request) -> dict[str, Any]:
    job = request.context.job
    try:
        title = get_kind(job.kind).title
    except LookupError:
        title = job.kind
    return {
        "job": job,
        "title": title,
        "live": read_progress(_queue(request).store, job.id),
        "made": made_links(
            request, job, _my_data_sets(request) if job.kind == COPY_KIND else set(), files=True
        ),
        "may_manage": bool(request.has_permission("manage_job")),
    }


@view_config(
    route_name="job", renderer="site/jobs/detail.jinja2", request_method="GET", permission="view"
)
def job_detail(request: Request) -> dict[str, Any]:
    return _panel(request)


@view_config(
    route_name="job_progress",
    renderer="site/jobs/_panel.jinja2",
    request_method="GET",
    permission="view",
)
def job_progress(request: Request) -> dict[str, Any]:
    values = _panel(request)
    finished = request.context.job.finished
    if request.GET.get("reload") == "1":
        # A page whose content the job makes (a batch's rows) asked to be reloaded
        # once the job has finished; htmx does that on this header.
        values["reload_when_done"] = True
        if finished:
            request.response.headers["HX-Refresh"] = "true"
    elif request.GET.get("update") == "1":
        # A page whose state the job changes (a step done, a batch applied) asked to be
        # brought up to date once the job has finished, without a reload: htmx fetches
        # the page and swaps its main part in (its address, scroll and scripts stay).
        values["update_when_done"] = True
        if finished:
            request.response.headers.update(_update_page(request))
    return values


def _update_page(request: Request) -> dict[str, str]:
    """The header that has htmx swap in the main part of the page the request came
    from (htmx names it in HX-Current-URL): only a page of this site, else a reload."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    origin = f"{current.scheme}://{current.netloc}"
    if origin != request.host_url or not current.path.startswith("/"):
        return {"HX-Refresh": "true"}
    path = current.path + (f"?{current.query}" if current.query else "")
    location = {"path": path, "target": "main", "select": "main", "swap": "outerHTML"}
    return {"HX-Location": json.dumps({**location, "push": "false"})}


def _job_action(request: Request, name: str, act: Callable[[Job], str]) -> Any:
    """A job's button (Cancel, Retry): its form, through handle_form; a job no longer
    in a state that allows it is refused with the reason, back on the job's page."""
    job = request.context.job

    def acted(values: dict[str, Any]) -> None:
        try:
            request.session.flash(act(job), "info")
        except job_tasks.JobStateError as error:
            raise FormError(str(error)) from error

    form = make_form(request, CSRFSchema(), name=name)
    return handle_form(request, form, acted, back=request.route_path("job", job_id=job.id))


@view_config(route_name="job_cancel", request_method="POST", permission="manage_job")
def job_cancel(request: Request) -> Any:
    def cancel(job: Job) -> str:
        job_tasks.cancel(request.dbsession, _queue(request), job)
        return "Cancelled." if job.status == "cancelled" else "Asked the job to stop."

    return _job_action(request, "job-cancel", cancel)


@view_config(route_name="job_retry", request_method="POST", permission="manage_job")
def job_retry(request: Request) -> Any:
    def retry(job: Job) -> str:
        job_tasks.retry(request.dbsession, _queue(request), job, user=request.identity)
        return "Queued again."

    return _job_action(request, "job-retry", retry)


@view_config(route_name="job_download", request_method="GET", permission="view")
def job_download(request: Request) -> Any:
    """A file a job produced (its result names the storage key), streamed."""
    result = request.context.job.result or {}
    key = result.get("download")
    if request.context.job.status != "succeeded" or not key:
        raise HTTPNotFound()
    files = request.find_service(name="files")
    return download_response(request, files, key, result.get("filename") or key.rsplit("/", 1)[-1])


@view_config(route_name="jobs_run_maintenance", request_method="POST", permission="admin")
def run_maintenance(request: Request) -> Any:
    kind = request.matchdict["kind"]
    if not kind.startswith("maintenance."):
        raise HTTPNotFound()
    try:
        task = get_kind(kind)  # the operator picks one by its name: the page lists them
    except LookupError:
        raise HTTPNotFound() from None

    def start(values: dict[str, Any]) -> str:
        job = job_tasks.submit(request.dbsession, _queue(request), task, user=request.identity)
        return request.route_path("job", job_id=job.id)

    form = make_form(request, CSRFSchema(), name="run-maintenance")
    started = started_words(task.title)
    return handle_form(request, form, start, back=request.route_path("jobs"), flash=started)


def includeme(config: Configurator) -> None:
    config.add_route("jobs", "/jobs")
    config.add_route("jobs_run_maintenance", "/jobs/run/{kind}")
    config.include("poser.apps.site.routes")  # the ids predicate
    pages = {
        "job": "",
        "job_progress": "/progress",
        "job_cancel": "/cancel",
        "job_retry": "/retry",
        "job_download": "/download",
    }
    for name, suffix in pages.items():
        config.add_route(name, "/jobs/{job_id}" + suffix, factory=job_factory, ids="job_id")
    config.scan(__name__)
