from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from poser.models.orm import Upload


def recent_uploads(dbsession: Session, data_set_id: int, limit: int = 10) -> list[Upload]:
    return list(
        dbsession.scalars(
            select(Upload)
            .where(Upload.data_set_id == data_set_id)
            .options(joinedload(Upload.uploaded_by))
            .order_by(Upload.id.desc())
            .limit(limit)
        )
    )
