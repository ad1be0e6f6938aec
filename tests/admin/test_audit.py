"""The audit log page: newest first, in Lima time, with actions in Spanish, failed sign-ins
included, filtered by action and by user."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal.accounts.models import AuditAction, AuditEvent, Role


@pytest.fixture
def admin_client(signed_in):
    return signed_in(role=Role.ADMIN, email="jefa@portal.pe")[0]


def rows(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'<tr class="audit-row action-([a-z_]+)">', response.text)


def add_event(session, at: datetime, action: AuditAction, **fields) -> AuditEvent:
    event = AuditEvent(at=at, action=action, **fields)
    session.add(event)
    session.commit()
    return event


def test_failed_sign_ins_appear_with_their_account_address_and_lima_time(
    admin_client, make_user, session
):
    victim = make_user(email="victima@empresa.pe")
    add_event(
        session,
        datetime(2024, 5, 2, 3, 4, 5, tzinfo=UTC),
        AuditAction.LOGIN_FAILED,
        subject_id=victim.id,
        client_address="203.0.113.9",
        detail="contraseña incorrecta",
    )

    page = admin_client.get("/admin/auditoria")

    assert rows(page) == ["login_failed"]
    assert "Ingreso fallido" in page.text
    assert "victima@empresa.pe" in page.text
    assert "203.0.113.9" in page.text
    assert "contraseña incorrecta" in page.text
    assert "01/05/2024 22:04:05" in page.text  # 03:04 UTC is 22:04 the day before in Lima


def test_events_are_listed_newest_first(admin_client, session):
    start = datetime(2024, 1, 1, tzinfo=UTC)
    add_event(session, start, AuditAction.DEACTIVATED)
    add_event(session, start + timedelta(hours=2), AuditAction.LOGIN_FAILED)
    add_event(session, start + timedelta(hours=1), AuditAction.ROLE_CHANGED)

    assert rows(admin_client.get("/admin/auditoria")) == [
        "login_failed",
        "role_changed",
        "deactivated",
    ]


def test_filter_by_action(admin_client, session):
    now = datetime.now(UTC)
    add_event(session, now, AuditAction.LOGIN_FAILED)
    add_event(session, now, AuditAction.STAFF_APPROVED)

    assert rows(admin_client.get("/admin/auditoria?action=staff_approved")) == ["staff_approved"]
    assert len(rows(admin_client.get("/admin/auditoria?action=no-such-action"))) == 2


def test_filter_by_user_matches_who_acted_and_who_was_affected(admin_client, make_user, session):
    now = datetime.now(UTC)
    boss, clerk, other = (
        make_user(email="jefe@muni.gob.pe"),
        make_user(email="asistente@muni.gob.pe"),
        make_user(email="otra@empresa.pe"),
    )
    add_event(session, now, AuditAction.ROLE_CHANGED, actor_id=boss.id, subject_id=clerk.id)
    add_event(session, now - timedelta(minutes=1), AuditAction.LOGIN_FAILED, subject_id=boss.id)
    add_event(session, now - timedelta(minutes=2), AuditAction.LOGIN_FAILED, subject_id=other.id)

    by_email = admin_client.get("/admin/auditoria?email=JEFE@muni")
    by_id = admin_client.get(f"/admin/auditoria?user={clerk.id}")

    assert rows(by_email) == ["role_changed", "login_failed"]
    assert rows(by_id) == ["role_changed"]


def test_audit_log_pages_by_fifty(admin_client, session):
    start = datetime(2024, 1, 1, tzinfo=UTC)
    session.add_all(
        AuditEvent(at=start + timedelta(minutes=number), action=AuditAction.LOGIN_FAILED)
        for number in range(60)
    )
    session.commit()

    assert len(rows(admin_client.get("/admin/auditoria"))) == 50
    assert len(rows(admin_client.get("/admin/auditoria?page=2"))) == 10


def test_decisions_made_on_the_site_show_up_in_the_log(admin_client, make_user):
    user = make_user(email="nueva-admin@portal.pe")
    admin_client.post(f"/admin/usuarios/{user.id}/rol", data={"role": "admin"})

    page = admin_client.get("/admin/auditoria")

    assert rows(page) == ["role_changed"]
    assert "Cambio de rol" in page.text
    assert "sme → admin" in page.text
    assert "jefa@portal.pe" in page.text and "nueva-admin@portal.pe" in page.text


def test_user_page_shows_their_recent_events(admin_client, make_user, session):
    user = make_user(email="intentos@empresa.pe")
    add_event(session, datetime.now(UTC), AuditAction.LOGIN_FAILED, subject_id=user.id)

    page = admin_client.get(f"/admin/usuarios/{user.id}").text

    assert "Ingreso fallido" in page
    assert f"/admin/auditoria?user={user.id}" in page
