"""The example in docs/apps.md runs, is under 60 lines, and registers its Application."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest
from pyramid import testing

from poser.apps.framework.registry import registered_applications

DOC = Path(__file__).resolve().parents[1] / "docs" / "apps.md"


def test_the_documented_application_declares_and_registers(monkeypatch: pytest.MonkeyPatch) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(code.strip().splitlines()) < 60
    # A real module, as if the example were a file: config.include looks modules up.
    module = types.ModuleType("docs_apps_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code, str(DOC), "exec"), module.__dict__)  # noqa: S102 - our own documentation
    with testing.testConfig() as config:
        config.include("poser.apps.framework")
        config.include(module.includeme)
        config.commit()
        (app,) = registered_applications(config.registry)
    assert app.url_name == "shelf"
    kinds = [type(w).__name__ for step in app.steps for w in step.widgets]
    assert kinds == ["ParameterForm", "Grid", "Chart", "ExecuteFunction"]


def test_the_batches_doc_names_files_that_exist() -> None:
    doc = DOC.with_name("batches.md").read_text(encoding="utf-8")
    root = DOC.parents[1]
    named = re.findall(r"`(poser/[\w/]+(?:\.py)?)`", doc)
    assert len(named) >= 6
    for path in named:
        assert (root / path).exists(), path
