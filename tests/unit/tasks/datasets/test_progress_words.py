"""A data set's copy, export and import report their progress in words: the job's page
shows each message as it comes, to operators."""

from __future__ import annotations

import io

import pytest
from sqlalchemy.orm import Session

from poser.tasks.datasets import copy_data_set, create_data_set
from poser.tasks.datasets import workbook as dataset_io
from poser.tasks.datasets.workbook import export_data_set, import_data_set
from poser.tasks.generate import generate_products
from tests.operator_words import internal_keys_in


class Said:
    """A Progress that keeps every message."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def update(self, done: float, total: float | None = None, message: str | None = None) -> None:
        if message:
            self.lines.append(message)

    def log(self, line: str) -> None:
        self.lines.append(line)


def test_copy_export_and_import_say_their_progress_in_words(
    dbsession: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dataset_io, "BATCH", 10)  # the export reports every 10 rows
    source = create_data_set(dbsession, "Source", "products", None)
    generate_products(source, products=30, seed=3)
    said = Said()
    copy_data_set(source, "Copy", None, said)
    stream = io.BytesIO()
    export_data_set(source, stream, said)
    target = create_data_set(dbsession, "Target", "products", None)
    import_data_set(target, io.BytesIO(stream.getvalue()), said)

    assert any(line.startswith("Copied 1 of ") for line in said.lines), said.lines
    assert any(line.startswith("Product costs: ") for line in said.lines), said.lines
    assert internal_keys_in("\n".join(said.lines)) == []
    assert [line for line in said.lines if "_" in line] == []  # no table's own name
