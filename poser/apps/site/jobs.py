"""Jobs pages: the list, a job's live progress, Cancel and Retry."""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.view import view_config

from poser.apps.site.downloads import download_response
from poser.apps.site.paging import page_number
from poser.apps.site.security import OwnedFactory, OwnedResource, job_acl
from poser.models.data_extraction.jobs import job_kinds_in_use, visible_jobs
from poser.models.orm import JOB_STATUSES, Job
from poser.tasks import jobs as job_tasks
from poser.tasks.job_kinds import all_kinds, get_kind
from poser.tasks.job_progress import read_progress

PAGE_SIZE = 50


class JobResource(OwnedResource):
    """A job as a context: a 404 for anyone who may not see it."""

    def __init__(self, job: Job, role: str | None, acl: list[Any]) -> None:
        super().__init__(job, role, acl)
        self.job = job


job_factory = OwnedFactory(Job, "job_id", JobResource, acl=job_acl)


def _queue(request: Request) -> Any:
    return request.find_service(name="jobs")


@view_config(route_name="jobs", renderer="site/jobs/list.jinja2", request_method="GET")
def jobs_list(request: Request) -> dict[str, Any]:
    status = request.params.get("status") or None
    kind = request.params.get("kind") or None
    if status not in (None, *JOB_STATUSES):
        status = None
    page = page_number(request)
    rows, total = visible_jobs(
        request.dbsession,
        request.identity,
        status=status,
        kind=kind,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    return {
        "jobs": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "status": status or "",
        "kind": kind or "",
        "statuses": JOB_STATUSES,
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
    if request.GET.get("reload") == "1":
        # A page whose content the job makes (a batch's rows) asked to be reloaded
        # once the job has finished; htmx does that on this header.
        values["reload_when_done"] = True
        if request.context.job.finished:
            request.response.headers["HX-Refresh"] = "true"
    return values


@view_config(route_name="job_cancel", request_method="POST", permission="manage_job")
def job_cancel(request: Request) -> HTTPSeeOther:
    job = request.context.job
    try:
        job_tasks.cancel(request.dbsession, _queue(request), job)
    except job_tasks.JobStateError as exc:
        request.session.flash(str(exc), "warning")
    else:
        message = "Cancelled." if job.status == "cancelled" else "Asked the job to stop."
        request.session.flash(message, "info")
    return HTTPSeeOther(location=request.route_path("job", job_id=job.id))


@view_config(route_name="job_retry", request_method="POST", permission="manage_job")
def job_retry(request: Request) -> HTTPSeeOther:
    job = request.context.job
    try:
        job_tasks.retry(request.dbsession, _queue(request), job, user=request.identity)
    except job_tasks.JobStateError as exc:
        request.session.flash(str(exc), "warning")
    else:
        request.session.flash("Queued again.", "info")
    return HTTPSeeOther(location=request.route_path("job", job_id=job.id))


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
def run_maintenance(request: Request) -> HTTPSeeOther:
    kind = request.matchdict["kind"]
    if not kind.startswith("maintenance."):
        raise HTTPNotFound()
    try:
        task = get_kind(kind)  # the operator picks one by its name: the page lists them
    except LookupError:
        raise HTTPNotFound() from None
    job = job_tasks.submit(request.dbsession, _queue(request), task, user=request.identity)
    request.session.flash("Started.", "success")
    return HTTPSeeOther(location=request.route_path("job", job_id=job.id))


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
