from __future__ import annotations

import pytest
from sqlalchemy import Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from poser.models.orm import DataSetMember, DataSetMixin
from tests.factories import make_data_set, make_user


def test_the_mixin_adds_an_indexed_cascading_data_set_id() -> None:
    # A separate base, so the sample table never joins the application's metadata.
    class LocalBase(DeclarativeBase):
        pass

    class Shelf(DataSetMixin, LocalBase):
        __tablename__ = "sample_shelf"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        label: Mapped[str] = mapped_column(String(20))

    column = Shelf.__table__.c.data_set_id
    assert column.index is True
    assert not column.nullable
    (foreign_key,) = column.foreign_keys
    assert foreign_key.target_fullname == "data_set.id"
    assert foreign_key.ondelete == "CASCADE"


def test_deleting_a_data_set_removes_its_memberships(dbsession: Session) -> None:
    owner = make_user(dbsession)
    data_set = make_data_set(dbsession, members={owner: "owner"})
    dbsession.delete(data_set)
    dbsession.commit()
    assert dbsession.scalars(select(DataSetMember)).all() == []


def test_member_roles_are_checked(dbsession: Session) -> None:
    user = make_user(dbsession)
    data_set = make_data_set(dbsession)
    dbsession.add(DataSetMember(data_set_id=data_set.id, user_id=user.id, role="boss"))
    with pytest.raises(IntegrityError):
        dbsession.flush()
