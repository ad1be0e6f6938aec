"""Who an alert message goes to: the account's address and the company's contact addresses.

One message per user whatever the number of addresses (the outbox counts deliveries per user,
and the unsubscribe links act for the user); each address at most once, none that is paused,
and only addresses the To header and any SMTP server can carry as they are.
"""

import re
from collections.abc import Container, Iterable

from portal.accounts.operations import normalise_email

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# RFC 5321's dot-atom in ASCII: no quotes, brackets, commas or spaces that would split the To
# header, and nothing that needs SMTPUTF8, which would make a server refuse the whole message.
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")


def is_sendable(address: str) -> bool:
    local_part = address.partition("@")[0]
    return len(address) <= 254 and len(local_part) <= 64 and bool(_ADDRESS.fullmatch(address))


def contact_addresses(text: str | None) -> list[str]:
    """The profile's contact addresses: one a line (commas and semicolons tolerated, as the
    profile form reads them)."""
    lines = (text or "").replace(",", "\n").replace(";", "\n").splitlines()
    return [address for line in lines if (address := normalise_email(line))]


def alert_recipients(
    account_email: str, contact_emails: Iterable[str], paused: Container[str]
) -> list[str]:
    """The account's address first, then the contacts, as written; duplicates, paused and
    unsendable addresses left out. Empty when none is left."""
    recipients: list[str] = []
    for raw in (account_email, *contact_emails):
        address = normalise_email(raw)
        if address not in recipients and address not in paused and is_sendable(address):
            recipients.append(address)
    return recipients
