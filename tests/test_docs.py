"""The example in docs/apps.md is the tested Notes sample, word for word, in at most 80
lines, and registers; the docs name files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyramid import testing

from poser.apps.framework.registry import registered_applications
from tests.notes_sample.tables import NOTES

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "apps.md"
SAMPLE = ("tests/notes_sample/tables.py", "tests/notes_sample/app.py")


def test_the_apps_example_is_the_notes_sample_in_at_most_80_lines() -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r'```python title="([^"]+)"\n(.*?)```', text, re.DOTALL)
    assert [path for path, _ in blocks] == list(SAMPLE)
    for path, code in blocks:
        assert code == (ROOT / path).read_text(encoding="utf-8"), f"docs/apps.md and {path} differ"
    assert sum(len(code.splitlines()) for _, code in blocks) <= 80
    assert text.count("```python") == len(SAMPLE)  # no other example, untested


def test_the_notes_sample_registers_its_step_and_its_data() -> None:
    with testing.testConfig() as config:
        config.include("poser.apps.framework")
        config.include("tests.notes_sample.app")
        config.commit()
        (app,) = registered_applications(config.registry)
    assert (app.url_name, app.data) == ("notes", NOTES)
    assert [type(w).__name__ for step in app.steps for w in step.widgets] == ["Grid"]


@pytest.mark.parametrize("name", ["architecture.md", "apps.md", "batches.md"])
def test_the_docs_name_files_that_exist(name: str) -> None:
    named = re.findall(r"`((?:poser|tests)/[\w/]+(?:\.py)?)`", (ROOT / "docs" / name).read_text())
    assert len(named) >= 6
    for path in named:
        assert (ROOT / path).exists(), path
