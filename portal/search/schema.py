"""The index layout: Spanish analysis for text, columns for every filter, facet and sort."""

import re

from whoosh import columns, fields
from whoosh.analysis import Token, Tokenizer
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

# Kept in the descriptions we index: long annexes add little to ranking and much to build time.
BODY_INDEXED_CHARS = 3000
SNIPPET_SOURCE_CHARS = 600


WORD = re.compile(r"\w+")
STOP_WORDS = frozenset(word.translate(accent_map) for word in stoplists["es"])
_stem = stemmer_for_language("es")
_TERMS: dict[str, str] = {}  # word as written -> indexed term ("" for a stop word)
_TERMS_LIMIT = 500_000


def folded(word: str) -> str:
    """Lower case without accents: "ADQUISICIÓN" -> "adquisicion"."""
    return word.lower().translate(accent_map)


def term_of(word: str) -> str:
    """The indexed term of one word: folded, stop words dropped, then the Spanish stem.

    Folding comes first so "adquisicion" and "adquisición" meet. Results are cached: corpus
    vocabulary is small next to its length, so the Snowball stemmer runs once per word form.
    Words with digits (numbers, codes) are not cached: each notice brings new ones, and caching
    them made a long ingest's memory grow with every notice.
    """
    term = _TERMS.get(word)
    if term is None:
        if word.isdigit():  # the stemmer leaves numbers as they are, at 13 µs a call
            return word if len(word) >= 2 else ""
        plain = folded(word)
        term = "" if plain in STOP_WORDS or len(plain) < 2 else _stem(plain)
        if len(_TERMS) < _TERMS_LIMIT and not any(character.isdigit() for character in word):
            _TERMS[word] = term
    return term


def terms_in(text: str) -> set[str]:
    """The distinct terms ANALYZER indexes for a text: the same words, the same `term_of`.

    The alert matcher reads documents through this instead of the index, so an alert never
    waits for an index commit or merge.
    """
    return {term for term in map(term_of, set(WORD.findall(text))) if term}


class SpanishAnalyzer(Tokenizer):
    """Tokenise, fold, drop stop words and stem in one loop.

    Whoosh's equivalent chain of filters did the same work 3-4x slower, which made index
    builds and highlighting the bottleneck.
    """

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.stem == self.stem

    def __call__(  # the signature Whoosh calls analyzers with
        self,
        value: str,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        convert = term_of if self.stem else _unstemmed
        for position, match in enumerate(WORD.finditer(value)):
            text = convert(match.group())
            if not text:
                continue
            token.text, token.boost, token.stopped = text, 1.0, False
            if keeporiginal:
                token.original = match.group()
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


def _unstemmed(word: str) -> str:
    plain = folded(word)
    return "" if plain in STOP_WORDS or len(plain) < 2 else plain


ANALYZER = SpanishAnalyzer()
WORD_ANALYZER = SpanishAnalyzer(stem=False)


def build_schema() -> fields.Schema:
    """Text without positions (no phrase search); columns read as arrays by portal.search.arrays."""
    return fields.Schema(
        doc_key=fields.ID(unique=True, stored=True),
        title=fields.TEXT(analyzer=ANALYZER, phrase=False, stored=True),
        body=fields.TEXT(analyzer=ANALYZER, phrase=False),
        words=fields.TEXT(analyzer=WORD_ANALYZER, phrase=False),
        snippet=fields.STORED(),
        kind=fields.COLUMN(columns.RefBytesColumn()),
        db_id=fields.COLUMN(columns.NumericColumn("q", default=0)),
        status=fields.COLUMN(columns.RefBytesColumn()),
        region=fields.COLUMN(columns.RefBytesColumn()),
        object_type=fields.COLUMN(columns.RefBytesColumn()),
        procedure_type=fields.COLUMN(columns.RefBytesColumn()),
        deadline_check=fields.COLUMN(columns.RefBytesColumn()),  # portal.deadlines.checks
        buyer=fields.COLUMN(columns.NumericColumn("q", default=0)),
        sectors=fields.COLUMN(columns.VarBytesColumn()),
        value=fields.COLUMN(columns.NumericColumn("d", default=-1.0)),
        published=fields.COLUMN(columns.NumericColumn("d", default=float("nan"))),
        deadline=fields.COLUMN(columns.NumericColumn("d", default=float("nan"))),
        stamp=fields.COLUMN(columns.NumericColumn("d", default=0.0)),
        title_len=fields.COLUMN(columns.NumericColumn("H", default=0)),
        body_len=fields.COLUMN(columns.NumericColumn("H", default=0)),
    )
