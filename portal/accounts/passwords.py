"""The password policy: long enough, not a password attackers try first, not the e-mail itself.

Werkzeug's scrypt (User.set_password) does the hashing; this module only decides what to accept.
"""

from functools import cache

from flask_babel import gettext as _

MIN_PASSWORD_LENGTH = 10


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common leaked passwords (zxcvbn's list), loaded on first use only."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, email: str = "") -> str | None:
    """Why the password is refused, in words for the person, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _(
            "La contraseña debe tener al menos %(count)d caracteres.", count=MIN_PASSWORD_LENGTH
        )
    folded = password.casefold()
    if folded in common_passwords():
        return _(
            "Esa contraseña es de las más usadas y se adivina en segundos. Elige otra, por "
            "ejemplo una frase de varias palabras."
        )
    if _mostly_email(folded, email.strip().casefold()):
        return _("La contraseña no puede ser tu correo ni basarse en él.")
    return None


def _mostly_email(folded: str, email: str) -> bool:
    """The address, or its name before @ with a few characters around it ("ana.torres2024").
    A name that is a small part of a long password ("demo-admin-2026") adds little risk."""
    local_part = email.partition("@")[0]
    if not local_part:
        return False
    if email in folded:
        return True
    rest = folded.replace(local_part, "", 1)
    return local_part in folded and len(rest) < len(folded) / 2
