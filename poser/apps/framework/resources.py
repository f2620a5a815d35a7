"""Contexts for Application URLs: the app, and (for data set URLs) the data set."""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPNotFound
from pyramid.request import Request

from poser.apps.framework.application import Application
from poser.apps.framework.registry import REGISTRY_KEY
from poser.apps.site.security import DataSetResource, Root, data_set_factory


def application_for(request: Request, application: Application | None = None) -> Application:
    """The Application named in the URL (or ``application``, for a route of its own), if
    this user may use it; else a 404."""
    if application is None:
        application = request.registry.get(REGISTRY_KEY, {}).get(request.matchdict.get("app"))
    if application is None:
        raise HTTPNotFound()
    if request.identity is not None and not request.has_permission(
        application.permission, Root(request)
    ):
        raise HTTPNotFound()
    return application


class AppResource(Root):
    """An Application's own pages: the root's ACL applies."""

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.application = application_for(request)


class AppDataSetResource(DataSetResource):
    def __init__(self, application: Application, resource: DataSetResource) -> None:
        super().__init__(resource.data_set, resource.role, resource.__acl__)
        self.application = application


def app_factory(request: Request) -> AppResource:
    return AppResource(request)


class AppDataSetFactory:
    """Route factory: a data set of the Application (the one the URL names, or the one
    given, for a route of its own: a widget action's) that the user is a member of;
    else a 404."""

    def __init__(self, application: Application | None = None) -> None:
        self.application = application

    def __call__(self, request: Request) -> Any:
        application = application_for(request, self.application)
        resource = data_set_factory(request)
        if not isinstance(resource, DataSetResource):
            return resource  # not logged in: the default permission sends them to log in
        if resource.data_set.application != application.data_set_kind:
            raise HTTPNotFound()
        return AppDataSetResource(application, resource)


#: The factory of the data set URLs that name their Application ({app}).
app_data_set_factory = AppDataSetFactory()
