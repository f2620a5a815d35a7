from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.browser.support import log_in, running_worker
from tests.factories import make_data_set, make_user
from tests.worker_support import WorkerProcess


@pytest.fixture
def worker(settings: dict[str, Any], tmp_path: Path, live_server: str) -> Iterator[WorkerProcess]:
    """A worker that also knows the tests' sample jobs."""
    with running_worker(
        settings, tmp_path, **{"poser.job_modules": "tests.sample_jobs"}
    ) as process:
        yield process


def _progress(page: Any) -> float:
    value = page.get_attribute("[data-testid=job-progress]", "value")
    return float(value or 0)


def test_an_operator_watches_cancels_and_retries_a_long_job(
    page: Any, dbsession: Session, worker: WorkerProcess
) -> None:
    owner = make_user(dbsession, "ines")
    data_set = make_data_set(dbsession, "Corner Shop", members={owner: "owner"})
    log_in(page, "ines")

    page.goto(f"/sample/data-sets/{data_set.id}/start")
    page.click("text=Start a slow job")
    page.wait_for_selector("[data-testid=job-status][data-status=running]", timeout=20000)
    url = page.url
    # The panel refreshes itself (htmx): the bar moves without a reload.
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=job-progress]')?.value || 0) >= 10",
        timeout=20000,
    )
    first = _progress(page)
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-testid=job-progress]').value) > {first}",
        timeout=20000,
    )
    assert page.url == url

    page.click("button:has-text('Cancel')")
    page.wait_for_selector("[data-testid=job-status][data-status=cancelled]", timeout=20000)
    assert "Nothing this job did was saved" in page.inner_text("[data-testid=job-error]")

    page.click("button:has-text('Retry')")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=30000)
    assert "step 40" in page.inner_text("[data-testid=job-log]")
    assert page.inner_text("[data-testid=job-result]").split() == ["Steps", "40"]  # in words

    # The Jobs page filters by data set and status: the retried job is done, none waits.
    page.goto("/jobs")
    page.select_option("#data_set", label="Corner Shop")
    page.select_option("#status", label="Done")
    page.click("button:has-text('Filter')")
    page.wait_for_selector("[data-testid=jobs-table] tbody a")
    assert page.inner_text("[data-testid=jobs-table] tbody").count("Corner Shop") == 1
    page.select_option("#status", label="Waiting or running")
    page.click("button:has-text('Filter')")
    page.wait_for_selector("text=No jobs.")
