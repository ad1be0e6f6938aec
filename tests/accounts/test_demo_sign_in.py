"""The README's demo accounts sign in at /ingresar, and the welcome mail points there."""

from datetime import UTC, datetime

import pytest
from sent_mail import links_in

from portal.demo.operations import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    SME_EMAIL,
    SME_PASSWORD,
    _create_demo_users,
)


@pytest.mark.parametrize(
    ("email", "password", "landing"),
    [(ADMIN_EMAIL, ADMIN_PASSWORD, "Administrador"), (SME_EMAIL, SME_PASSWORD, "Tu empresa")],
)
def test_demo_accounts_sign_in_with_the_readme_passwords(app, client, email, password, landing):
    _create_demo_users(app, datetime.now(UTC))
    response = client.post(
        "/ingresar", data={"email": email, "password": password, "next": "/cuenta"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/cuenta"
    assert landing in client.get("/cuenta").get_data(as_text=True)


def test_the_welcome_mail_points_to_the_sign_in_page(app, outbox):
    _create_demo_users(app, datetime.now(UTC))
    (welcome,) = outbox()
    assert "http://127.0.0.1:5000/ingresar" in links_in(welcome)
