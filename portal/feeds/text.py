"""Text that XML and iCalendar can carry: scraped titles sometimes hold control characters."""

import re

# Outside XML 1.0's Char production (lxml refuses them) or iCalendar's CONTROL (RFC 5545).
INVALID_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str | None) -> str | None:
    """The text without the characters feeds cannot hold; None stays None."""
    return None if text is None else INVALID_CHARACTERS.sub("", text)


def xml_safe_tree(value):
    """Every string inside nested dicts and lists made xml_safe (an OCDS package)."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {key: xml_safe_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [xml_safe_tree(item) for item in value]
    return value
