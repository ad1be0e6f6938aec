"""Registration: an unverified account, a verification link by mail, and no way to learn from
the answer whether an address was already registered."""

from datetime import UTC, datetime, timedelta

from account_factories import PASSWORD
from foundation_factories import make_buyer
from sent_mail import body_text, links_in, page_without_tokens
from sqlalchemy import select

from portal.accounts.models import AuditAction, AuditEvent, Role, User
from portal.accounts.tokens import Purpose, make_token

NEW_PASSWORD = "una frase bastante larga"


def _register(client, email, account_type="sme", agency_ruc=""):
    return client.post(
        "/registro",
        data={
            "email": email,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
            "account_type": account_type,
            "agency_ruc": agency_ruc,
        },
    )


def test_registration_creates_an_unverified_sme_and_mails_a_link_that_verifies_it(
    client, session, outbox
):
    response = _register(client, "Nueva@Empresa.pe")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ingresar"
    user = session.scalar(select(User).where(User.email == "nueva@empresa.pe"))
    assert user.role == Role.SME and user.email_verified_at is None

    (message,) = outbox()
    assert message["To"] == "nueva@empresa.pe"
    assert message["Subject"] == "Confirma tu correo en Compras MYPE"
    assert "48 horas" in body_text(message)
    (link,) = links_in(message)
    assert link.startswith("http://localhost/verificar/")

    refused = client.post("/ingresar", data={"email": "nueva@empresa.pe", "password": NEW_PASSWORD})
    assert "Aún no confirmaste tu correo" in refused.get_data(as_text=True)

    verified = client.get(link.removeprefix("http://localhost"))
    assert verified.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).email_verified_at is not None
    signed_in = client.post(
        "/ingresar", data={"email": "nueva@empresa.pe", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert client.get("/cuenta").status_code == 200


def test_signing_in_unverified_with_the_right_password_mails_a_fresh_link(
    client, make_user, outbox
):
    user = make_user(verified=False)
    response = client.post("/ingresar", data={"email": user.email, "password": NEW_PASSWORD})
    assert "no son correctos" in response.get_data(as_text=True)  # wrong password: no mail
    assert outbox() == []

    response = client.post("/ingresar", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Te enviamos un enlace nuevo" in response.get_data(as_text=True)
    (message,) = outbox()
    assert message["To"] == user.email and "/verificar/" in links_in(message)[0]


def test_registering_a_taken_address_answers_exactly_as_a_new_one_and_warns_its_owner(
    app, make_user, outbox, session
):
    owner = make_user(email="duena@empresa.pe")
    taken = _register(app.test_client(), "duena@empresa.pe")
    fresh = _register(app.test_client(), "libre@empresa.pe")

    assert taken.status_code == fresh.status_code == 302
    assert taken.headers["Location"] == fresh.headers["Location"]
    taken_page = app.test_client()
    fresh_page = app.test_client()
    landed_taken = _register(taken_page, "duena@empresa.pe")
    landed_fresh = _register(fresh_page, "libre2@empresa.pe")
    after_taken = taken_page.get(landed_taken.headers["Location"])
    after_fresh = fresh_page.get(landed_fresh.headers["Location"])
    assert page_without_tokens(after_taken, "duena@empresa.pe") == page_without_tokens(
        after_fresh, "libre2@empresa.pe"
    )

    to_owner = [message for message in outbox() if message["To"] == "duena@empresa.pe"]
    assert len(to_owner) == 2
    assert "ya tienes una" in body_text(to_owner[0])
    assert {"http://localhost/ingresar", "http://localhost/recuperar"} <= set(links_in(to_owner[0]))
    session.expire_all()
    assert session.get(User, owner.id).check_password(NEW_PASSWORD) is False


def test_agency_staff_register_for_their_entity_pending_approval(client, session, outbox):
    buyer = make_buyer(session, name="Municipalidad de Miraflores")
    session.commit()
    response = _register(client, "compras@miraflores.gob.pe", "agency", buyer.ruc)
    assert response.status_code == 302

    staff = session.scalar(select(User).where(User.email == "compras@miraflores.gob.pe"))
    assert staff.role == Role.AGENCY_STAFF
    assert staff.buyer_id == buyer.id and staff.staff_approved_at is None
    event = session.scalar(select(AuditEvent).where(AuditEvent.subject_id == staff.id))
    assert event.action == AuditAction.STAFF_REQUESTED
    assert buyer.ruc in event.detail

    client.get(links_in(outbox()[0])[0].removeprefix("http://localhost"))
    client.post("/ingresar", data={"email": staff.email, "password": NEW_PASSWORD})
    page = client.get("/cuenta").get_data(as_text=True)
    assert "Pendiente de aprobación" in page
    assert 'href="/entidad"' not in page


def test_agency_staff_must_name_a_known_entity(client, session):
    missing_ruc = _register(client, "compras@entidad.gob.pe", "agency", "")
    assert "Escribe el RUC de la entidad" in missing_ruc.get_data(as_text=True)
    bad_digit = _register(client, "compras@entidad.gob.pe", "agency", "20131312950")
    assert "dígito verificador" in bad_digit.get_data(as_text=True)
    unknown = _register(client, "compras@entidad.gob.pe", "agency", "20131312955")
    assert "No encontramos una entidad" in unknown.get_data(as_text=True)
    assert session.scalar(select(User).where(User.email == "compras@entidad.gob.pe")) is None


def test_registration_refuses_weak_or_mismatched_passwords(client, session):
    common = client.post(
        "/registro",
        data={"email": "a@empresa.pe", "password": "1234567890", "password_confirm": "1234567890"},
    )
    assert "más usadas" in common.get_data(as_text=True)
    mismatched = client.post(
        "/registro",
        data={"email": "a@empresa.pe", "password": NEW_PASSWORD, "password_confirm": "otra cosa"},
    )
    assert "no coinciden" in mismatched.get_data(as_text=True)
    assert session.scalar(select(User)) is None


def test_an_expired_verification_link_explains_and_offers_a_new_one(app, client, make_user):
    user = make_user(verified=False)
    issued = datetime.now(UTC) - timedelta(hours=48, minutes=1)
    token = make_token(Purpose.VERIFY_EMAIL, {"user": user.id, "email": user.email}, issued)
    response = client.get(f"/verificar/{token}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Este enlace ya venció" in page
    assert 'action="/verificar/nuevo"' in page


def test_a_tampered_verification_link_is_refused(client, make_user, session):
    user = make_user(verified=False)
    token = make_token(
        Purpose.VERIFY_EMAIL, {"user": user.id, "email": user.email}, datetime.now(UTC)
    )
    middle = len(token) // 2  # the last base64 character may carry only padding bits
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    response = client.get(f"/verificar/{tampered}")
    assert response.status_code == 400
    assert "Este enlace no es válido" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, user.id).email_verified_at is None


def test_asking_for_a_new_verification_link_answers_the_same_for_any_address(
    client, make_user, outbox
):
    user = make_user(verified=False)
    for address in (user.email, "nadie@empresa.pe"):
        response = client.post("/verificar/nuevo", data={"email": address})
        assert response.status_code == 302 and response.headers["Location"] == "/ingresar"
    (message,) = outbox()
    assert message["To"] == user.email
