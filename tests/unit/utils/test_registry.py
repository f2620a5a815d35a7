"""Registries: one thing per name, and the modules of an entry point group imported at
the first look-up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from poser.utils.registry import DuplicateNameError, Registry, group_entry_points, load_group


def fake_distribution(folder: Path, name: str, groups: dict[str, dict[str, str]]) -> None:
    """An installed distribution as importlib.metadata finds one on sys.path."""
    info = folder / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items())
            for group, entries in groups.items()
        )
    )


def test_a_name_is_registered_once() -> None:
    colours: Registry[str] = Registry("colour")
    red = "#f00"
    assert colours.add("red", red) is red
    assert colours.add("red", red) is red  # its module imported twice: no harm
    with pytest.raises(DuplicateNameError, match="a colour named 'red' is registered already"):
        colours.add("red", "#e00")
    assert colours.get("red") == "#f00"
    assert colours.names() == ["red"]
    assert list(colours) == ["#f00"]
    assert "red" in colours
    assert "blue" not in colours


def test_an_unknown_name_raises_the_registrys_own_error() -> None:
    plain: Registry[int] = Registry("number")
    with pytest.raises(LookupError, match="no number named 'seven'"):
        plain.get("seven")
    assert plain.find("seven") is None
    own: Registry[int] = Registry("number", missing=lambda name: KeyError(f"{name}?"))
    with pytest.raises(KeyError, match="seven"):
        own.get("seven")
    taken: Registry[int] = Registry("number", taken=lambda name: f"{name} is spoken for")
    taken.add("one", 1)
    with pytest.raises(DuplicateNameError, match="one is spoken for"):
        taken.add("one", 2)


def test_the_first_look_up_imports_the_modules_of_the_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = "poser.test_registry_group"
    (tmp_path / "registry_plugin.py").write_text(
        "from tests.unit.utils.test_registry import SHAPES\nSHAPES.add('square', 4)\n"
    )
    fake_distribution(tmp_path, "registry_plugin", {group: {"square": "registry_plugin"}})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "registry_plugin", raising=False)
    SHAPES.group = group
    assert list(group_entry_points(group)) == ["square"]
    assert "registry_plugin" not in sys.modules  # not before someone looks
    assert SHAPES.get("square") == 4
    assert "registry_plugin" in sys.modules
    assert load_group(group) == []  # once a process


def test_a_group_that_fails_to_load_fails_again_at_the_next_look_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = "poser.test_registry_broken"
    (tmp_path / "registry_broken.py").write_text("raise RuntimeError('half-installed')\n")
    fake_distribution(tmp_path, "registry_broken", {group: {"broken": "registry_broken"}})
    monkeypatch.syspath_prepend(str(tmp_path))
    broken: Registry[int] = Registry("thing", group)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="half-installed"):
            broken.find("anything")


def test_two_packages_giving_one_name_to_two_modules_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = "poser.test_registry_clash"
    fake_distribution(tmp_path, "first_plugin", {group: {"same": "first_plugin.tasks"}})
    fake_distribution(tmp_path, "second_plugin", {group: {"same": "second_plugin.tasks"}})
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(DuplicateNameError, match=r"'same' names both 'first_plugin\.tasks'"):
        group_entry_points(group)


#: What the fake distribution's module registers into (it imports this test module).
SHAPES: Registry[int] = Registry("shape")
