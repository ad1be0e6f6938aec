"""What administrators browse: accounts by e-mail, role and state, and the audit log."""

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from portal.accounts.models import AuditAction, AuditEvent, Role, User
from portal.pagination import Page, paginate

STATES = ("active", "deactivated", "pending", "unverified", "deleted")


def users_query(email: str = "", role: Role | None = None, state: str | None = None) -> Select:
    """Deleted (anonymised) accounts only appear when asked for by their state."""
    query = select(User).options(joinedload(User.buyer))
    if email:
        query = query.where(User.email.contains(email.strip().lower(), autoescape=True))
    if role is not None:
        query = query.where(User.role == role)
    if state == "deleted":
        return query.where(User.deleted_at.is_not(None)).order_by(User.id.desc())
    query = query.where(User.deleted_at.is_(None))
    if state == "active":
        query = query.where(User.active.is_(True))
    elif state == "deactivated":
        query = query.where(User.active.is_(False))
    elif state == "pending":
        query = query.where(User.role == Role.AGENCY_STAFF, User.staff_approved_at.is_(None))
    elif state == "unverified":
        query = query.where(User.email_verified_at.is_(None))
    return query.order_by(User.created_at.desc(), User.id.desc())


def search_users(
    session: Session,
    email: str = "",
    role: Role | None = None,
    state: str | None = None,
    page: int = 1,
) -> Page[User]:
    return paginate(session, users_query(email, role, state), page)


def pending_staff(session: Session) -> list[User]:
    """Requests waiting for a decision, oldest first: the first asked is the first answered."""
    query = (
        users_query(role=Role.AGENCY_STAFF, state="pending")
        .where(User.active.is_(True))
        .order_by(None)
        .order_by(User.created_at, User.id)
    )
    return list(session.scalars(query).unique())


def audit_query(action: AuditAction | None = None, email: str = "", user_id: int | None = None):
    """Newest first; a user filter matches events where the user acted or was acted upon."""
    actor, subject = aliased(User), aliased(User)
    query = (
        select(AuditEvent)
        .outerjoin(actor, AuditEvent.actor_id == actor.id)
        .outerjoin(subject, AuditEvent.subject_id == subject.id)
        .options(joinedload(AuditEvent.actor), joinedload(AuditEvent.subject))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if user_id is not None:
        query = query.where(or_(AuditEvent.actor_id == user_id, AuditEvent.subject_id == user_id))
    if email:
        fragment = email.strip().lower()
        query = query.where(
            or_(
                actor.email.contains(fragment, autoescape=True),
                subject.email.contains(fragment, autoescape=True),
            )
        )
    return query


def audit_events(
    session: Session,
    action: AuditAction | None = None,
    email: str = "",
    user_id: int | None = None,
    page: int = 1,
) -> Page[AuditEvent]:
    return paginate(session, audit_query(action, email, user_id), page)
