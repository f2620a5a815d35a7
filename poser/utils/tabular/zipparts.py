"""Which members of a workbook archive a reader inflates whole, found as the readers find
them.

openpyxl (read-only, without external links) reads [Content_Types].xml; the workbook
part that it names, and that part's relationships; the shared strings that it names;
xl/styles.xml, xl/theme/theme1.xml and docProps/core.xml and custom.xml by fixed names;
each sheet's relationships; and a chart sheet whole, with its drawings and their charts
and pictures. Worksheets themselves are streamed a row at a time. calamine looks up
xl/workbook.xml, its relationships, xl/sharedStrings.xml and xl/styles.xml in any case,
and resolves a sheet's target under xl/.

Names are compared folded (see `fold`): a superset of both readers' look-ups, so a part
either of them could open is found. Only small parts are parsed here, within a budget.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from xml.etree import ElementTree

from poser.utils.tabular.errors import TabularError
from poser.utils.tabular.limits import MB

CONTENT_TYPES = "[Content_Types].xml"
NOT_A_WORKBOOK = "this file is a zip archive but not an Excel workbook (.xlsx)"

_SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
# openpyxl's order: the first of these that the manifest overrides is the workbook.
_WORKBOOK_TYPES = (
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
)
_DEFAULT_WORKBOOK = "xl/workbook.xml"
_SHARED_STRINGS = "xl/sharedStrings.xml"
_FIXED_PARTS = (
    _DEFAULT_WORKBOOK,
    "xl/styles.xml",
    "xl/theme/theme1.xml",
    "docProps/core.xml",
    "docProps/custom.xml",
    "docProps/app.xml",
)
# A chart sheet's drawings (one step) reach its charts and pictures (two steps).
_CHART_SHEET_DEPTH = 2

# The parts parsed here only name others: a real one is a few KB.
_SMALL_PART_BYTES = 1 * MB
_SMALL_PARTS_BUDGET = 4 * MB
_DAMAGE = (
    ElementTree.ParseError,
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # an unknown compression method
    ValueError,
)

Members = dict[str, zipfile.ZipInfo]


def fold(name: str) -> str:
    """A member's name as compared here: either slash, no leading one, in any case."""
    return name.replace("\\", "/").lstrip("/").casefold()


def parts_read(
    archive: zipfile.ZipFile, members: Members
) -> tuple[list[zipfile.ZipInfo], list[zipfile.ZipInfo]]:
    """(shared strings parts, other parts read whole) of a workbook archive.

    ``members`` maps each folded name to its member (names are unique once folded).
    Raises TabularError when the archive is no workbook or its small parts are damaged.
    """
    package = _Package(archive, members)
    package.resolve()
    return package.found(package.strings), package.found(package.whole)


class _Package:
    def __init__(self, archive: zipfile.ZipFile, members: Members) -> None:
        self.archive = archive
        self.members = members
        self.budget = _SMALL_PARTS_BUDGET
        self.strings: set[str] = set()
        self.whole: set[str] = set()
        self.followed: set[str] = set()

    def found(self, names: Iterable[str]) -> list[zipfile.ZipInfo]:
        return [self.members[name] for name in sorted(names) if name in self.members]

    def resolve(self) -> None:
        overrides, defaults = self._manifest()
        workbooks = [name for kind, name in overrides if kind in _WORKBOOK_TYPES]
        if not workbooks and not defaults.intersection(_WORKBOOK_TYPES):
            raise TabularError(NOT_A_WORKBOOK)
        if not any(fold(name) in self.members for name in workbooks or [_DEFAULT_WORKBOOK]):
            raise TabularError(
                "this workbook is damaged: the part that lists its sheets is missing"
            )
        self.strings.update(
            fold(name)
            for kind, name in overrides
            if kind.casefold() == _SHARED_STRINGS_TYPE.casefold()
        )
        self.strings.add(fold(_SHARED_STRINGS))
        # A name like the usual one in another folder is counted too.
        self.strings.update(
            name for name in self.members if posixpath.basename(name).startswith("sharedstrings")
        )
        self.whole.update(fold(name) for name in _FIXED_PARTS)
        for workbook in {fold(name) for name in [*workbooks, _DEFAULT_WORKBOOK]}:
            self.whole.add(workbook)
            for kind, targets in self._relationships(workbook):
                self._workbook_relationship(kind, targets)

    def _workbook_relationship(self, kind: str, targets: set[str]) -> None:
        kind = kind.casefold()
        for target in targets:
            # openpyxl reads the relationships of every sheet the workbook lists.
            self.whole.add(fold(_rels_path(target)))
            if "chartsheet" in kind:
                self._chart_sheet(target, _CHART_SHEET_DEPTH)
            elif kind.endswith("/sharedstrings"):
                self.strings.add(fold(target))
            elif kind.endswith(("/styles", "/theme")):
                self.whole.add(fold(target))

    def _chart_sheet(self, part: str, depth: int) -> None:
        """A part read whole, with what its relationships reach ``depth`` steps on."""
        self.whole.add(fold(part))
        self.whole.add(fold(_rels_path(part)))
        if depth == 0 or fold(part) in self.followed:
            return
        self.followed.add(fold(part))
        for _, targets in self._relationships(part):
            for target in targets:
                self._chart_sheet(target, depth - 1)

    def _manifest(self) -> tuple[list[tuple[str, str]], set[str]]:
        """(content type, part name) of each override, and the default content types."""
        root = self._parse(CONTENT_TYPES)
        if root is None:
            raise TabularError(NOT_A_WORKBOOK)
        overrides: list[tuple[str, str]] = []
        defaults: set[str] = set()
        for element in _elements(root, "Override"):
            kind, name = element.get("ContentType", ""), element.get("PartName", "")
            # openpyxl drops the first character, which should be a slash.
            overrides += [(kind, name[1:]), (kind, name.lstrip("/"))]
        for element in _elements(root, "Default"):
            defaults.add(element.get("ContentType", ""))
        return overrides, defaults

    def _relationships(self, part: str) -> Iterator[tuple[str, set[str]]]:
        """(type, names its target may resolve to) of each relationship of ``part``."""
        rels = _rels_path(part)
        self.whole.add(fold(rels))
        root = self._parse(rels)
        if root is None:
            return
        for element in _elements(root, "Relationship"):
            # External targets are left in: they name no member, so they change nothing.
            target = element.get("Target", "")
            yield element.get("Type", ""), _resolved(rels, target)

    def _parse(self, name: str) -> ElementTree.Element | None:
        info = self.members.get(fold(name))
        if info is None:
            return None
        if info.file_size > min(_SMALL_PART_BYTES, self.budget):
            raise TabularError(
                f"the part {info.filename} of this workbook is implausibly large for what it "
                "holds; the file is damaged or not a real spreadsheet"
            )
        self.budget -= info.file_size
        try:
            # Safe to parse: it is small (checked above), and the expat bundled with
            # supported Pythons refuses entity expansion bombs.
            return ElementTree.fromstring(self.archive.read(info))  # noqa: S314
        except _DAMAGE as error:
            raise TabularError(f"this workbook is damaged ({info.filename}: {error})") from None


def _elements(root: ElementTree.Element, local_name: str) -> Iterator[ElementTree.Element]:
    # openpyxl matches elements by local name, whatever their namespace.
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] == local_name:
            yield element


def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _resolved(rels: str, target: str) -> set[str]:
    """The names a relationship's target may open: openpyxl's (relative to the folder
    above _rels/, or from the root when it starts with a slash) and calamine's (under
    xl/ unless it starts there)."""
    base = posixpath.dirname(posixpath.dirname(rels))
    by_openpyxl = (
        target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
    )
    rooted = target.lstrip("/")
    by_calamine = rooted if rooted.lower().startswith("xl/") else f"xl/{rooted}"
    return {by_openpyxl, by_calamine, posixpath.normpath(posixpath.join("xl", rooted))}
