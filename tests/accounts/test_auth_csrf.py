"""With CSRF on (as in production), state-changing account requests need the form's token."""

import pytest
from account_factories import PASSWORD, sign_in_client


@pytest.fixture
def csrf_app(app):
    """The test app with CSRF protection on, as production has it (Flask-WTF reads the setting
    on every request and form, so switching it here is the same as building the app with it)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize(
    "path", ["/ingresar", "/salir", "/registro", "/recuperar", "/verificar/nuevo"]
)
def test_posts_without_a_token_are_refused(csrf_app, make_user, path):
    user = make_user()
    client = csrf_app.test_client()
    response = client.post(path, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path", ["/cuenta/perfil", "/cuenta/correo", "/cuenta/contrasena", "/cuenta/eliminar"]
)
def test_account_changes_without_a_token_are_refused(csrf_app, make_user, path):
    user = make_user()
    client = csrf_app.test_client()
    sign_in_client(client, user)
    assert client.post(path, data={"password": PASSWORD}).status_code == 400


def test_the_login_form_carries_a_token_that_is_accepted(csrf_app, make_user):
    user = make_user()
    client = csrf_app.test_client()
    page = client.get("/ingresar").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/ingresar", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
