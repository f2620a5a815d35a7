"""Notes: notebooks and their notes, and the sheets of a Notes data set (docs/apps.md)."""

from decimal import Decimal

from sqlalchemy import ForeignKey, MetaData, Numeric, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from poser.models.orm import DataSet
from poser.tasks.datasets.formats import Column, DataSetFormat, Table, register_format


class NotesBase(DeclarativeBase):  # its own metadata: the suite's never holds these tables
    metadata = MetaData(naming_convention={"uq": "uq_%(table_name)s"})


class Notebook(NotesBase):
    __tablename__ = "sample_notebook"
    __table_args__ = (UniqueConstraint("data_set_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = mapped_column(ForeignKey(DataSet.id, ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))


class Note(NotesBase):
    __tablename__ = "sample_note"
    __table_args__ = (UniqueConstraint("data_set_id", "notebook_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = mapped_column(ForeignKey(DataSet.id, ondelete="CASCADE"))
    notebook_id: Mapped[int] = mapped_column(ForeignKey(Notebook.id, ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int | None]
    done: Mapped[bool] = mapped_column(default=False)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))


NOTEBOOKS = Table(Notebook, "notebooks", [Column("code"), Column("name", width=30)], ["code"])
NOTE_COLUMNS = [
    Column("notebook", column="notebook_id", refers_to="notebooks"),  # by the notebook's code
    *(Column(name) for name in ("number", "title", "priority", "done", "amount")),
]
NOTES_SHEET = Table(Note, "notes", NOTE_COLUMNS, key=["notebook", "number"])
NOTES = register_format(DataSetFormat("notes", [NOTEBOOKS, NOTES_SHEET]))
