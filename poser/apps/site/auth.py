"""Login and logout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import colander
import deform
from pyramid.config import Configurator
from pyramid.csrf import new_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember
from pyramid.view import view_config

from poser.apps.site.forms import CSRFSchema, FormError, handle_form, make_form, render_form
from poser.tasks.users import LoginPolicy, authenticate
from poser.utils.settings import setting_int
from poser.utils.urls import is_local_path


class LoginSchema(CSRFSchema):
    username = colander.SchemaNode(
        colander.String(),
        validator=colander.Length(max=100),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username"}),
    )
    password = colander.SchemaNode(
        colander.String(),
        validator=colander.Length(max=1024),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
    )
    next = colander.SchemaNode(colander.String(), widget=deform.widget.HiddenWidget(), missing="")


def login_policy(settings: dict[str, Any]) -> LoginPolicy:
    default = LoginPolicy()
    return LoginPolicy(
        free_failures=setting_int(settings, "poser.login.free_failures", default.free_failures),
        address_free_failures=setting_int(
            settings, "poser.login.address_free_failures", default.address_free_failures
        ),
        window=timedelta(seconds=setting_int(settings, "poser.login.window_seconds", 900)),
        max_delay=timedelta(seconds=setting_int(settings, "poser.login.max_delay_seconds", 300)),
    )


def _next_url(request: Request, value: str | None) -> str:
    return value if is_local_path(value) else request.route_path("home")


@view_config(
    route_name="login",
    renderer="site/login.jinja2",
    permission=NO_PERMISSION_REQUIRED,
    request_method=("GET", "POST"),
)
def login_view(request: Request) -> Any:
    next_param = request.params.get("next", "")
    if request.method == "GET" and request.identity is not None:
        return HTTPSeeOther(location=_next_url(request, next_param))
    form = make_form(
        request, LoginSchema(), buttons=(deform.Button("submit", "Log in"),), focus="on"
    )
    if request.method == "GET":
        shown_next = next_param if is_local_path(next_param) else ""
        # Sent here from a page (a bookmark, a session that ended): say why.
        why = "Log in to see that page." if shown_next else ""
        return {"form": render_form(request, form, {"next": shown_next}), "why": why}

    def log_in(values: dict[str, Any]) -> HTTPSeeOther:
        # The login check runs its own short transactions (see authenticate); this
        # request's own transaction stays unused, so it holds no lock meanwhile.
        outcome = authenticate(
            request.registry["dbsession_factory"],
            values["username"],
            values["password"],
            request.client_addr or "unknown",
            request.registry["poser.login_policy"],
        )
        if outcome.throttled:
            # Shown in this response: the 429 and its Retry-After are for clients too.
            raise FormError(
                f"Too many failed attempts. Wait {_seconds(outcome.retry_after)} and try again.",
                status=429,
                headers={"Retry-After": str(outcome.retry_after)},
            )
        if outcome.user is None:
            raise FormError("Wrong username or password.")
        # A fresh session at login: no id or token chosen before it survives (fixation),
        # and the one before is deleted from the session store.
        request.session.invalidate()
        headers = remember(
            request, outcome.user.id, credentials_version=outcome.user.credentials_version
        )
        new_csrf_token(request)
        request.session.flash(f"Welcome, {outcome.user.username}.", "success")
        return HTTPSeeOther(location=_next_url(request, values.get("next")), headers=headers)

    posted_next = request.POST.get("next", "")
    back = request.route_path(
        "login", _query={"next": posted_next} if is_local_path(posted_next) else {}
    )
    return handle_form(
        request, form, log_in, back=back, page=lambda html: {"form": html}, atomic=False
    )


def _seconds(count: int) -> str:
    return "1 second" if count == 1 else f"{count} seconds"


@view_config(route_name="logout", request_method="POST", permission=NO_PERMISSION_REQUIRED)
def logout_view(request: Request) -> HTTPSeeOther:
    headers = forget(request)
    # Deletes the session from the session store: its cookie, if kept, opens nothing.
    request.session.invalidate()
    request.session.flash("You are logged out.", "info")
    return HTTPSeeOther(location=request.route_path("login"), headers=headers)


def includeme(config: Configurator) -> None:
    config.registry["poser.login_policy"] = login_policy(config.get_settings())
    config.add_route("login", "/login")
    config.add_route("logout", "/logout")
    config.scan(__name__)
