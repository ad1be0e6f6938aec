"""Password reset: the same answer for any address, a one-hour single-use link by mail, and
every other device signed out."""

from datetime import UTC, datetime, timedelta

from account_factories import PASSWORD, sign_in_client
from sent_mail import body_text, links_in, page_without_tokens
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.operations import password_stamp
from portal.accounts.tokens import Purpose, make_token

NEW_PASSWORD = "otra frase bastante larga"


def _path(link: str) -> str:
    return link.removeprefix("http://localhost")


def test_reset_end_to_end_through_a_real_smtp_server(app, client, make_user, smtp_server):
    user = make_user(email="ana@empresa.pe")
    response = client.post("/recuperar", data={"email": "Ana@Empresa.pe"})
    assert response.status_code == 302 and response.headers["Location"] == "/ingresar"

    (message,) = smtp_server.messages
    assert message["To"] == "ana@empresa.pe"
    assert message["Subject"] == "Elige una contraseña nueva para Compras MYPE"
    assert "1 hora" in body_text(message)
    (link,) = links_in(message)
    assert link.startswith("http://localhost/recuperar/")

    form = client.get(_path(link))
    assert form.status_code == 200 and "Elige una contraseña nueva" in form.get_data(as_text=True)
    done = client.post(
        _path(link), data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/ingresar"
    notice = smtp_server.messages[-1]
    assert notice["Subject"] == "Tu contraseña de Compras MYPE cambió"

    old = app.test_client().post("/ingresar", data={"email": user.email, "password": PASSWORD})
    assert "no son correctos" in old.get_data(as_text=True)
    new = app.test_client().post("/ingresar", data={"email": user.email, "password": NEW_PASSWORD})
    assert new.status_code == 302


def test_a_reset_link_works_once(client, make_user, outbox):
    user = make_user()
    client.post("/recuperar", data={"email": user.email})
    link = _path(links_in(outbox()[0])[0])
    data = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    assert client.post(link, data=data).status_code == 302
    again = client.post(link, data={"password": "tercera frase larga", "password_confirm": "x"})
    assert again.status_code == 400
    assert "Este enlace no es válido" in again.get_data(as_text=True)
    assert client.get(link).status_code == 400


def test_a_reset_link_older_than_an_hour_is_refused(client, make_user):
    user = make_user()
    issued = datetime.now(UTC) - timedelta(hours=1, seconds=5)
    token = make_token(
        Purpose.RESET_PASSWORD, {"user": user.id, "stamp": password_stamp(user)}, issued
    )
    response = client.get(f"/recuperar/{token}")
    assert response.status_code == 400
    assert "Este enlace ya venció" in response.get_data(as_text=True)


def test_a_reset_signs_out_every_device_and_verifies_the_address(
    app, client, make_user, outbox, session
):
    user = make_user(verified=False)
    other_device = app.test_client()
    sign_in_client(other_device, user)
    client.post("/recuperar", data={"email": user.email})
    link = _path(links_in(outbox()[0])[0])
    client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    session.expire_all()
    stored = session.scalar(select(User).where(User.id == user.id))
    assert stored.login_epoch == 1 and stored.email_verified_at is not None
    assert other_device.get("/cuenta").status_code == 302


def test_the_new_password_must_follow_the_policy(client, make_user, outbox):
    user = make_user()
    client.post("/recuperar", data={"email": user.email})
    link = _path(links_in(outbox()[0])[0])
    weak = client.post(link, data={"password": "qwertyuiop", "password_confirm": "qwertyuiop"})
    assert weak.status_code == 200 and "más usadas" in weak.get_data(as_text=True)


def test_reset_answers_identically_for_registered_and_unknown_addresses(app, make_user, outbox):
    user = make_user(email="registrada@empresa.pe")
    answers = []
    for address in (user.email, "desconocida@empresa.pe"):
        client = app.test_client()
        response = client.post("/recuperar", data={"email": address})
        landed = client.get(response.headers["Location"])
        answers.append((response.status_code, response.headers["Location"], landed))
    (registered, unknown) = answers
    assert registered[:2] == unknown[:2] == (302, "/ingresar")
    assert page_without_tokens(registered[2]) == page_without_tokens(unknown[2])
    assert "Si el correo está registrado" in registered[2].get_data(as_text=True)
    assert [message["To"] for message in outbox()] == [user.email]


def test_reset_requests_are_throttled_per_account_whether_or_not_it_exists(app, make_user, outbox):
    user = make_user()
    for address in (user.email, "desconocida@empresa.pe"):
        for _request in range(3):
            ok = app.test_client().post("/recuperar", data={"email": address})
            assert ok.status_code == 302
        throttled = app.test_client().post("/recuperar", data={"email": address})
        assert throttled.status_code == 429
        assert "Demasiados intentos" in throttled.get_data(as_text=True)
    assert len(outbox()) == 3
