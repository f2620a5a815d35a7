"""The Grid widget through the whole WSGI app: paging, sorting, filters, the column
chooser, htmx fragments, downloads, editing, and who may do what.

The Application is tests.sample_grid_app: a "products" grid (editable) and a "settings"
grid (parameter values, for a date column) on one step.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import openpyxl
import pytest
import webtest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import Department, ParameterValue, Product, ProductCost, Vendor
from poser.tasks.datasets import create_data_set, set_member
from tests.factories import make_user
from tests.functional.conftest import CLIENT_ADDR, StrictTestApp, login
from tests.functional.form_support import refused

COUNT = 120
DEPARTMENTS = ("Bakery", "Dairy", "Produce")


def department_of(n: int) -> str | None:
    return None if n % 4 == 0 else DEPARTMENTS[n % 4 - 1]


def price_of(n: int) -> Decimal | None:
    return None if n % 10 == 0 else (Decimal(n) / 4).quantize(Decimal("0.01"))


@dataclass
class Store:
    data_set_id: int
    #: product number (1..COUNT, "Item 001") by product id, and back
    number: dict[int, int] = field(default_factory=dict)
    ids: dict[int, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"/apps/sample_grid/data-sets/{self.data_set_id}/steps/products"

    def action(self, name: str, widget: str = "products") -> str:
        return f"{self.url}/{widget}/{name}"

    def numbers(self, page: Any) -> list[int]:
        rows = page.pyquery("#grid-products tbody tr[data-key]")
        return [self.number[int(row.get("data-key"))] for row in rows]


@pytest.fixture
def app(
    make_app: Callable[..., Any],
    session_factory: sessionmaker[Session],
    clean_environ: None,
    empty_queue: None,
) -> webtest.TestApp:
    wsgi = make_app(**{"poser.includes": "tests.sample_app tests.sample_grid_app"})
    return StrictTestApp(wsgi, extra_environ={"REMOTE_ADDR": CLIENT_ADDR})


@pytest.fixture
def store(dbsession: Session) -> Store:
    owner = make_user(dbsession, "olive")
    viewer = make_user(dbsession, "vic")
    make_user(dbsession, "sam")
    data_set = create_data_set(dbsession, "Corner Store", "sample_grid", owner)
    set_member(data_set, viewer, "viewer")
    departments = {
        name: Department(data_set_id=data_set.id, number=number, name=name)
        for number, name in enumerate(DEPARTMENTS, start=1)
    }
    vendor = Vendor(data_set_id=data_set.id, code="V1", name="Vendor One")
    dbsession.add_all([*departments.values(), vendor])
    products = {}
    for n in range(1, COUNT + 1):
        department = department_of(n)
        products[n] = Product(
            data_set_id=data_set.id,
            upc=f"{n:014d}",
            description=f"Item {n:03d}",
            brand="Acme" if n % 2 else "Best",
            department=departments[department] if department else None,
            regular_price=price_of(n),
            on_hand=Decimal(n),
            active=n % 3 != 0,
        )
        if n % 5 == 0:
            products[n].costs.append(
                ProductCost(
                    data_set_id=data_set.id,
                    vendor=vendor,
                    case_cost=Decimal(12),
                    unit_cost=Decimal(1),
                    preferred=True,
                )
            )
    dbsession.add_all(products.values())
    for day in range(1, 13):
        changed = datetime(2024, 3, day, 12, tzinfo=UTC)
        dbsession.add(
            ParameterValue(
                data_set_id=data_set.id, name=f"p{day:02d}", value=day, changed_at=changed
            )
        )
    dbsession.commit()
    found = Store(data_set.id)
    for n, product in products.items():
        found.number[product.id], found.ids[n] = n, product.id
    return found


def summary(page: Any, grid: str = "products") -> str:
    return page.pyquery(f"#grid-{grid} [data-testid=grid-summary]").text()


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def read_csv(response: Any) -> list[list[str]]:
    assert response.body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"), newline="")))


# --- reading ---------------------------------------------------------------------------


def test_the_first_page_has_fifty_rows_links_for_every_state_and_no_inline_code(
    app: webtest.TestApp, store: Store
) -> None:
    login(app, "olive")
    page = app.get(store.url)
    assert store.numbers(page) == list(range(1, 51))
    assert summary(page) == "1\u201350 of 120"
    next_link = page.pyquery('#grid-products a[rel="next"]')
    # The next page starts after the last row shown: its key, by keyset.
    after = str(store.ids[50])
    assert query_of(next_link.attr("href")) == [("products.page", "2"), ("products.after", after)]
    assert next_link.attr("href").startswith(store.url + "?")
    assert (
        next_link.attr("hx-get")
        == store.action("rows") + f"?products.page=2&products.after={after}"
    )
    assert next_link.attr("hx-push-url") == next_link.attr("href")
    assert next_link.attr("hx-target") == "#grid-products"
    assert "Page 1 of 3" in page.pyquery("#grid-products .pagination").text()
    last_link = page.pyquery("#grid-products a.page-link").filter(lambda i, a: "Last" in a.text)
    assert query_of(last_link.attr("href")) == [("products.page", "last")]
    last = app.get(last_link.attr("href"))
    assert (store.numbers(last), summary(last)) == (list(range(101, 121)), "101\u2013120 of 120")
    previous = last.pyquery('#grid-products a[rel="prev"]').attr("href")
    assert query_of(previous) == [("products.page", "2"), ("products.before", str(store.ids[101]))]
    assert store.numbers(app.get(previous)) == list(range(51, 101))
    form = page.pyquery("#grid-products form[data-testid=grid-filters]")
    assert (form.attr("method"), form.attr("action")) == ("get", store.url)
    assert form.attr("hx-get") == store.action("rows")
    # CSP: no inline script, style attribute, style element or hx-on handler.
    assert all(script.get("src") for script in page.pyquery("script"))
    assert not page.pyquery("[style]")
    assert not page.pyquery("style")
    assert "hx-on" not in page.text


def test_paging(app: webtest.TestApp, store: Store) -> None:
    login(app, "olive")
    last = app.get(store.url, {"products.page": "3"})
    assert store.numbers(last) == list(range(101, 121))
    assert summary(last) == "101\u2013120 of 120"
    assert not last.pyquery('#grid-products a[rel="next"]')
    assert store.numbers(app.get(store.url, {"products.page": "99"})) == list(range(101, 121))
    page = app.get(store.url, {"products.size": "25", "products.page": "2"})
    assert store.numbers(page) == list(range(26, 51))
    assert summary(page) == "26\u201350 of 120"
    previous = page.pyquery('#grid-products a[rel="prev"]').attr("href")
    assert query_of(previous) == [("products.size", "25")]


def test_sorting_is_server_side_and_ties_keep_the_key_order_across_pages(
    app: webtest.TestApp, store: Store
) -> None:
    login(app, "olive")
    page = app.get(store.url, {"products.sort": "-on_hand"})
    assert store.numbers(page) == list(range(120, 70, -1))
    header = page.pyquery('#grid-products th[data-column="on_hand"]')
    assert header.attr("aria-sort") == "descending"
    assert query_of(header.find("a").attr("href")) == [("products.sort", "on_hand")]

    odd, even = list(range(1, COUNT + 1, 2)), list(range(2, COUNT + 1, 2))
    first = app.get(store.url, {"products.sort": "brand"})
    second = app.get(store.url, {"products.sort": "brand", "products.page": "2"})
    assert store.numbers(first) + store.numbers(second) == (odd + even)[:100]

    priced = app.get(
        store.url,
        {
            "products.sort": "regular_price",
            "products.regular_price.min": "0",
            "products.size": "200",
        },
    )
    numbers = store.numbers(priced)
    assert numbers == sorted((n for n in range(1, COUNT + 1) if n % 10), key=price_of)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"products.description.q": "ITEM 00"}, lambda n: n < 10),
        (
            {"products.description.q": "Item 007", "products.description.match": "equals"},
            lambda n: n == 7,
        ),
        ({"products.description.q": "item 007", "products.description.match": "equals"}, None),
        (
            {"products.regular_price.min": "10", "products.regular_price.max": "10.50"},
            lambda n: price_of(n) is not None and Decimal(10) <= price_of(n) <= Decimal("10.5"),
        ),
        (
            {"products.department_number.min": "2", "products.department_number.max": "2"},
            lambda n: department_of(n) == "Dairy",
        ),
        ({"products.active.is": "no"}, lambda n: n % 3 == 0),
        ({"products.active.is": "yes"}, lambda n: n % 3 != 0),
        (
            [("products.department.in", "Dairy"), ("products.department.in", "Produce")],
            lambda n: department_of(n) in ("Dairy", "Produce"),
        ),
        (
            {"products.margin_percent.min": "90", "products.active.is": "yes"},
            lambda n: n % 5 == 0 and n % 10 and n % 3 and (price_of(n) - 1) / price_of(n) >= 0.9,
        ),
    ],
)
def test_filters_of_every_type(
    app: webtest.TestApp, store: Store, params: Any, expected: Callable[[int], bool] | None
) -> None:
    login(app, "olive")
    query = [*(params.items() if isinstance(params, dict) else params), ("products.size", "200")]
    page = app.get(store.url, query)
    wanted = [n for n in range(1, COUNT + 1) if expected and expected(n)]
    assert store.numbers(page) == wanted
    assert summary(page) == (f"1\u2013{len(wanted)} of {len(wanted)}" if wanted else "No rows")
    # The form shows the filters that are on, and says how many.
    if isinstance(params, dict) and "products.active.is" in params:
        select_ = page.pyquery('select[name="products.active.is"] option[selected]')
        assert select_.attr("value") == params["products.active.is"]
    assert page.pyquery("#grid-products details.grid-filters").attr("open") is not None


def test_a_date_filter_includes_both_days(app: webtest.TestApp, store: Store) -> None:
    login(app, "olive")
    page = app.get(
        store.url,
        {"settings.changed_at.from": "2024-03-02", "settings.changed_at.to": "2024-03-03"},
    )
    names = [row.get("data-key") for row in page.pyquery("#grid-settings tbody tr[data-key]")]
    assert names == ["p02", "p03"]
    assert page.pyquery('input[name="settings.changed_at.from"]').attr("value") == "2024-03-02"
    assert summary(page) == "1\u201350 of 120", "the other grid is not filtered"


BAD_QUERIES = [
    "products.page=abc&products.size=0",
    "products.page=-1&products.size=100000",
    "products.page=99999999999999999999999999",
    "products.sort=nope&products.sort=-",
    "products.sort=price%3B%20DROP%20TABLE%20product",
    "products.regular_price.min=NaN&products.regular_price.max=1e400",
    "products.department_number.min=9223372036854775808",
    "products.active.is=maybe&products.department.in=Meat",
    # Control characters that can be stored (DEL, NEL) are the grid's to clean; those that
    # cannot (NUL) are refused before any view (tests/functional/test_bad_input.py).
    "products.description.q=%7F%C2%85&products.description.match=regex",
    "products.description.q=%ff%fe",
    "products.upc.q=%27%20OR%201%3D1%20--",
    "products.cols=nope&products.cols=",
    "products.on_hand.min=5",
    "settings.changed_at.from=2024-02-30&settings.changed_at.to=tomorrow",
    "products..q=x&.page=2&products.=1",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_parameters_are_ignored_never_an_error(
    app: webtest.TestApp, store: Store, query: str
) -> None:
    login(app, "olive")
    page = app.get(f"{store.url}?{query}")
    assert page.status_int == 200
    assert summary(page)
    for action in ("rows", "csv", "xlsx"):
        response = app.get(f"{store.action(action)}?{query}", headers={"HX-Request": "true"})
        assert response.status_int == 200, action


def test_htmx_gets_the_fragment_and_pushes_the_step_pages_url(
    app: webtest.TestApp, store: Store
) -> None:
    login(app, "olive")
    query = (
        "settings.page=2&products.page=2&products.size=50&products.upc.match=contains"
        "&products.upc.q=&products.active.is=yes"
    )
    fragment = app.get(f"{store.action('rows')}?{query}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert fragment.pyquery("table.grid-table")
    assert fragment.pyquery("form[data-testid=grid-filters]")
    assert summary_text(fragment) == "51\u201380 of 80"
    # Only what differs from the defaults, with the other grid's state kept.
    pushed = fragment.headers["HX-Push-Url"]
    assert pushed.startswith(store.url + "?")
    assert query_of(pushed) == [
        ("settings.page", "2"),
        ("products.page", "2"),
        ("products.active.is", "yes"),
    ]
    assert "HX-Request" in fragment.headers["Vary"]
    # Without htmx (a bookmarked fragment URL) the same state as a whole page.
    plain = app.get(f"{store.action('rows')}?{query}", status=303)
    assert plain.location.endswith(pushed)
    page = plain.follow()
    assert "<html" in page.text
    assert summary(page) == "51\u201380 of 80"


def summary_text(fragment: Any) -> str:
    return fragment.pyquery("[data-testid=grid-summary]").text()


def test_two_grids_on_a_page_keep_each_others_state(app: webtest.TestApp, store: Store) -> None:
    login(app, "olive")
    page = app.get(store.url, {"products.page": "2", "settings.page": "2"})
    assert store.numbers(page) == list(range(51, 101))
    assert summary(page, "settings") == "11\u201312 of 12"
    products_next = page.pyquery('#grid-products a[rel="next"]').attr("href")
    assert ("settings.page", "2") in query_of(products_next)
    assert ("products.page", "3") in query_of(products_next)
    hidden = {
        (field.get("name"), field.get("value"))
        for field in page.pyquery(
            '#grid-settings form[data-testid=grid-filters] input[type="hidden"]'
        )
    }
    assert ("products.page", "2") in hidden


def test_the_column_chooser_is_kept_in_the_url(app: webtest.TestApp, store: Store) -> None:
    login(app, "olive")
    page = app.get(
        store.url,
        [
            ("products.cols", "regular_price"),
            ("products.cols", "upc"),
            ("products.cols", "margin_percent"),
        ],
    )
    headers = [th.get("data-column") for th in page.pyquery("#grid-products thead th")]
    assert headers == ["upc", "regular_price", "margin_percent"]
    checked = [
        box.get("value")
        for box in page.pyquery("#grid-products input[name='products.cols'][checked]")
    ]
    assert checked == headers
    sort_link = page.pyquery('#grid-products th[data-column="upc"] a').attr("href")
    assert ("products.cols", "upc,regular_price,margin_percent") in query_of(sort_link)
    csv_link = page.pyquery("#grid-products [data-testid=grid-csv]").attr("href")
    rows = read_csv(app.get(csv_link))
    assert rows[0] == ["UPC", "Price", "Margin %"]
    assert rows[5] == ["00000000000005", "1.25", "20.00"]


def test_csv_has_every_filtered_sorted_row_and_neutralized_formulas(
    app: webtest.TestApp, store: Store, dbsession: Session
) -> None:
    product = dbsession.get(Product, store.ids[117])
    assert product is not None
    product.brand = '=HYPERLINK("http://evil.example","x")'
    product.on_hand = Decimal("-2.5")
    dbsession.commit()
    login(app, "olive")
    page = app.get(
        store.url, {"products.active.is": "no", "products.sort": "-on_hand", "products.page": "2"}
    )
    link = page.pyquery("#grid-products [data-testid=grid-csv]").attr("href")
    assert ("products.page", "2") not in query_of(link)
    response = app.get(link)
    assert response.content_type == "text/csv"
    assert response.charset.lower() == "utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="products.csv"')
    rows = read_csv(response)
    assert rows[0] == ["UPC", "Description", "Brand", "Department", "Price", "On hand", "Active"]
    wanted = sorted((n for n in range(3, COUNT + 1, 3)), key=lambda n: -n if n != 117 else 10**6)
    assert [int(row[0]) for row in rows[1:]] == wanted  # all 40, not one page of them
    by_number = {int(row[0]): row for row in rows[1:]}
    assert by_number[117][2] == '\'=HYPERLINK("http://evil.example","x")'
    assert by_number[117][5] == "-2.500"  # a negative number stays a number
    assert by_number[120][4] == ""  # no price
    assert by_number[111][3:] == ["Produce", "27.75", "111.000", "No"]


def test_xlsx_has_every_filtered_row_with_types(app: webtest.TestApp, store: Store) -> None:
    login(app, "olive")
    response = app.get(
        store.action("xlsx"),
        {
            "products.department.in": "Bakery",
            "products.sort": "-regular_price",
            "products.cols": "upc,regular_price,active",
        },
    )
    assert response.content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="products.xlsx"'
    )
    assert response.content_length == len(response.body)
    book = openpyxl.load_workbook(io.BytesIO(response.body), read_only=True)
    try:
        rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()
    assert rows[0] == ["UPC", "Price", "Active"]
    bakery = [n for n in range(1, COUNT + 1) if department_of(n) == "Bakery"]
    assert len(rows) == len(bakery) + 1
    assert {row[0] for row in rows[1:]} == {f"{n:014d}" for n in bakery}
    assert rows[1] == ["00000000000117", 29.25, False]


# --- editing ---------------------------------------------------------------------------


# Editing pages show ten rows: webob spools a form body over 10 KB to a temporary file
# that only the garbage collector closes, which a strict test run reports.
TEN = {"products.size": "10"}


def edit_form(page: Any) -> webtest.forms.Form:
    return page.forms["grid-products-edit"]


def cell(store: Store, n: int, column: str) -> str:
    return f"products.edit.{column}.{store.ids[n]}"


def stored(dbsession: Session, store: Store, n: int) -> Product:
    dbsession.expire_all()
    product = dbsession.scalar(select(Product).where(Product.id == store.ids[n]))
    assert product is not None
    return product


def test_a_good_edit_is_saved(app: webtest.TestApp, store: Store, dbsession: Session) -> None:
    login(app, "olive")
    page = app.get(store.url, {"products.sort": "on_hand", **TEN})
    form = edit_form(page)
    form[cell(store, 3, "regular_price")] = "3.5"
    form[cell(store, 3, "active")] = "yes"
    form[cell(store, 4, "brand")] = "Zed"
    response = form.submit(status=303)
    assert ("products.sort", "on_hand") in query_of(response.location)
    assert "Saved 2 rows." in response.follow().text
    assert (stored(dbsession, store, 3).regular_price, stored(dbsession, store, 3).active) == (
        Decimal("3.50"),
        True,
    )
    assert stored(dbsession, store, 4).brand == "Zed"
    assert stored(dbsession, store, 5).brand == "Acme", "rows not changed are not touched"


def test_a_bad_value_saves_nothing_of_its_row_and_says_why(
    app: webtest.TestApp, store: Store, dbsession: Session
) -> None:
    login(app, "olive")
    form = edit_form(app.get(store.url, TEN))
    form[cell(store, 1, "regular_price")] = "abc"
    form[cell(store, 1, "description")] = "Renamed"
    form[cell(store, 2, "regular_price")] = "1.234"
    form[cell(store, 6, "description")] = "REFUSE me"  # the task refuses it, after writing
    form[cell(store, 8, "brand")] = "Kept"
    # Without htmx: back to the step page (a GET, at the grid's page), which shows why.
    response = refused(form.submit(status=303), store.url)
    assert ("products.size", "10") in query_of(response.request.url)
    # A bad value's message is next to its cell; a row the task refused says why under it.
    cell_errors = {
        (store.number[int(div.get("data-key"))], div.get("data-column")): div.text
        for div in response.pyquery("[data-testid=cell-error]")
    }
    assert cell_errors == {
        (1, "regular_price"): "Enter a number.",
        (2, "regular_price"): "Use at most 2 decimal places.",
    }
    errors = {
        store.number[int(td.get("data-key"))]: td.text
        for td in response.pyquery("[data-testid=row-error]")
    }
    assert errors == {6: "Descriptions may not start with REFUSE."}
    assert "1 other row saved" in response.pyquery("[data-testid=grid-message]").text()
    # What the operator typed is still there, marked.
    price = response.pyquery(f'input[name="{cell(store, 1, "regular_price")}"]')
    assert (price.attr("value"), "is-invalid" in price.attr("class")) == ("abc", True)
    message = response.pyquery(f'[id="{price.attr("aria-describedby")}"]')
    assert message.text() == "Enter a number."
    # Reload: the page as it is, the messages shown once.
    again = app.get(response.request.path_qs)
    assert not again.pyquery(
        "[data-testid=row-error], [data-testid=cell-error], [data-testid=grid-message]"
    )
    price = again.pyquery(f'input[name="{cell(store, 1, "regular_price")}"]')
    assert price.attr("value") == str(price_of(1))
    assert stored(dbsession, store, 1).description == "Item 001"
    assert stored(dbsession, store, 2).regular_price == price_of(2)
    assert stored(dbsession, store, 6).description == "Item 006"
    assert stored(dbsession, store, 8).brand == "Kept"


def test_htmx_edits_get_the_fragment(
    app: webtest.TestApp, store: Store, dbsession: Session
) -> None:
    login(app, "olive")
    form = edit_form(app.get(store.url, TEN))
    form[cell(store, 9, "regular_price")] = "-1"
    bad = form.submit(headers={"HX-Request": "true"}, status=422)
    assert "<html" not in bad.text
    assert bad.pyquery("[data-testid=row-error]").text() == "A price cannot be negative."
    form[cell(store, 9, "regular_price")] = "9.99"
    good = form.submit(headers={"HX-Request": "true"}, status=200)
    assert good.pyquery("[data-testid=grid-message]").text() == "Saved 1 row."
    assert good.pyquery(f'input[name="{cell(store, 9, "regular_price")}"]').attr("value") == "9.99"
    assert stored(dbsession, store, 9).regular_price == Decimal("9.99")


def test_a_row_changed_by_someone_else_meanwhile_is_not_overwritten(
    app: webtest.TestApp, store: Store, dbsession: Session
) -> None:
    login(app, "olive")
    form = edit_form(app.get(store.url, TEN))
    product = stored(dbsession, store, 7)
    product.regular_price = Decimal("7.00")
    dbsession.commit()
    form[cell(store, 7, "regular_price")] = "8.00"
    response = refused(form.submit(status=303), store.url)
    assert "Changed by someone else" in response.pyquery("[data-testid=cell-error]").text()
    assert stored(dbsession, store, 7).regular_price == Decimal("7.00")


def test_nothing_changed_saves_nothing(app: webtest.TestApp, store: Store) -> None:
    login(app, "olive")
    response = edit_form(app.get(store.url, TEN)).submit(status=303)
    assert "Nothing changed." in response.follow().text


def test_a_viewer_sees_no_inputs_and_may_not_edit(
    app: webtest.TestApp, store: Store, dbsession: Session
) -> None:
    login(app, "vic")
    page = app.get(store.url)
    assert store.numbers(page) == list(range(1, 51))
    assert "grid-products-edit" not in page.forms
    assert not page.pyquery("#grid-products tbody input")
    token = page.pyquery('input[name="csrf_token"]').attr("value")
    app.post(
        store.action("edit"),
        {
            "csrf_token": token,
            cell(store, 1, "brand"): "Hacked",
            f"products.was.brand.{store.ids[1]}": "Acme",
        },
        status=403,
    )
    assert stored(dbsession, store, 1).brand == "Acme"
    # Reading and downloading are for viewers too.
    assert read_csv(app.get(store.action("csv")))[1][0] == "00000000000001"


def test_a_non_member_gets_404_for_every_grid_url(app: webtest.TestApp, store: Store) -> None:
    login(app, "sam")
    token = app.get("/").pyquery('input[name="csrf_token"]').attr("value")
    app.get(store.url, status=404)
    for action in ("rows", "csv", "xlsx"):
        app.get(store.action(action), headers={"HX-Request": "true"}, status=404)
        app.get(store.action(action, "settings"), status=404)
    app.post(store.action("edit"), {"csrf_token": token}, status=404)


def test_unknown_grid_actions_and_wrong_methods(app: webtest.TestApp, store: Store) -> None:
    login(app, "olive")
    app.get(store.action("nope"), status=404)
    app.get(store.action("edit"), status=405)
    token = app.get(store.url).pyquery('input[name="csrf_token"]').attr("value")
    app.post(store.action("edit", "settings"), {"csrf_token": token}, status=404)
    app.post(store.action("edit"), {"csrf_token": "wrong"}, status=400)
