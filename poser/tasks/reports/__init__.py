"""Reports as a kind of thing: a report is declared once (`Report`) and registered
(`register_report`); everything else comes with the declaration.

A report's declaration says its name (its export type, and the name the CLI and the
URLs use), its title, its parameters (a `ParameterGroup`), its columns, a function of
the data set and the typed parameter values that yields its rows (streaming: each
row once, never the whole list), and the printable HTML template it is drawn with.
Registering it declares its job kind, ``report.<name>``: a run is a Job (who, when,
with which parameters), which writes CSV, XLSX and HTML under
``exports/<name>/<id>/`` (`poser.tasks.reports.run`). The web's report pages and
``poser report`` read the registry and nothing else of the report.

The modules that declare reports are named in the ``poser.tasks`` entry point group,
so every process (web, worker, CLI, scheduler) knows them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from poser.models.orm import DataSet
from poser.tasks.plugins import GROUP
from poser.utils import labels
from poser.utils.parameters import Parameter, ParameterGroup
from poser.utils.registry import Registry

#: A report's name: a key for URLs, files and the CLI.
NAME = re.compile(r"^[a-z][a-z0-9_]{1,48}$")
#: How a column's values are shown in the printable page (CSV and XLSX keep the values).
COLUMN_KINDS = ("text", "int", "money", "cost", "percent", "quantity", "date")

Rows = Callable[[DataSet, Mapping[str, Any]], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class ReportColumn:
    key: str
    header: str
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"column {self.key!r}: kind must be one of {COLUMN_KINDS}")


@dataclass(frozen=True)
class Report:
    """One report. ``rows(data_set, values)`` yields tuples in the order of ``columns``;
    ``values`` are the parameters typed (`Parameter.from_json`). ``data_set_kind`` is
    the Application whose data sets it reads (its ``url_name``). ``template`` is the
    printable page's Jinja2 template, looked up in the app dir's ``templates/`` before
    the packaged ``poser/data/templates/``; ``report.html`` serves every report that
    has none of its own. ``check`` looks at the parameters together, as the form and
    the CLI take them."""

    name: str
    title: str
    description: str
    columns: Sequence[ReportColumn]
    rows: Rows
    parameters: ParameterGroup = field(default_factory=lambda: ParameterGroup("report", "", []))
    data_set_kind: str = "products"
    template: str = ""
    #: ``check(values)``: what is wrong with the parameters together (a period that
    #: ends before it starts), for the operator; None when nothing is.
    check: Callable[[Mapping[str, Any]], str | None] | None = None
    #: The names of the parameters that are its first and last day, if it reports on a
    #: period: a scheduled run covers the days since the one before.
    period: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"report name {self.name!r}: lower-case letters, digits and _")
        keys = [column.key for column in self.columns]
        if not keys or len(set(keys)) != len(keys):
            raise ValueError(f"report {self.name!r}: its columns need distinct keys")

    @property
    def job_kind_name(self) -> str:
        return f"report.{self.name}"

    @property
    def templates(self) -> list[str]:
        """The printable page's templates, the first found wins."""
        return [self.template or f"{self.file_name}.html", "report.html"]

    @property
    def file_name(self) -> str:
        """The report's files' name, as people read it: cost-changes.csv."""
        return self.name.replace("_", "-")

    def values_from_json(self, stored: Mapping[str, Any] | None) -> dict[str, Any]:
        """The run's parameters, typed; a parameter not given takes its default."""
        stored = stored or {}
        return {p.name: p.from_json(stored.get(p.name)) for p in self.parameters.parameters}

    def values_to_json(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {p.name: p.to_json(values.get(p.name)) for p in self.parameters.parameters}

    def parameter_words(self, stored: Mapping[str, Any] | None) -> list[tuple[str, str]]:
        """The run's parameters as an operator reads them: (label, value) lines."""
        values = self.values_from_json(stored)
        return [
            (p.label, parameter_value_words(p, values[p.name])) for p in self.parameters.parameters
        ]


class UnknownReportError(LookupError):
    pass


_REPORTS: Registry[Report] = Registry(
    "report", GROUP, lambda name: UnknownReportError(f"There is no report named {name!r}.")
)


def register_report(report: Report) -> Report:
    """Register ``report`` and its job kind (``report.<name>``), once; a second,
    different report under a taken name is refused (DuplicateNameError)."""
    from poser.tasks.reports.run import declare_job_kind

    _REPORTS.add(report.name, report)
    declare_job_kind(report)
    # The Exports page names a report's files by its title, as it does every type's.
    labels.EXPORT_TYPES.setdefault(report.name, report.title)
    return report


def get_report(name: str) -> Report:
    return _REPORTS.get(name)


def find_report(name: str) -> Report | None:
    return _REPORTS.find(name) if isinstance(name, str) else None


def all_reports(data_set_kind: str | None = None) -> list[Report]:
    """The registered reports (of the data sets of ``data_set_kind``), by title."""
    found = [r for r in _REPORTS if data_set_kind is None or r.data_set_kind == data_set_kind]
    return sorted(found, key=lambda report: report.title)


def parse_cli_values(report: Report, pairs: Sequence[str]) -> dict[str, Any]:
    """``k=v`` texts (the CLI's ``--param``) as the run's stored parameters, checked as
    the form checks them. Raises ValueError with a message naming the parameter."""
    by_name = {p.name: p for p in report.parameters.parameters}
    given: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or name not in by_name:
            known = ", ".join(sorted(by_name)) or "none"
            raise ValueError(
                f"{pair!r}: give name=value; the parameters of {report.name} are {known}."
            )
        parameter = by_name[name]
        try:
            value = _typed(parameter, text.strip())
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
        given[name] = value
    values = {**report.values_from_json({}), **given}
    for parameter in report.parameters.parameters:
        problem = parameter.problem(values[parameter.name])
        if problem:
            raise ValueError(f"{parameter.name}: {problem}")
    problem = report.check(values) if report.check else None
    if problem:
        raise ValueError(problem)
    return report.values_to_json(values)


def _typed(parameter: Parameter, text: str) -> Any:
    if text == "" and not parameter.required:
        return None
    if parameter.type == "bool":
        if text.lower() not in {"yes", "no", "true", "false", "1", "0"}:
            raise ValueError("give yes or no.")
        return text.lower() in {"yes", "true", "1"}
    if parameter.type == "choice":
        choices = {value for value, _ in parameter.choices}
        if parameter.choices and text not in choices:
            raise ValueError(f"choose one of {', '.join(sorted(choices))}.")
        return text
    try:
        if parameter.type == "int":
            return int(text)
        if parameter.type == "decimal":
            return Decimal(text)
        if parameter.type == "date":
            return dt.date.fromisoformat(text)
    except (ValueError, ArithmeticError):
        kind = {"int": "a whole number", "decimal": "a number", "date": "a date (YYYY-MM-DD)"}
        raise ValueError(f"give {kind[parameter.type]}, not {text!r}.") from None
    return text


def parameter_value_words(parameter: Parameter, value: Any) -> str:
    if value is None:
        return "—"
    if parameter.type == "choice":
        return dict(parameter.choices).get(value, str(value))
    if parameter.type == "date":
        return value.strftime("%d %B %Y").lstrip("0")
    return labels.value_words(value)
