"""Test data factories: build rows through the same tasks the app uses."""

from __future__ import annotations

from itertools import count

from sqlalchemy.orm import Session

from poser.models.orm import DataSet, DataSetMember, User
from poser.tasks.products_data import KIND as PRODUCTS
from poser.tasks.users import create_user

PASSWORD = "correct horse battery"
_numbers = count(1)


def make_user(
    dbsession: Session,
    username: str | None = None,
    role: str = "operator",
    password: str = PASSWORD,
) -> User:
    user = create_user(dbsession, username or f"user{next(_numbers)}", password, role=role)
    dbsession.commit()
    return user


def make_data_set(
    dbsession: Session,
    name: str = "Sample Store",
    members: dict[User, str] | None = None,
    application: str = PRODUCTS,
) -> DataSet:
    """A data set of the Products kind unless ``application`` names another."""
    data_set = DataSet(name=name, application=application)
    dbsession.add(data_set)
    dbsession.flush()
    for user, role in (members or {}).items():
        dbsession.add(DataSetMember(data_set_id=data_set.id, user_id=user.id, role=role))
    dbsession.commit()
    return data_set
