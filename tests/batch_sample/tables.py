"""The Tally sample's tables: a batch's rows (a code and a quantity per line of its
file) and the tallies an apply adds them to, each in a data set."""

from sqlalchemy import ForeignKey, Index, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from poser.models.orm import Batch, DataSet


class TallyBase(DeclarativeBase):  # its own metadata: the suite's never holds these tables
    metadata = MetaData(naming_convention={"uq": "uq_%(table_name)s"})


class TallyRow(TallyBase):
    """One line of a tally file, as read: what a batch's review grid shows."""

    __tablename__ = "sample_tally_row"
    __table_args__ = (Index("ix_sample_tally_row_batch", "batch_id", "status"),)  # its grid
    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = mapped_column(ForeignKey(DataSet.id, ondelete="CASCADE"))
    batch_id: Mapped[int] = mapped_column(ForeignKey(Batch.id, ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(50))
    quantity: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(String(200), default="")


class Tally(TallyBase):
    """How many of a code the applied batches counted, in all."""

    __tablename__ = "sample_tally"
    __table_args__ = (UniqueConstraint("data_set_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    data_set_id: Mapped[int] = mapped_column(ForeignKey(DataSet.id, ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(50))
    quantity: Mapped[int]
