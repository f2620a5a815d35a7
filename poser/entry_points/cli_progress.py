"""A terminal progress bar: the Progress that CLI commands hand to tasks."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

from poser.utils.progress import percent


class TerminalProgress:
    """One line on stderr, redrawn at most ten times a second while a task works, with
    the task's log lines written above it; gone once the command closes it, so what
    stays on the screen is the log.

    The line is drawn only on a terminal (``live``): to a file or a pipe, where each
    redraw would stay as a run of carriage returns, only the log lines are written.
    """

    def __init__(
        self,
        label: str,
        stream: TextIO | None = None,
        interval: float = 0.1,
        live: bool | None = None,
    ) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.interval = interval
        self.live = self.stream.isatty() if live is None else live
        self._last = float("-inf")
        self._line = ""

    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        if not self.live:
            return
        now = time.monotonic()
        finished = total is not None and done >= total
        if not finished and now - self._last < self.interval:
            return
        self._last = now
        self._draw(self.text(done, total, message))

    def text(self, done: float, total: float | None, message: str | None) -> str:
        """The line for ``done`` of ``total``: a bar and its percent when the total is
        known; else the message, which says how far in its own words, or the count."""
        share = percent(done, total)
        if share is None:
            return f"{self.label}: {message or f'{done:,.0f} done'}"
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - 50))
        filled = round(width * share / 100)
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {share:5.1f}%"
        return f"{self.label} {bar} {message or ''}".rstrip()

    def log(self, line: str) -> None:
        self._clear()
        self.stream.write(f"{line}\n")
        self._draw(self._line)

    def close(self) -> None:
        self._clear()
        self._line = ""
        self.stream.flush()

    def _draw(self, line: str) -> None:
        self._clear()
        self._line = line
        self.stream.write(line)
        self.stream.flush()

    def _clear(self) -> None:
        if self._line:
            self.stream.write("\r" + " " * len(self._line) + "\r")
