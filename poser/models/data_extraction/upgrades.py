"""The upgrades' records, newest first, for `poser upgrade list` and the admin pages."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poser.models.orm import Upgrade


def recent_upgrades(
    dbsession: Session, limit: int = 50, offset: int = 0
) -> tuple[list[Upgrade], int]:
    """A page of upgrades, newest first, and how many there are."""
    rows = dbsession.scalars(
        select(Upgrade).order_by(Upgrade.id.desc()).limit(limit).offset(offset)
    ).all()
    total = dbsession.scalar(select(func.count()).select_from(Upgrade)) or 0
    return list(rows), total


def upgrade_by_id(dbsession: Session, upgrade_id: int) -> Upgrade | None:
    return dbsession.get(Upgrade, upgrade_id)
