"""Data set names through the pages: a name the person already has (in any case) is
refused next to its field, on the home's new data set, on rename and on copy; a copy
with no name given takes a free one."""

from __future__ import annotations

from typing import Any

import webtest
from sqlalchemy.orm import Session

from tests.functional.conftest import login
from tests.functional.form_support import field_error, refused

HOME = "/apps/products"


def _settings(data_set: Any) -> str:
    return f"/apps/products/data-sets/{data_set.id}/settings"


def _form(page: Any, action: str) -> webtest.Form:
    return next(f for f in page.forms.values() if f.action.endswith("/" + action))


def test_a_new_data_set_by_a_name_already_had_is_refused(
    testapp: webtest.TestApp, shop: dict[str, Any]
) -> None:
    login(testapp, "olga")
    form = testapp.get(HOME).forms["empty"]
    form["name"] = "corner SHOP"
    page = refused(form.submit(status=303), HOME)
    assert field_error(page, "name", "empty") == (
        "There is already a data set named “Corner Shop”: choose another name."
    )
    assert len(page.pyquery("[data-testid=data-sets] tbody tr")) == 1


def test_rename_and_copy_refuse_a_name_taken_and_a_copy_takes_a_free_one(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session, jobs_of: Any
) -> None:
    login(testapp, "olga")
    form = testapp.get(HOME).forms["empty"]
    form["name"] = "Warehouse"
    form.submit(status=303)
    data_set = shop["data_set"]
    page = testapp.get(_settings(data_set))
    rename = _form(page, "rename")
    rename["name"] = "WAREHOUSE"
    page = refused(rename.submit(status=303), _settings(data_set))
    assert field_error(page, "name", "rename") == (
        "There is already a data set named “Warehouse”: choose another name."
    )
    copy = _form(page, "copy")
    copy["name"] = "warehouse"
    page = refused(copy.submit(status=303), _settings(data_set))
    assert field_error(page, "name", "copy") == (
        "You have a data set named “Warehouse” already: choose another name."
    )
    for _ in range(2):
        copy = _form(testapp.get(_settings(data_set)), "copy")
        copy["name"] = ""
        copy.submit(status=303)
        assert jobs_of() == ["succeeded"]
    names = testapp.get(HOME).pyquery("[data-testid=data-sets] tbody td a:not(.small)")
    assert sorted(link.text for link in names) == [
        "Copy of Corner Shop",
        "Copy of Corner Shop (2)",
        "Corner Shop",
        "Warehouse",
    ]
