"""A person never has two data sets of one Application by the same name, in any case:
creating, renaming and copying refuse a name taken, and say which."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from poser.tasks.datasets import (
    DataSetError,
    copy_data_set,
    create_data_set,
    free_name,
    name_taken,
    rename_data_set,
    set_member,
)
from tests.factories import make_user


def test_a_name_the_owner_has_already_is_refused_in_any_case(dbsession: Session) -> None:
    owner = make_user(dbsession)
    create_data_set(dbsession, "Corner Shop", "products", owner)
    with pytest.raises(
        DataSetError, match="There is already a data set named “Corner Shop”: choose another"
    ):
        create_data_set(dbsession, "  corner   SHOP ", "products", owner)
    # Another Application's, or another person's, data set may have it.
    create_data_set(dbsession, "Corner Shop", "demo", owner)
    create_data_set(dbsession, "Corner Shop", "products", make_user(dbsession))


def test_letters_beyond_ascii_compare_in_any_case(dbsession: Session) -> None:
    owner = make_user(dbsession)
    create_data_set(dbsession, "Épicerie Straße", "products", owner)
    assert name_taken(dbsession, "ÉPICERIE STRASSE", "products", [owner.id]) == "Épicerie Straße"


def test_renaming_refuses_a_name_any_member_has_but_may_change_its_own_case(
    dbsession: Session,
) -> None:
    owner, viewer = make_user(dbsession), make_user(dbsession)
    shop = create_data_set(dbsession, "Shop", "products", owner)
    set_member(shop, viewer, "viewer")
    create_data_set(dbsession, "Warehouse", "products", viewer)
    with pytest.raises(DataSetError, match="already a data set named “Warehouse”"):
        rename_data_set(shop, "WAREHOUSE")
    rename_data_set(shop, "SHOP")
    assert shop.name == "SHOP"


def test_a_copy_takes_a_free_name_and_refuses_a_taken_one(dbsession: Session) -> None:
    owner = make_user(dbsession)
    shop = create_data_set(dbsession, "Shop", "products", owner)
    assert free_name(dbsession, "Copy of Shop", "products", [owner.id]) == "Copy of Shop"
    copy_data_set(shop, "Copy of Shop", owner)
    assert free_name(dbsession, "Copy of Shop", "products", [owner.id]) == "Copy of Shop (2)"
    with pytest.raises(DataSetError, match="“Copy of Shop”"):
        copy_data_set(shop, "copy of shop", owner)
