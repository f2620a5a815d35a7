"""What an admin does to other people's accounts from the site's pages, with the
rules that keep the site administrable: an admin never takes away their own admin
role or account, and the last active admin stays one. Every change is logged with who
made it. The account changes themselves are poser.tasks.users'."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import ROLES, DataSet, User
from poser.tasks.datasets import DataSetError, remove_member, set_member
from poser.tasks.users import UserError, disable_user, enable_user, end_sessions, set_password

log = logging.getLogger(__name__)


def _active_admins(dbsession: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == "admin", User.active)
    return dbsession.scalar(query) or 0


def _keep_an_admin(dbsession: Session, user: User) -> None:
    if user.role == "admin" and user.active and _active_admins(dbsession) <= 1:
        raise UserError(f"{user.username} is the only admin: make another admin first.")


def change_role(dbsession: Session, actor: User, user: User, role: str) -> bool:
    """Give ``user`` the role ``role``; False when it was theirs already. The new role
    holds from their next request: the security policy reads it each time."""
    if role not in ROLES:
        raise UserError(f"Choose one of the roles: {', '.join(ROLES)}.")
    if role == user.role:
        return False
    if user.id == actor.id:
        raise UserError("You cannot take away your own admin role: another admin can.")
    if role != "admin":
        _keep_an_admin(dbsession, user)
    user.role = role
    dbsession.flush()
    log.info("role changed: %s is now %s (by %s)", user.username, role, actor.username)
    return True


def disable_account(dbsession: Session, actor: User, user: User) -> None:
    """``user`` can no longer log in, and is logged out everywhere at once."""
    if user.id == actor.id:
        raise UserError("You cannot disable your own account: another admin can.")
    if not user.active:
        raise UserError(f"{user.username} is disabled already.")
    _keep_an_admin(dbsession, user)
    disable_user(dbsession, user)
    log.info("user disabled by %s: %s", actor.username, user.username)


def enable_account(dbsession: Session, actor: User, user: User) -> None:
    if user.active:
        raise UserError(f"{user.username} can log in already.")
    enable_user(dbsession, user)
    log.info("user enabled by %s: %s", actor.username, user.username)


def reset_password(dbsession: Session, actor: User, user: User, password: str) -> None:
    """A new password for ``user``; every session of theirs ends (the admin's own, when
    it is theirs, is the caller's to open again)."""
    set_password(dbsession, user, password)
    log.info("password reset by %s for %s", actor.username, user.username)


def log_out_everywhere(dbsession: Session, actor: User, user: User) -> None:
    """End every session of ``user`` without changing anything else."""
    end_sessions(user)
    dbsession.flush()
    log.info("sessions ended by %s for %s", actor.username, user.username)


def set_membership(
    dbsession: Session, actor: User, user: User, data_set: DataSet, role: str | None
) -> None:
    """Make ``user`` a member of ``data_set`` as ``role``, or no member (None). A data
    set keeps an owner: the task of the data set's own page refuses otherwise."""
    try:
        if role is None:
            remove_member(data_set, user)
        else:
            set_member(data_set, user, role)
    except DataSetError as error:
        raise UserError(str(error)) from error
    log.info(
        "membership set by %s: %s in data set %s is %s",
        actor.username, user.username, data_set.id, role or "no member",
    )  # fmt: skip
