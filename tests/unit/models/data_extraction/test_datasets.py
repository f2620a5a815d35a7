from __future__ import annotations

from sqlalchemy.orm import Session

from poser.models.data_extraction.datasets import (
    data_set_for_member,
    data_sets_for_user,
    member_role,
)
from tests.factories import make_data_set, make_user


def test_a_user_sees_only_the_data_sets_they_belong_to(dbsession: Session) -> None:
    alice, bob = make_user(dbsession), make_user(dbsession)
    store = make_data_set(dbsession, "Store", members={alice: "owner", bob: "viewer"})
    make_data_set(dbsession, "What-if", members={alice: "editor"}, application="sample")
    private = make_data_set(dbsession, "Bob's", members={bob: "owner"})

    assert [(ds.name, role) for ds, role in data_sets_for_user(dbsession, alice.id)] == [
        ("Store", "owner"),
        ("What-if", "editor"),
    ]
    assert member_role(dbsession, store.id, bob.id) == "viewer"
    assert [ds.name for ds, _ in data_sets_for_user(dbsession, alice.id, "products")] == ["Store"]
    assert member_role(dbsession, private.id, alice.id) is None
    assert data_set_for_member(dbsession, store.id, bob.id) == (store, "viewer")
    assert data_set_for_member(dbsession, private.id, alice.id) is None
