"""A data set from an uploaded workbook: the forms, the checks, the job, through the app."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import webtest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.entry_points.queues import make_queue
from poser.models.data_extraction.products import product_counts
from poser.models.orm import DataSet, Job, Upload, User
from poser.storage.settings import store_from_settings
from poser.tasks import jobs
from poser.tasks.datasets import create_data_set, set_member
from poser.tasks.generate import generate_products
from poser.tasks.products_data import SHEETS
from tests.factories import make_user
from tests.functional.conftest import StrictTestApp, login
from tests.functional.form_support import alerts, field_error, refused
from tests.unit.utils.tabular.builders import make_xlsx, repeat, rewrite_zip
from tests.unit.utils.tabular.zip_builders import (
    DECOY,
    MB,
    STRINGS,
    append_members,
    decoy_workbook,
    record_opened,
)

HOME = "/apps/products"
# All a request may inflate of a workbook: the small parts that name the others.
SMALL_PARTS = {"[Content_Types].xml", "xl/_rels/workbook.xml.rels"}


@pytest.fixture
def owner(dbsession: Session) -> User:
    return make_user(dbsession, "olga")


@pytest.fixture
def source(dbsession: Session, owner: User) -> DataSet:
    data_set = create_data_set(dbsession, "Corner Shop", "products", owner)
    generate_products(data_set, products=80, seed=11)
    dbsession.commit()
    return data_set


def _settings_url(data_set_id: int) -> str:
    return f"{HOME}/data-sets/{data_set_id}/settings"


def _run(settings: dict[str, Any], session_factory: Any, tmp_path: Path, job_id: int) -> str | None:
    resources = {"files": store_from_settings(settings), "work_dir": tmp_path}
    return jobs.run(
        session_factory, make_queue(settings), job_id, worker="test", resources=resources
    )


def _export(app: webtest.TestApp, settings: dict[str, Any], session_factory: Any, tmp_path: Path,
            data_set: DataSet) -> bytes:  # fmt: skip
    """The workbook an operator downloads after "Export to Excel"."""
    page = app.get(_settings_url(data_set.id))
    job_page = page.forms[_form_index(page, "export")].submit(status=303).follow()
    job_id = int(job_page.request.path.rstrip("/").rsplit("/", 1)[-1])
    assert _run(settings, session_factory, tmp_path, job_id) == "succeeded"
    return app.get(f"/jobs/{job_id}/download").body


def _form_index(page: webtest.TestResponse, name: str) -> int:
    return next(
        i for i, form in page.forms.items() if form.html.find("form").get("data-form") == name
    )


def _upload(
    app: webtest.TestApp, content: bytes, filename: str, status: int, name: str = ""
) -> Any:
    page = app.get(HOME)
    form = page.forms[_form_index(page, "import")]
    form["file"] = webtest.Upload(filename, content)
    form["name"] = name
    response = form.submit(status=status)
    # pyramid_retry copies a body over 10 KB to a temporary file that nothing closes (a
    # server drops it with the request); closed here, it cannot warn in another test.
    response.request.environ["wsgi.input"].close()
    return response


def _cells(dbsession: Session, data_set: DataSet) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows of the data set's own export (which sorts by natural keys)."""
    from poser.tasks.datasets.workbook import export_data_set

    stream = io.BytesIO()
    export_data_set(data_set, stream)
    workbook = load_workbook(io.BytesIO(stream.getvalue()), read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    finally:
        workbook.close()


def test_an_exported_workbook_becomes_a_new_data_set_with_the_same_rows(
    testapp: webtest.TestApp,
    dbsession: Session,
    source: DataSet,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login(testapp, "olga")
    exported = _export(testapp, settings, session_factory, tmp_path, source)

    opened = record_opened(monkeypatch)
    job_page = _upload(testapp, exported, "corner-shop.xlsx", 303).follow()
    assert set(opened) <= SMALL_PARTS  # the sheets are the job's to open
    assert "Loading corner-shop.xlsx into corner-shop." in job_page.text
    job = dbsession.scalars(select(Job).where(Job.kind == "datasets.import_upload")).one()
    assert _run(settings, session_factory, tmp_path, job.id) == "succeeded"

    dbsession.rollback()  # a fresh snapshot: see what the job committed
    imported = dbsession.get_one(DataSet, job.data_set_id)
    assert (imported.name, imported.application) == ("corner-shop", "products")
    assert _cells(dbsession, imported) == _cells(dbsession, source)
    home = testapp.get(HOME)
    rows = [home.pyquery(row).text().split()[:2] for row in home.pyquery("tbody tr")]
    assert ["corner-shop", "owner"] in rows
    done = testapp.get(f"/jobs/{job.id}")
    assert done.pyquery("[data-testid=job-data-set]").attr("href") == (
        f"{HOME}/data-sets/{imported.id}"
    )
    assert "corner-shop.xlsx" in done.pyquery("[data-testid=job-result]").text()


def _two_of_one_name() -> bytes:
    data = make_xlsx({name: [list(columns)] for name, columns in SHEETS.items()})
    return append_members(data, [("xl/styles.xml", b"<styleSheet/>")])


def _zip_bomb() -> bytes:
    # 20 MB of one tag deflates about a thousand to one: a real sheet never does.
    data = make_xlsx({"departments": [["number", "name"]]})
    return rewrite_zip(data, {"xl/worksheets/sheet1.xml": repeat(b"<row/>", 20 * MB)})


NOT_XLSX = "not an Excel (.xlsx) workbook (its content was checked, not its name)."
# (content, or what builds it; the message). Each is decided without opening a sheet.
BAD_FILES = {
    "not a workbook": (
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
        f"This file is a PNG image, {NOT_XLSX}",
    ),
    "csv renamed": (
        b"upc,description\n012345678905,Milk\n",
        f"This file is a CSV file, {NOT_XLSX}",
    ),
    "empty": (b"", "The file is empty."),
    "a decoy beside a big text table": (
        decoy_workbook,
        "This workbook holds two parts whose names differ only in case or slashes, "
        f"{STRINGS!r} and {DECOY!r}; it is damaged or forged and was not opened.",
    ),
    "two parts of one name": (
        _two_of_one_name,
        "This workbook holds two parts named 'xl/styles.xml'; it is damaged or forged and "
        "was not opened.",
    ),
    "a zip bomb": (
        _zip_bomb,
        "The part xl/worksheets/sheet1.xml of this workbook is compressed",
    ),
}


@pytest.mark.parametrize(("content", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_file_that_is_no_data_set_workbook_is_refused_and_leaves_nothing(
    testapp: webtest.TestApp,
    dbsession: Session,
    owner: User,
    settings: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    content: bytes | Callable[[], bytes],
    message: str,
) -> None:
    data = content() if callable(content) else content
    stored = store_from_settings(settings).list("uploads")
    login(testapp, "olga")
    opened = record_opened(monkeypatch)
    page = refused(_upload(testapp, data, "store.xlsx", 303, name="New Store"), HOME)
    assert message in field_error(page, "file", "import")
    # Refused from the zip's list of parts and the small parts naming the others: the
    # big text table behind the decoy, or the bomb, is never inflated.
    assert set(opened) <= SMALL_PARTS
    form = page.forms[_form_index(page, "import")]  # the form is there to try again
    assert form["name"].value == "New Store"
    dbsession.rollback()
    assert dbsession.scalar(select(func.count()).select_from(DataSet)) == 0
    assert dbsession.scalar(select(func.count()).select_from(Upload)) == 0
    assert dbsession.scalar(select(func.count()).select_from(Job)) == 0
    assert store_from_settings(settings).list("uploads") == stored


def _wrong_columns() -> bytes:
    sheets = {name: [list(columns)] for name, columns in SHEETS.items()}
    sheets["vendors"] = [["vendor", "label"], ["ACME", "Acme"]]
    return make_xlsx(sheets)


NOT_OURS = {
    "other sheets": (
        make_xlsx({"Sheet1": [["UPC", "Cost"], ["012345678905", 1.5]]}),
        "This is not a data set workbook: this workbook has no sheet named 'departments'; "
        "its sheets are: 'Sheet1'.",
    ),
    "other columns": (
        _wrong_columns(),
        "This is not a data set workbook. In sheet 'vendors': missing required columns: code",
    ),
}


@pytest.mark.parametrize(("content", "message"), NOT_OURS.values(), ids=NOT_OURS.keys())
def test_a_workbook_without_the_sheets_or_columns_is_refused_by_the_job(
    testapp: webtest.TestApp,
    dbsession: Session,
    owner: User,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    message: str,
) -> None:
    login(testapp, "olga")
    opened = record_opened(monkeypatch)
    _upload(testapp, content, "store.xlsx", 303, name="New Store")
    assert set(opened) <= SMALL_PARTS  # no sheet is opened while the operator waits
    job = dbsession.scalars(select(Job)).one()
    assert _run(settings, session_factory, tmp_path, job.id) == "failed"
    error = testapp.get(f"/jobs/{job.id}").pyquery("[data-testid=job-error]").text()
    assert error.startswith(message)
    assert "The data set “New Store” was left empty" in error
    dbsession.rollback()  # a fresh snapshot: see what the job committed
    assert not any(product_counts(dbsession, job.data_set_id).values())


@pytest.mark.parametrize(
    "size", [5_000, 100_000], ids=["found while storing", "found by its length"]
)
def test_a_file_over_the_limit_is_refused(
    make_app: Any, dbsession: Session, owner: User, settings: dict[str, Any], size: int
) -> None:
    app = StrictTestApp(
        make_app(**{"poser.upload.max_bytes": "1000"}), extra_environ={"REMOTE_ADDR": "203.0.113.9"}
    )
    stored = store_from_settings(settings).list("uploads")
    login(app, "olga")
    big = make_xlsx({"departments": [["number", "name"]]}).ljust(size, b"\x00")
    page = refused(_upload(app, big, "big.xlsx", 303, name="Big"), HOME)
    assert "larger than the limit of 1,000 bytes" in field_error(page, "file", "import")
    dbsession.rollback()
    assert dbsession.scalar(select(func.count()).select_from(DataSet)) == 0
    assert store_from_settings(settings).list("uploads") == stored


def test_a_bad_row_fails_the_job_and_a_corrected_file_loads_from_the_settings_page(
    testapp: webtest.TestApp,
    dbsession: Session,
    owner: User,
    settings: dict[str, Any],
    session_factory: Any,
    tmp_path: Path,
) -> None:
    sheets: dict[str, list[list[Any]]] = {name: [list(cols)] for name, cols in SHEETS.items()}
    sheets["departments"] += [[1, "Grocery"]]
    sheets["products"] += [["012345678905", "Milk", None, None, 1, 4.49, 3, True]]
    good = make_xlsx(sheets)
    sheets["products"] += [["UPC-ABC", "Pasta", None, None, 1, 1.99, 0, True]]
    login(testapp, "olga")
    _upload(testapp, make_xlsx(sheets), "typed.xlsx", 303, name="Typed by hand")
    job = dbsession.scalars(select(Job)).one()
    assert _run(settings, session_factory, tmp_path, job.id) == "failed"
    page = testapp.get(f"/jobs/{job.id}")
    error = page.pyquery("[data-testid=job-error]").text()
    assert "Nothing was imported. In sheet 'products', row 3: upc: 'UPC-ABC'" in error
    assert "“Typed by hand” was left empty" in error
    dbsession.rollback()  # a fresh snapshot: see what the job committed
    assert not any(product_counts(dbsession, job.data_set_id).values())

    settings_page = testapp.get(_settings_url(job.data_set_id))
    form = settings_page.forms[_form_index(settings_page, "import")]
    form["file"] = webtest.Upload("fixed.xlsx", good)
    second = form.submit(status=303)
    dbsession.rollback()
    again = dbsession.scalars(select(Job).where(Job.id != job.id)).one()
    assert second.location.endswith(f"/jobs/{again.id}")
    assert (again.kind, again.data_set_id) == ("datasets.import_upload", job.data_set_id)
    assert _run(settings, session_factory, tmp_path, again.id) == "succeeded"
    dbsession.rollback()  # a fresh snapshot: see what the job committed
    assert product_counts(dbsession, job.data_set_id)["products"] == 1
    # Loading is offered to empty data sets only, and refused on one with rows.
    settings_page = testapp.get(_settings_url(job.data_set_id))
    assert not any(
        f.html.find("form").get("data-form") == "import" for f in settings_page.forms.values()
    )
    response = testapp.post(
        _settings_url(job.data_set_id).replace("/settings", "/import"),
        {"csrf_token": form["csrf_token"].value},
        upload_files=[("file", "fixed.xlsx", good)],
        status=303,
    )
    page = refused(response, _settings_url(job.data_set_id))
    assert "has data already" in alerts(page)
    dbsession.rollback()
    assert dbsession.scalar(select(func.count()).select_from(Job)) == 2  # no third


def test_the_forms_need_a_login_their_csrf_token_and_the_settings_form_needs_edit(
    testapp: webtest.TestApp, dbsession: Session, source: DataSet, owner: User
) -> None:
    exported = make_xlsx({name: [list(columns)] for name, columns in SHEETS.items()})
    empty = create_data_set(dbsession, "Empty", "products", owner)
    set_member(empty, make_user(dbsession, "vito"), "viewer")
    dbsession.commit()
    login(testapp, "olga")
    testapp.post(HOME + "/import", upload_files=[("file", "a.xlsx", exported)], status=400)
    testapp.reset()
    login(testapp, "vito")
    page = testapp.get(_settings_url(empty.id))
    assert not any(f.html.find("form").get("data-form") == "import" for f in page.forms.values())
    testapp.post(
        _settings_url(empty.id).replace("/settings", "/import"),
        {"csrf_token": page.forms[0]["csrf_token"].value},
        upload_files=[("file", "a.xlsx", exported)],
        status=403,
    )
    testapp.reset()
    testapp.post(HOME + "/import", upload_files=[("file", "a.xlsx", exported)], status=401)
    dbsession.rollback()
    assert dbsession.scalar(select(func.count()).select_from(Job)) == 0
