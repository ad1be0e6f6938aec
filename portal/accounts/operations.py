"""Account operations shared by the CLI now and by the account screens later."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import Role, User
from portal.buyers.models import Buyer

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A request that cannot become an account, with a message fit to show the person."""


def create_user(
    session: Session,
    email: str,
    password: str,
    role: Role = Role.SME,
    buyer: Buyer | None = None,
    language: str = "es",
) -> User:
    """Adds a verified user; agency staff must name their buyer entity."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"La contraseña debe tener al menos {MIN_PASSWORD_LENGTH} caracteres.")
    if role == Role.AGENCY_STAFF and buyer is None:
        raise AccountError("El personal de una entidad debe estar vinculado a una entidad.")
    normalised = email.strip().lower()
    if "@" not in normalised or session.scalar(select(User.id).where(User.email == normalised)):
        raise AccountError(f"No se puede crear la cuenta {normalised!r}.")
    user = User(email=normalised, role=role, buyer=buyer, language=language)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user
