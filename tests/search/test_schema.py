"""Spanish analysis keeps its word cache to the vocabulary, not to every number it meets."""

from portal.search import schema


def test_numbers_and_codes_are_analysed_but_never_cached():
    before = len(schema._TERMS)

    terms = [schema.term_of(word) for word in ("LP-SM-12-2026", "2026", "12a", "lote17")]

    assert terms == ["lp-sm-12-2026", "2026", "12a", "lote17"]
    assert len(schema._TERMS) == before
    assert schema.term_of("uniformes") == "uniform" and "uniformes" in schema._TERMS


def test_numbers_skip_the_stemmer_and_get_the_terms_it_would_give():
    numbers = ["7", "12", "2026", "000123", "20131312955", "٣٤"]

    assert [schema.term_of(n) for n in numbers] == [
        "" if len(n) < 2 else schema._stem(schema.folded(n)) for n in numbers
    ]
    assert schema.term_of("2026") == "2026" and schema.term_of("7") == ""
