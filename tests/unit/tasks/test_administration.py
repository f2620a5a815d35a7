"""The rules of administration: no admin takes away their own role or account, and
the last active admin stays one; a disabled account's sessions end."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from poser.tasks.administration import (
    change_role,
    disable_account,
    enable_account,
    log_out_everywhere,
    reset_password,
)
from poser.tasks.users import UserError
from tests.factories import make_user


def test_the_last_admin_stays_one(dbsession: Session) -> None:
    ada = make_user(dbsession, "ada", role="admin")
    bea = make_user(dbsession, "bea", role="admin")
    assert change_role(dbsession, ada, bea, "operator") is True
    assert change_role(dbsession, ada, bea, "operator") is False  # no change
    with pytest.raises(UserError, match="ada is the only admin"):
        disable_account(dbsession, bea, ada)
    with pytest.raises(UserError, match="ada is the only admin"):
        change_role(dbsession, bea, ada, "operator")
    with pytest.raises(UserError, match="Choose one of the roles"):
        change_role(dbsession, ada, bea, "owner")
    with pytest.raises(UserError, match="your own admin role"):
        change_role(dbsession, ada, ada, "operator")


def test_disabling_ends_sessions_and_enabling_lets_them_in(dbsession: Session) -> None:
    ada = make_user(dbsession, "ada", role="admin")
    olga = make_user(dbsession, "olga")
    version = olga.credentials_version
    disable_account(dbsession, ada, olga)
    dbsession.refresh(olga)
    assert (olga.active, olga.credentials_version) == (False, version + 1)
    with pytest.raises(UserError, match="disabled already"):
        disable_account(dbsession, ada, olga)
    with pytest.raises(UserError, match="your own account"):
        disable_account(dbsession, ada, ada)
    enable_account(dbsession, ada, olga)
    assert olga.active
    with pytest.raises(UserError, match="can log in already"):
        enable_account(dbsession, ada, olga)
    reset_password(dbsession, ada, olga, "a new long password")
    log_out_everywhere(dbsession, ada, olga)
    dbsession.refresh(olga)
    assert olga.credentials_version == version + 3
    with pytest.raises(UserError):
        reset_password(dbsession, ada, olga, "short")


def test_an_admin_sets_and_removes_a_membership(dbsession: Session) -> None:
    from poser.models.data_extraction.datasets import member_role
    from poser.tasks.administration import set_membership
    from poser.tasks.datasets import create_data_set

    ada = make_user(dbsession, "ada", role="admin")
    petra = make_user(dbsession, "petra")
    shop = create_data_set(dbsession, "Shop", "products", petra)
    set_membership(dbsession, ada, ada, shop, "viewer")
    assert member_role(dbsession, shop.id, ada.id) == "viewer"
    set_membership(dbsession, ada, ada, shop, None)
    assert member_role(dbsession, shop.id, ada.id) is None
    with pytest.raises(UserError, match="at least one owner"):
        set_membership(dbsession, ada, petra, shop, None)
