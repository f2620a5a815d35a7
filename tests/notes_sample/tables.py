"""The Notes Application's models and the format of its data sets.

Its own declarative base, so that the suite's metadata (what `poser db check` and the
tests' clean-up read) never holds these test tables.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, MetaData, Numeric, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from poser.models.orm import DataSet
from poser.tasks.datasets.formats import Column, DataSetFormat, Table, register_format

DATA_SET_ID = DataSet.__table__.c.id


class NotesBase(DeclarativeBase):
    metadata = MetaData()


def _in_data_set() -> Mapped[int]:
    return mapped_column(ForeignKey(DATA_SET_ID, ondelete="CASCADE"), index=True)


class Notebook(NotesBase):
    __tablename__ = "sample_notebook"
    __table_args__ = (UniqueConstraint("data_set_id", "code", name="uq_sample_notebook_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = _in_data_set()
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))


class Note(NotesBase):
    __tablename__ = "sample_note"
    __table_args__ = (
        UniqueConstraint("data_set_id", "notebook_id", "number", name="uq_sample_note_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = _in_data_set()
    notebook_id: Mapped[int] = mapped_column(ForeignKey(Notebook.id, ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int | None]
    done: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))


#: Every cell read as its column's type says: no parser of the Application's own.
NOTES = register_format(
    DataSetFormat(
        "notes",
        [
            Table(Notebook, "notebooks", [Column("code"), Column("name", width=30)], key=["code"]),
            Table(
                Note,
                "notes",
                [
                    Column("notebook", column="notebook_id", refers_to="notebooks"),
                    Column("number"),
                    Column("title", width=40),
                    Column("priority"),
                    Column("done"),
                    Column("amount", number_format="0.00"),
                ],
                key=["notebook", "number"],
            ),
        ],
    )
)
