"""TerminalProgress: a redrawn line on a terminal, the log lines alone elsewhere."""

from __future__ import annotations

import io

import pytest

from poser.entry_points.cli_progress import TerminalProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def shown(written: str) -> list[str]:
    """What a terminal shows after ``written``: a carriage return goes back to the
    start of the line, and what follows overwrites what is there."""
    lines = []
    for part in written.split("\n"):
        line = ""
        for piece in part.split("\r"):
            line = piece + line[len(piece) :]
        lines.append(line.rstrip())
    return lines


def test_to_a_pipe_only_the_log_lines_are_written():
    stream = io.StringIO()
    progress = TerminalProgress("reading", stream=stream)
    progress.update(150, None, "150 lines read")
    progress.log("280 lines read")
    progress.update(280, 280)
    progress.close()
    assert stream.getvalue() == "280 lines read\n"


def test_on_a_terminal_the_line_shows_the_work_then_goes():
    stream = Terminal()
    progress = TerminalProgress("reading", stream=stream, interval=0)
    progress.update(150, None, "150 lines read")
    assert shown(stream.getvalue()) == ["reading: 150 lines read"]
    progress.update(280, None)
    assert shown(stream.getvalue()) == ["reading: 280 done"]
    progress.log("280 lines read")
    assert shown(stream.getvalue()) == ["280 lines read", "reading: 280 done"]
    progress.close()
    assert shown(stream.getvalue()) == ["280 lines read", ""]


def test_a_known_total_is_a_bar_with_its_percent():
    stream = Terminal()
    progress = TerminalProgress("applying", stream=stream, interval=0)
    progress.update(1, 4, "1 of 4 departments")
    line = shown(stream.getvalue())[0]
    assert line.startswith("applying [")
    assert line.endswith("]  25.0% 1 of 4 departments")
    bar = line[line.index("[") + 1 : line.index("]")]
    assert bar.count("#") * 3 == pytest.approx(bar.count("."), abs=3)


def test_updates_closer_than_the_interval_are_skipped_but_not_the_last():
    stream = Terminal()
    progress = TerminalProgress("exporting", stream=stream, interval=60)
    progress.update(1, 10)
    progress.update(5, 10)
    assert "50.0%" not in stream.getvalue()
    progress.update(10, 10)
    assert shown(stream.getvalue())[0].startswith("exporting [########")
    assert "100.0%" in stream.getvalue()
