"""The password policy: length, the common-password list, the e-mail as password."""

import pytest

from portal.accounts.operations import AccountError, create_user
from portal.accounts.passwords import common_passwords, password_problem


def test_the_common_list_is_zxcvbns_thirty_thousand_loaded_once():
    assert len(common_passwords()) == 30_000
    assert common_passwords() is common_passwords()


@pytest.mark.parametrize("password", ["1234567890", "qwertyuiop", "Password123", "PASSWORD1234"])
def test_common_passwords_are_refused_whatever_their_case(password):
    assert "más usadas" in password_problem(password, "ana@empresa.pe")


def test_short_passwords_are_refused_with_the_minimum():
    assert password_problem("corta-123", "ana@empresa.pe") == (
        "La contraseña debe tener al menos 10 caracteres."
    )


@pytest.mark.parametrize(
    "password", ["ana.torres@empresa.pe", "Ana.Torres2024", "ana.torres", "xx-ana.torres-x"]
)
def test_the_email_or_its_name_with_a_few_characters_is_refused(password):
    assert "correo" in password_problem(password, "Ana.Torres@empresa.pe")


@pytest.mark.parametrize(
    ("password", "email"),
    [
        ("una frase bastante larga", "ana@empresa.pe"),
        ("demo-admin-2026", "admin@comprasmype.pe"),  # the README's demo accounts
        ("demo-mype-2026", "mype@textilesgamarra.pe"),
    ],
)
def test_long_uncommon_passwords_are_accepted(password, email):
    assert password_problem(password, email) is None


def test_create_user_applies_the_policy(session):
    with pytest.raises(AccountError, match="más usadas"):
        create_user(session, "ana@empresa.pe", "qwertyuiop")
    with pytest.raises(AccountError, match="correo"):
        create_user(session, "gerencia.ventas@empresa.pe", "gerencia.ventas1")
