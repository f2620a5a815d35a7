"""A page that writes when it is read (a visit counter), for the tests of how requests
get SQLite's write lock: `poser.includes` adds it."""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request

from poser.models.orm import DataSet


def count_a_visit(request: Request) -> dict[str, Any]:
    """Reads the data set, then writes to it: a GET whose transaction began deferred."""
    data_set = request.dbsession.get_one(DataSet, int(request.matchdict["data_set_id"]))
    visits = int(data_set.description or 0) + 1
    data_set.description = str(visits)
    request.dbsession.flush()
    return {"visits": visits}


def includeme(config: Configurator) -> None:
    config.add_route("sample_visit", "/sample/visits/{data_set_id}")
    config.add_view(count_a_visit, route_name="sample_visit", renderer="json")
