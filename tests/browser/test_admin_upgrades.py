"""An admin follows an upgrade in the browser: its output grows on the page while it
runs, and when it ends the page shows how it ended and what changed, then stops
asking. Each page is axe-checked (and photographed with POSER_SCREENSHOTS)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from poser.models.orm import Upgrade
from poser.tasks.upgrades.packages import write_snapshot
from poser.utils.timeutil import utcnow
from tests.browser.support import log_in
from tests.factories import make_user


@pytest.fixture
def upgrades_dir(settings: dict[str, Any]) -> Iterator[Path]:
    folder = Path(settings["poser.appdir"]) / "data" / "upgrades"
    yield folder
    for entry in folder.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)


def test_an_admin_follows_an_upgrade_to_its_end(
    page: Any, a11y: Any, dbsession: Session, upgrades_dir: Path
) -> None:
    make_user(dbsession, "ada", role="admin")
    earlier = Upgrade(
        note="November release", status="failed", run_by="root", host="shop-server", pid=1,
        command="{python} -m pip install --upgrade poser, then poser db upgrade head",
        exit_code=1, error="The upgrade command failed with exit code 1: see its output.",
        revision_before="0018", revision_after="0018", migrations=[],
        started_at=utcnow() - timedelta(days=30), finished_at=utcnow() - timedelta(days=30),
    )  # fmt: skip
    running = Upgrade(
        note="December release", status="running", run_by="root", host="shop-server", pid=1,
        command="{python} -m pip install --upgrade poser, then poser db upgrade head",
        revision_before="0018", migrations=[], started_at=utcnow() - timedelta(seconds=40),
    )  # fmt: skip
    dbsession.add_all([earlier, running])
    dbsession.commit()
    folder = upgrades_dir / str(running.id)
    folder.mkdir(parents=True)
    before = {"poser": "0.1.0", "huey": "2.5.0", "redis": "5.0.0", "six": "1.16.0"}
    write_snapshot(folder / "packages-before.txt", before)
    log = folder / "stdout.log"
    log.write_text("Collecting poser\n")
    (upgrades_dir / str(earlier.id)).mkdir()
    (upgrades_dir / str(earlier.id) / "stderr.log").write_text(
        "ERROR: No matching distribution found for poser\n"
    )

    log_in(page, "ada")
    page.click("nav >> text=Administration")
    page.click("nav[aria-label=Administration] >> text=Upgrades")
    page.wait_for_selector("[data-testid=upgrades-table]")
    assert "Stopped" not in page.inner_text("[data-testid=upgrades-table]")
    assert "Running" in page.inner_text("[data-testid=upgrades-table]")
    a11y.check("list")
    page.click(f"a[href='/admin/upgrades/{running.id}']")
    page.wait_for_selector("[data-testid=upgrade-status][data-status=running]")

    with log.open("a") as out:
        out.write("Downloading poser-0.2.0.tar.gz\nInstalling collected packages: poser\n")
    page.wait_for_selector("text=Installing collected packages", timeout=10000)
    a11y.check("running")

    write_snapshot(folder / "packages-after.txt", {**before, "poser": "0.2.0", "markdown": "3.5"})
    with log.open("a") as out:
        out.write("Successfully installed poser-0.2.0\n")
    dbsession.execute(
        update(Upgrade)
        .where(Upgrade.id == running.id)
        .values(
            status="succeeded", exit_code=0, finished_at=utcnow(), revision_after="0019",
            migrations=[{"revision": "0019", "title": "upgrade: the record of each upgrade"}],
        )
    )  # fmt: skip
    dbsession.commit()
    page.wait_for_selector("[data-testid=upgrade-status][data-status=succeeded]", timeout=10000)
    assert page.get_attribute("#upgrade-record", "hx-get") is None  # it stops asking
    packages = page.inner_text("[data-testid=upgrade-packages]")
    assert "0.1.0" in packages
    assert "0.2.0" in packages
    assert "Added" in packages
    assert "0019" in page.inner_text("[data-testid=upgrade-migrations]")
    a11y.check("finished")

    page.goto(f"/admin/upgrades/{earlier.id}")
    assert "No matching distribution" in page.inner_text("[data-testid=upgrade-stderr]")
    assert "failed with exit code 1" in page.inner_text("[data-testid=upgrade-error]")
