import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrapers.text import clean_text, fold, parse_amount

# What an HTML tokenizer would open as a tag, comment or processing instruction.
TAG = re.compile(r"</?[A-Za-z]|<[!?]")


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("&lt;b&gt;x&lt;/b&gt;", "x"),
        ("&amp;lt;b&amp;gt;x&amp;lt;/b&amp;gt;", "x"),
        ("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;", ""),
        ("&lt;p&gt;Papel &lt;b&gt;A4&lt;/b&gt;&lt;/p&gt;", "Papel A4"),
    ],
)
def test_markup_spelled_with_entities_is_removed_once_decoded(text, expected):
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Precio < 5 & IGV", "Precio < 5 & IGV"),
        ("monto &lt; 8 UIT &amp; IGV", "monto < 8 UIT & IGV"),
        ("AT&amp;amp;T <b>S.A.</b>", "AT&T S.A."),
    ],
)
def test_literal_less_than_and_ampersand_are_kept_as_text(text, expected):
    assert clean_text(text) == expected


@pytest.mark.parametrize("text", ["<<b>b>x", "<\u200bb>x", "&lt;&#x200b;b&gt;x", "<\x00b>x"])
def test_leftovers_of_a_stripped_tag_do_not_form_a_new_one(text):
    assert clean_text(text) == "x"


def test_angle_brackets_nested_beyond_the_round_limit_leave_no_tag():
    assert not TAG.search(clean_text("<" * 30 + "b>" * 30))


MARKUP_PIECES = st.sampled_from(
    ["<", ">", "/", "!", "?", "&", ";", "#", "b", "p", "script", "lt", "gt", "amp", "x3c"]
    + ["&lt;", "&gt;", "&amp;", "&#60;", "\u200b", "\x00", " ", "\n", "=", '"', "-", "5"]
)


@given(st.lists(MARKUP_PIECES, max_size=40).map("".join) | st.text(max_size=80))
def test_cleaned_text_never_contains_a_tag(text):
    assert not TAG.search(clean_text(text))
