"""What a user may do: one table of what each data set role may do, read by the web's
security policy (its ACLs), the scheduler (before it queues an apply) and the job
runner (when a job starts), so that all three decide alike.

A job is authorized twice: when it is submitted (or cancelled, or retried), by the web's
ACLs, and again when a worker starts it, here, by the memberships of that moment. A
member removed, demoted or disabled while their job waited in the queue no longer has
it done for them.

A job of no user is the system's own: the scheduler's periodic jobs, or work started
from the terminal without ``--user`` (whoever runs ``poser`` on the server holds the
database already). It runs as queued: no web request can make one, since every job a
page submits names its user.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from poser.models.data_extraction.datasets import member_role
from poser.models.orm import Job, User
from poser.tasks.job_kinds import JobKind

#: What each data set role may do. The web's views name these permissions; job kinds
#: declare the one running them takes (``JobKind.permission``).
DATA_SET_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "owner": ("view", "edit", "manage"),
    "editor": ("view", "edit"),
    "viewer": ("view",),
}
#: The permission of global (data set-less) work: the site's admins'.
ADMIN = "admin"


def role_permits(role: str | None, permission: str) -> bool:
    """Whether a member of ``role`` (None: not a member) may do ``permission``."""
    return role is not None and permission in DATA_SET_PERMISSIONS.get(role, ())


def refusal(
    session: Session, user: User | None, permission: str, data_set_id: int | None
) -> str | None:
    """Why ``user`` may not do ``permission`` now (on the data set ``data_set_id``, or,
    for "admin", on the site), by their account and membership as they are in
    ``session``'s transaction; None when they may. Said for an operator."""
    if user is None:
        return "The user it acts for no longer exists"
    if permission == ADMIN:
        if user.active and user.role == "admin":
            return None
        return f"{user.username} is no longer an admin"
    if not user.active:
        return f"{user.username} is disabled, and no longer may {permission} this data set"
    role = member_role(session, data_set_id, user.id) if data_set_id is not None else None
    if role_permits(role, permission):
        return None
    return f"{user.username} no longer may {permission} this data set"


def may(session: Session, user: User | None, permission: str, data_set_id: int | None) -> bool:
    """Whether ``user`` may do ``permission`` now (see ``refusal``)."""
    return refusal(session, user, permission, data_set_id) is None


def job_refusal(session: Session, job: Job, kind: JobKind) -> str | None:
    """Why ``job`` may not run now, for the operator; None when it may. It acts for its
    user (``job.user_id``) and, when its kind names one, the user of its
    ``user_parameter`` (a copy's owner, who applied a batch): each must still hold the
    permission the kind declares (global kinds: an admin). A job of no user is the
    system's own, and runs."""
    acting = {job.user_id}
    if kind.user_parameter:
        acting.add((job.parameters or {}).get(kind.user_parameter))
    acting.discard(None)
    for user_id in sorted(acting, key=str):
        user = session.get(User, user_id) if isinstance(user_id, int) else None
        reason = refusal(session, user, kind.permission, job.data_set_id)
        if reason is not None:
            who = "An admin" if kind.permission == ADMIN else f"A member who may {kind.permission}"
            return f"{reason}; nothing was done. {who} can retry this job: it then acts for them."
    return None
