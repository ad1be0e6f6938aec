"""What the upload pages read: an entity's drafts, whose a draft is, entities by name or RUC."""

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from portal.buyers.models import Buyer
from portal.buyers.queries import buyer_by_reference
from portal.plans.models import PlanUpload, UploadStatus

CHOICES_SHOWN = 20
RECENT_DRAFTS = 20


def draft_buyer_id(session: Session, upload_id: int) -> int | None:
    """The entity a draft belongs to, for the access rule (None: no such draft)."""
    return session.scalar(select(PlanUpload.buyer_id).where(PlanUpload.id == upload_id))


def upload_by_id(session: Session, upload_id: int) -> PlanUpload | None:
    """The draft without its file: publishing loads the bytes when it needs them."""
    return session.scalar(
        select(PlanUpload).where(PlanUpload.id == upload_id).options(defer(PlanUpload.content))
    )


def open_drafts(session: Session, buyer_id: int, limit: int = RECENT_DRAFTS) -> list[PlanUpload]:
    """The entity's drafts still waiting to be published or discarded, newest first."""
    query = (
        select(PlanUpload)
        .where(PlanUpload.buyer_id == buyer_id, PlanUpload.status == UploadStatus.DRAFT)
        .options(defer(PlanUpload.content), defer(PlanUpload.problems), defer(PlanUpload.preview))
        .order_by(PlanUpload.created_at.desc(), PlanUpload.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def entities_matching(session: Session, text: str, limit: int = CHOICES_SHOWN) -> list[Buyer]:
    """An administrator's search: the entity with that RUC or number, else names containing
    the text (as typed: LIKE wildcards in it are taken literally)."""
    text = text.strip()
    if not text:
        return []
    found = buyer_by_reference(session, text)
    if found is not None:
        return [found]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        select(Buyer)
        .where(Buyer.name.ilike(f"%{escaped}%", escape="\\"))
        .order_by(Buyer.name, Buyer.id)
        .limit(limit)
    )
    return list(session.scalars(query))
