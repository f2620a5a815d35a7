"""The users' pages: every account with its role, state and data sets; create one;
and per account, change its role, set a new password, disable it (which logs its user
out at once) or enable it again. What may be done is poser.tasks.administration's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import colander
import deform
from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.request import Request
from pyramid.security import remember
from pyramid.view import view_config

from poser.apps.site.forms import CSRFSchema, FormError, button, handle_form, make_form, render_form
from poser.models.data_extraction.administration import (
    all_data_sets,
    memberships,
    users_with_data_set_counts,
)
from poser.models.data_extraction.users import user_by_id
from poser.models.orm import MEMBER_ROLES, DataSet, User
from poser.tasks import administration
from poser.tasks.users import UserError, create_user

ROLE_CHOICES = (("operator", "Operator"), ("admin", "Admin"))


def _password_node(title: str = "Password") -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.String(),
        title=title,
        validator=colander.Length(max=1024),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "new-password"}),
    )


def _role_node() -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.String(),
        title="Role",
        validator=colander.OneOf([value for value, _ in ROLE_CHOICES]),
        widget=deform.widget.SelectWidget(values=list(ROLE_CHOICES)),
        missing_msg="Choose a role.",
    )


class CreateSchema(CSRFSchema):
    username = colander.SchemaNode(
        colander.String(),
        title="Username",
        validator=colander.Length(max=100),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off"}),
    )
    password = _password_node()
    role = _role_node()


class RoleSchema(CSRFSchema):
    role = _role_node()


class PasswordSchema(CSRFSchema):
    password = _password_node("New password")


NO_ACCESS = "none"
MEMBER_CHOICES = [(role, role.capitalize()) for role in MEMBER_ROLES] + [(NO_ACCESS, "No access")]


def membership_schema(request: Request) -> CSRFSchema:
    """A data set of the site (by its name and Application) and the role in it."""
    choices = [
        (str(d.id), f"{d.name} ({d.application or 'no application'})")
        for d in all_data_sets(request.dbsession)
    ]
    schema = CSRFSchema()
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="data_set",
            title="Data set",
            validator=colander.OneOf([value for value, _ in choices]),
            widget=deform.widget.SelectWidget(values=[("", "Choose a data set"), *choices]),
            missing_msg="Choose a data set.",
        )
    )
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="role",
            title="Their role",
            validator=colander.OneOf([value for value, _ in MEMBER_CHOICES]),
            widget=deform.widget.SelectWidget(values=MEMBER_CHOICES),
        )
    )
    return schema


FORMS: dict[str, tuple[Callable[[Request], CSRFSchema], str, str, str]] = {
    # name: (schema, route, button's words, button's class)
    "create": (lambda r: CreateSchema(), "admin_user_create", "Create user", "btn-primary"),
    "role": (lambda r: RoleSchema(), "admin_user_role", "Change role", "btn-secondary"),
    "password": (
        lambda r: PasswordSchema(),
        "admin_user_password",
        "Set password",
        "btn-secondary",
    ),
    "disable": (lambda r: CSRFSchema(), "admin_user_disable", "Disable and log out", "btn-danger"),
    "enable": (lambda r: CSRFSchema(), "admin_user_enable", "Enable", "btn-success"),
    "membership": (membership_schema, "admin_user_membership", "Set access", "btn-secondary"),
}


def _form(request: Request, name: str, user: User | None = None) -> deform.Form:
    schema, route, words, css = FORMS[name]
    action = request.route_path(route, **({"user_id": user.id} if user else {}))
    return make_form(
        request,
        schema(request),
        buttons=(button("submit", words, css),),
        name=f"user-{name}",
        action=action,
    )


def _account(request: Request) -> User:
    user = user_by_id(request.dbsession, request.matchdict["user_id"])
    if user is None:
        raise HTTPNotFound()
    return user


@view_config(
    route_name="admin_users", renderer="admin/users/list.jinja2", request_method="GET",
    permission="admin",
)  # fmt: skip
def users_list(request: Request) -> dict[str, Any]:
    return {
        "users": users_with_data_set_counts(request.dbsession),
        "create_form": render_form(request, _form(request, "create"), {"role": "operator"}),
    }


@view_config(route_name="admin_user_create", request_method="POST", permission="admin")
def user_create(request: Request) -> Any:
    def act(values: dict[str, Any]) -> str:
        try:
            user = create_user(
                request.dbsession, values["username"], values["password"], values["role"]
            )
        except UserError as error:
            raise FormError(str(error)) from error
        request.session.flash(f"{user.username} can log in now, as {user.role}.", "success")
        return str(request.route_path("admin_user", user_id=user.id))

    return handle_form(
        request, _form(request, "create"), act, back=request.route_path("admin_users")
    )


@view_config(
    route_name="admin_user", renderer="admin/users/detail.jinja2", request_method="GET",
    permission="admin",
)  # fmt: skip
def user_detail(request: Request) -> dict[str, Any]:
    user = _account(request)
    shown = ["role", "password", "disable" if user.active else "enable", "membership"]
    current = {"role": {"role": user.role}, "membership": {"role": "viewer"}}
    return {
        "account": user,
        "myself": user.id == request.identity.id,
        "forms": {
            name: render_form(request, _form(request, name, user), current.get(name, colander.null))
            for name in shown
        },
        "memberships": memberships(request.dbsession, user.id),
    }


def _change(request: Request, name: str, change: Callable[[User, dict[str, Any]], str]) -> Any:
    """Run ``change`` on the page's account with the form ``name``'s values; the task's
    refusal comes back on the account's page, its words flashed."""
    user = _account(request)
    back = request.route_path("admin_user", user_id=user.id)

    def act(values: dict[str, Any]) -> Any:
        try:
            message = change(user, values)
        except UserError as error:
            raise FormError(str(error)) from error
        request.session.flash(message, "success")
        if user.id == request.identity.id:
            # Their own new password ended every session of theirs, this one too:
            # it goes on with the new credentials.
            return HTTPSeeOther(location=back, headers=remember(request, user.id))
        return None

    return handle_form(request, _form(request, name, user), act, back=back)


@view_config(route_name="admin_user_role", request_method="POST", permission="admin")
def user_role(request: Request) -> Any:
    def change(user: User, values: dict[str, Any]) -> str:
        changed = administration.change_role(
            request.dbsession, request.identity, user, values["role"]
        )
        role = dict(ROLE_CHOICES)[user.role].lower()
        return (
            f"{user.username} is now an {role}."
            if changed
            else f"{user.username} was an {role} already."
        )

    return _change(request, "role", change)


@view_config(route_name="admin_user_password", request_method="POST", permission="admin")
def user_password(request: Request) -> Any:
    def change(user: User, values: dict[str, Any]) -> str:
        administration.reset_password(request.dbsession, request.identity, user, values["password"])
        return f"New password set for {user.username}; their other sessions have ended."

    return _change(request, "password", change)


@view_config(route_name="admin_user_disable", request_method="POST", permission="admin")
def user_disable(request: Request) -> Any:
    def change(user: User, values: dict[str, Any]) -> str:
        administration.disable_account(request.dbsession, request.identity, user)
        return f"{user.username} is disabled and logged out everywhere."

    return _change(request, "disable", change)


@view_config(route_name="admin_user_enable", request_method="POST", permission="admin")
def user_enable(request: Request) -> Any:
    def change(user: User, values: dict[str, Any]) -> str:
        administration.enable_account(request.dbsession, request.identity, user)
        return f"{user.username} can log in again."

    return _change(request, "enable", change)


@view_config(route_name="admin_user_membership", request_method="POST", permission="admin")
def user_membership(request: Request) -> Any:
    def change(user: User, values: dict[str, Any]) -> str:
        data_set = request.dbsession.get(DataSet, int(values["data_set"]))
        if data_set is None:  # deleted since the page was shown
            raise UserError("That data set is gone.")
        role = None if values["role"] == NO_ACCESS else values["role"]
        administration.set_membership(request.dbsession, request.identity, user, data_set, role)
        if role is None:
            return f"{user.username} has no access to {data_set.name} now."
        article = "an" if role[0] in "aeiou" else "a"
        return f"{user.username} is now {article} {role} of {data_set.name}."

    return _change(request, "membership", change)


def includeme(config: Configurator) -> None:
    config.add_route("admin_users", "/admin/users")
    config.add_route("admin_user_create", "/admin/users/create")
    config.add_route("admin_user", "/admin/users/{user_id}", ids="user_id")
    for action in ("role", "password", "disable", "enable", "membership"):
        config.add_route(
            f"admin_user_{action}", f"/admin/users/{{user_id}}/{action}", ids="user_id"
        )
    config.scan(__name__)
