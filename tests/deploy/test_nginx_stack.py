"""Poser as docs/deploy.md deploys it, for real: nginx (docs/deploy/nginx-poser.conf, TLS
on a loopback port) in front of two waitress processes (production.ini), a worker and a
scheduler, on PostgreSQL, Redis (sessions and the queue) and S3 (moto's server).

An operator logs in through one web process and goes on through the other, creates a
data set, uploads a vendor catalog, has the worker read and apply it, and downloads the
change report from S3 through a presigned link; then one web process is killed and the
operator carries on through the other. On the way: the app sees the scheme and host that
nginx forwards, X-Forwarded-* headers sent to waitress directly are ignored, and static
files come from nginx with long cache lifetimes.

Runs in `make test` (CI installs nginx); skipped, saying why, without nginx, PostgreSQL
or Redis.
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests
import webtest
from pyquery import PyQuery

from poser.models.engine import get_engine, get_session_factory
from tests.database_support import postgres_database
from tests.deploy import deployment
from tests.deploy import stack as deploy
from tests.deploy.client import direct, through
from tests.factories import make_user
from tests.worker_support import REDIS_URL

pytestmark = pytest.mark.deploy

POSTGRES_URL = os.environ.get(
    "POSER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: A Redis database of the deployment test's own, emptied before and after.
REDIS_DB = 13
PASSWORD = "deploy test password"
CATALOG = deploy.ROOT / "poser" / "data" / "sample_vendor_catalog.csv"
#: A bound on waiting for a job (the worker may share a busy machine), not a speed.
JOB_SECONDS = 120


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    server = urlsplit(REDIS_URL)
    redis_url = f"redis://{server.hostname or '127.0.0.1'}:{server.port or 6379}/{REDIS_DB}"
    try:
        postgres = deployment.postgres_server(POSTGRES_URL)
        name = f"poser_deploy_{os.getpid()}_{secrets.token_hex(3)}"
        with (
            postgres_database(postgres, name) as url,
            deployment.deployed(
                tmp_path, database_url=url, web_processes=2, redis_url=redis_url, s3=True
            ) as running,
        ):
            try:
                # An operator, as docs/deploy.md makes the first admin.
                engine = get_engine({"sqlalchemy.url": url})
                try:
                    with get_session_factory(engine)() as session:
                        make_user(session, "olga", password=PASSWORD)
                finally:
                    engine.dispose()
                yield {
                    "base": running.base,
                    "http_port": running.http_port,
                    "ca": running.ca,
                    "webs": running.webs,
                    "web_ports": running.web_ports,
                    "moto": running.moto,
                    "scheduler": running.scheduler,
                    "processes": running.processes,
                }
            finally:
                print(running.processes.logs())  # shown when the test fails
    except deployment.UnavailableError as missing:
        pytest.skip(str(missing))


def served_by(response: webtest.TestResponse) -> str:
    """The web process that answered; after one that failed, nginx names both."""
    return str(response.headers["X-Test-Upstream"]).split(", ")[-1]


def log_in(browser: webtest.TestApp) -> webtest.TestResponse:
    form = browser.get("/login").forms["deform"]
    form["username"] = "olga"
    form["password"] = PASSWORD
    return form.submit("submit", status=303)


def until(browser: webtest.TestApp, url: str, selector: str, attribute: str, done: set[str]) -> Any:
    """The page at ``url`` once its ``selector`` has an ``attribute`` in ``done``."""
    last: list[webtest.TestResponse] = []

    def reached() -> Any:
        page = browser.get(url)
        last[:] = [page]
        found = page.pyquery(selector)
        return page if found and found.attr(attribute) in done else None

    def what() -> str:
        shown = last[0].pyquery("main").text() if last else ""
        return f"{selector} on {url}; the page said:\n{shown[:1500]}"

    return deploy.wait_for(reached, what, JOB_SECONDS)


def form_to(page: webtest.TestResponse, marker: str) -> webtest.Form:
    return next(form for form in page.forms.values() if marker in (form.action or ""))


def test_an_operator_works_through_nginx_across_two_web_processes(site: dict[str, Any]) -> None:
    browser = through(site["base"], site["ca"])
    webs = site["webs"]

    # Plain HTTP is sent to HTTPS.
    plain = requests.get(
        f"http://127.0.0.1:{site['http_port']}/login", allow_redirects=False, timeout=10
    )
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")

    # Logged in through one web process, the operator goes on through the other: the
    # session is on Redis. nginx takes turns, and says which process answered.
    logged_in = log_in(browser)
    first = served_by(logged_in)
    assert first in webs
    home = deploy.wait_for(
        lambda: (page := browser.get("/")) and served_by(page) != first and page,
        lambda: "a page from the other web process",
        10,
    )
    assert home.pyquery("form[action='/logout']"), "the other process knows the session"
    assert home.headers["Strict-Transport-Security"], "the app sees https"

    # Static files come from nginx (no web process answered), kept a year: their URLs
    # name their content.
    css = home.pyquery("link[rel=stylesheet]").eq(0).attr("href")
    assert re.search(r"\?x=[0-9a-f]{12}$", css), css
    style = requests.get(site["base"] + css, verify=site["ca"], timeout=10)
    assert style.status_code == 200
    assert "X-Test-Upstream" not in style.headers
    assert "max-age=31536000" in style.headers["Cache-Control"]
    # The location nginx sends local downloads from is internal: no browser reaches it.
    hidden = requests.get(f"{site['base']}/_poser_files/", verify=site["ca"], timeout=10)
    assert hidden.status_code == 404
    assert "X-Test-Upstream" not in hidden.headers

    # The app sees https and the host nginx forwards: a form from this site passes the
    # CSRF origin check (every post below does), one from another site does not, and a
    # client's own X-Forwarded-* headers are replaced by nginx's.
    token = home.pyquery("form[action='/logout'] input[name=csrf_token]").attr("value")
    forged = browser.post(
        "/logout",
        {"csrf_token": token},
        headers={"Origin": "https://elsewhere.example"},
        status=400,
    )
    assert "Origin checking failed" in forged.text or forged.status_int == 400
    spoofed = browser.get(
        "/", headers={"X-Forwarded-Host": "elsewhere.example", "X-Forwarded-Proto": "http"}
    )
    assert spoofed.pyquery("form[action='/logout']")

    # X-Forwarded-* sent straight to waitress count only from nginx's address.
    _direct_headers_are_ignored(site["web_ports"][0])

    # A data set from the example, loaded by the worker.
    products = browser.get("/apps/products")
    example = next(form for form in products.forms.values() if "example" in form.fields)
    job_url = example.submit(status=303).location
    until(browser, job_url, "[data-testid=job-status]", "data-status", {"succeeded"})
    catalog_home = browser.get("/apps/catalog")
    data_set = re.search(r"/apps/catalog/data-sets/(\d+)", catalog_home.text)
    assert data_set, catalog_home.text
    steps = f"/apps/catalog/data-sets/{data_set.group(1)}/steps"

    # A vendor catalog, uploaded through nginx, read by the worker, applied.
    options = browser.get(f"{steps}/options").forms["parameters-options"]
    options["catalog_vendor"] = "GLNF"
    options["catalog_new_items"] = "add"
    options.submit("save", status=303)
    upload = form_to(browser.get(f"{steps}/upload"), "/file/upload")
    upload["file"] = webtest.Upload(str(CATALOG))
    upload.submit(status=303)
    review = until(
        browser,
        f"{steps}/review",
        "[data-testid=batch-status]",
        "data-status",
        {"populated", "failed"},
    )
    assert review.pyquery("[data-testid=batch-status]").attr("data-status") == "populated"
    apply = form_to(browser.get(f"{steps}/apply"), "/apply/run")
    for field in apply.fields.values():
        for box in field:
            if isinstance(box, webtest.forms.Checkbox):
                box.checked = True  # the operator confirms the flagged rows
    apply.submit(status=303)
    until(
        browser,
        f"{steps}/apply",
        "[data-widget=apply] [data-testid=job-status]",
        "data-status",
        {"succeeded"},
    )

    # The change report, written to S3 by the worker, is fetched from S3 through a
    # short-lived link once Poser has checked the operator may have it.
    report = deploy.wait_for(
        lambda: (
            (page := browser.get(f"{steps}/report")).pyquery("[data-testid=report-file]") and page
        ),
        lambda: "the change report's files",
        JOB_SECONDS,
    )
    csv_link = next(
        link.attrib["href"]
        for link in report.pyquery("[data-testid=report-file]")
        if link.attrib["href"].endswith(".csv")
    )
    redirect = browser.get(csv_link, status=302)
    assert redirect.location.startswith(site["moto"])
    fetched = requests.get(redirect.location, timeout=10)
    assert fetched.status_code == 200
    rows = list(csv.DictReader(io.StringIO(fetched.content.decode("utf-8-sig"))))
    assert rows
    assert {"UPC", "Status"} <= set(rows[0])
    assert "attachment" in fetched.headers["Content-Disposition"]

    # One web process dies mid-session: the operator carries on through the other,
    # reading and posting, without logging in again.
    last = browser.get(f"{steps}/report")
    victim = served_by(last)
    # Its form, shown by the victim (or the other) before the kill, is posted after it.
    # A post nginx could not hand to the dead process (connection refused: nothing was
    # sent) goes to the other one.
    form = browser.get(f"{steps}/options").forms["parameters-options"]
    webs[victim].kill()
    tried = []
    for _ in range(2):
        saved = form.submit("save", status=303)
        assert served_by(saved) != victim
        tried.append(saved.headers["X-Test-Upstream"])
    # nginx takes turns: the first post was the dead process's turn, and nginx says so.
    assert tried[0].startswith(f"{victim}, "), tried
    for _ in range(4):
        page = browser.get(f"{steps}/options")
        assert served_by(page) != victim
        assert page.pyquery("form[action='/logout']")
    assert site["scheduler"].alive(), "the scheduler runs all along"


def _direct_headers_are_ignored(port: int) -> None:
    """A login form posted straight to waitress claiming https from another site: from
    127.0.0.2 the claim is dropped (plain http: no origin to check, the login goes on);
    from 127.0.0.1, nginx's address, it is believed, and the origin check refuses it."""
    for source, expected in (("127.0.0.2", 303), ("127.0.0.1", 400)):
        status, headers, body = direct(
            port, "GET", "/login", source=source, headers={"X-Forwarded-Proto": "https"}
        )
        assert status == 200
        # Production marks https pages for HSTS: the claim counted from nginx's address.
        believed = "Strict-Transport-Security" in headers
        assert believed == (source == "127.0.0.1"), (source, dict(headers))
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        fields = {
            field.attrib["name"]: field.attrib.get("value", "")
            for field in PyQuery(body)("form#deform input[name]")
        }
        fields.update(username="olga", password=PASSWORD, submit="submit")
        status, _, _ = direct(
            port,
            "POST",
            "/login",
            source=source,
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "elsewhere.example",
                "Origin": "https://attacker.example",
            },
            body=urlencode(fields).encode(),
        )
        assert status == expected, (source, status)
