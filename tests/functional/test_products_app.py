"""The Products Application through the whole WSGI app."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import webtest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from poser.entry_points.queues import make_queue
from poser.models.orm import DataSet, Department, Job, Product, Vendor
from poser.tasks import jobs
from poser.tasks.datasets import create_data_set, set_member
from poser.tasks.generate import generate_products
from tests.factories import make_user
from tests.functional.conftest import login
from tests.functional.form_support import field_error, refused


def _step(data_set: DataSet, step: str) -> str:
    return f"/apps/products/data-sets/{data_set.id}/steps/{step}"


def test_an_operator_creates_a_data_set_from_the_example(
    testapp: webtest.TestApp, dbsession: Session, settings: dict[str, Any], session_factory: Any
) -> None:
    make_user(dbsession, "paul")
    login(testapp, "paul")
    home = testapp.get("/apps/products")
    form = next(f for f in home.forms.values() if "example" in f.fields)
    assert form["example"].value == "Sample Store"
    job_page = form.submit(status=303).follow()
    job = dbsession.scalars(select(Job)).one()
    assert job.kind == "datasets.load_example"
    assert "Loading the example" in job_page.text
    assert jobs.run(session_factory, make_queue(settings), job.id, worker="test") == "succeeded"
    dbsession.expire_all()
    data_set = dbsession.get_one(DataSet, job.data_set_id)
    assert (data_set.name, data_set.application) == ("Sample Store", "products")
    last = testapp.get(_step(data_set, "catalog"), params={"products.page": "60"})
    assert "of 3,000" in last.pyquery("[data-testid=grid-summary]").text()


def test_the_catalog_filters_and_edits_through_the_grid(
    testapp: webtest.TestApp, store: DataSet, dbsession: Session
) -> None:
    login(testapp, "petra")
    page = testapp.get(_step(store, "catalog"))
    assert len(page.pyquery("[data-widget=products] tbody tr[data-key]")) == 50
    assert "120" in page.pyquery("[data-testid=grid-summary]").text()
    # A filter nothing matches (the grid's own tests cover every filter and sort).
    page = testapp.get(_step(store, "catalog"), params={"products.regular_price.min": "1000000"})
    assert page.pyquery("[data-testid=grid-empty]")


def test_the_catalog_filters_departments_by_id_and_sorts_only_indexed_columns(
    testapp: webtest.TestApp, store: DataSet, dbsession: Session
) -> None:
    dairy = dbsession.scalars(
        select(Department).where(Department.data_set_id == store.id, Department.name == "Dairy")
    ).one()
    login(testapp, "petra")
    params = {"products.department.in": str(dairy.id), "products.sort": "-regular_price"}
    page = testapp.get(_step(store, "catalog"), params=params)
    rows = page.pyquery("[data-widget=products] tbody tr[data-key]")
    assert rows
    departments = {row.text() for row in rows.items("td:nth-child(5)")}
    assert departments == {"Dairy"}
    options = page.pyquery("[data-filter=department] option")
    assert (options.eq(0).attr("value"), options.eq(0).text()) != ("", "")
    assert page.pyquery(f"[data-filter=department] option[value='{dairy.id}']").attr("selected")
    sortable = {th.attr("data-column") for th in page.pyquery("thead th").items() if th("a")}
    assert sortable == {"upc", "description", "brand", "regular_price", "margin_percent"}


def test_the_catalog_sorts_and_filters_by_margin(
    testapp: webtest.TestApp, store: DataSet, dbsession: Session
) -> None:
    login(testapp, "petra")
    params = {"products.margin_percent.max": "35", "products.sort": "margin_percent"}
    page = testapp.get(_step(store, "catalog"), params=params)
    position = [th.attr("data-column") for th in page.pyquery("thead th").items()].index(
        "margin_percent"
    )
    cells = page.pyquery(f"[data-widget=products] tbody tr[data-key] td:nth-child({position + 1})")
    # Margins read as percents to a tenth: "27.0%".
    assert all(cell.text().endswith("%") for cell in cells.items())
    shown = [Decimal(cell.text().rstrip("%").replace(",", "")) for cell in cells.items()]
    expected = dbsession.scalars(
        select(Product.margin_percent)
        .where(Product.data_set_id == store.id, Product.margin_percent <= 35)
        .order_by(Product.margin_percent, Product.id)
    ).all()
    assert expected, "the generator makes margins under 35 %"
    assert shown == [margin.quantize(Decimal("0.1")) for margin in expected[:50]]
    assert page.pyquery("thead th[data-column=margin_percent]").attr("aria-sort") == "ascending"


def test_two_departments_by_brand_read_each_departments_first_rows(
    testapp: webtest.TestApp, dbsession: Session, wsgi_app: Any
) -> None:
    """More matches than the count's cap (10,000) in a choice of departments: on SQLite
    each department's first rows by brand come from its own index, merged in one
    statement; on either database the page is the database's own order."""
    owner = make_user(dbsession, "petra")
    data_set = create_data_set(dbsession, "Big Shop", "products", owner)
    generate_products(data_set, products=18_000, seed=7)
    dbsession.commit()
    ids = dict(
        dbsession.execute(
            select(Department.name, Department.id).where(Department.data_set_id == data_set.id)
        ).all()
    )
    chosen = [ids[name] for name in ("Grocery", "Dairy", "Frozen", "Produce", "Household")]
    chosen.append(ids["Health & Beauty"])
    matching = dbsession.scalar(
        select(func.count()).where(
            Product.data_set_id == data_set.id, Product.department_id.in_(chosen)
        )
    )
    assert 10_000 < matching < 18_000
    login(testapp, "petra")
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = wsgi_app.registry["poser.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        for number in (1, 3):
            params = {
                "products.department.in": [str(i) for i in chosen],
                "products.sort": "-brand",
                "products.page": str(number),
            }
            page = testapp.get(_step(data_set, "catalog"), params=params)
            shown = [int(key) for key in page.pyquery("tbody tr[data-key]").map(
                lambda i, row: row.get("data-key")
            )]  # fmt: skip
            expected = dbsession.scalars(
                select(Product.id)
                .where(Product.data_set_id == data_set.id, Product.department_id.in_(chosen))
                .order_by(Product.brand.desc(), Product.id.desc())
                .offset((number - 1) * 50)
                .limit(50)
            ).all()
            assert shown == expected, number
            # Past the count's cap: the summary says so rather than counting on.
            assert "of 10,000+" in page.pyquery("[data-testid=grid-summary]").text()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # PostgreSQL counts to twice the cap (grid_plans.FEW_PER_CAP): there these matches
    # are few, sorted apart; SQLite merges each department's first rows.
    merged = sum("UNION ALL" in statement for statement in statements)
    assert merged == (0 if dbsession.get_bind().dialect.name == "postgresql" else 2)


def test_a_catalog_page_runs_few_statements(
    testapp: webtest.TestApp, store: DataSet, wsgi_app: Any
) -> None:
    """The user, the data set, the membership, whether the data set is empty (one
    EXISTS, for the guidance an empty one shows), the choices (departments, vendors),
    the capped count, the page's keys and its rows: each once, however many permission
    checks ask. The rows alone need no emptiness check."""
    login(testapp, "petra")
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = wsgi_app.registry["poser.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        testapp.get(_step(store, "catalog"), params={"products.sort": "-regular_price"})
        page = len(statements)
        testapp.get(
            _step(store, "catalog") + "/products/rows",
            params={"products.sort": "description"},
            headers={"HX-Request": "true"},
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert page == 9, statements
    assert len(statements) - page == 8, statements[page:]


def test_the_product_page_shows_costs_and_refuses_bad_upcs(
    testapp: webtest.TestApp, store: DataSet, dbsession: Session
) -> None:
    product = dbsession.scalars(select(Product).where(Product.data_set_id == store.id)).first()
    assert product is not None
    login(testapp, "petra")
    page = testapp.get(_step(store, "product"), params={"lookup.upc": product.upc[2:]})
    assert page.pyquery("[data-testid=product-detail] h3").text() == product.description
    assert page.pyquery("[data-testid=product-costs] tbody tr")
    missing = testapp.get(_step(store, "product"), params={"lookup.upc": "036000291452"})
    assert "No product with UPC" in missing.pyquery("[data-testid=lookup-problem]").text()
    bad = testapp.get(_step(store, "product"), params={"lookup.upc": "abc"})
    assert bad.pyquery("[data-testid=lookup-problem]").text()


def test_margins_chart_and_target_validation(
    testapp: webtest.TestApp, store: DataSet, dbsession: Session
) -> None:
    login(testapp, "petra")
    page = testapp.get(_step(store, "margins"))
    assert page.pyquery("[data-testid=chart-margins-table] tbody tr")
    assert "The target margin is 30%." in page.pyquery("[data-widget=target]").text()
    form = page.forms["parameters-pricing"]
    form["target_margin"] = "150"
    page = refused(form.submit("save", status=303), _step(store, "margins"))
    assert field_error(page, "target_margin") == "Give a percent from 0 to 99.99."
    assert "The target margin is 30%." in page.pyquery("[data-widget=target]").text()
    form = page.forms["parameters-pricing"]
    assert form["target_margin"].value == "150"
    form["target_margin"] = "35"
    saved = form.submit("save", status=303).follow()
    assert "The target margin is 35%." in saved.pyquery("[data-widget=target]").text()


def test_other_users_cannot_reach_the_store(
    testapp: webtest.TestApp, store: DataSet, dbsession: Session
) -> None:
    viewer = make_user(dbsession, "vic")
    make_user(dbsession, "outsider")
    set_member(dbsession.merge(store), viewer, "viewer")
    dbsession.commit()
    login(testapp, "outsider")
    for step in ("catalog", "product", "margins"):
        testapp.get(_step(store, step), status=404)
    testapp.get(_step(store, "catalog") + "/products/csv", status=404)
    testapp.reset()
    login(testapp, "vic")
    assert testapp.get(_step(store, "catalog")).status_int == 200


def test_a_searched_catalog_downloads_the_rows_it_shows(
    testapp: webtest.TestApp, store: DataSet, dbsession: Session
) -> None:
    login(testapp, "petra")
    word = dbsession.scalar(
        select(Product.description).where(Product.data_set_id == store.id).order_by(Product.id)
    ).split()[-1]
    wanted = sorted(
        upc
        for upc, description in dbsession.execute(
            select(Product.upc, Product.description).where(Product.data_set_id == store.id)
        )
        if word.lower() in description.lower()
    )
    assert 0 < len(wanted) < 120
    params = {"products.description.q": word, "products.sort": "-regular_price"}
    page = testapp.get(_step(store, "catalog"), params={**params, "products.size": "200"})
    shown = page.pyquery("[data-widget=products] tbody tr[data-key]")
    assert len(shown) == len(wanted)
    # Streamed after the request's transaction has ended, through the same search.
    download = testapp.get(_step(store, "catalog") + "/products/csv", params=params)
    lines = download.text.strip().splitlines()
    assert len(lines) == len(wanted) + 1
    assert sorted(line.split(",")[0] for line in lines[1:]) == wanted


def test_a_catalog_filtered_by_vendor_downloads_the_vendors_products(
    testapp: webtest.TestApp, store: DataSet, dbsession: Session
) -> None:
    # The vendor filter looks its codes up in the request's session, as the search does.
    login(testapp, "petra")
    vendor_id = dbsession.scalar(
        select(Product.preferred_vendor_id)
        .where(Product.data_set_id == store.id, Product.preferred_vendor_id.is_not(None))
        .order_by(Product.id)
    )
    code = dbsession.scalar(select(Vendor.code).where(Vendor.id == vendor_id))
    wanted = sorted(
        dbsession.scalars(
            select(Product.upc).where(
                Product.data_set_id == store.id, Product.preferred_vendor_id == vendor_id
            )
        )
    )
    download = testapp.get(
        _step(store, "catalog") + "/products/csv", params={"products.vendor.in": code}
    )
    lines = download.text.strip().splitlines()
    assert sorted(line.split(",")[0] for line in lines[1:]) == wanted
