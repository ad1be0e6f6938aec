from decimal import Decimal

import pytest

from scrapers.text import clean_text, fold, parse_amount


def test_markup_is_removed_and_entities_decoded():
    assert clean_text("<p>Adquisici&oacute;n de <b>útiles</b></p><script>x()</script>") == (
        "Adquisición de útiles"
    )


def test_line_breaks_between_blocks_become_spaces():
    assert clean_text("uno<br>dos</p><p>tres") == "uno dos tres"


def test_whitespace_is_folded_and_control_characters_dropped():
    assert clean_text("  MUNICIPALIDAD\t\n  DISTRITAL\x00\x07 DE\u200b YURA ") == (
        "MUNICIPALIDAD DISTRITAL DE YURA"
    )


def test_removed_control_character_leaves_a_single_space():
    assert clean_text("a \x00 b") == "a b"


def test_replacement_character_from_broken_sources_is_kept():
    assert clean_text("CUNDINAMARCA - ALCALD\ufffdA") == "CUNDINAMARCA - ALCALD\ufffdA"


def test_empty_and_none_give_empty_string():
    assert clean_text(None) == ""
    assert clean_text("   ") == ""


def test_text_with_lone_less_than_sign_survives():
    assert clean_text("monto < 8 UIT") == "monto < 8 UIT"


def test_fold_removes_accents_and_case():
    assert fold("  ÁNCASH ") == "ancash"
    assert fold("San Martín") == "san martin"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("34,100,000.00", Decimal("34100000.00")),
        ("34.100.000,00", Decimal("34100000.00")),
        ("1 234,5", Decimal("1234.5")),
        ("S/ 1,500.00", Decimal("1500.00")),
        ("S/. 1,500.00", Decimal("1500.00")),
        ("1.500", Decimal("1500")),
        ("12.5", Decimal("12.5")),
        ("0,75", Decimal("0.75")),
        ("98600", Decimal("98600")),
    ],
)
def test_amounts_in_either_convention(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["---", "", None, "sin valor", "1-2"])
def test_missing_amounts_are_none(text):
    assert parse_amount(text) is None
