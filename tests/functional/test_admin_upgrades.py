"""The upgrade pages: an admin reads the list and an upgrade's record (status, who,
when, how long, the package diff, the migrations, its output, followed while it
runs); operators get a 403, anonymous users the login page; no page runs anything."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from poser.models.orm import Upgrade
from poser.tasks.upgrades import UpgradePlan, run_upgrade
from poser.tasks.upgrades.packages import write_snapshot
from poser.utils.timeutil import utcnow
from tests.factories import make_user
from tests.functional.conftest import login


@pytest.fixture
def upgrades_dir(settings: dict[str, Any]) -> Iterator[Path]:
    folder = Path(settings["poser.appdir"]) / "data" / "upgrades"
    yield folder
    for entry in folder.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)


def _recorded(dbsession: Session, upgrades_dir: Path, **values: Any) -> Upgrade:
    """An upgrade's row and folder as `poser upgrade run` leaves them."""
    upgrade = Upgrade(
        **{
            "note": "", "status": "succeeded", "run_by": "ada", "host": "shop-server",
            "pid": 1, "command": "{python} -m pip install --upgrade poser",
            "migrations": [], "started_at": utcnow() - timedelta(minutes=3),
            **values,
        }
    )  # fmt: skip
    dbsession.add(upgrade)
    dbsession.commit()
    folder = upgrades_dir / str(upgrade.id)
    folder.mkdir(parents=True)
    return upgrade


def test_an_admin_reads_what_an_upgrade_changed(
    testapp: Any, dbsession: Session, upgrades_dir: Path
) -> None:
    make_user(dbsession, "ada", role="admin")
    upgrade = _recorded(
        dbsession, upgrades_dir, note="December release", revision_before="0018",
        revision_after="0019", exit_code=0, finished_at=utcnow(),
        migrations=[{"revision": "0019", "title": "upgrade: the record of each upgrade"}],
    )  # fmt: skip
    folder = upgrades_dir / str(upgrade.id)
    write_snapshot(folder / "packages-before.txt", {"poser": "0.1.0", "huey": "2.5.0", "old": "1"})
    write_snapshot(folder / "packages-after.txt", {"poser": "0.2.0", "huey": "2.5.0", "new": "2"})
    (folder / "stdout.log").write_text("Successfully installed poser-0.2.0\n")
    login(testapp, "ada")

    listed = testapp.get("/admin/upgrades")
    row = listed.pyquery("[data-testid=upgrades-table] tbody tr").eq(0).text()
    for words in ("Done", "ada", "0018 → 0019", "December release", "3 minutes"):
        assert words in row
    assert "Administration" in listed.pyquery("nav.navbar").text()

    page = testapp.get(f"/admin/upgrades/{upgrade.id}")
    assert page.pyquery("[data-testid=upgrade-status]").text() == "Done"
    rows = page.pyquery("[data-testid=upgrade-packages] tbody tr").items()
    packages = [" ".join(tr.text().split()) for tr in rows]
    assert packages == ["poser Changed 0.1.0 0.2.0", "new Added 2", "old Removed 1"]
    migrations = page.pyquery("[data-testid=upgrade-migrations]").text()
    assert migrations == "0019: upgrade: the record of each upgrade"
    assert "Successfully installed" in page.pyquery("[data-testid=upgrade-stdout]").text()
    assert page.pyquery("[data-testid=upgrade-stderr]").text() == "Nothing."
    assert "hx-get" not in page.pyquery("#upgrade-record").outer_html()
    # Nothing here takes a POST: no page runs a command.
    assert not page.forms or all(f.action.endswith("/logout") for f in page.forms.values())
    testapp.post(f"/admin/upgrades/{upgrade.id}", status=404)


def test_a_running_upgrade_is_followed_as_it_writes(
    testapp: Any, dbsession: Session, upgrades_dir: Path
) -> None:
    make_user(dbsession, "ada", role="admin")
    upgrade = _recorded(dbsession, upgrades_dir, status="running", revision_before="0019")
    folder = upgrades_dir / str(upgrade.id)
    write_snapshot(folder / "packages-before.txt", {"poser": "0.1.0"})
    (folder / "stdout.log").write_text("Collecting poser\n")
    login(testapp, "ada")

    page = testapp.get(f"/admin/upgrades/{upgrade.id}")
    section = page.pyquery("#upgrade-record")
    assert section.attr("hx-get") == f"/admin/upgrades/{upgrade.id}/progress"
    assert "Running for" in section.text()
    assert "Compared when the upgrade ends." in section.text()

    with (folder / "stdout.log").open("a") as log:
        log.write("Downloading poser-0.2.0.tar.gz\n")
    live = testapp.get(f"/admin/upgrades/{upgrade.id}/progress")
    assert "Downloading poser-0.2.0" in live.pyquery("[data-testid=upgrade-stdout]").text()
    assert live.pyquery("#upgrade-record").attr("hx-get")


def test_a_real_upgrade_run_shows_on_its_page(
    testapp: Any,
    dbsession: Session,
    session_factory: Any,
    engine: Any,
    upgrades_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The command installs a package (a dist-info in a folder on the path): the page
    names exactly that change."""
    make_user(dbsession, "ada", role="admin")
    packages = tmp_path / "site-packages"
    packages.mkdir()
    monkeypatch.syspath_prepend(str(packages))
    script = (
        "import pathlib, sys; info = pathlib.Path(sys.argv[1]) / 'poser_extra-1.2.dist-info';"
        " info.mkdir(); (info / 'METADATA').write_text('Name: poser-extra\\nVersion: 1.2\\n');"
        " print('installed poser-extra 1.2')"
    )
    plan = UpgradePlan([sys.executable, "-c", script, str(packages)], None, "{python} -c ...")
    upgrade = run_upgrade(session_factory, engine, plan, upgrades_dir, run_by="root", note="n")
    login(testapp, "ada")
    page = testapp.get(f"/admin/upgrades/{upgrade.id}")
    assert page.pyquery("[data-testid=upgrade-status]").text() == "Done"
    rows = page.pyquery("[data-testid=upgrade-packages] tbody tr").items()
    assert [" ".join(tr.text().split()) for tr in rows] == ["poser-extra Added 1.2"]
    assert page.pyquery("[data-testid=upgrade-stdout]").text().endswith("installed poser-extra 1.2")


def test_upgrade_pages_are_admins_only(
    testapp: Any, dbsession: Session, upgrades_dir: Path
) -> None:
    upgrade = _recorded(dbsession, upgrades_dir)
    pages = ["/admin/upgrades", f"/admin/upgrades/{upgrade.id}"]
    pages.append(f"/admin/upgrades/{upgrade.id}/progress")
    for path in pages:
        assert testapp.get(path, status=303).location.split("?")[0].endswith("/login")
    make_user(dbsession, "olga")
    login(testapp, "olga")
    for path in pages:
        testapp.get(path, status=403)
    assert "Administration" not in testapp.get("/jobs").pyquery("nav.navbar").text()


def test_an_unknown_upgrade_is_not_found(testapp: Any, dbsession: Session) -> None:
    make_user(dbsession, "ada", role="admin")
    login(testapp, "ada")
    testapp.get("/admin/upgrades/999", status=404)
    testapp.get("/admin/upgrades/abc", status=404)
