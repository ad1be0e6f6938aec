"""The English catalog is complete, consistent with its source strings and compiled."""

import re
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import portal

ENGLISH = Path(portal.__file__).parent / "translations" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-z]")


def _english_catalog():
    with (ENGLISH / "messages.po").open("rb") as handle:
        return read_po(handle)


def _forms(text: str | tuple | list) -> tuple:
    """Plural messages carry a tuple (a list when read from a .mo) of forms."""
    return tuple(text) if isinstance(text, tuple | list) else (text,)


def _placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def _translations(catalog) -> dict:
    return {_forms(message.id): _forms(message.string) for message in catalog if message.id}


def test_every_message_has_an_english_translation():
    untranslated = [
        message.id
        for message in _english_catalog()
        if message.id and not all(_forms(message.string))
    ]

    assert untranslated == []


def test_no_translation_is_left_fuzzy():
    fuzzy = [message.id for message in _english_catalog() if message.id and message.fuzzy]

    assert fuzzy == []


def test_translations_keep_the_placeholders_of_their_source():
    mismatched = []
    for message in _english_catalog():
        if not message.id:
            continue
        sources, targets = _forms(message.id), _forms(message.string)
        for index, target in enumerate(targets):
            source = sources[min(index, len(sources) - 1)]
            if _placeholders(source) != _placeholders(target):
                mismatched.append((source, target))

    assert mismatched == []


def test_committed_mo_matches_the_po():
    """A .po edited without running `pybabel compile` would leave the site on old text."""
    compiled = BytesIO()
    write_mo(compiled, _english_catalog())
    compiled.seek(0)
    with (ENGLISH / "messages.mo").open("rb") as handle:
        committed = read_mo(handle)

    assert _translations(committed) == _translations(read_mo(compiled))


def test_home_page_speaks_english_when_asked(client):
    english = client.get("/?lang=en").get_data(as_text=True)

    assert "Latest open calls" in english
    assert "Closing soon" in english
    assert "Últimas convocatorias abiertas" not in english


def test_home_page_is_spanish_by_default(client):
    page = client.get("/").get_data(as_text=True)

    assert "Últimas convocatorias abiertas" in page
    assert "Latest open calls" not in page


def test_chosen_language_is_remembered_for_later_pages(client):
    client.get("/?lang=en")

    assert "Latest open calls" in client.get("/").get_data(as_text=True)


def test_search_page_labels_are_english(client):
    page = client.get("/buscar?lang=en").get_data(as_text=True)

    for label in ("Search calls for bids and plans", "Filters", "Sort by", "Published in the last"):
        assert label in page
    assert "Ordenar por" not in page
