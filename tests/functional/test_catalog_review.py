"""Reviewing and reverting a catalog through the whole app, with real forms and CSRF:
rows left out of the apply (every flagged one, by lines, one in the grid) and put back;
an apply of flagged rows only once confirmed; Revert on an applied batch; and each
refused, with a message and a 303, never a 500, for bad input and stale pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import webtest
from sqlalchemy import select

from poser.models.orm import Batch, CatalogBatchRow, Product, ProductChange, ProductCost
from poser.tasks.batches.base import today
from poser.tasks.datasets import set_member
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_MILK, UPC_OTHER_VENDOR, UPC_SOAP
from tests.factories import make_user
from tests.functional.catalog_pages import form_posting_to, save_options, step_url, upload
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login
from tests.functional.form_support import alerts, refused
from tests.operator_words import internal_keys_in as internal_keys

#: Butter +10% (not flagged), soap 9.00 -> 1,234.50 a case and milk doubled (flagged).
FLAGGED_FILE = (
    HEADER
    + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n"
    + f"{UPC_SOAP},A-200,Lip balm,,,6,1234.50\n"
    + f"{UPC_MILK},A-300,Milk,,,4,24.00\n"
)


def _read(app: webtest.TestApp, shop: dict[str, Any], jobs_of: Any, text: str) -> None:
    login(app, "olga")
    save_options(app, shop["data_set"], catalog_vendor="ACME")
    upload(app, shop["data_set"], text)
    assert jobs_of() == ["succeeded"]


def _case_cost(dbsession: Any, product: Product) -> Decimal:
    dbsession.rollback()
    return dbsession.scalar(
        select(ProductCost.case_cost).where(ProductCost.product_id == product.id)
    )


def _excluded(dbsession: Any) -> list[tuple[int, str | None]]:
    dbsession.rollback()
    rows = select(CatalogBatchRow.line, CatalogBatchRow.exclude_reason).where(
        CatalogBatchRow.excluded
    )
    return sorted(tuple(row) for row in dbsession.execute(rows))


def test_flagged_rows_are_excluded_with_a_reason_and_applying_the_rest_needs_a_confirmation(
    testapp, shop, dbsession, jobs_of
) -> None:
    data_set = shop["data_set"]
    _read(testapp, shop, jobs_of, FLAGGED_FILE)
    review = step_url(data_set, "review")
    page = testapp.get(review)
    control = page.pyquery("[data-testid=review-control]")
    assert "2, of which 2 will be applied" in control.find("[data-testid=flagged-count]").text()
    largest = page.pyquery("[data-testid=largest-changes] tbody tr")
    assert largest.eq(0).attr("data-line") == "3"  # the lip balm first
    # One word, one meaning: the grid's unit cost difference, the table's percent.
    headers = [th.text for th in page.pyquery("[data-testid=largest-changes] thead th")]
    assert "Change %" in headers
    assert "Change" not in headers
    assert page.pyquery("[data-widget=rows] th[data-column=cost_change]").text() == (
        "Unit cost change"
    )
    assert "9.00" in largest.eq(0).text()
    assert "1,234.50" in largest.eq(0).text()
    assert largest.eq(0).find("[data-testid=new-margin]").text().startswith("-4,015.0%")

    form = form_posting_to(page, "/control/exclude_flagged")
    form["reason"] = "   "
    back = refused(form.submit(status=303), review)
    assert "Say why" in alerts(back)
    form["reason"] = "Vendor typo: asked for a new list"
    page = form.submit(status=303).follow()
    assert "Excluded 2 rows, flagged: they will not be applied." in alerts(page, "success")
    typo = "Vendor typo: asked for a new list"
    assert _excluded(dbsession) == [(3, typo), (4, typo)]
    assert (
        "Vendor typo: asked for a new list (2 rows)"
        in page.pyquery("[data-testid=exclude-reasons]").text()
    )

    stale_apply = form_posting_to(testapp.get(step_url(data_set, "apply")), "/apply/run")
    include = form_posting_to(page, "/control/include")
    include["lines"] = "4"
    assert "Included 1 row again" in alerts(include.submit(status=303).follow(), "success")
    assert _excluded(dbsession) == [(3, "Vendor typo: asked for a new list")]

    back = refused(stale_apply.submit(status=303), step_url(data_set, "apply"))
    assert "changed since" in alerts(back)  # the exclusion moved the batch on

    apply_page = testapp.get(step_url(data_set, "apply"))
    confirm = apply_page.pyquery("[data-testid=apply-confirm]")
    assert "1 flagged row" in confirm.text()
    assert "Milk" in confirm.find("[data-testid=largest-changes]").text()
    assert (
        "1 row left out of the apply" in apply_page.pyquery("[data-testid=apply-excluded]").text()
    )
    form = form_posting_to(apply_page, "/apply/run")
    unticked = refused(form.submit(status=303), step_url(data_set, "apply"))
    assert "would apply 1 flagged row" in alerts(unticked)
    form["apply_flagged"] = True
    form.submit(status=303)
    assert jobs_of() == ["succeeded", "succeeded"]
    assert _case_cost(dbsession, shop["soap"]) == Decimal("9.00")  # left out
    assert _case_cost(dbsession, shop["milk"]) == Decimal("24.00")

    report = testapp.get(step_url(data_set, "report"))
    assert "Vendor typo" in report.pyquery("[data-testid=left-out]").text()
    assert "Rows left out" in report.pyquery("[data-testid=execution-summary]").text()
    assert not internal_keys(report.pyquery("main").text())


def test_the_review_grid_excludes_one_row_with_its_reason(
    testapp, shop, dbsession, jobs_of
) -> None:
    _read(testapp, shop, jobs_of, FLAGGED_FILE)
    review = step_url(shop["data_set"], "review")
    dbsession.rollback()
    soap = dbsession.scalar(select(CatalogBatchRow.id).where(CatalogBatchRow.line == 3))
    form = testapp.get(review).forms["grid-rows-edit"]
    form[f"rows.edit.excluded.{soap}"] = "yes"
    form.submit(status=303)
    assert _excluded(dbsession) == []  # no reason: refused, on the row
    page = testapp.get(review)
    assert "Say why" in page.pyquery("[data-testid=grid-edit]").text()

    form = page.forms["grid-rows-edit"]
    form[f"rows.edit.excluded.{soap}"] = "yes"
    form[f"rows.edit.exclude_reason.{soap}"] = "Pack of 6, not 600"
    form.submit(status=303)
    assert _excluded(dbsession) == [(3, "Pack of 6, not 600")]


def test_bad_exclusions_are_refused_with_a_message(testapp, shop, dbsession, jobs_of) -> None:
    _read(testapp, shop, jobs_of, FLAGGED_FILE)
    review = step_url(shop["data_set"], "review")
    page = testapp.get(review)
    for lines, reason, message in (
        ("abc", "typo", "is not a line number"),
        ("2", "x" * 300, "keep it to 200"),
        ("1-900000", "typo", "at most 1,000 lines"),
        ("77", "typo", "None of those lines"),
    ):
        form = form_posting_to(page, "/control/exclude_lines")
        form["lines"], form["reason"] = lines, reason
        assert message in alerts(refused(form.submit(status=303), review))
    form = form_posting_to(page, "/control/exclude_lines")
    form["lines"], form["reason"] = "2", "typo"
    form["batch_version"] = "x"
    assert "is not a number" in alerts(refused(form.submit(status=303), review))
    assert _excluded(dbsession) == []

    # Without the page's CSRF token, nothing is done.
    url = f"{review}/control/exclude_flagged"
    testapp.post(url, {"reason": "typo", "batch_id": "1", "batch_version": "1"}, status=400)
    assert _excluded(dbsession) == []


def test_a_viewer_sees_no_controls_and_may_not_post(testapp, shop, dbsession, jobs_of) -> None:
    viewer = make_user(dbsession, "vera")
    set_member(dbsession.merge(shop["data_set"]), viewer, "viewer")
    dbsession.commit()
    _read(testapp, shop, jobs_of, FLAGGED_FILE)
    review = step_url(shop["data_set"], "review")
    shown = form_posting_to(testapp.get(review), "/control/exclude_flagged")
    viewer_app = StrictTestApp(testapp.app, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})
    login(viewer_app, "vera")
    page = viewer_app.get(review)
    assert page.pyquery("[data-testid=review-control]")
    assert not page.pyquery("[data-form=exclude-flagged], [data-form=exclude-lines]")
    assert not page.pyquery("[data-testid=grid-edit]")
    posted = {name: shown[name] for name in ("batch_id", "batch_version")}
    posted["csrf_token"] = page.forms[0]["csrf_token"].value  # the logout form's
    posted["reason"], posted["lines"] = "typo", "3"
    for action in ("exclude_flagged", "exclude_lines", "include"):
        viewer_app.post(f"{review}/control/{action}", posted, status=403)
    report = step_url(shop["data_set"], "report")
    viewer_app.post(f"{report}/revert/revert", posted, status=403)
    assert _excluded(dbsession) == []


def _applied(testapp: Any, shop: dict[str, Any], jobs_of: Any) -> Any:
    # Butter +10%, milk -8%: within the tolerance, nothing to confirm.
    text = HEADER + f"{UPC_BUTTER},A-101,Butter,,,12,26.40\n{UPC_MILK},A-300,Milk,,,4,11.00\n"
    _read(testapp, shop, jobs_of, text)
    form_posting_to(testapp.get(step_url(shop["data_set"], "apply")), "/apply/run").submit(
        status=303
    )
    assert jobs_of() == ["succeeded", "succeeded"]
    return testapp.get(step_url(shop["data_set"], "report"))


def test_revert_undoes_an_applied_batch_once_leaving_products_changed_since(
    testapp, shop, dbsession, jobs_of
) -> None:
    data_set = shop["data_set"]
    report = _applied(testapp, shop, jobs_of)
    assert "2 costs put back" in report.pyquery("[data-testid=revert-plan]").text()
    dbsession.rollback()
    original = dbsession.scalars(select(Batch)).one()
    # The milk's cost is edited after the apply: its revert leaves it alone.
    milk_cost = dbsession.scalars(
        select(ProductCost).where(ProductCost.product_id == shop["milk"].id)
    ).one()
    milk_cost.case_cost, milk_cost.unit_cost = Decimal("10.00"), Decimal("2.50")
    dbsession.commit()

    form = form_posting_to(report, "/revert/revert")
    back = refused(form.submit(status=303), step_url(data_set, "report"))
    assert f"tick the box that confirms undoing batch #{original.id}" in alerts(back)
    form["confirm_revert"] = True
    done = form.submit(status=303).follow()
    assert f"reverts batch #{original.id}" in alerts(done, "success")
    assert jobs_of() == ["succeeded", "succeeded"]  # its apply, then its report

    assert _case_cost(dbsession, shop["butter"]) == Decimal("24.00")
    assert _case_cost(dbsession, shop["milk"]) == Decimal("10.00")
    revert = dbsession.scalars(select(Batch).where(Batch.reverts_batch_id == original.id)).one()
    assert revert.status == "executed"
    logged = dbsession.scalars(
        select(ProductChange.product_id).where(ProductChange.batch_id == revert.id)
    ).all()
    assert set(logged) == {shop["butter"].id}

    page = testapp.get(step_url(data_set, "report"))
    panel = page.pyquery("[data-testid=revert-panel]")
    assert f"undoes batch #{original.id}" in panel.find("[data-testid=reverts]").text()
    assert "Milk" in panel.find("[data-testid=left-out]").text()
    assert not page.pyquery("[data-form=revert]")  # a revert is not reverted
    assert not internal_keys(page.pyquery("main").text())

    for step in ("upload", "review", "apply", "batches"):  # the revert, as every step shows it
        text = testapp.get(step_url(data_set, step)).pyquery("main").text()
        assert not internal_keys(text), step
        assert "None" not in text, step
    review = testapp.get(step_url(data_set, "review"))
    assert "Changed since batch" in review.pyquery("[data-testid=exclude-reasons]").text()
    # The list says which applied batch a revert undid, beside its "Applied".
    listed = testapp.get(step_url(data_set, "batches")).pyquery
    reverted = listed(f"[data-batch='{original.id}'] [data-testid=reverted-by]")
    assert reverted.text() == f"Reverted by #{revert.id}"
    assert not listed(f"[data-batch='{revert.id}'] [data-testid=reverted-by]")

    # The original's page, open in another tab, sends its revert again.
    back = refused(form.submit(status=303), step_url(data_set, "report"))
    assert f"already reverted, by batch #{revert.id}" in alerts(back)


def test_revert_of_a_batch_not_applied_is_refused(testapp, shop, dbsession, jobs_of) -> None:
    report = _applied(testapp, shop, jobs_of)
    form = form_posting_to(report, "/revert/revert")
    form["confirm_revert"] = True
    upload(testapp, shop["data_set"], FLAGGED_FILE)  # a new batch, not applied
    assert jobs_of() == ["succeeded"]
    dbsession.rollback()
    newest = dbsession.scalars(select(Batch).order_by(Batch.id.desc())).first()
    form["batch_id"], form["batch_version"] = str(newest.id), str(newest.version)
    back = refused(form.submit(status=303), step_url(shop["data_set"], "report"))
    assert f"Batch #{newest.id} has not been applied" in alerts(back)
    page = testapp.get(step_url(shop["data_set"], "report")).pyquery
    assert not page("[data-form=revert]")
    # The panel says why it is empty, and when it will not be.
    assert page("[data-testid=revert-later]").text() == (
        f"Batch #{newest.id} has not been applied. Once it is, the rows left out of it and "
        "its revert are here."
    )


def test_a_reverted_new_cost_reads_as_removed_on_the_products_history(
    testapp, shop, dbsession, jobs_of
) -> None:
    text = HEADER + f"{UPC_OTHER_VENDOR},A-900,Other,,,10,11.00\n"  # ACME's first cost for it
    _read(testapp, shop, jobs_of, text)
    form_posting_to(testapp.get(step_url(shop["data_set"], "apply")), "/apply/run").submit(
        status=303
    )
    assert jobs_of() == ["succeeded", "succeeded"]
    form = form_posting_to(testapp.get(step_url(shop["data_set"], "report")), "/revert/revert")
    form["confirm_revert"] = True
    form.submit(status=303)
    assert jobs_of() == ["succeeded", "succeeded"]
    url = f"/apps/products/data-sets/{shop['data_set'].id}/steps/product"
    page = testapp.get(url, params={"lookup.upc": UPC_OTHER_VENDOR})
    removed = page.pyquery("[data-testid=product-change]").eq(0)
    assert "Undoes batch #" in removed.text()
    assert "Case: 10 for 11.00 → (none)" in removed.text()
    assert "None" not in page.pyquery("[data-testid=product-history]").text()


def test_scheduling_a_batch_with_flagged_rows_needs_the_same_confirmation(
    testapp, shop, dbsession, jobs_of
) -> None:
    data_set = shop["data_set"]
    login(testapp, "olga")
    later = (today() + timedelta(days=3)).isoformat()
    save_options(testapp, data_set, catalog_vendor="ACME", catalog_effective_date=later)
    upload(testapp, data_set, FLAGGED_FILE)
    assert jobs_of() == ["succeeded"]
    apply = step_url(data_set, "apply")
    page = testapp.get(apply)
    assert "2 flagged rows" in page.pyquery("[data-testid=schedule-confirm]").text()
    form = form_posting_to(page, "/apply/schedule")
    assert "would apply 2 flagged rows" in alerts(refused(form.submit(status=303), apply))
    dbsession.rollback()
    assert dbsession.scalars(select(Batch.scheduled_for)).one() is None
    form["apply_flagged"] = True
    form.submit(status=303)
    dbsession.rollback()
    assert dbsession.scalars(select(Batch.scheduled_for)).one().isoformat() == later
