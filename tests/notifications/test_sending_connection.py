"""One SMTP connection carries a batch of alerts, and its errors come out classified.

No database here: an app whose SMTP_URL points at the scripted server is all it takes.
"""

import pytest
from sending_support import ScriptedSMTPHandler, start_sink

from notifications.mail import (
    MailServerUnavailable,
    PermanentMailError,
    TemporaryMailError,
    build_message,
    mail_sender,
)
from portal.app import create_app


@pytest.fixture
def scripted_server():
    handler = ScriptedSMTPHandler()
    controller = start_sink(handler)
    handler.url = f"smtp://127.0.0.1:{controller.port}"
    yield handler
    controller.stop()


@pytest.fixture
def mail_app(tmp_path, scripted_server):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            "PORTAL_INDEX_DIR": str(tmp_path / "index"),
            "PORTAL_OUTBOX_DIR": str(tmp_path / "outbox"),
            "SMTP_URL": scripted_server.url,
        }
    )


def message(app, to: str = "mype@empresa.pe"):
    return build_message(app, to, "Aviso de prueba", "Texto del aviso")


def test_a_batch_of_messages_goes_over_one_connection(mail_app, scripted_server):
    with mail_sender(mail_app).connection() as connection:
        for number in range(5):
            connection.send(message(mail_app, f"mype{number}@empresa.pe"))

    assert len(scripted_server.messages) == 5 and len(scripted_server.connections) == 1


def test_refusals_are_temporary_or_permanent_and_the_connection_goes_on(mail_app, scripted_server):
    scripted_server.replies["lleno@empresa.pe"] = ["452 4.2.2 Buzón lleno por ahora"]
    scripted_server.replies["nadie@empresa.pe"] = ["550 5.1.1 No existe"]
    scripted_server.data_replies = ["554 5.7.1 Contenido rechazado"]

    with mail_sender(mail_app).connection() as connection:
        with pytest.raises(TemporaryMailError, match="452 4.2.2"):
            connection.send(message(mail_app, "lleno@empresa.pe"))
        with pytest.raises(PermanentMailError, match="550 5.1.1 No existe"):
            connection.send(message(mail_app, "nadie@empresa.pe"))
        with pytest.raises(PermanentMailError, match="554 5.7.1"):
            connection.send(message(mail_app, "contenido@empresa.pe"))
        connection.send(message(mail_app, "mype@empresa.pe"))

    assert [sent["To"] for sent in scripted_server.messages] == ["mype@empresa.pe"]
    assert len(scripted_server.connections) == 1


def test_a_session_the_server_closes_at_mail_from_is_reopened_once(mail_app, scripted_server):
    with mail_sender(mail_app).connection() as connection:
        connection.send(message(mail_app))
        scripted_server.mail_replies = ["421 4.7.0 Demasiados mensajes en esta conexión"]
        connection.send(message(mail_app))

    assert len(scripted_server.messages) == 2 and len(scripted_server.connections) == 2


def test_mail_from_refused_on_a_new_session_means_no_server(mail_app, scripted_server):
    scripted_server.mail_replies = ["553 5.7.1 Remitente no autorizado"]

    with mail_sender(mail_app).connection() as connection:
        with pytest.raises(MailServerUnavailable, match="553 5.7.1"):
            connection.send(message(mail_app))


def test_nothing_listening_means_no_server(mail_app):
    mail_app.config["SMTP_URL"] = "smtp://127.0.0.1:9"  # the discard port: nothing there

    with mail_sender(mail_app).connection() as connection:
        with pytest.raises(MailServerUnavailable, match="cannot connect"):
            connection.send(message(mail_app))
