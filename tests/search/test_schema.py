"""Spanish analysis keeps its word cache to the vocabulary, not to every number it meets."""

from portal.search import schema


def test_numbers_and_codes_are_analysed_but_never_cached():
    before = len(schema._TERMS)

    terms = [schema.term_of(word) for word in ("LP-SM-12-2026", "2026", "12a", "lote17")]

    assert terms == ["lp-sm-12-2026", "2026", "12a", "lote17"]
    assert len(schema._TERMS) == before
    assert schema.term_of("uniformes") == "uniform" and "uniformes" in schema._TERMS
