"""A batch type made of a package and nothing else (tests/batch_sample: its handler, its
row table, its Application of the shared batch steps) gets the whole journey through
the app, CSRF on: options, upload, review, apply, report, all batches, delete."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import webtest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from poser.models.orm import Batch
from poser.tasks import batches
from tests.batch_sample import migrated
from tests.batch_sample.tables import Tally, TallyRow
from tests.functional.catalog_pages import form_posting_to, run_queued_jobs, send_file
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login

TALLY_FILE = b"code,quantity\nA-1,3\nB-2,5\nC-3,lots\n"


@pytest.fixture(scope="module", autouse=True)
def tally_tables(engine: Engine, database_url: str) -> Iterator[None]:
    """The sample's tables, and its batch type only while this module runs: the other
    tests see the installed types alone."""
    with migrated(database_url):
        yield
    batches._HANDLERS._items.pop("tally", None)
    for module in ("tests.batch_sample.app", "tests.batch_sample.handler"):
        sys.modules.pop(module, None)


@pytest.fixture
def app(make_app: Any, session_factory: Any, clean_environ: None, empty_queue: None) -> Any:
    wsgi = make_app(**{"poser.includes": "tests.sample_app tests.batch_sample.app"})
    return StrictTestApp(wsgi, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})


def _url(data_set: Any, step: str) -> str:
    return f"/apps/tally/data-sets/{data_set.id}/steps/{step}"


def _upload(app: webtest.TestApp, data_set: Any, data: bytes) -> webtest.TestResponse:
    return send_file(app.get(_url(data_set, "upload")), data, "tally.csv", status=303)


def test_a_batch_type_of_its_own_goes_through_the_shared_steps(
    app: webtest.TestApp,
    shop: dict[str, Any],
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set = shop["data_set"]
    login(app, "olga")
    empty = app.get(_url(data_set, "review"))
    assert "No tally has been uploaded to this data set yet." in empty.text

    options = app.get(_url(data_set, "options")).forms["parameters-options"]
    options["tally_counter"] = "Olga"
    options.submit("save", status=303)

    uploaded = _upload(app, data_set, TALLY_FILE)
    assert uploaded.location.endswith(_url(data_set, "review"))
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    review = app.get(_url(data_set, "review"))
    panel = review.pyquery("[data-testid=batch-panel]")
    assert "Counted by" in panel.text()
    assert "Olga" in panel.text()
    assert review.pyquery("[data-count=counted]").text() == "2"
    assert review.pyquery("[data-count=error]").text() == "1"
    grid = review.pyquery("[data-widget=rows]").text()
    assert "B-2" in grid
    assert "'lots' is not a whole number" in grid

    apply = app.get(_url(data_set, "apply"))
    assert "1 row(s) are in error" in apply.text  # the shared blockers: acknowledge first
    form_posting_to(review, "/batch/acknowledge").submit(status=303)
    apply = app.get(_url(data_set, "apply"))
    form_posting_to(apply, "/apply/run").submit(status=303)
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded", "succeeded"]

    dbsession.rollback()
    tallies = select(Tally.code, Tally.quantity).where(Tally.data_set_id == data_set.id)
    assert sorted(dbsession.execute(tallies).all()) == [("A-1", 3), ("B-2", 5)]
    batch = dbsession.scalars(select(Batch).where(Batch.batch_type == "tally")).one()
    assert batch.status == "executed"
    assert batch.parameters["tally_counter"] == "Olga"

    report = app.get(_url(data_set, "report"))
    summary = report.pyquery("[data-testid=execution-summary]").text()
    assert "Rows applied" in summary
    assert "8" in summary
    listed = app.get(_url(data_set, "batches")).pyquery("[data-testid=batch-list]")
    assert f"#{batch.id}" in listed.text()
    assert "Applied" in listed.text()


def test_a_tally_not_applied_is_deleted_from_the_list(
    app: webtest.TestApp,
    shop: dict[str, Any],
    dbsession: Session,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    data_set = shop["data_set"]
    login(app, "olga")
    _upload(app, data_set, b"A-1,1\n")
    assert run_queued_jobs(settings, session_factory, tmp_path) == ["succeeded"]
    batch = dbsession.scalars(select(Batch).where(Batch.batch_type == "tally")).one()
    confirm = app.get(_url(data_set, "batches"), params={"delete": batch.id})
    form_posting_to(confirm, "/batches/delete").submit(status=303)
    dbsession.rollback()
    assert dbsession.get(Batch, batch.id).deleted_at is not None
    rows = select(TallyRow.id).where(TallyRow.batch_id == batch.id)
    assert dbsession.scalars(rows).all() == []
    assert "No tally has been uploaded" in app.get(_url(data_set, "review")).text
