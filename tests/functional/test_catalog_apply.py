"""Applying a catalog through the whole app: the Apply form names the batch and the
version its page showed, and is refused for any other; sent twice, or twice at once,
it applies once; a batch dated after today is applied on its date, or now only when
the operator confirms it."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import webtest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from poser.models.orm import Batch, BatchExecution, CatalogBatchRow, Job, ProductChange
from poser.tasks.batches import get_handler
from poser.tasks.batches.base import today
from poser.tasks.datasets import set_member
from poser.tasks.product_history import ChangeSource
from tests.factories import make_user
from tests.functional.catalog_pages import (
    BUTTER_UP_AGAIN,
    BUTTER_UP_SOAP_DOWN,
    apply_form,
    form_posting_to,
    run_scheduler,
    save_options,
    step_url,
    upload,
)
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login
from tests.functional.form_support import alerts, refused


def _read(app: webtest.TestApp, shop: dict[str, Any], jobs_of: Any, text: str, **options: str):
    save_options(app, shop["data_set"], catalog_vendor="ACME", **options)
    upload(app, shop["data_set"], text)
    assert jobs_of() == ["succeeded"]


def _count(dbsession: Session, what: Any, *where: Any) -> int:
    dbsession.rollback()  # a fresh snapshot: see what the app and the jobs committed
    return dbsession.scalar(select(func.count()).select_from(what).where(*where)) or 0


def _applies(dbsession: Session) -> int:
    return _count(dbsession, Job, Job.kind == "batches.execute")


def _batch(dbsession: Session) -> Batch:
    dbsession.rollback()
    return dbsession.scalars(select(Batch).order_by(Batch.id.desc()).limit(1)).one()


def _change(dbsession: Session, batch: Batch) -> None:
    """Someone changes the batch: one of its rows is compared again."""
    row = select(CatalogBatchRow.id).where(CatalogBatchRow.batch_id == batch.id).limit(1)
    get_handler("catalog").refresh_row(batch, dbsession.scalars(row).one())
    dbsession.commit()


def _states(page: webtest.TestResponse) -> dict[str, str | None]:
    return {
        item.find("a").text: badge.get("data-step-state") if badge is not None else None
        for item in page.pyquery("[data-testid=step-list] li")
        for badge in [item.find("span")]
    }


def test_the_form_applies_the_batch_its_page_showed_or_nothing(
    testapp, shop, dbsession, jobs_of
) -> None:
    login(testapp, "olga")
    _read(testapp, shop, jobs_of, BUTTER_UP_SOAP_DOWN)
    shown = apply_form(testapp.get(step_url(shop["data_set"], "apply")))
    first = _batch(dbsession).id

    upload(testapp, shop["data_set"], BUTTER_UP_AGAIN)  # another upload while the page was open
    assert jobs_of() == ["succeeded"]
    back = step_url(shop["data_set"], "apply")
    assert (
        f"This page showed batch #{first}, which is no longer the current batch "
        f"(batch #{first + 1} is), so nothing was done"
        in alerts(refused(shown.submit(status=303), back))
    )
    assert _applies(dbsession) == 0

    # Changed since the page was shown (a row compared again): refused too.
    shown = apply_form(testapp.get(step_url(shop["data_set"], "apply")))
    _change(dbsession, _batch(dbsession))
    page = refused(shown.submit(status=303), back)
    assert f"Batch #{first + 1} changed since this page showed it" in alerts(page)
    assert _applies(dbsession) == 0
    fresh = apply_form(testapp.get(step_url(shop["data_set"], "apply")))
    fresh.submit(status=303)
    assert jobs_of() == ["succeeded", "succeeded"]  # the apply, then its report
    assert _count(dbsession, ProductChange, ProductChange.batch_id == first + 1) == 1


def test_a_batch_changed_after_the_apply_was_sent_is_not_applied(
    testapp, shop, dbsession, jobs_of
) -> None:
    login(testapp, "olga")
    _read(testapp, shop, jobs_of, BUTTER_UP_SOAP_DOWN)
    apply_form(testapp.get(step_url(shop["data_set"], "apply"))).submit(status=303)
    batch = _batch(dbsession)
    _change(dbsession, batch)  # between the click and the worker
    assert jobs_of() == ["failed"]
    failed = dbsession.scalars(select(Job).where(Job.kind == "batches.execute")).one()
    assert f"Batch #{batch.id} changed after it was sent to be applied" in (failed.error or "")
    assert _count(dbsession, ProductChange) == 0
    assert _count(dbsession, Job, Job.kind == "batches.report") == 0
    assert _batch(dbsession).status == "populated"


def test_the_same_apply_form_sent_twice_applies_once(testapp, shop, dbsession, jobs_of) -> None:
    login(testapp, "olga")
    _read(testapp, shop, jobs_of, BUTTER_UP_SOAP_DOWN)
    form = apply_form(testapp.get(step_url(shop["data_set"], "apply")))
    form.submit(status=303)
    back = step_url(shop["data_set"], "apply")
    again = refused(form.submit(status=303), back)  # a double click, before the worker ran
    assert alerts(again) == "It is already running: nothing more was started."
    assert _applies(dbsession) == 1
    assert jobs_of() == ["succeeded", "succeeded"]
    later = refused(form.submit(status=303), back)  # the back button, once it was applied
    assert "has been applied since this page showed it" in alerts(later)
    assert _applies(dbsession) == 1
    assert _count(dbsession, BatchExecution) == 1
    assert _count(dbsession, ProductChange) == 2  # butter and soap, once each


def test_two_applies_sent_at_once_apply_once(wsgi_app, testapp, shop, dbsession, jobs_of) -> None:
    editor = make_user(dbsession, "eddie")
    set_member(dbsession.merge(shop["data_set"]), editor, "editor")
    dbsession.commit()
    login(testapp, "olga")
    _read(testapp, shop, jobs_of, BUTTER_UP_SOAP_DOWN)
    other = StrictTestApp(wsgi_app, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})
    login(other, "eddie")
    forms = [apply_form(app.get(step_url(shop["data_set"], "apply"))) for app in (testapp, other)]
    start = threading.Barrier(2)
    pages: list[webtest.TestResponse] = []

    def send(form: webtest.Form) -> None:
        start.wait()
        pages.append(form.submit(status=303).follow())  # each back to the step page

    threads = [threading.Thread(target=send, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # One started it; the other was refused, with the reason.
    said = sorted((alerts(page, "success"), bool(alerts(page))) for page in pages)
    assert said == [("", True), ("Started: Apply the batch. Its progress shows below.", False)]
    assert _applies(dbsession) == 1
    assert jobs_of() == ["succeeded", "succeeded"]
    assert _count(dbsession, BatchExecution) == 1
    assert _count(dbsession, ProductChange) == 2


def test_a_batch_dated_later_is_applied_now_only_when_confirmed(
    testapp, shop, dbsession, jobs_of
) -> None:
    later = (today() + timedelta(days=30)).isoformat()
    login(testapp, "olga")
    _read(testapp, shop, jobs_of, BUTTER_UP_SOAP_DOWN, catalog_effective_date=later)
    page = testapp.get(step_url(shop["data_set"], "apply"))
    assert (
        f"takes effect on {later}, after today" in page.pyquery("[data-testid=apply-dated]").text()
    )
    assert page.pyquery("[data-form=schedule] button").text() == f"Apply on {later}"
    form = apply_form(page)
    assert form.fields["apply_early"][0].value is None  # unticked
    sent_back = refused(form.submit(status=303), step_url(shop["data_set"], "apply"))
    assert f"takes effect on {later}, so nothing was applied" in alerts(sent_back)
    assert _applies(dbsession) == 0

    form["apply_early"] = later
    form.submit(status=303)
    assert jobs_of() == ["succeeded", "succeeded"]
    assert _count(dbsession, ProductChange) == 2
    report = testapp.get(step_url(shop["data_set"], "report"))
    assert report.pyquery("[data-testid=report-effective]").text() == later
    assert f"effective {later}" in report.pyquery("[data-testid=report-ready]").text()


def test_a_batch_dated_later_is_applied_on_its_date_as_who_scheduled_it(
    testapp, shop, dbsession, jobs_of, settings, session_factory
) -> None:
    later = today() + timedelta(days=30)
    login(testapp, "olga")
    _read(testapp, shop, jobs_of, BUTTER_UP_SOAP_DOWN, catalog_effective_date=later.isoformat())
    page = testapp.get(step_url(shop["data_set"], "apply"))
    apply_form(page, "schedule").submit(status=303)
    page = testapp.get(step_url(shop["data_set"], "apply"))
    scheduled = page.pyquery("[data-testid=apply-scheduled]").text()
    assert f"will be applied on {later}, as olga" in scheduled
    assert (
        f"to be applied on {later}, as olga" in page.pyquery("[data-testid=batch-scheduled]").text()
    )
    assert "to be applied on" in testapp.get(step_url(shop["data_set"], "report")).text

    # Unscheduled, it waits; scheduled again, it is the scheduler's.
    form_posting_to(page, "/apply/unschedule").submit(status=303)
    assert _batch(dbsession).scheduled_for is None
    page = testapp.get(step_url(shop["data_set"], "apply"))
    assert not page.pyquery("[data-testid=apply-scheduled]")
    apply_form(page, "schedule").submit(status=303)

    assert run_scheduler(settings, session_factory, later - timedelta(days=1)) == "succeeded"
    assert _applies(dbsession) == 0  # not yet
    assert run_scheduler(settings, session_factory, later) == "succeeded"
    assert jobs_of() == ["succeeded", "succeeded"]
    batch = _batch(dbsession)
    assert (batch.status, batch.executed_by_id) == ("executed", shop["owner"].id)
    assert batch.scheduled_for is None
    assert _count(dbsession, ProductChange, ProductChange.changed_by_id == shop["owner"].id) == 2
    assert _states(testapp.get(step_url(shop["data_set"], "apply")))["Apply"] == "done"
    assert testapp.get(step_url(shop["data_set"], "report")).pyquery("[data-testid=report-file]")


def test_a_schedule_is_dropped_when_the_batch_changes(
    testapp, shop, dbsession, jobs_of, settings, session_factory
) -> None:
    later = today() + timedelta(days=3)
    login(testapp, "olga")
    _read(testapp, shop, jobs_of, BUTTER_UP_SOAP_DOWN, catalog_effective_date=later.isoformat())
    page = testapp.get(step_url(shop["data_set"], "apply"))
    apply_form(page, "schedule").submit(status=303)
    _change(dbsession, _batch(dbsession))
    page = testapp.get(step_url(shop["data_set"], "apply"))
    assert (
        "it changed since it was scheduled" in page.pyquery("[data-testid=batch-scheduled]").text()
    )

    assert run_scheduler(settings, session_factory, later) == "succeeded"
    assert _applies(dbsession) == 0
    batch = _batch(dbsession)
    assert (batch.status, batch.scheduled_for) == ("populated", None)
    note = testapp.get(step_url(shop["data_set"], "review")).pyquery("[data-testid=schedule-note]")
    assert f"The apply scheduled for {later} was not made" in note.text()
    assert "changed after it was scheduled" in note.text()


def test_a_viewer_can_neither_schedule_nor_apply(testapp, shop, dbsession, jobs_of) -> None:
    viewer = make_user(dbsession, "vic")
    set_member(dbsession.merge(shop["data_set"]), viewer, "viewer")
    dbsession.commit()
    login(testapp, "olga")
    later = (today() + timedelta(days=3)).isoformat()
    _read(testapp, shop, jobs_of, BUTTER_UP_SOAP_DOWN, catalog_effective_date=later)
    shown = apply_form(testapp.get(step_url(shop["data_set"], "apply")))
    viewer_app = StrictTestApp(testapp.app, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})
    login(viewer_app, "vic")
    page = viewer_app.get(step_url(shop["data_set"], "apply"))
    assert not page.pyquery("[data-form=schedule], [data-form=execute]")
    posted = {name: shown[name] for name in ("batch_id", "batch_version")}
    posted["csrf_token"] = page.forms[0]["csrf_token"].value  # the logout form's
    for action in ("schedule", "unschedule", "run"):
        url = step_url(shop["data_set"], "apply") + f"/apply/{action}"
        viewer_app.post(url, posted, status=403)
    assert _batch(dbsession).scheduled_for is None
    assert _applies(dbsession) == 0


def test_the_apply_step_is_done_when_the_batch_on_screen_is_applied_however_it_was(
    testapp, wsgi_app, shop, dbsession, jobs_of
) -> None:
    login(testapp, "olga")
    _read(testapp, shop, jobs_of, BUTTER_UP_SOAP_DOWN)
    apply_url = step_url(shop["data_set"], "apply")
    assert _states(testapp.get(apply_url))["Apply"] == "not started"
    # Applied without the page's form, as `poser catalog import --execute` applies it.
    applied = _batch(dbsession)
    via = ChangeSource("command", command="poser catalog import")
    get_handler("catalog").execute(applied, None, None, via)
    dbsession.commit()
    assert _states(testapp.get(apply_url))["Apply"] == "done"
    # A newer batch is the one on screen: its apply is not started. The applied one,
    # opened from the list, shows done.
    upload(testapp, shop["data_set"], BUTTER_UP_AGAIN)
    assert jobs_of() == ["succeeded"]
    assert _states(testapp.get(apply_url))["Apply"] == "not started"
    opened = testapp.get(step_url(shop["data_set"], "batches") + "/batches/open",
                         params={"batch": applied.id, "step": "apply"}, status=303)  # fmt: skip
    assert _states(opened.follow())["Apply"] == "done"
    home = testapp.get(f"/apps/catalog/data-sets/{shop['data_set'].id}")
    assert _states(home)["Apply"] == "done"  # the dashboard's step list, the same
    # Apply is the catalog's only step with a state, and its batch says it: the pages
    # read no step records.
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = wsgi_app.registry["poser.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        testapp.get(apply_url)
        testapp.get(f"/apps/catalog/data-sets/{shop['data_set'].id}")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements
    assert not [s for s in statements if "step_run" in s or "input_change" in s]


def test_a_catalog_applied_is_not_the_counts_apply(testapp, shop, dbsession, jobs_of) -> None:
    """Vendor catalogs and inventory counts work on the same data sets and both have an
    Apply step: applying a catalog marks the catalog's done and shows its job there,
    and leaves the count's Apply as it was."""
    login(testapp, "olga")
    _read(testapp, shop, jobs_of, BUTTER_UP_SOAP_DOWN)
    apply_form(testapp.get(step_url(shop["data_set"], "apply"))).submit(status=303)
    assert jobs_of() == ["succeeded", "succeeded"]
    page = testapp.get(step_url(shop["data_set"], "apply"))
    assert _states(page)["Apply"] == "done"
    assert page.pyquery("a[href^='/jobs/']")
    counts = testapp.get(f"/apps/inventory/data-sets/{shop['data_set'].id}/steps/apply")
    assert _states(counts)["Apply"] == "not started"
    assert not counts.pyquery("[data-widget] a[href^='/jobs/']")
