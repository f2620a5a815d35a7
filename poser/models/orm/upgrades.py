from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .meta import Base, UTCDateTime, utcnow

UPGRADE_STATUSES = ("running", "succeeded", "failed", "interrupted")


class Upgrade(Base):
    """One run of `poser upgrade run`: who ran it, when, how it ended, and the schema
    revisions it went between. The packages before and after and the command's output
    are files under the app dir's data/upgrades/<id>/ (tasks.upgrades).

    ``command`` is the command as it ran, for the record only: what runs comes from the
    ini file, never from this table. ``host`` and ``pid`` name the process while it
    runs; one that died leaves its row "running" until the next run marks it
    "interrupted".
    """

    __tablename__ = "upgrade"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'succeeded', 'failed', 'interrupted')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    run_by: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column()
    command: Mapped[str] = mapped_column(Text)
    exit_code: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    revision_before: Mapped[str | None] = mapped_column(String(32))
    revision_after: Mapped[str | None] = mapped_column(String(32))
    #: The migrations the run applied, oldest first: [{"revision", "title"}].
    migrations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        return self.status != "running"

    def __repr__(self) -> str:
        return f"<Upgrade {self.id} {self.status}>"
