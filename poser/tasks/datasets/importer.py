"""Reading the sheets of a data set workbook into the database (see `workbook`).

Rows are checked and inserted a batch at a time. Problems are collected, up to
`MAX_ERRORS`, and raised together as one TaskError naming sheet and row, so that the
operator can fix them all at once; after the first one nothing more is inserted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from poser.models.orm import Department, Product, ProductCost, Vendor
from poser.tasks.bulk import refresh_statistics
from poser.tasks.datasets.sheets import PARSERS, SHEETS
from poser.tasks.jobs import TaskError
from poser.utils.cells import CellError
from poser.utils.progress import Progress
from poser.utils.tabular import Columns, ColumnSpec, Limits, Source, TabularError, read_xlsx
from poser.utils.tabular.errors import HeaderNotFoundError
from poser.utils.upc import UpcError

MAX_ERRORS = 20
_REPEATED = "{}: this vendor's cost is also on {}"
_TWO_PREFERRED = "{}: another cost of this UPC is preferred, on {}"

Values = dict[str, Any]
Pending = list[tuple[int, Values]]  # (sheet row, values) of rows waiting to be inserted


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, sheet: str, line: int | None, message: str) -> None:
        where = f"sheet {sheet!r}" if line is None else f"sheet {sheet!r}, row {line}"
        self.messages.append(f"{where}: {message}")
        if len(self.messages) >= MAX_ERRORS:
            self.raise_any(stopped=True)

    def raise_any(self, stopped: bool = False) -> None:
        if not self.messages:
            return
        if len(self.messages) == 1:
            raise TaskError(f"Nothing was imported. In {self.messages[0]}.")
        listed = "\n".join(f"- {message}" for message in self.messages)
        tail = f"\n(reading stopped after {MAX_ERRORS} problems)" if stopped else ""
        raise TaskError(f"Nothing was imported. The file has these problems:\n{listed}{tail}")


def import_sheets(
    session: Session,
    data_set_id: int,
    source: Source,
    start: int,
    limits: Limits,
    progress: Progress,
    *,
    batch: int,
) -> dict[str, int]:
    """Insert every sheet's rows into the data set; returns the rows per sheet.

    Each sheet is checked whole before the next is read: a sheet that refers to a bad
    one would only repeat its problems.
    """
    importer = _Importer(session, data_set_id, source, start, limits, progress, batch)
    importer.departments()
    importer.vendors()
    importer.products()
    importer.product_costs()
    # The grid's plans depend on statistics; a big import changes them.
    for table in (Product.__table__, ProductCost.__table__):
        refresh_statistics(session.connection(), table)
    return importer.counts


def check_sheets(source: Source, start: int, limits: Limits) -> None:
    """Raise TaskError unless every sheet is there with its columns; reads only headers.

    The import runs it before reading any row, so that a file that is no data set
    workbook at all is named as such, not by the bad rows of a sheet before the one it
    lacks. It opens the workbook (openpyxl reads its text table and sizes up its sheets
    then), so it runs in the job, never while the operator waits.
    """
    for sheet, names in SHEETS.items():
        if hasattr(source, "seek"):
            source.seek(start)
        columns = Columns(ColumnSpec(name, required=True) for name in names)
        try:
            read_xlsx(source, sheet, columns=columns, limits=limits).close()
        except HeaderNotFoundError as error:
            raise TaskError(
                f"This is not a data set workbook. In sheet {sheet!r}: {error.message}."
            ) from None
        except TabularError as error:  # the file as a whole, or a sheet it lacks
            raise TaskError(f"This is not a data set workbook: {error.message}.") from None


class _Importer:
    def __init__(
        self,
        session: Session,
        data_set_id: int,
        source: Source,
        start: int,
        limits: Limits,
        progress: Progress,
        batch: int,
    ) -> None:
        self.session = session
        self.data_set_id = data_set_id
        self.source = source
        self.start = start
        self.limits = limits
        self.progress = progress
        self.batch = batch
        self.problems = _Problems()
        self.counts = dict.fromkeys(SHEETS, 0)
        self.done = 0

    def departments(self) -> None:
        self._small_sheet("departments", "number", Department.__table__)  # type: ignore[arg-type]
        query = select(Department.number, Department.id)
        self.department_ids = dict(self._execute_pairs(query, Department.data_set_id))

    def vendors(self) -> None:
        self._small_sheet("vendors", "code", Vendor.__table__)  # type: ignore[arg-type]
        query = select(Vendor.code, Vendor.id)
        self.vendor_ids = dict(self._execute_pairs(query, Vendor.data_set_id))

    def _execute_pairs(self, query: Any, data_set_column: Any) -> list[tuple[Any, int]]:
        return list(self.session.execute(query.where(data_set_column == self.data_set_id)).all())

    def _small_sheet(self, sheet: str, key: str, table: Table) -> None:
        """Departments and vendors: few enough rows to hold, keys checked unique."""
        rows: Pending = []
        seen: dict[Any, int] = {}
        for line, values in self._rows(sheet):
            if values[key] in seen:
                self.problems.add(
                    sheet, line, f"{key} {values[key]} is also on row {seen[values[key]]}"
                )
                continue
            seen[values[key]] = line
            rows.append((line, {"data_set_id": self.data_set_id, **values}))
        self._insert(sheet, table, rows, lambda: [])
        self.problems.raise_any()

    def products(self) -> None:
        pending: Pending = []
        upcs: dict[str, int] = {}
        for line, values in self._rows("products"):
            number = values.pop("department_number")
            department_id = None if number is None else self.department_ids.get(number)
            if number is not None and department_id is None:
                message = f"department_number {number} is not on the departments sheet"
                self.problems.add("products", line, message)
            elif values["upc"] in upcs:
                message = f"UPC {values['upc']} is also on row {upcs[values['upc']]}"
                self.problems.add("products", line, message)
            else:
                upcs[values["upc"]] = line
                values.update(data_set_id=self.data_set_id, department_id=department_id)
                pending.append((line, values))
            if len(pending) >= self.batch:
                self._insert_products(pending)
                pending, upcs = [], {}
        self._insert_products(pending)
        self.problems.raise_any()

    def _insert_products(self, pending: Pending) -> None:
        def explain() -> list[tuple[int, str]]:
            # Repeats within a batch were caught before; these repeat an earlier batch.
            query = select(Product.upc).where(
                Product.data_set_id == self.data_set_id,
                Product.upc.in_([values["upc"] for _, values in pending]),
            )
            earlier = set(self.session.scalars(query))
            return [
                (line, f"UPC {values['upc']} is also on an earlier row")
                for line, values in pending
                if values["upc"] in earlier
            ]

        self._insert("products", Product.__table__, pending, explain)  # type: ignore[arg-type]

    def product_costs(self) -> None:
        pending: Pending = []
        for line, values in self._rows("product_costs"):
            pending.append((line, values))
            if len(pending) >= self.batch:
                self._insert_costs(pending)
                pending = []
        self._insert_costs(pending)
        self.problems.raise_any()

    def _insert_costs(self, pending: Pending) -> None:
        if not pending:
            return
        query = select(Product.upc, Product.id).where(
            Product.data_set_id == self.data_set_id,
            Product.upc.in_({values["upc"] for _, values in pending}),
        )
        product_ids = dict(self.session.execute(query).all())
        ready: Pending = []
        labels: dict[int, str] = {}
        pairs: dict[tuple[int, int], int] = {}  # (product, vendor) -> row
        preferred: dict[int, int] = {}  # product -> row of its preferred cost
        for line, values in pending:
            upc, code = values.pop("upc"), values.pop("vendor_code")
            product_id, vendor_id = product_ids.get(upc), self.vendor_ids.get(code)
            labels[line] = f"UPC {upc}, vendor {code}"
            if product_id is None:
                self._cost_problem(line, f"UPC {upc} is not on the products sheet")
            elif vendor_id is None:
                self._cost_problem(line, f"vendor_code {code} is not on the vendors sheet")
            elif (product_id, vendor_id) in pairs:
                self._cost_problem(line, _REPEATED, labels[line], pairs[product_id, vendor_id])
            elif values["preferred"] and product_id in preferred:
                self._cost_problem(line, _TWO_PREFERRED, labels[line], preferred[product_id])
            else:
                pairs[product_id, vendor_id] = line
                if values["preferred"]:
                    preferred[product_id] = line
                values.update(data_set_id=self.data_set_id, product_id=product_id)
                ready.append((line, {**values, "vendor_id": vendor_id}))

        def explain() -> list[tuple[int, str]]:
            # Repeats within a batch were caught above; these repeat an earlier batch.
            ids = [values["product_id"] for _, values in ready]
            costs = select(ProductCost.product_id, ProductCost.vendor_id, ProductCost.preferred)
            earlier = self.session.execute(costs.where(ProductCost.product_id.in_(ids))).all()
            earlier_pairs = {(product_id, vendor_id) for product_id, vendor_id, _ in earlier}
            earlier_preferred = {product_id for product_id, _, chosen in earlier if chosen}
            found = []
            for line, values in ready:
                if (values["product_id"], values["vendor_id"]) in earlier_pairs:
                    found.append((line, _REPEATED.format(labels[line], "an earlier row")))
                elif values["preferred"] and values["product_id"] in earlier_preferred:
                    found.append((line, _TWO_PREFERRED.format(labels[line], "an earlier row")))
            return found

        self._insert("product_costs", ProductCost.__table__, ready, explain)  # type: ignore[arg-type]

    def _cost_problem(self, line: int, message: str, label: str = "", row: int = 0) -> None:
        text = message.format(label, f"row {row}") if label else message
        self.problems.add("product_costs", line, text)

    def _insert(
        self,
        sheet: str,
        table: Table,
        pending: Pending,
        explain: Callable[[], list[tuple[int, str]]],
    ) -> None:
        """Insert a batch, unless the file has problems already.

        Each batch has a savepoint of its own: after a unique key refuses it (a row
        repeating one of an earlier batch), the transaction is usable again to find out
        which rows did.
        """
        if not pending or self.problems.messages:
            return
        try:
            with self.session.begin_nested():
                self.session.connection().execute(insert(table), [values for _, values in pending])
        except IntegrityError:
            found = explain()
            if not found:
                raise
            for line, message in found:
                self.problems.add(sheet, line, message)
            return
        self.counts[sheet] += len(pending)
        self.done += len(pending)
        self.progress.update(self.done, None, f"{sheet}: {self.counts[sheet]:,} rows")

    def _rows(self, sheet: str) -> Iterator[tuple[int, Values]]:
        """(row number, values) of each row that reads well; the others become problems."""
        if hasattr(self.source, "seek"):
            self.source.seek(self.start)
        columns = Columns(ColumnSpec(name, required=True) for name in SHEETS[sheet])
        try:
            table = read_xlsx(self.source, sheet, columns=columns, limits=self.limits)
        except TabularError as error:
            raise TaskError(f"Nothing was imported. In sheet {sheet!r}: {error.message}") from None
        parsers = PARSERS[sheet]
        with table:
            try:
                for row in table:
                    values: Values = {}
                    for problem in row.errors:
                        self.problems.add(sheet, row.line, problem.message)
                    for column, parse in parsers.items():
                        try:
                            values[column] = parse(row.values.get(column))
                        except (CellError, UpcError) as error:
                            self.problems.add(sheet, row.line, f"{column}: {error}")
                    if len(values) == len(parsers) and not row.errors:
                        yield row.line, values
            except TabularError as error:
                self.problems.add(sheet, error.line, error.message)
