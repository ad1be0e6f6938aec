"""Reading sent mail in account tests: parsed messages, the links in them, page comparison."""

import email
import re
from email import policy

LINK = re.compile(r"https?://\S+")
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*(")')


def parse_message(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def body_text(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def links_in(message: email.message.EmailMessage) -> list[str]:
    return LINK.findall(body_text(message))


def page_without_tokens(response, *replacements: str) -> str:
    """A page's text with CSRF tokens and the given strings (say, a typed e-mail) blanked."""
    text = CSRF_VALUE.sub(r"\1…\2", response.get_data(as_text=True))
    for replaced in replacements:
        text = text.replace(replaced, "…")
    return text
