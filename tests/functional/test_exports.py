"""The Exports page: who sees which exports, downloads, and Delete."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import DataSet, Export, User
from poser.storage import FileStore, store_from_settings
from poser.tasks.datasets import set_member
from poser.tasks.exports import ExportColumn, write_export
from tests.factories import make_data_set, make_user
from tests.functional.conftest import login

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def files(settings: dict[str, Any]) -> Iterator[FileStore]:
    """The store the app reads (the app dir's data/), emptied of exports afterwards."""
    store = store_from_settings(settings)
    yield store
    store.remove_tree("exports")


@pytest.fixture
def people(dbsession: Session) -> dict[str, User]:
    return {
        "owner": make_user(dbsession, "owner"),
        "viewer": make_user(dbsession, "viewer"),
        "outsider": make_user(dbsession, "outsider"),
        "admin": make_user(dbsession, "boss", role="admin"),
    }


@pytest.fixture
def exports(dbsession: Session, people: dict[str, User], files: FileStore) -> dict[str, Export]:
    north = make_data_set(
        dbsession, "North", members={people["owner"]: "owner", people["viewer"]: "viewer"}
    )
    south = make_data_set(dbsession, "South", members={people["outsider"]: "owner"})
    columns = [ExportColumn("upc", "UPC"), ExportColumn("description", "Description")]
    made = {
        "north": write_export(
            north,
            files,
            export_type="catalog",
            title="North catalog changes",
            basename="changes",
            columns=columns,
            rows=lambda: [["000123", "=1+2"], ["000456", "Milk"]],
            user_id=people["owner"].id,
        ),
        "north_report": write_export(
            north,
            files,
            export_type="report",
            title="North margins",
            basename="margins",
            columns=columns,
            rows=lambda: [["000789", "Bread"]],
            formats=("csv",),
        ),
        "south": write_export(
            south,
            files,
            export_type="catalog",
            title="South catalog changes",
            basename="changes",
            columns=columns,
            rows=lambda: [["000999", "Eggs"]],
        ),
    }
    dbsession.commit()
    return made


def _token(app: webtest.TestApp) -> str:
    return app.get("/").forms[0]["csrf_token"].value


def _titles(page: Any) -> list[str]:
    return [row.text for row in page.pyquery("[data-testid=exports-table] tbody td:nth-child(2)")]


def test_members_see_their_data_sets_exports_newest_first(
    testapp: webtest.TestApp, exports: dict[str, Export]
) -> None:
    login(testapp, "viewer")
    page = testapp.get("/exports")
    assert _titles(page) == ["North margins", "North catalog changes"]
    north = exports["north"]
    links = [a.attrib["href"] for a in page.pyquery("[data-testid=export-file]")]
    assert f"/exports/{north.id}/files/changes.csv" in links
    assert f"/exports/{north.id}/files/changes.xlsx" in links
    assert not page.pyquery("button:contains('Delete')"), "viewers may not delete"
    assert page.pyquery("nav a:contains('Exports')")

    filtered = testapp.get("/exports", params={"type": "report"})
    assert _titles(filtered) == ["North margins"]
    # The filter and the Type column name each type in words; the value stays the key.
    options = filtered.pyquery("#type option")
    assert [o.text for o in options] == ["any", "Catalog change report", "Report"]
    assert [o.attrib["value"] for o in options] == ["", "catalog", "report"]
    types = [td.text for td in page.pyquery("[data-testid=exports-table] tbody td:nth-child(3)")]
    assert types == ["Report", "Catalog change report"]


def test_admins_see_a_data_sets_exports_only_as_its_members(
    testapp: webtest.TestApp, exports: dict[str, Export], dbsession: Session, people: Any
) -> None:
    north, south = exports["north"], exports["south"]
    login(testapp, "boss")
    page = testapp.get("/exports")
    assert _titles(page) == []
    assert [o.text for o in page.pyquery("#type option")] == ["any"]
    testapp.get(f"/exports/{south.id}/files/changes.csv", status=404)
    testapp.post(f"/exports/{south.id}/delete", {"csrf_token": _token(testapp)}, status=404)

    set_member(dbsession.get_one(DataSet, north.data_set_id), people["admin"], "viewer")
    dbsession.commit()
    page = testapp.get("/exports")
    assert _titles(page) == ["North margins", "North catalog changes"]
    assert not page.pyquery("button:contains('Delete')"), "a viewer, admin or not"
    testapp.get(f"/exports/{north.id}/files/changes.csv")
    testapp.post(f"/exports/{north.id}/delete", {"csrf_token": _token(testapp)}, status=403)


def test_a_download_streams_the_file(testapp: webtest.TestApp, exports: dict[str, Export]) -> None:
    login(testapp, "viewer")
    north = exports["north"]
    response = testapp.get(f"/exports/{north.id}/files/changes.csv")
    assert response.content_type == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="changes.csv"')
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"), newline="")))
    assert rows == [["UPC", "Description"], ["000123", "'=1+2"], ["000456", "Milk"]]
    xlsx = testapp.get(f"/exports/{north.id}/files/changes.xlsx")
    assert xlsx.content_type == XLSX_TYPE
    assert xlsx.body.startswith(b"PK")
    assert 'filename="changes.xlsx"' in xlsx.headers["Content-Disposition"]


def test_what_is_not_yours_or_not_listed_is_not_found(
    testapp: webtest.TestApp, exports: dict[str, Export], files: FileStore
) -> None:
    north, south = exports["north"], exports["south"]
    # A file in the folder that the export does not list is not served either.
    files.write(f"{north.folder}/unlisted.csv", b"secret")
    login(testapp, "viewer")
    for path in (
        f"/exports/{south.id}/files/changes.csv",  # not a member of South
        f"/exports/{north.id}/files/unlisted.csv",
        f"/exports/{north.id}/files/missing.csv",
        "/exports/999999/files/changes.csv",
        f"/exports/{north.id}/files/..%2F..%2F{south.id}%2Fchanges.csv",
        f"/exports/{north.id}/files/../../{south.id}/changes.csv",
        f"/exports/{north.id}/files/%2e%2e",
        f"/exports/{north.id}/files/",
    ):
        testapp.get(path, status=404)


def test_logged_out_visitors_are_sent_to_log_in(
    testapp: webtest.TestApp, exports: dict[str, Export]
) -> None:
    north = exports["north"]
    for path in ("/exports", f"/exports/{north.id}/files/changes.csv"):
        assert "/login" in testapp.get(path, status=(302, 303)).location


def test_delete_needs_the_csrf_token_and_the_edit_role(
    testapp: webtest.TestApp,
    exports: dict[str, Export],
    dbsession: Session,
    files: FileStore,
) -> None:
    north, south = exports["north"], exports["south"]
    kept = {exports["north_report"].id, south.id}
    login(testapp, "viewer")
    testapp.post(f"/exports/{north.id}/delete", {"csrf_token": _token(testapp)}, status=403)
    testapp.post(f"/exports/{south.id}/delete", {"csrf_token": _token(testapp)}, status=404)

    testapp.reset()
    login(testapp, "owner")
    page = testapp.get("/exports")
    testapp.post(f"/exports/{north.id}/delete", status=400)  # no token
    testapp.post(f"/exports/{north.id}/delete", {"csrf_token": "wrong"}, status=400)
    assert files.exists(f"{north.folder}/changes.csv")

    form = next(form for form in page.forms.values() if form.action.endswith(f"/{north.id}/delete"))
    done = form.submit(status=303).follow()
    assert "North catalog changes" in done.pyquery(".alert").text()
    assert _titles(done) == ["North margins"]
    assert files.list(north.folder) == []
    testapp.get(f"/exports/{north.id}/files/changes.csv", status=404)
    dbsession.rollback()
    assert set(dbsession.scalars(select(Export.id))) == kept
