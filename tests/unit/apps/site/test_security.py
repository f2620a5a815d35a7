from __future__ import annotations

from typing import Any

import pytest
from pyramid import testing
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import event
from sqlalchemy.orm import Session

from poser.apps.site.security import (
    DataSetResource,
    Root,
    SecurityPolicy,
    data_set_factory,
)
from poser.models.orm import User
from poser.tasks.users import disable_user, enable_user, set_password
from tests.factories import make_data_set, make_user


@pytest.fixture(autouse=True)
def config() -> Any:
    with testing.testConfig() as config:
        config.set_security_policy(SecurityPolicy())
        yield config


def _request(dbsession: Session, user: User | None, **matchdict: Any) -> testing.DummyRequest:
    request = testing.DummyRequest(dbsession=dbsession, matchdict=matchdict)
    if user is not None:
        SecurityPolicy().remember(request, user.id)
    return request


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        ("admin", "view", True),
        ("admin", "admin", True),
        ("operator", "view", True),
        ("operator", "use", True),
        ("operator", "admin", False),
    ],
)
def test_root_acl(dbsession: Session, role: str, permission: str, allowed: bool) -> None:
    user = make_user(dbsession, role=role)
    request = _request(dbsession, user)
    assert bool(SecurityPolicy().permits(request, Root(request), permission)) is allowed


def test_anonymous_may_do_nothing_on_the_root(dbsession: Session) -> None:
    request = _request(dbsession, None)
    assert not SecurityPolicy().permits(request, Root(request), "view")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("owner", {"view", "edit", "manage"}),
        ("editor", {"view", "edit"}),
        ("viewer", {"view"}),
    ],
)
def test_data_set_roles(dbsession: Session, role: str, allowed: set[str]) -> None:
    user = make_user(dbsession)
    data_set = make_data_set(dbsession, members={user: role})
    request = _request(dbsession, user, data_set_id=str(data_set.id))
    context = data_set_factory(request)
    assert isinstance(context, DataSetResource)
    assert context.data_set.id == data_set.id
    policy = SecurityPolicy()
    granted = {p for p in ("view", "edit", "manage") if policy.permits(request, context, p)}
    assert granted == allowed


def test_non_members_get_not_found_even_admins(dbsession: Session) -> None:
    outsider = make_user(dbsession, role="admin")
    data_set = make_data_set(dbsession, members={make_user(dbsession): "owner"})
    for data_set_id in (str(data_set.id), "999999", "abc"):
        with pytest.raises(HTTPNotFound):
            data_set_factory(_request(dbsession, outsider, data_set_id=data_set_id))


def test_identity_comes_from_the_session_and_drops_inactive_users(dbsession: Session) -> None:
    user = make_user(dbsession)
    policy = SecurityPolicy()
    request = testing.DummyRequest(dbsession=dbsession)
    policy.remember(request, user.id)
    assert policy.identity(request) == user
    user.active = False
    dbsession.commit()
    later = testing.DummyRequest(dbsession=dbsession, session=request.session)
    assert policy.identity(later) is None
    policy.forget(request)
    assert policy.identity(request) is None
    assert policy.identity(testing.DummyRequest(dbsession=dbsession)) is None


def _again(dbsession: Session, request: testing.DummyRequest) -> testing.DummyRequest:
    """A later request with the same session."""
    return testing.DummyRequest(dbsession=dbsession, session=request.session)


def test_a_session_from_before_a_new_password_or_disabling_identifies_no_one(
    dbsession: Session,
) -> None:
    user = make_user(dbsession)
    policy = SecurityPolicy()
    before = testing.DummyRequest(dbsession=dbsession)
    policy.remember(before, user.id)
    set_password(dbsession, user, "another long password")
    dbsession.commit()
    assert policy.identity(_again(dbsession, before)) is None

    after = testing.DummyRequest(dbsession=dbsession)
    policy.remember(after, user.id)  # a login now carries the new version
    assert policy.identity(after) == user
    disable_user(dbsession, user)
    enable_user(dbsession, user)
    dbsession.commit()
    assert policy.identity(_again(dbsession, after)) is None


def test_a_session_keeps_the_version_its_password_was_checked_against(
    dbsession: Session,
) -> None:
    user = make_user(dbsession)
    policy = SecurityPolicy()
    request = testing.DummyRequest(dbsession=dbsession)
    policy.remember(request, user.id, credentials_version=user.credentials_version - 1)
    assert policy.identity(request) is None


def test_the_identity_is_read_once_per_request(dbsession: Session) -> None:
    user = make_user(dbsession)
    policy = SecurityPolicy()
    request = testing.DummyRequest(dbsession=dbsession)
    policy.remember(request, user.id)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = dbsession.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    dbsession.expunge_all()  # nothing left in the identity map to answer from
    try:
        ids = [getattr(policy.identity(request), "id", None) for _ in range(3)]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert ids == [user.id] * 3
    assert len([s for s in statements if "user_account" in s]) == 1


def test_jobs_exports_and_data_sets_find_their_context_one_way(dbsession: Session) -> None:
    from poser.apps.site.exports import ExportResource, export_factory
    from poser.apps.site.jobs import JobResource, job_factory
    from poser.models.orm import Export, Job

    owner, viewer, admin = make_user(dbsession), make_user(dbsession), make_user(dbsession)
    admin.role = "admin"
    data_set = make_data_set(dbsession, members={owner: "owner", viewer: "viewer"})
    job = Job(kind="no.such.kind", parameters={}, data_set_id=data_set.id, status="queued")
    export = Export(data_set_id=data_set.id, export_type="t", title="T", files=[])
    dbsession.add_all([job, export])
    dbsession.flush()
    cases = [
        (data_set_factory, "data_set_id", data_set.id, DataSetResource),
        (job_factory, "job_id", job.id, JobResource),
        (export_factory, "export_id", export.id, ExportResource),
    ]
    for factory, name, row_id, resource in cases:
        assert isinstance(factory(_request(dbsession, None, **{name: row_id})), Root)
        for outsider_id in (row_id, 2**31, "x"):  # a non-member, admins too; no such row
            with pytest.raises(HTTPNotFound):
                factory(_request(dbsession, admin, **{name: outsider_id}))
        request = _request(dbsession, viewer, **{name: row_id})
        context = factory(request)
        assert isinstance(context, resource)
        assert context.role == "viewer"
        assert request.has_permission("view", context)
        assert not request.has_permission("edit", context)
    # A job of a kind this process does not know takes the most to cancel: "manage".
    viewers = _request(dbsession, viewer, job_id=job.id)
    assert not viewers.has_permission("manage_job", job_factory(viewers))
    owners = _request(dbsession, owner, job_id=job.id)
    assert owners.has_permission("manage_job", job_factory(owners))
