"""A terminal progress bar: the Progress that CLI commands hand to tasks."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

from poser.utils.progress import percent


class TerminalProgress:
    """Redraws one line on stderr at most ten times a second; log lines go above it."""

    def __init__(self, label: str, stream: TextIO | None = None, interval: float = 0.1) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last = float("-inf")
        self._line = ""

    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        now = time.monotonic()
        finished = total is not None and done >= total
        if not finished and now - self._last < self.interval:
            return
        self._last = now
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - 50))
        share = percent(done, total)
        if share is None:
            bar = f"{done:,.0f} done"
        else:
            filled = round(width * share / 100)
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {share:5.1f}%"
        self._draw(f"{self.label} {bar} {message or ''}".rstrip())

    def log(self, line: str) -> None:
        self._clear()
        self.stream.write(f"{line}\n")
        self._draw(self._line)

    def close(self) -> None:
        if self._line:
            self.stream.write("\n")
            self.stream.flush()
            self._line = ""

    def _draw(self, line: str) -> None:
        self._clear()
        self._line = line
        self.stream.write(line)
        self.stream.flush()

    def _clear(self) -> None:
        if self._line:
            self.stream.write("\r" + " " * len(self._line) + "\r")
