from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poser.models.orm import ParameterValue


def stored_parameters(dbsession: Session, data_set_id: int) -> dict[str, Any]:
    """Stored (JSON) values by parameter name; absent names were never saved."""
    return dict(
        dbsession.execute(
            select(ParameterValue.name, ParameterValue.value).where(
                ParameterValue.data_set_id == data_set_id
            )
        ).all()
    )
