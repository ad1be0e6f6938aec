"""The English catalog is complete, consistent with its source strings and compiled."""

import re
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from factories import create_opportunity

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


def test_chosen_language_is_remembered_for_later_pages(app, client):
    client.get("/?lang=en")

    with client.session_transaction() as stored:
        assert stored.get("lang") == "en"
    # A fresh app context, as a real later request has: Flask-Babel caches the locale on `g`.
    with app.app_context():
        later = client.get("/").get_data(as_text=True)
    assert "Latest open calls" in later


def test_detail_page_names_the_procedure_in_the_chosen_language(client, session):
    opportunity = create_opportunity(session, procedure_type_code="LP")

    english = client.get(f"/oportunidades/{opportunity.id}?lang=en").get_data(as_text=True)
    with client.application.app_context():
        spanish = client.get(f"/oportunidades/{opportunity.id}?lang=es").get_data(as_text=True)

    assert "Public tender" in english and "Licitación Pública" not in english
    assert "Licitación Pública" in spanish


def test_search_page_labels_are_english(client):
    page = client.get("/buscar?lang=en").get_data(as_text=True)

    for label in ("Search calls for bids and plans", "Filters", "Sort by", "Published in the last"):
        assert label in page
    assert "Ordenar por" not in page
