"""A job is authorized again when a worker starts it, by the memberships of that moment:
one whose user was removed, demoted or disabled while it waited fails, saying why, and
changes nothing. A job of no user (the scheduler's, the terminal's) runs as queued."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from poser.models.orm import (
    Batch,
    BatchExecution,
    DataSet,
    DataSetMember,
    Job,
    ProductChange,
    ProductCost,
)
from poser.storage.backends import local_store
from poser.tasks import jobs, maintenance
from poser.tasks.batches import get_handler
from poser.tasks.batches import jobs as batch_jobs
from poser.tasks.datasets import jobs as data_set_jobs
from poser.tasks.datasets import remove_member, set_member
from poser.tasks.permissions import DATA_SET_PERMISSIONS, role_permits
from poser.tasks.users import disable_user
from tests.catalog_support import HEADER, UPC_BUTTER, UPC_SOAP, make_batch, make_catalog
from tests.factories import make_data_set, make_user
from tests.jobs_support import RecordingQueue

CATALOG = HEADER + f"{UPC_BUTTER},A-100,Butter,,,12,26.40\n{UPC_SOAP},A-200,Soap,,,6,6.00\n"


@pytest.fixture
def queue() -> RecordingQueue:
    return RecordingQueue()


@pytest.fixture
def shop(dbsession: Session, tmp_path: Any) -> dict[str, Any]:
    owner = make_user(dbsession, "olga")
    data_set = make_data_set(dbsession, "Corner Shop", members={owner: "owner"})
    catalog = make_catalog(dbsession, data_set)
    dbsession.commit()
    return {"data_set": data_set, "owner": owner, "files": local_store(tmp_path), **catalog}


def _member(dbsession: Session, shop: dict[str, Any], name: str, role: str) -> Any:
    user = make_user(dbsession, name)
    set_member(shop["data_set"], user, role)
    dbsession.commit()
    return user


def _run(
    session_factory: sessionmaker[Session], queue: RecordingQueue, job: Job, **resources: Any
) -> str | None:
    """The job, run by the real runner as a worker runs it (``queue`` is a resource of
    the batch jobs too)."""
    return jobs.run(
        session_factory, queue, job.id, worker="test", resources={"queue": queue, **resources}
    )


def _job(dbsession: Session, job: Job) -> Job:
    dbsession.expire_all()
    return dbsession.get_one(Job, job.id)


def _count(dbsession: Session, table: Any) -> int:
    dbsession.expire_all()
    return dbsession.scalar(select(func.count()).select_from(table)) or 0


def _costs(dbsession: Session) -> list[tuple[int, Decimal]]:
    dbsession.expire_all()
    rows = dbsession.execute(select(ProductCost.id, ProductCost.unit_cost).order_by("id"))
    return [tuple(row) for row in rows]


def _copy(dbsession: Session, queue: RecordingQueue, data_set: DataSet, user: Any) -> Job:
    """What the settings page's Copy submits, as ``user``."""
    job = jobs.submit(
        dbsession,
        queue,
        data_set_jobs.copy,
        data_set=data_set,
        user=user,
        parameters={"name": "My copy", "owner_id": user.id},
    )
    dbsession.commit()
    return job


def _apply(dbsession: Session, queue: RecordingQueue, shop: dict[str, Any], user: Any) -> Job:
    """A read batch, and its apply as the Apply step submits it, as ``user``."""
    handler = get_handler("catalog")
    batch = make_batch(shop["data_set"], shop["files"], CATALOG, shop["acme"])
    handler.populate(batch, shop["files"])
    dbsession.flush()
    job = jobs.submit(
        dbsession,
        queue,
        batch_jobs.execute,
        data_set=shop["data_set"],
        user=user,
        parameters={"batch_id": batch.id, "batch_version": batch.version, "user_id": user.id},
    )
    dbsession.commit()
    return job


def test_a_copy_queued_by_a_member_removed_before_it_runs_makes_nothing(
    dbsession, session_factory, queue, shop
) -> None:
    viewer = _member(dbsession, shop, "vic", "viewer")
    job = _copy(dbsession, queue, shop["data_set"], viewer)
    remove_member(shop["data_set"], viewer)  # while the job waits in the queue
    dbsession.commit()

    assert _run(session_factory, queue, job) == "failed"
    failed = _job(dbsession, job)
    assert failed.error == (
        "vic no longer may view this data set; nothing was done. A member who may view "
        "can retry this job: it then acts for them."
    )
    assert failed.result is None
    assert _count(dbsession, DataSet) == 1  # no copy, for vic or anyone
    assert dbsession.scalars(select(DataSetMember.user_id)).all() == [shop["owner"].id]


def test_an_apply_by_an_editor_demoted_to_viewer_before_it_runs_applies_nothing(
    dbsession, session_factory, queue, shop
) -> None:
    editor = _member(dbsession, shop, "eddie", "editor")
    before = _costs(dbsession)
    job = _apply(dbsession, queue, shop, editor)
    set_member(shop["data_set"], editor, "viewer")  # while the apply waits
    dbsession.commit()

    status = _run(session_factory, queue, job, files=shop["files"])
    assert status == "failed"
    assert _job(dbsession, job).error.startswith(
        "eddie no longer may edit this data set; nothing was done."
    )
    assert _costs(dbsession) == before
    assert _count(dbsession, ProductChange) == 0
    assert _count(dbsession, BatchExecution) == 0
    assert dbsession.scalars(select(Batch.status)).one() == "populated"
    assert dbsession.scalars(select(Job.kind)).all() == ["batches.execute"]  # no report

    # An editor retries it: it is theirs now, and applies.
    jobs.retry(dbsession, queue, _job(dbsession, job), user=shop["owner"])
    dbsession.commit()
    assert _run(session_factory, queue, job, files=shop["files"]) == "succeeded"
    assert _count(dbsession, ProductChange) == 2


def test_a_disabled_user_s_job_does_not_run(dbsession, session_factory, queue, shop) -> None:
    job = _copy(dbsession, queue, shop["data_set"], shop["owner"])
    disable_user(dbsession, shop["owner"])
    dbsession.commit()
    assert _run(session_factory, queue, job) == "failed"
    assert _job(dbsession, job).error.startswith(
        "olga is disabled, and no longer may view this data set; nothing was done."
    )
    assert _count(dbsession, DataSet) == 1


def test_a_job_acts_for_its_kinds_user_too(dbsession, session_factory, queue, shop) -> None:
    """A copy for an owner who is not (or no longer) a member is not made, whoever
    queued it."""
    stranger = make_user(dbsession, "sam")
    job = jobs.submit(
        dbsession,
        queue,
        data_set_jobs.copy,
        data_set=shop["data_set"],
        user=shop["owner"],
        parameters={"name": "For sam", "owner_id": stranger.id},
    )
    dbsession.commit()
    assert _run(session_factory, queue, job) == "failed"
    assert _job(dbsession, job).error.startswith("sam no longer may view this data set")
    assert _count(dbsession, DataSet) == 1


def test_a_member_who_still_may_runs_it(dbsession, session_factory, queue, shop) -> None:
    job = _copy(dbsession, queue, shop["data_set"], shop["owner"])
    assert _run(session_factory, queue, job) == "succeeded"
    assert _count(dbsession, DataSet) == 2


def test_a_maintenance_job_runs_for_an_admin_only_and_for_the_system(
    dbsession, session_factory, queue, tmp_path
) -> None:
    admin = make_user(dbsession, "ada", role="admin")
    queued = [
        jobs.submit(dbsession, queue, maintenance.purge_work, user=user)
        for user in (admin, admin, None)
    ]
    dbsession.commit()
    assert _run(session_factory, queue, queued[0], work_dir=tmp_path) == "succeeded"
    admin.role = "operator"  # the second waits in the queue meanwhile
    dbsession.commit()
    assert _run(session_factory, queue, queued[1], work_dir=tmp_path) == "failed"
    assert _job(dbsession, queued[1]).error == (
        "ada is no longer an admin; nothing was done. An admin can retry this job: it then "
        "acts for them."
    )
    # The scheduler's own jobs name no user: they run.
    assert _run(session_factory, queue, queued[2], work_dir=tmp_path) == "succeeded"


def test_one_table_says_what_each_role_may_do() -> None:
    assert DATA_SET_PERMISSIONS == {
        "owner": ("view", "edit", "manage"),
        "editor": ("view", "edit"),
        "viewer": ("view",),
    }
    assert role_permits("editor", "edit")
    assert not role_permits("viewer", "edit")
    assert not role_permits(None, "view")
    assert not role_permits("stranger", "view")
