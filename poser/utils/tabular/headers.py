"""Header normalization and the mapping of file headers to canonical column names.

Vendors spell the same column a dozen ways ("Item UPC", "UPC Code", "upc_code"), so the
headers of a file are normalized first and then looked up in an alias map. A vendor's own
mapping, kept with the vendor, overrides the aliases for the files of that vendor.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from poser.utils.tabular.errors import HeaderNotFoundError, TabularError

# Underscores count as punctuation: "unit_cost" and "Unit Cost" are the same header.
_PUNCTUATION = re.compile(r"[\W_]+")


def normalize_header(text: object) -> str:
    """Fold a header to the form used for matching: "  Cost/Case ($) " -> "cost case"."""
    # NFKC turns non-breaking spaces and full-width letters (common in exports) into
    # their plain forms before casefolding.
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(_PUNCTUATION.sub(" ", folded).split())


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One canonical column: its name (a key of `Row.values`), aliases, if required, and
    if it holds numbers (whose decimal mark the table then works out from the file)."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    number: bool = False

    @property
    def label(self) -> str:
        """How a message names the column: its first alias, the header people write
        (``UPC``), else its name."""
        return self.aliases[0] if self.aliases else self.name


@dataclass(frozen=True, slots=True)
class ResolvedHeaders:
    """What the header row of one file means."""

    # One entry per column of the file: its key in `Row.values`, or None to skip it.
    keys: tuple[str | None, ...]
    # key -> the header text as written in the file, for messages to the operator.
    source: dict[str, str]
    # Keys of columns that matched no spec; they are kept under their normalized header.
    unknown: tuple[str, ...]


class Columns:
    """The columns a caller expects, and how headers map to them."""

    def __init__(
        self,
        specs: Iterable[ColumnSpec],
        mapping: Mapping[str, str | None] | None = None,
    ) -> None:
        self.specs: tuple[ColumnSpec, ...] = tuple(specs)
        self._aliases: dict[str, str] = {}
        for spec in self.specs:
            for alias in (spec.name, *spec.aliases):
                key = normalize_header(alias)
                owner = self._aliases.setdefault(key, spec.name)
                if owner != spec.name:
                    # A programming error in the spec list, not a problem of a file.
                    raise ValueError(f"alias {alias!r} is claimed by {owner} and {spec.name}")
        names = {spec.name for spec in self.specs}
        self.numbers = frozenset(spec.name for spec in self.specs if spec.number)
        self._required = frozenset(spec.name for spec in self.specs if spec.required)
        self._specs_by_name = {spec.name: spec for spec in self.specs}
        self._mapping: dict[str, str | None] = {}
        for header, target in (mapping or {}).items():
            if target is not None and target not in names:
                known = ", ".join(sorted(names)) or "none"
                raise ValueError(
                    f"mapping {header!r} -> {target!r}: unknown column (known: {known})"
                )
            self._mapping[normalize_header(header)] = target

    def with_mapping(self, mapping: Mapping[str, str | None]) -> Columns:
        """These columns with a per-vendor mapping (header text -> canonical name, or
        None to ignore that column) that takes precedence over the aliases."""
        return Columns(self.specs, {**self._mapping, **mapping})

    def canonical(self, header: object) -> str | None:
        """The canonical name a header means, or None when it matches no column."""
        key = normalize_header(header)
        if key in self._mapping:
            return self._mapping[key]
        return self._aliases.get(key)

    def header_match(self, headers: Sequence[object]) -> tuple[bool, int]:
        """(whether a row names every required column, how many columns it names): how
        much the row looks like the header of a file of these columns."""
        found = {self.canonical(header) for header in headers if header is not None}
        found.discard(None)
        return self._required <= found, len(found)

    def resolve(self, headers: Sequence[object]) -> ResolvedHeaders:
        """Map a header row; raise TabularError on duplicates or missing required columns."""
        keys: list[str | None] = []
        source: dict[str, str] = {}
        unknown: list[str] = []
        for raw in headers:
            text = "" if raw is None else str(raw).strip()
            normalized = normalize_header(text)
            if not normalized:
                keys.append(None)  # a column without a header carries nothing we can name
                continue
            if normalized in self._mapping and self._mapping[normalized] is None:
                keys.append(None)  # the vendor mapping says to ignore this column
                continue
            canonical = self.canonical(normalized)
            if canonical is None:
                # Unknown columns are kept (a later step may want them); repeats are
                # numbered rather than refused since nothing depends on them.
                key, n = normalized, 1
                while key in source:
                    n += 1
                    key = f"{normalized} {n}"
                unknown.append(key)
            elif canonical in source:
                label = self._specs_by_name[canonical].label
                raise TabularError(
                    f"the columns {source[canonical]!r} and {text!r} both mean {label}; "
                    "keep only one of them (or map one of them to another column)"
                )
            else:
                key = canonical
            keys.append(key)
            source[key] = text
        self._check_required(source, headers)
        return ResolvedHeaders(tuple(keys), source, tuple(unknown))

    def _check_required(self, found: Mapping[str, str], headers: Sequence[object]) -> None:
        missing = [spec for spec in self.specs if spec.required and spec.name not in found]
        if not missing:
            return
        details = "; ".join(
            f"{spec.label} (headers accepted: {', '.join(spec.aliases or (spec.name,))})"
            for spec in missing
        )
        seen = ", ".join(repr(str(h).strip()) for h in headers if h is not None and str(h).strip())
        raise HeaderNotFoundError(
            f"missing required column{'s' if len(missing) > 1 else ''}: {details}. "
            f"Headers found: {seen or 'none'}"
        )
