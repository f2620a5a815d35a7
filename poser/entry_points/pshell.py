"""``pshell development.ini``: a Python shell with the app's objects at hand.

The ini's ``[pshell]`` section names ``setup``. The shell gets, besides pshell's own
``app``, ``request``, ``registry`` and ``root``:

- ``dbsession``: the request's session, in a transaction begun for the shell; nothing
  is saved until ``tm.commit()``, and ``tm.abort()`` drops what was changed;
- ``tm``: that transaction manager;
- ``models``: ``poser.models.orm`` (``models.Product``, ``models.DataSet`` ...);
- ``data_sets``: every data set by name;
- ``files`` and ``jobs``: the file store and the job queue the web app uses.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from poser.models import orm


class DataSets(dict[str, orm.DataSet]):
    """Every data set by name: data_sets["Sample Store"]."""


def setup(env: dict[str, Any]) -> None:
    request = env["request"]
    request.tm.begin()
    dbsession = request.dbsession
    data_sets = DataSets((row.name, row) for row in dbsession.scalars(select(orm.DataSet)))
    env.update(
        tm=request.tm,
        dbsession=dbsession,
        models=orm,
        data_sets=data_sets,
        files=request.find_service(name="files"),
        jobs=request.find_service(name="jobs"),
    )
