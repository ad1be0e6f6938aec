"""Recording an unsubscribe, so the statistics can count them by month."""

from datetime import datetime

from sqlalchemy.orm import Session

from portal.statistics.models import UnsubscribeEvent, UnsubscribeKind


def record_unsubscribe(
    session: Session,
    kind: UnsubscribeKind,
    user_id: int,
    subscription_id: int | None,
    now: datetime,
) -> None:
    session.add(
        UnsubscribeEvent(at=now, kind=kind, user_id=user_id, subscription_id=subscription_id)
    )
