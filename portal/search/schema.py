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
# The layout of the documents written: a document written under an older one is re-indexed
# by `portal index repair` (portal.search.sync), as a changed one is. 2: buyer, place, codes.
SCHEMA_VERSION = 2
# The analysed fields a query's words are looked for in, with their BM25F weights: what the
# notice says (title, description), who buys (name, acronym, RUC), where (department names)
# and the codes that name it (nomenclature, OCDS id, reference). All words of a query must
# appear, each in any of them; the alert matcher reads the same fields (`document_terms`).
FIELD_WEIGHTS = (("title", 2.5), ("body", 1.0), ("entity", 2.0), ("place", 1.5), ("refs", 1.0))


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


def document_terms(document: dict) -> set[str]:
    """Every term a query's word can be found under in an index document (FIELD_WEIGHTS)."""
    terms: set[str] = set()
    for field, _weight in FIELD_WEIGHTS:
        terms |= terms_in(document.get(field, ""))
    return terms


def code_key(text: str) -> str:
    """A code as typed or as published, reduced to its folded words joined by "-":
    "AS-SM-219-2026-MVES-1", "as sm 219 2026 mves 1" and "AS/SM/219/2026/MVES/1" meet."""
    return "-".join(WORD.findall(folded(text)))


def query_code_keys(text: str) -> tuple[str, ...]:
    """The keys a query may name exactly: the whole query and each blank-separated part."""
    keys = (code_key(text), *(code_key(part) for part in text.split()))
    return tuple(key for key in dict.fromkeys(keys) if len(key) >= 2)


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
        entity=fields.TEXT(analyzer=ANALYZER, phrase=False),
        place=fields.TEXT(analyzer=ANALYZER, phrase=False),
        refs=fields.TEXT(analyzer=ANALYZER, phrase=False),
        codes=fields.KEYWORD(),  # code_key of each code, RUC, identifier, acronym: exact
        words=fields.TEXT(analyzer=WORD_ANALYZER, phrase=False),  # for suggestions
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
        version=fields.COLUMN(columns.NumericColumn("H", default=0)),  # SCHEMA_VERSION
    )
