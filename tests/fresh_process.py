"""What a fresh Python process does: a test of what importing a module brings with it
(or what loading the entry points registers) cannot run in the test process, which has
imported most of Poser already."""

from __future__ import annotations

import subprocess
import sys


def printed_by(script: str) -> str:
    """What ``script`` prints when a new interpreter runs it (it must not fail)."""
    return subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout.strip()
