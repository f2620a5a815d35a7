"""The progress protocol: what a long task calls to say how far it is.

Tasks take ``progress: Progress | None = None`` and never know whether a web page,
a terminal bar or nothing at all is listening.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        """``done`` of ``total`` units finished (total None: unknown). May raise to stop."""

    def log(self, line: str) -> None:
        """One line for the job's log."""


class NullProgress:
    """For callers that do not watch."""

    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        return None

    def log(self, line: str) -> None:
        return None


def percent(done: float, total: float | None) -> float | None:
    if not total or total <= 0:
        return None
    return max(0.0, min(100.0, 100.0 * done / total))
