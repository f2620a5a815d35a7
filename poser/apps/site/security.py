"""One security policy: identity from the session, permissions from ACLs.

Principals: ``user:<id>``, ``role:admin`` or ``role:operator``. Data set resources add
their members' roles (owner, editor, viewer); to anyone else a data set does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyramid.authentication import SessionAuthenticationHelper
from pyramid.authorization import (
    ALL_PERMISSIONS,
    DENY_ALL,
    ACLHelper,
    Allow,
    Authenticated,
    Everyone,
)
from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound
from pyramid.request import Request, RequestLocalCache

from poser.apps.site.routes import parse_id
from poser.models.data_extraction.datasets import member_role
from poser.models.data_extraction.users import user_by_id
from poser.models.orm import DataSet, Job, User
from poser.tasks.job_kinds import permission_to_run
from poser.tasks.permissions import DATA_SET_PERMISSIONS  # the runner's and scheduler's too

#: The session key for the credentials version of the user it identifies.
CREDENTIALS_VERSION_KEY = "auth.credentials_version"


class SecurityPolicy:
    def __init__(self) -> None:
        self.helper = SessionAuthenticationHelper(prefix="auth.")
        self.acl = ACLHelper()
        # Pyramid asks for the identity at every permission check. The session's identity
        # map holds the user only weakly, so without this each check reads the user again.
        self.identity_cache = RequestLocalCache(self._load_identity)

    def identity(self, request: Request) -> User | None:
        return self.identity_cache.get_or_create(request)  # type: ignore[no-any-return]

    def _load_identity(self, request: Request) -> User | None:
        userid = self.helper.authenticated_userid(request)
        if not isinstance(userid, int):
            return None
        user = user_by_id(request.dbsession, userid)
        if user is None or not user.active:
            return None
        # A new password or disabling moves the user's version on: every session
        # opened before it identifies no one.
        if request.session.get(CREDENTIALS_VERSION_KEY) != user.credentials_version:
            return None
        return user

    def authenticated_userid(self, request: Request) -> int | None:
        user = request.identity
        return user.id if user is not None else None

    def effective_principals(self, request: Request) -> list[str]:
        principals = [Everyone]
        user = request.identity
        if user is not None:
            principals += [Authenticated, f"user:{user.id}", f"role:{user.role}"]
        return principals

    def permits(self, request: Request, context: Any, permission: str) -> Any:
        return self.acl.permits(context, self.effective_principals(request), permission)

    def remember(
        self, request: Request, userid: Any, credentials_version: int | None = None, **kw: Any
    ) -> list[tuple[str, str]]:
        """Let the session identify ``userid`` while their credentials version is
        ``credentials_version`` (the one their password was checked against; default:
        the current one)."""
        self.identity_cache.clear(request)
        if credentials_version is None:
            user = user_by_id(request.dbsession, userid)
            credentials_version = user.credentials_version if user is not None else None
        request.session[CREDENTIALS_VERSION_KEY] = credentials_version
        return self.helper.remember(request, userid, **kw)

    def forget(self, request: Request, **kw: Any) -> list[tuple[str, str]]:
        self.identity_cache.clear(request)
        request.session.pop(CREDENTIALS_VERSION_KEY, None)
        return self.helper.forget(request, **kw)


class Root:
    """The default context: operators use the site, admins may do anything."""

    __acl__ = [
        (Allow, "role:admin", ALL_PERMISSIONS),
        (Allow, "role:operator", ("view", "use")),
        DENY_ALL,
    ]

    def __init__(self, request: Request) -> None:
        self.request = request


class OwnedResource:
    """Something a data set owns (the data set itself, a job, an export) as a route's
    context: ``subject``, the member's ``role`` in its data set (None: not a member,
    or no data set), and the ACL that gives."""

    def __init__(self, subject: Any, role: str | None, acl: list[Any]) -> None:
        self.subject = subject
        self.role = role
        self.__acl__ = acl


class DataSetResource(OwnedResource):
    """A data set as a context. Built only for members: others get a 404, not a 403,
    so ids of other people's data sets reveal nothing."""

    def __init__(self, data_set: DataSet, role: str | None, acl: list[Any]) -> None:
        super().__init__(data_set, role, acl)
        self.data_set = data_set


#: The ACL of something a data set owns: (request, the row, the member's role, the user).
AclOf = Callable[[Request, Any, "str | None", User], list[Any]]


def member_acl(request: Request, subject: Any, role: str | None, user: User) -> list[Any]:
    """A member may do what their role allows now; anyone else, admins included,
    nothing (to them it does not exist)."""
    if role is None:
        return [DENY_ALL]
    return [(Allow, f"user:{user.id}", DATA_SET_PERMISSIONS[role]), DENY_ALL]


class OwnedFactory:
    """Route factory for the URLs of something a data set owns, by the id in the URL
    (``id_name``; the route takes the ``ids`` predicate): the one way the data sets',
    the jobs' and the exports' URLs find their context.

    Nothing is read before the login check: anonymous, the root (the default
    permission sends them to log in). Then the row, the user's role in its data set as
    it is at this request, and the ACL (``acl``); a row that is not there, or that the
    user may not view, is a 404."""

    def __init__(
        self,
        model: type[Any],
        id_name: str,
        resource: Callable[[Any, str | None, list[Any]], OwnedResource],
        *,
        acl: AclOf = member_acl,
        data_set_of: Callable[[Any], int | None] = lambda row: row.data_set_id,
    ) -> None:
        self.model, self.id_name, self.resource = model, id_name, resource
        self.acl, self.data_set_of = acl, data_set_of

    def __call__(self, request: Request) -> Any:
        user = request.identity
        if user is None:
            # The default permission sends them to log in (request.root is not set
            # yet while a route's factory runs).
            return Root(request)
        row_id = parse_id(request.matchdict.get(self.id_name))
        row = request.dbsession.get(self.model, row_id) if row_id is not None else None
        if row is None:
            raise HTTPNotFound()
        data_set_id = self.data_set_of(row)
        role = member_role(request.dbsession, data_set_id, user.id) if data_set_id else None
        return visible_or_404(request, self.resource(row, role, self.acl(request, row, role, user)))


#: Route factory for URLs with ``{data_set_id}``: the data set, for its members.
data_set_factory = OwnedFactory(DataSet, "data_set_id", DataSetResource, data_set_of=lambda d: d.id)


def job_acl(request: Request, job: Job, role: str | None, user: User) -> list[Any]:
    """Who may do what with a job, from roles as they are at this request; starting a
    job gives no right to it. "view" (its page, progress, log, download) takes "view" on
    its data set; "manage_job" (cancel, retry) takes the permission its kind takes to
    run. A job of no data set (maintenance) is admins' only."""
    if job.data_set_id is None:
        return [(Allow, "role:admin", ("view", "manage_job")), DENY_ALL]
    acl = member_acl(request, job, role, user)
    if role and permission_to_run(job.kind) in DATA_SET_PERMISSIONS[role]:
        acl.insert(0, (Allow, f"user:{user.id}", "manage_job"))
    return acl


def visible_or_404(request: Request, resource: Any) -> Any:
    """To someone who may not view it, a thing does not exist."""
    if not request.has_permission("view", resource):
        raise HTTPNotFound()
    return resource


def includeme(config: Configurator) -> None:
    config.set_security_policy(SecurityPolicy())
    config.set_root_factory(Root)
    # Every view needs 'view' unless it says otherwise; an unauthenticated request
    # therefore reaches only the views that opt out (login, health, static files).
    config.set_default_permission("view")
    # Every unsafe method (POST, PUT, DELETE, PATCH) needs the session's CSRF token.
    config.set_default_csrf_options(require_csrf=True)
