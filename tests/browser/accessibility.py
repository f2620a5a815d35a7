"""Accessibility checks (axe-core, vendored under vendor/axe-core) and screenshots of
the pages a browser test visits.

``PageAudit`` watches a Playwright page: every page that finishes loading is checked
with axe-core, and a serious or critical violation (colour contrast included) fails
the test at its end. Parts of a page that htmx swaps in are checked where a test calls
``audit.check()``. Each checked page is also saved as full-page PNGs at 1366 and 1920
pixels wide, for people to look at: under build/screenshots/ (emptied when a run
starts; not committed), or in the folder POSER_SCREENSHOTS names; POSER_SCREENSHOTS=off
takes none.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
#: What fails a test: axe's two highest impacts.
FAILING_IMPACTS = ("serious", "critical")
SCREENSHOT_WIDTHS = (1366, 1920)
SCREENSHOT_HEIGHT = 900
RESIZE_SETTLE_MS = 250

# One run at a time (axe refuses a second): a check the load event starts and one a test
# asks for wait for each other.
_RUN_AXE = """async () => {
  const run = () => axe.run(document, {resultTypes: ['violations']});
  window.__poserAxe = (window.__poserAxe || Promise.resolve()).catch(() => null).then(run);
  const results = await window.__poserAxe;
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary),
  }));
}"""


def _gone(error: Exception) -> bool:
    """The page navigated (or closed) while it was being checked: the next one is."""
    text = str(error)
    return any(
        phrase in text
        for phrase in ("Execution context was destroyed", "Target closed", "has been closed",
                       "navigat", "Cannot find context")
    )  # fmt: skip


@dataclass
class PageAudit:
    page: Any
    test_name: str
    screenshots: Path | None = None
    violations: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    _shots: int = 0
    _busy: bool = False

    def attach(self) -> None:
        self.page.on("load", lambda _page: self._on_load())

    def _on_load(self) -> None:
        # Playwright runs a handler beside the test: a check already under way covers
        # the page (screenshots resize it, so two never run at once).
        if not self._busy:
            self.check()

    def check(self, label: str = "") -> None:
        """Run axe-core on the page as it is now (and take its screenshots)."""
        page = self.page
        while self._busy:  # a load event's check: let it finish
            page.wait_for_timeout(50)
        self._busy = True
        try:
            self._check(label)
        finally:
            self._busy = False

    def _check(self, label: str) -> None:
        page = self.page
        try:
            if not page.evaluate("typeof window.axe === 'object'"):
                page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
            found = page.evaluate(_RUN_AXE)
            url = page.url
        except Exception as error:
            if _gone(error):
                return
            raise
        self.checked.append(url)
        for violation in found:
            if violation["impact"] in FAILING_IMPACTS:
                nodes = "\n    ".join(violation["nodes"])
                self.violations.append(
                    f"{url} [{violation['impact']}] {violation['id']}: {violation['help']}\n"
                    f"    {nodes}"
                )
        if self.screenshots is not None:
            self._screenshot(label)

    def _screenshot(self, label: str) -> None:
        page = self.page
        self._shots += 1
        path = re.sub(r"[^A-Za-z0-9]+", "-", page.url.split("//", 1)[-1].split("/", 1)[-1])
        stem = f"{self.test_name}-{self._shots:02d}-{label or path}"[:150].strip("-")
        size = page.viewport_size
        try:
            for width in SCREENSHOT_WIDTHS:
                page.set_viewport_size({"width": width, "height": SCREENSHOT_HEIGHT})
                # What lays itself out again on a resize (Chart.js redraws its canvas
                # from a ResizeObserver, a frame later) is pictured at the new width.
                page.wait_for_timeout(RESIZE_SETTLE_MS)
                page.screenshot(path=str(self.screenshots / f"{stem}-{width}.png"), full_page=True)
        except Exception as error:
            if not _gone(error):
                raise
        finally:
            if size:
                page.set_viewport_size(size)


#: Where a run's screenshots go unless POSER_SCREENSHOTS says otherwise.
DEFAULT_SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def screenshot_folder() -> Path | None:
    folder = os.environ.get("POSER_SCREENSHOTS", str(DEFAULT_SCREENSHOTS))
    if folder.strip().lower() in ("", "off", "no", "0"):
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def empty_screenshot_folder() -> None:
    """The default folder holds one run's screenshots: a page no test visits any more
    is not left there to be taken for today's."""
    if screenshot_folder() == DEFAULT_SCREENSHOTS:
        shutil.rmtree(DEFAULT_SCREENSHOTS, ignore_errors=True)
