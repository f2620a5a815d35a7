"""Storage folders go once the request's transaction has committed, and only then."""

from __future__ import annotations

import io

import pytest
import transaction
from pyramid import testing

from poser.apps.framework.after_commit import remove_after_commit
from poser.storage.backends import MemoryFileStore


@pytest.fixture
def files() -> MemoryFileStore:
    store = MemoryFileStore()
    for key in ("exports/1/a.csv", "exports/1/b.xlsx", "exports/2/c.csv"):
        store.write(key, io.BytesIO(b"x"))
    return store


def _request(files: MemoryFileStore) -> testing.DummyRequest:
    request = testing.DummyRequest()
    request.tm = transaction.TransactionManager(explicit=True)
    request.find_service = lambda name: {"files": files}[name]
    return request


def test_a_commit_removes_the_folders(files: MemoryFileStore) -> None:
    request = _request(files)
    request.tm.begin()
    remove_after_commit(request, ["exports/1"])
    assert files.exists("exports/1/a.csv"), "nothing goes before the commit"
    request.tm.commit()
    assert files.list("exports") == ["exports/2/c.csv"]


def test_an_abort_or_a_failed_commit_keeps_them(files: MemoryFileStore) -> None:
    request = _request(files)
    request.tm.begin()
    remove_after_commit(request, ["exports/1"])
    request.tm.abort()

    request.tm.begin()
    remove_after_commit(request, ["exports/1", "exports/2"])
    request.tm.get().join(_RefusingDatabase(request.tm))
    with pytest.raises(RuntimeError, match="refused"):
        request.tm.commit()
    request.tm.abort()
    assert len(files.list("exports")) == 3


def test_a_folder_that_cannot_go_does_not_keep_the_others(files: MemoryFileStore) -> None:
    class Failing(MemoryFileStore):
        def remove_tree(self, prefix: str) -> None:
            if prefix == "exports/1":
                raise OSError("permission denied")
            super().remove_tree(prefix)

    failing = Failing()
    for key in files.list("exports"):
        failing.write(key, io.BytesIO(b"x"))
    request = _request(failing)
    request.tm.begin()
    remove_after_commit(request, ["exports/1", "exports/2"])
    request.tm.commit()
    assert failing.list("exports") == ["exports/1/a.csv", "exports/1/b.xlsx"]


class _RefusingDatabase:
    """A data manager that votes no at commit, as a database does that refuses it (a
    deferred constraint, a serialization failure)."""

    def __init__(self, manager: transaction.TransactionManager) -> None:
        self.transaction_manager = manager

    def abort(self, txn: object) -> None:
        pass

    def tpc_begin(self, txn: object) -> None:
        pass

    def commit(self, txn: object) -> None:
        pass

    def tpc_vote(self, txn: object) -> None:
        raise RuntimeError("the database refused the commit")

    def tpc_finish(self, txn: object) -> None:
        pass

    def tpc_abort(self, txn: object) -> None:
        pass

    def sortKey(self) -> str:  # noqa: N802 - the name transaction calls
        return "refusing"
