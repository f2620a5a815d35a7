"""Work that must wait until the request's transaction has committed.

Stored files are not in the database's transaction. Removed along with their rows, they
would be gone even when the commit then fails and the rows stay; removed after it, a
failed commit keeps both, and only a crash between the two can leave files that no row
names: a few unused files rather than rows whose files are gone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from pyramid.request import Request

from poser.storage.interface import FileStore

log = logging.getLogger(__name__)


def remove_after_commit(request: Request, folders: Iterable[str]) -> None:
    """Remove these storage folders, with all they hold, once the request has committed."""
    files = request.find_service(name="files")
    request.tm.get().addAfterCommitHook(_remove_folders, args=(files, list(folders)))


def _remove_folders(committed: bool, files: FileStore, folders: list[str]) -> None:
    if not committed:
        return
    for folder in folders:
        try:
            files.remove_tree(folder)
        except Exception:
            # The rows are gone for good: one folder that could not go (a permission,
            # the store away) must not keep the others.
            log.exception("could not remove %s after its rows were deleted", folder)
