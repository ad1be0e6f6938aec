"""Administrators' decisions take effect, write their audit event in the same transaction, end
the sessions they must end, tell agency staff the answer by mail, and never leave the portal
without an active administrator."""

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.accounts.models import AuditAction, AuditEvent, Role


@pytest.fixture
def admin_session(signed_in):
    return signed_in(role=Role.ADMIN, email="jefa@portal.pe")


def events(session, action=None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))


def sent_mail(app) -> list:
    outbox = Path(app.config["PORTAL_OUTBOX_DIR"])
    files = sorted(outbox.glob("*.eml")) if outbox.is_dir() else []
    return [message_from_bytes(file.read_bytes(), policy=policy.default) for file in files]


def test_promotion_to_administrator_is_audited_and_ends_the_users_sessions(
    admin_session, signed_in, session
):
    admin_client, admin = admin_session
    user_client, user = signed_in(role=Role.SME)
    epoch = user.login_epoch

    response = admin_client.post(f"/admin/usuarios/{user.id}/rol", data={"role": "admin"})

    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/usuarios/{user.id}"
    session.refresh(user)
    assert user.role == Role.ADMIN
    assert user.login_epoch == epoch + 1
    [event] = events(session, AuditAction.ROLE_CHANGED)
    assert (event.actor_id, event.subject_id, event.detail) == (admin.id, user.id, "sme → admin")
    assert event.client_address == "127.0.0.1"
    # The old session is gone: the new administrator signs in again before using the role.
    assert user_client.get("/admin/usuarios").headers["Location"].startswith("/ingresar")


def test_agency_staff_role_is_bound_to_the_entity_named_by_ruc_and_approved(
    admin_session, make_user, make_buyer, session
):
    admin_client, _admin = admin_session
    buyer = make_buyer(name="Municipalidad de Cerro Colorado", ruc="20131312955")
    user = make_user(role=Role.SME)

    admin_client.post(
        f"/admin/usuarios/{user.id}/rol", data={"role": "agency_staff", "entity": "20131312955"}
    )

    session.refresh(user)
    assert (user.role, user.buyer_id) == (Role.AGENCY_STAFF, buyer.id)
    assert user.is_approved_staff
    [event] = events(session, AuditAction.ROLE_CHANGED)
    assert event.detail == "sme → agency_staff (Municipalidad de Cerro Colorado)"


def test_agency_staff_role_can_name_the_entity_by_its_number(
    admin_session, make_user, make_buyer, session
):
    admin_client, _admin = admin_session
    buyer = make_buyer()
    user = make_user(role=Role.SME)

    admin_client.post(
        f"/admin/usuarios/{user.id}/rol", data={"role": "agency_staff", "entity": str(buyer.id)}
    )

    session.refresh(user)
    assert user.buyer_id == buyer.id


@pytest.mark.parametrize(
    ("entity", "message"),
    [
        ("", "Indica la entidad"),
        ("20999999999", "No encontramos una entidad"),
        ("RUC-123", "Escribe solo dígitos"),
    ],
)
def test_agency_staff_role_without_a_known_entity_is_refused(
    admin_session, make_user, session, entity, message
):
    admin_client, _admin = admin_session
    user = make_user(role=Role.SME)

    response = admin_client.post(
        f"/admin/usuarios/{user.id}/rol",
        data={"role": "agency_staff", "entity": entity},
        follow_redirects=True,
    )

    assert message in response.text
    session.refresh(user)
    assert (user.role, user.buyer_id) == (Role.SME, None)
    assert events(session) == []


def test_staff_demoted_to_sme_loses_entity_and_approval(
    admin_session, make_user, make_buyer, session
):
    admin_client, _admin = admin_session
    user = make_user(role=Role.AGENCY_STAFF, buyer=make_buyer())

    admin_client.post(f"/admin/usuarios/{user.id}/rol", data={"role": "sme"})

    session.refresh(user)
    assert (user.role, user.buyer_id, user.staff_approved_at) == (Role.SME, None, None)
    assert events(session, AuditAction.ROLE_CHANGED)[0].detail == "agency_staff → sme"


def test_approval_lets_pending_staff_into_their_entity_page_and_mails_them(
    app, admin_session, signed_in, make_buyer, session
):
    admin_client, admin = admin_session
    buyer = make_buyer(name="Gobierno Regional de Arequipa")
    staff_client, staff = signed_in(
        role=Role.AGENCY_STAFF, buyer=buyer, approved=False, email="compras@regionarequipa.gob.pe"
    )
    assert staff_client.get(f"/entidad/{buyer.id}").status_code == 403

    response = admin_client.post(f"/admin/usuarios/{staff.id}/aprobar", follow_redirects=True)

    assert "Solicitud aprobada" in response.text
    session.refresh(staff)
    assert staff.staff_approved_at is not None
    [event] = events(session, AuditAction.STAFF_APPROVED)
    assert (event.actor_id, event.subject_id) == (admin.id, staff.id)
    assert event.detail == "Gobierno Regional de Arequipa"
    assert staff_client.get(f"/entidad/{buyer.id}").status_code == 200
    [mail] = sent_mail(app)
    assert mail["To"] == "compras@regionarequipa.gob.pe"
    assert "aprobada" in mail["Subject"]
    assert "\nhttp://localhost/entidad\n" in mail.get_content()


def test_refusal_returns_the_request_to_an_sme_account_and_mails_them(
    app, admin_session, make_user, make_buyer, session
):
    admin_client, _admin = admin_session
    buyer = make_buyer(name="Municipalidad de Ilo")
    staff = make_user(
        role=Role.AGENCY_STAFF, buyer=buyer, approved=False, email="alguien@gmail.com"
    )

    response = admin_client.post(
        f"/admin/usuarios/{staff.id}/rechazar", data={"next": "/admin/solicitudes"}
    )

    assert response.headers["Location"] == "/admin/solicitudes"
    session.refresh(staff)
    assert (staff.role, staff.buyer_id, staff.staff_approved_at) == (Role.SME, None, None)
    [event] = events(session, AuditAction.STAFF_REFUSED)
    assert (event.subject_id, event.detail) == (staff.id, "Municipalidad de Ilo")
    [mail] = sent_mail(app)
    assert mail["To"] == "alguien@gmail.com"
    assert "no fue aprobada" in mail["Subject"]


def test_approving_what_is_not_a_pending_request_changes_nothing(
    app, admin_session, make_user, make_buyer, session
):
    admin_client, _admin = admin_session
    sme = make_user(role=Role.SME)
    approved = make_user(role=Role.AGENCY_STAFF, buyer=make_buyer())

    for user in (sme, approved):
        response = admin_client.post(f"/admin/usuarios/{user.id}/aprobar", follow_redirects=True)
        assert "no tiene una solicitud" in response.text
        response = admin_client.post(f"/admin/usuarios/{user.id}/rechazar", follow_redirects=True)
        assert "no tiene una solicitud" in response.text

    session.refresh(approved)
    assert approved.role == Role.AGENCY_STAFF
    assert events(session) == []
    assert sent_mail(app) == []


def test_decision_redirect_never_leaves_the_site(admin_session, make_user):
    admin_client, _admin = admin_session
    user = make_user(role=Role.SME)

    response = admin_client.post(
        f"/admin/usuarios/{user.id}/desactivar", data={"next": "//evil.example/x"}
    )

    assert response.headers["Location"] == f"/admin/usuarios/{user.id}"


def test_deactivation_signs_the_user_out_and_reactivation_restores_access(
    admin_session, signed_in, make_buyer, session
):
    admin_client, admin = admin_session
    buyer = make_buyer()
    staff_client, staff = signed_in(role=Role.AGENCY_STAFF, buyer=buyer)
    assert staff_client.get("/entidad").headers["Location"] == f"/entidad/{buyer.id}"

    admin_client.post(f"/admin/usuarios/{staff.id}/desactivar")

    session.refresh(staff)
    assert not staff.active
    assert not staff.is_active  # Flask-Login refuses to sign in an inactive account
    assert staff_client.get("/entidad").headers["Location"].startswith("/ingresar?next=")
    [event] = events(session, AuditAction.DEACTIVATED)
    assert (event.actor_id, event.subject_id) == (admin.id, staff.id)

    admin_client.post(f"/admin/usuarios/{staff.id}/reactivar")

    session.refresh(staff)
    assert staff.active
    assert [event.subject_id for event in events(session, AuditAction.REACTIVATED)] == [staff.id]


def test_deactivating_twice_is_refused_without_a_second_event(admin_session, make_user, session):
    admin_client, _admin = admin_session
    user = make_user(role=Role.SME)

    admin_client.post(f"/admin/usuarios/{user.id}/desactivar")
    again = admin_client.post(f"/admin/usuarios/{user.id}/desactivar", follow_redirects=True)

    assert "ya está desactivada" in again.text
    assert len(events(session, AuditAction.DEACTIVATED)) == 1


def test_administrator_cannot_remove_their_own_admin_role(admin_session, make_user, session):
    admin_client, admin = admin_session
    make_user(role=Role.ADMIN)  # another administrator exists, so this is about oneself

    response = admin_client.post(
        f"/admin/usuarios/{admin.id}/rol", data={"role": "sme"}, follow_redirects=True
    )

    assert "No puedes quitar tu propio rol de administrador." in response.text
    session.refresh(admin)
    assert admin.role == Role.ADMIN
    assert events(session) == []


def test_administrator_cannot_deactivate_themselves(admin_session, make_user, session):
    admin_client, admin = admin_session
    make_user(role=Role.ADMIN)

    response = admin_client.post(f"/admin/usuarios/{admin.id}/desactivar", follow_redirects=True)

    assert "No puedes desactivar tu propia cuenta." in response.text
    session.refresh(admin)
    assert admin.active


def test_the_last_active_administrator_can_be_neither_demoted_nor_deactivated(
    admin_session, make_user, session
):
    admin_client, admin = admin_session
    retired = make_user(role=Role.ADMIN)
    retired.active = False  # a deactivated administrator does not count
    session.commit()

    demoted = admin_client.post(
        f"/admin/usuarios/{admin.id}/rol", data={"role": "sme"}, follow_redirects=True
    )
    deactivated = admin_client.post(f"/admin/usuarios/{admin.id}/desactivar", follow_redirects=True)

    for response in (demoted, deactivated):
        assert "Es el último administrador activo" in response.text
    session.refresh(admin)
    assert (admin.role, admin.active) == (Role.ADMIN, True)
    assert events(session) == []


def test_an_administrator_may_demote_another_while_one_remains(admin_session, make_user, session):
    admin_client, _admin = admin_session
    other = make_user(role=Role.ADMIN)

    admin_client.post(f"/admin/usuarios/{other.id}/rol", data={"role": "sme"})

    session.refresh(other)
    assert other.role == Role.SME


def test_deleted_accounts_cannot_be_changed(admin_session, make_user, session):
    from datetime import UTC, datetime

    admin_client, _admin = admin_session
    gone = make_user(role=Role.SME)
    gone.deleted_at = datetime.now(UTC)
    session.commit()

    response = admin_client.post(
        f"/admin/usuarios/{gone.id}/rol", data={"role": "admin"}, follow_redirects=True
    )

    assert "fue eliminada" in response.text
    session.refresh(gone)
    assert gone.role == Role.SME
