"""The catalog's own lists, through the whole app with real forms and CSRF: add,
change and delete departments and vendors; what uses one is named, and a refusal comes
back to the form with its message (a 303 back), never a 500."""

from __future__ import annotations

from typing import Any

import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import Department, Vendor
from tests.functional.conftest import login


def _url(shop: dict[str, Any], step: str) -> str:
    return f"/apps/products/data-sets/{shop['data_set'].id}/steps/{step}"


def _alerts(page: Any) -> str:
    return " ".join(page.pyquery(".alert").text().split())


def _errors(page: Any) -> str:
    return " ".join(page.pyquery(".invalid-feedback, .help-block, .error").text().split())


def _grid_rows(page: Any, grid: str) -> list[list[str]]:
    """Each row's cells: an input's value, or the cell's text."""
    rows = []
    for row in page.pyquery(f"[data-widget={grid}] tbody tr").items():
        cells = []
        for cell in row.items("td"):
            field = cell.find("input:not([type=hidden])")
            cells.append(field.val() if field else " ".join(cell.text().split()))
        rows.append(cells)
    return rows


def _submit(app: webtest.TestApp, page: Any, form: str, **fields: Any) -> Any:
    posted = page.forms[f"form-{form}"]
    for name, value in fields.items():
        posted[name] = value
    return posted.submit("submit", status=303).follow()


def test_a_department_is_added_edited_in_place_and_deleted(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    login(testapp, "olga")
    page = testapp.get(_url(shop, "departments"))
    assert ["1", "Dairy", "", "2", "0"] in _grid_rows(page, "departments")
    page = _submit(testapp, page, "add-department", number="7", name="Frozen", target_margin="32.5")
    assert "Department 7 “Frozen” is added." in _alerts(page)
    frozen = dbsession.scalars(select(Department).where(Department.name == "Frozen")).one()
    assert str(frozen.target_margin) == "32.50"
    assert ["7", "Frozen", "32.50", "0", "0"] in _grid_rows(page, "departments")

    edit = testapp.get(_url(shop, "departments")).forms["grid-departments-edit"]
    edit[f"departments.edit.target_margin.{frozen.id}"] = "35"
    assert "Saved 1 row." in _alerts(edit.submit(status=303).follow())
    dbsession.rollback()  # a new transaction sees what the app committed
    assert str(dbsession.get(Department, frozen.id).target_margin) == "35.00"

    page = _submit(testapp, testapp.get(_url(shop, "departments")), "delete-department",
                   department=str(frozen.id))  # fmt: skip
    assert "Department 7 “Frozen” is deleted." in _alerts(page)


def test_a_department_in_use_is_kept_with_the_reason_unless_its_products_are_cleared(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    login(testapp, "olga")
    dairy = shop["dairy"].id
    page = _submit(testapp, testapp.get(_url(shop, "departments")), "delete-department",
                   department=str(dairy))  # fmt: skip
    assert (
        "Department 1 “Dairy” has 2 products. Move them to another department first, "
        "or choose to leave them without a department." in _alerts(page)
    )
    assert dbsession.get(Department, dairy) is not None
    page = _submit(testapp, page, "delete-department", department=str(dairy), clear_products=True)
    assert "Its 2 products now have no department." in _alerts(page)
    history = testapp.get(_url(shop, "product"), params={"lookup.upc": "036000291452"})
    line = " ".join(history.pyquery("[data-testid=product-change]").eq(0).text().split())
    assert line.split(" UTC ", 1)[1].startswith("Department Its department was deleted Dairy")


def test_a_refused_department_form_says_why_next_to_its_field(
    testapp: webtest.TestApp, shop: dict[str, Any]
) -> None:
    login(testapp, "olga")
    page = testapp.get(_url(shop, "departments"))
    for fields, message in (
        ({"number": "1", "name": "Bakery"}, "Department 1 “Dairy” already has number 1."),
        ({"number": "x", "name": "Bakery"}, "Give a whole number."),
        ({"number": "8", "name": "Bakery", "target_margin": "100"}, "Give a number up to 99.99."),
        ({"number": "8", "name": "Bakery", "target_margin": "lots"}, "Give a number, such as"),
        ({"number": "8", "name": ""}, "Give the name."),
    ):
        page = _submit(testapp, page, "add-department", **fields)
        assert message in _alerts(page) + " " + page.pyquery("#widget-add-department").text()


def test_a_vendor_is_added_with_a_default_department_and_kept_while_it_costs_products(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    login(testapp, "olga")
    page = testapp.get(_url(shop, "vendors"))
    page = _submit(testapp, page, "add-vendor", code="fresh", name="Fresh Co",
                   default_department=str(shop["dairy"].id))  # fmt: skip
    assert "Vendor FRESH “Fresh Co” is added." in _alerts(page)
    fresh = dbsession.scalars(select(Vendor).where(Vendor.code == "FRESH")).one()
    assert fresh.default_department_id == shop["dairy"].id
    assert ["FRESH", "Fresh Co", "Dairy", "0"] in _grid_rows(page, "vendors")

    page = _submit(testapp, page, "vendor-default", vendor=str(fresh.id), default_department="")
    assert "Saved: its new items go to the department their file names, or none." in _alerts(page)
    dbsession.rollback()
    assert dbsession.get(Vendor, fresh.id).default_department_id is None

    page = _submit(testapp, page, "delete-vendor", vendor=str(shop["acme"].id))
    assert (
        "Vendor ACME “Acme Foods” is kept: it has costs for 3 products. Its costs are its "
        "products' margins and history." in _alerts(page)
    )
    page = _submit(testapp, page, "add-vendor", code="ACME", name="Again")
    assert "Vendor code ACME is taken, by “Acme Foods”." in _alerts(page)
    page = _submit(testapp, page, "delete-vendor", vendor=str(fresh.id))
    assert "Vendor FRESH “Fresh Co” is deleted." in _alerts(page)


def test_a_form_posted_without_its_csrf_token_or_with_a_choice_not_offered_is_refused(
    testapp: webtest.TestApp, shop: dict[str, Any]
) -> None:
    login(testapp, "olga")
    page = testapp.get(_url(shop, "vendors"))
    form = page.forms["form-delete-vendor"]
    action = form.action
    testapp.post(action, {"vendor": str(shop["acme"].id)}, status=400)
    fields = {"csrf_token": form["csrf_token"].value, "vendor": "999999", "submit": "submit"}
    page = testapp.post(action, fields, status=303).follow()
    assert "Choose one of the choices offered." in page.pyquery("#widget-delete-vendor").text()


def test_a_viewer_sees_the_lists_but_not_their_forms_and_cannot_post(
    testapp: webtest.TestApp, shop: dict[str, Any], dbsession: Session
) -> None:
    from poser.tasks.datasets import set_member
    from tests.factories import make_user

    viewer = make_user(dbsession, "vera")
    set_member(shop["data_set"], viewer, "viewer")
    dbsession.commit()
    login(testapp, "vera")
    page = testapp.get(_url(shop, "departments"))
    assert "form-add-department" not in page.forms
    assert "Only the data set's owners and editors may do this." in page.pyquery("main").text()
    token = page.pyquery("input[name=csrf_token]").eq(0).val()  # the logout form's
    fields = {"csrf_token": token, "number": "9", "name": "Sneaky"}
    testapp.post(_url(shop, "departments") + "/add-department/submit", fields, status=403)
    assert dbsession.scalars(select(Department).where(Department.name == "Sneaky")).all() == []
