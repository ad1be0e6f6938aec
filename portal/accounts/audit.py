"""The audit log: one row per role change, staff decision, deactivation, deletion or failed
sign-in, written in the same transaction as the change it records."""

from flask import has_request_context, request
from sqlalchemy.orm import Session

from portal.accounts.models import AuditAction, AuditEvent, User


def client_address() -> str | None:
    """The client's address as the WSGI server saw it (behind a proxy, configure the proxy's
    X-Forwarded-For handling in front of gunicorn, never trust the header blindly here)."""
    return request.remote_addr if has_request_context() else None


def record_event(
    session: Session,
    action: AuditAction,
    actor: User | None = None,
    subject: User | None = None,
    detail: str = "",
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        subject_id=subject.id if subject else None,
        client_address=client_address(),
        detail=detail,
    )
    session.add(event)
    return event
