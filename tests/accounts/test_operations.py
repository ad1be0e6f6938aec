import pytest
from foundation_factories import make_buyer

from portal.accounts.models import Role, User
from portal.accounts.operations import AccountError, create_user


def test_created_user_has_a_scrypt_hash_and_lowercase_email(session):
    user = create_user(session, "  Ana@Ejemplo.PE ", "una-clave-larga")
    session.commit()
    stored = session.get(User, user.id)
    assert stored.email == "ana@ejemplo.pe"
    assert stored.password_hash.startswith("scrypt:")
    assert stored.check_password("una-clave-larga")
    assert not stored.check_password("otra-clave-larga")


def test_short_password_is_refused(session):
    with pytest.raises(AccountError, match="al menos 10"):
        create_user(session, "ana@ejemplo.pe", "corta")


def test_agency_staff_needs_a_buyer(session):
    with pytest.raises(AccountError, match="vinculado"):
        create_user(session, "staff@ejemplo.pe", "una-clave-larga", Role.AGENCY_STAFF)
    staff = create_user(
        session, "staff@ejemplo.pe", "una-clave-larga", Role.AGENCY_STAFF, make_buyer(session)
    )
    assert staff.buyer is not None


def test_duplicate_email_is_refused(session):
    create_user(session, "ana@ejemplo.pe", "una-clave-larga")
    with pytest.raises(AccountError):
        create_user(session, "ANA@ejemplo.pe", "una-clave-larga")


def test_create_user_command(runner, session):
    result = runner.invoke(
        args=["create-user", "admin@ejemplo.pe", "--role", "admin", "--password", "clave-de-admin"]
    )
    assert result.exit_code == 0, result.output
    assert session.query(User).filter_by(email="admin@ejemplo.pe").one().role == Role.ADMIN
    refused = runner.invoke(
        args=[
            "create-user",
            "x@ejemplo.pe",
            "--role",
            "agency_staff",
            "--password",
            "clave-larga-1",
        ]
    )
    assert refused.exit_code != 0
    assert "vinculado" in refused.output
