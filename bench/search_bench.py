"""Search benchmark: this Whoosh index against SQLite FTS5 on the same realistic corpus.

    python bench/search_bench.py --docs 100000 [--docs 1000000] [--workdir /tmp/search-bench]
                                 [--reuse]

A "search page" is what /buscar shows: a page of 20 + total + facet counts + highlighted
snippets (+ a "did you mean" suggestion when nothing matched). Prints build time, index size,
and median/p95 latency per engine for open-only and all statuses.

Both engines index the same fields: title, description, the buyer (name, acronym, RUC), the
department and the notice's codes (nomenclature, OCDS id), and rank a query that is a code,
RUC or acronym as a whole first (exact keys). Besides the fixed queries, buyer, place and code
queries are drawn from the corpus itself (its buyers, places and codes come from the real
vocabulary below).

The Whoosh index is written as the portal writes it, whether a scrape run or `portal index
rebuild`: batches of scrapers.ingest.INDEX_BATCH_SIZE handed to portal.search.writer_process,
segments merged in tiers.

The corpus is synthetic but its words are real: the vocabulary and its frequency ranking are
counted at run time on the public procurement text in ../shared/fixtures (OCDS tender and item
titles and descriptions, SEACE call descriptions, UNSPSC and CPV Spanish names; nothing of it
is stored in this repository), and words are drawn with a Zipf law p(rank) ~ 1/rank.
"""

import argparse
import csv
import json
import math
import random
import re
import shutil
import sqlite3
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

from portal.app import create_app
from portal.db import db
from portal.reference.loader import load_reference
from portal.search.documents import BuyerFacts, department_names, make_document
from portal.search.params import SearchParams
from portal.search.query import EXACT_FIRST, search
from portal.search.schema import (
    FIELD_WEIGHTS,
    SCHEMA_VERSION,
    STOP_WORDS,
    folded,
    query_code_keys,
    term_of,
)
from portal.search.size import size_value_limit
from portal.search.writer_process import WriterProcess
from scrapers.ingest import INDEX_BATCH_SIZE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from shared_data import SHARED_FIXTURES as FIXTURES  # noqa: E402  (the tests' one path)

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
SEED = 2026
OPEN_SHARE = 0.05
BUYERS = 2000
WORD_ZIPF = 1.0  # p(word of rank r) ~ 1 / r**WORD_ZIPF
PHRASE_ZIPF = 0.7  # what is bought: a few objects are frequent, most are rare
PER_PAGE = 20
REGIONS = [f"{code:02d}" for code in range(1, 26)]
PROCEDURES = ["LP", "CP", "LPA", "CPA", "AS", "SIE", "CD", "COMP"]
STATUSES = ["closed", "awarded", "cancelled", "deserted"]
SEGMENTS = [10, 12, 15, 24, 25, 26, 27, 30, 39, 40, 42, 43, 44, 46, 47, 50, 51, 53, 72, 78]
SEGMENTS += [80, 81, 85, 86, 90, 92, 93, 95]
OBJECT_TYPES = {"bien": "goods", "servicio": "services", "obra": "works"}
OBJECT_TYPES["consultoría de obra"] = "consulting"
# Units and sentence frames of Peruvian notices; the words between them come from real text.
UNITS = ["unidades", "kg", "m3", "m2", "metros lineales", "galones", "litros", "bolsas"]
UNITS += ["millares", "cajas", "juegos", "global", "toneladas", "raciones", "servicio"]
EXPEDIENTE_KINDS = ["SM", "ABR", "SER", "CON", "OBR", "PROC"]
# Real words from the CPV names, kept out of the Zipf vocabulary and put into about one notice
# in 1,000: a Zipf draw over a few thousand words never makes a word this rare.
RARE_WORDS = ["teodolitos", "telesillas", "tetracloroetileno", "sousafones", "termopares"]
RARE_WORDS += ["taxímetros", "tocadiscos", "telescopios"]
RARE_SHARE = 0.001


# ---------------------------------------------------------------------------------------
# Real text, read at run time from ../shared/fixtures


@dataclass(frozen=True)
class RealText:
    words: list[str]  # by frequency rank, most frequent first
    starts: dict[str, list[tuple[str, int]]]  # object type -> [("adquisición de", count)]
    objects: list[tuple[str, str | None, str]]  # ("espejos quirúrgicos", "42292000", "goods")
    type_shares: dict[str, float]  # object type -> share of SEACE calls
    places: list[tuple[str, str, str]]  # (region code, province, district)
    departments: dict[str, str]  # region code -> name


TEXT_WORD = re.compile(r"[^\W\d_]+")
SHORT_WORDS = frozenset("aeouy")


def _words(text: str) -> list[str]:
    """Lower-cased letter words; tokens broken by U+FFFD ("ALCALD�A") are dropped."""
    kept = []
    for token in text.lower().split():
        if "\ufffd" in token:
            continue
        kept.extend(w for w in TEXT_WORD.findall(token) if len(w) > 1 or w in SHORT_WORDS)
    return kept


def _json_values(path: Path):
    """Every JSON value in a file, also two packages concatenated; empty files yield nothing."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # the ISO-8859-1 copy of a UTF-8 file: same releases
        return
    decoder, position = json.JSONDecoder(), 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return
        value, position = decoder.raw_decode(text, position)
        yield value


def _ocds_texts(value, titles: set, texts: set, items: dict) -> None:
    """Titles and descriptions of releases (documents left out: those are file names)."""
    if isinstance(value, list):
        for element in value:
            _ocds_texts(element, titles, texts, items)
        return
    if not isinstance(value, dict):
        return
    for key, element in value.items():
        if key == "documents":
            continue
        if key in ("title", "description") and isinstance(element, str):
            texts.add(element)
        elif (
            key == "tender" and isinstance(element, dict) and isinstance(element.get("title"), str)
        ):
            titles.add(element["title"])
            _ocds_texts(element, titles, texts, items)
        elif key == "items" and isinstance(element, list):
            for item in element:
                if isinstance(item, dict) and isinstance(item.get("description"), str):
                    code = str((item.get("classification") or {}).get("id") or "")[:8]
                    items[item["description"]] = code if code.isdigit() and len(code) == 8 else None
            _ocds_texts(element, titles, texts, items)
        else:
            _ocds_texts(element, titles, texts, items)


def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _start_of(title: str) -> str | None:
    """ "CONTRATACIÓN DEL SERVICIO DE LIMPIEZA…" -> "contratación del servicio de"."""
    words = title.lower().replace(":", " ").split()[:8]
    extend = {"servicio", "suministro", "ejecución", "ejecucion", "obra", "la", "el", "los"}
    for position, word in enumerate(words[:5]):
        if word in ("de", "del", "para"):
            end = position + 1
            while end < len(words) and words[end] in extend:
                following = [i for i in range(end, len(words)) if words[i] in ("de", "del")]
                if not following or following[0] > end + 2:
                    break
                end = following[0] + 1
            start = " ".join(words[:end])
            return start if TEXT_WORD.fullmatch(start.replace(" ", "")) else None
    return None


def _object_type_of(start: str) -> str:
    """A title's object type from its first word (OCDS titles carry no category here)."""
    first = folded(start.split()[0])
    if first.startswith(("consult", "supervis", "estudio", "elaboracion")):
        return "consulting"
    if first.startswith(("construc", "ejecucion", "mejoramiento", "ampliacion", "obra")):
        return "works"
    if first.startswith(("servicio", "contratacion", "mantenimiento", "prestar", "alquiler")):
        return "services"
    return "goods"


def load_real_text(fixtures: Path = FIXTURES) -> RealText:
    if not fixtures.is_dir():
        raise SystemExit(f"no fixtures at {fixtures}: the corpus vocabulary is read from there")
    titles: set[str] = set()
    texts: set[str] = set()
    items: dict[str, str | None] = {}
    for path in sorted(fixtures.glob("ocds-*/**/*.json")):
        for value in _json_values(path):
            _ocds_texts(value, titles, texts, items)
    labelled: list[tuple[str, str]] = []  # (title, object type) from SEACE
    for row in _csv_rows(fixtures / "seace-html" / "procesos_seace.csv"):
        texts.add(row["Descripción de Objeto"])
        kind = OBJECT_TYPES.get(row["Objeto de Contratación"].strip().lower())
        labelled.append((row["Descripción de Objeto"], kind or "services"))
    unspsc = [
        (row["title_es"], row["code"])
        for row in _csv_rows(fixtures / "unspsc" / "unspsc_v7_segment_family_class_es_en.csv")
        if row["level"] == "class" and row["title_es"]
    ]
    cpv = [
        (row["name_es"], row["type"])
        for row in _csv_rows(fixtures / "cpv" / "cpv2008_es_en.csv")
        if row["name_es"]
    ]
    # Word frequencies over distinct strings (boilerplate repeated in every item counts once).
    counts: Counter = Counter()
    for text in sorted(texts | titles | set(items) | {t for t, _ in unspsc} | {t for t, _ in cpv}):
        counts.update(_words(text))
    words = [w for w in sorted(counts, key=lambda w: (-counts[w], w)) if w not in RARE_WORDS]
    # How titles start, and the object type each start mostly goes with.
    start_kinds: dict[str, Counter] = defaultdict(Counter)
    for title, kind in [*labelled, *((t, None) for t in sorted(titles))]:
        start = _start_of(title)
        if start:
            start_kinds[start][kind or _object_type_of(start)] += 1
    starts: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for start in sorted(start_kinds, key=lambda s: (-sum(start_kinds[s].values()), s)):
        starts[start_kinds[start].most_common(1)[0][0]].append(
            (start, sum(start_kinds[start].values()))
        )
    # What is bought: short item descriptions and UNSPSC/CPV names, ranked by a seeded shuffle.
    found: dict[str, tuple[str | None, str]] = {}
    for text, code in sorted(items.items()):
        if 0 < len(_words(text)) <= 8:
            found[text] = (code, _unspsc_object_type(code) if code else "goods")
    for text, code in unspsc:
        found[text] = (code, _unspsc_object_type(code))
    for text, kind in cpv:
        if len(_words(text)) <= 8:
            found[text] = (None, _cpv_object_type(text, kind))
    objects = [(" ".join(t.split()).lower(), code, kind) for t, (code, kind) in found.items()]
    random.Random(SEED).shuffle(objects)
    ubigeo = fixtures / "ubigeo-peru"
    departments = {
        row["inei"][:2]: row["departamento"]
        for row in _csv_rows(ubigeo / "ubigeo_departamento.csv")
    }
    places = [
        (row["inei"][:2], row["provincia"], row["distrito"])
        for row in _csv_rows(ubigeo / "ubigeo_distrito.csv")
    ]
    kinds = Counter(kind for _, kind in labelled)
    shares = {kind: kinds[kind] / sum(kinds.values()) for kind in sorted(kinds)}
    return RealText(words, dict(starts), objects, shares, places, departments)


def _unspsc_object_type(code: str) -> str:
    segment = int(code[:2])
    if segment == 72:  # building and construction services
        return "works"
    if segment in (80, 81):  # management and engineering services
        return "consulting"
    return "services" if segment >= 70 else "goods"


def _cpv_object_type(name: str, kind: str) -> str:
    if kind == "works":
        return "works"
    if kind == "services":
        return "consulting" if "consultor" in name.lower() else "services"
    return "goods"


# ---------------------------------------------------------------------------------------
# The corpus


def _zipf_cumulative(count: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, count + 1, dtype=np.float64) ** exponent
    cumulative = np.cumsum(weights)
    return cumulative / cumulative[-1]


@dataclass(frozen=True)
class Buyer:
    region: str
    name: str
    acronym: str
    ruc: str


BUYER_KINDS = ["Municipalidad Distrital de", "Municipalidad Provincial de", "Red de Salud"]
BUYER_KINDS += ["Hospital de Apoyo", "Unidad de Gestión Educativa Local", "Gobierno Regional de"]


def _buyers(real: RealText, rng: random.Random) -> list[Buyer]:
    buyers = [Buyer("", "", "", "")]  # buyer ids start at 1
    for _ in range(BUYERS):
        region, province, district = rng.choice(real.places)
        kind = rng.choice(BUYER_KINDS)
        place = real.departments[region] if kind == "Gobierno Regional de" else district
        name = f"{kind} {place.title()}"
        acronym = "".join(w[0] for w in name.split() if w[0].isupper()) + rng.choice(["", "/CS"])
        buyers.append(Buyer(region, name, acronym, f"20{rng.randrange(10**8, 10**9)}"))
    return buyers


class Corpus:
    """Deterministic documents: the same seed gives the same corpus to both engines."""

    def __init__(self, real: RealText) -> None:
        self.real = real
        self.word_cum = _zipf_cumulative(len(real.words), WORD_ZIPF)
        self.types = list(real.type_shares)
        self.type_cum = np.cumsum([real.type_shares[kind] for kind in self.types])
        self.objects = {}  # object type -> (objects, Zipf cumulative weights)
        for kind in self.types:
            mine = [entry for entry in real.objects if entry[2] == kind]
            self.objects[kind] = (mine, _zipf_cumulative(len(mine), PHRASE_ZIPF))
        self.starts = {}  # object type -> (starts, cumulative weights by their real counts)
        for kind in ("goods", "services", "works", "consulting"):
            ranked = real.starts.get(kind) or real.starts["services"]
            cumulative = np.cumsum(np.array([count for _, count in ranked], dtype=np.float64))
            self.starts[kind] = ([start for start, _ in ranked], cumulative / cumulative[-1])
        self.places = defaultdict(list)
        for place in real.places:
            self.places[place[0]].append(place)

    def documents(self, count: int):
        rng = random.Random(SEED)
        np_rng = np.random.default_rng(SEED)
        buyers = _buyers(self.real, rng)
        for number in range(1, count + 1):
            yield self._document(number, rng, np_rng, buyers)

    def _zipf_words(self, np_rng, count: int) -> list[str]:
        ranks = np.searchsorted(self.word_cum, np_rng.random(count))
        words = self.real.words
        return [words[rank] for rank in ranks.tolist()]

    def _object(self, np_rng, kind: str | None = None) -> tuple[str, str | None, str]:
        """What is bought: the object type by its share of real calls, then a Zipf draw."""
        if kind is None:
            position = int(np.searchsorted(self.type_cum, np_rng.random() * self.type_cum[-1]))
            kind = self.types[position]
        objects, cumulative = self.objects[kind]
        return objects[int(np.searchsorted(cumulative, np_rng.random()))]

    def _expediente(self, rng, procedure: str, year: int, buyer: Buyer) -> str:
        number = rng.randint(1, 60)
        return f"{procedure}-{rng.choice(EXPEDIENTE_KINDS)}-{number}-{year}-{buyer.acronym}"

    def _title(self, rng, np_rng, start: str, thing: str, buyer: Buyer, code: str) -> str:
        target = rng.randint(8, 20)
        words = [*start.split(), *thing.split()]
        _, province, district = rng.choice(self.places[buyer.region])
        place = f"en el distrito de {district.title()}, provincia de {province.title()}".split()
        for extra, share in ((place, 0.5), (["para", "la", *buyer.name.split()], 0.5)):
            if len(words) + len(extra) <= target and rng.random() < share:
                words += extra
                break
        if rng.random() < 0.1:
            words.insert(0, code)
        words = words[:target]
        words += self._zipf_words(np_rng, target - len(words))
        title = " ".join(words)
        return title.upper() if rng.random() < 0.35 else title[:1].upper() + title[1:]

    def _fact(self, rng, np_rng, code: str, buyer: Buyer, value: float) -> str:
        pick = rng.random()
        if pick < 0.3:
            thing = self._object(np_rng)[0]
            return f"ítem {rng.randint(1, 40)}: {thing}, {rng.randint(1, 5000)} {rng.choice(UNITS)}"
        if pick < 0.45:
            return f"valor referencial S/ {value:,.2f} incluido IGV"
        if pick < 0.6:
            days = rng.choice([15, 30, 45, 60, 90, 120, 180])
            return f"plazo de ejecución de {days} días calendario"
        if pick < 0.75:
            return f"procedimiento {code}"
        if pick < 0.85:
            return f"{buyer.name}, RUC {buyer.ruc}"
        day = NOW - timedelta(days=rng.randint(0, 1500))
        return f"entrega hasta el {day:%d/%m/%Y}"

    def _body(self, rng, np_rng, title: str, code: str, buyer: Buyer, value: float) -> str:
        target = rng.randint(50, 400)
        paragraphs, sentences, written = [], [], 0
        if rng.random() < 0.5:  # descriptions often repeat the title
            paragraphs.append(title)
            written += len(title.split())
        pool = self._zipf_words(np_rng, target)
        taken = 0
        while written < target:
            length = min(rng.randint(8, 25), target - written)
            sentence = " ".join(pool[taken : taken + length])
            taken += length
            if rng.random() < 0.35:
                sentence += ", " + self._fact(rng, np_rng, code, buyer, value)
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
            written += len(sentence.split())
            if len(sentences) == 3 or written >= target:
                paragraphs.append(" ".join(sentences))
                sentences = []
            if taken >= len(pool):
                pool, taken = self._zipf_words(np_rng, target), 0
        if rng.random() < RARE_SHARE:
            paragraphs.append(f"Incluye {rng.choice(RARE_WORDS)}.")
        return "\n".join(paragraphs)

    def _document(self, number: int, rng, np_rng, buyers: list[Buyer]) -> dict:
        thing, unspsc, object_type = self._object(np_rng)
        starts, cumulative = self.starts[object_type]
        start = starts[int(np.searchsorted(cumulative, np_rng.random()))]
        buyer_id = rng.randint(1, BUYERS)
        buyer = buyers[buyer_id]
        procedure = rng.choice(PROCEDURES)
        is_open = rng.random() < OPEN_SHARE
        published = NOW - timedelta(
            days=rng.randint(0 if is_open else 20, 30 if is_open else 1500),
            seconds=rng.randint(0, 86_399),
        )
        value = round(rng.lognormvariate(11, 1.6), 2)
        code = self._expediente(rng, procedure, published.year, buyer)
        title = self._title(rng, np_rng, start, thing, buyer, code)
        body = self._body(rng, np_rng, title, code, buyer, value)
        if unspsc:
            segment, family = unspsc[:2], unspsc[:4]
        else:
            segment = str(rng.choice(SEGMENTS))
            family = f"{segment}{rng.randint(10, 19)}"
        department = department_names().get(buyer.region)
        return make_document(
            kind="opportunity",
            db_id=number,
            title=title,
            description=body,
            status="open" if is_open else rng.choice(STATUSES),
            region=buyer.region,
            object_type=object_type,
            procedure_type=procedure,
            buyer_id=buyer_id,
            sectors={f"{segment}000000", f"{family}0000"},
            value=value,
            published=published,
            deadline=published + timedelta(days=rng.randint(5, 40)),
            stamp=0.0,
            buyer=BuyerFacts(buyer.name, buyer.acronym, buyer.ruc, buyer.ruc, buyer.region),
            places=[department] if department else [],
            codes=[code, f"ocds-dgv273-seacev3-{number}"],
        )


# ---------------------------------------------------------------------------------------
# Queries: (class, text, SearchParams fields); each runs for open-only and for all statuses.

QUERIES = [
    ("common", "servicio", {}),
    ("common", "adquisición", {}),
    ("common", "adquisicion", {}),
    ("common", "mantenimiento", {}),
    ("common", "equipos", {}),
    ("mid", "uniformes", {}),
    ("mid", "medicamentos", {}),
    ("mid", "combustible", {}),
    ("mid", "cemento", {}),
    ("tail", "teleféricos", {}),
    ("tail", "descolmatación", {}),
    ("tail", "fertilizantes", {}),
    ("rare", "teodolitos", {}),
    ("rare", "telesillas", {}),
    ("rare", "tetracloroetileno", {}),
    ("multi", "adquisición de uniformes", {}),
    ("multi", "servicio de limpieza", {}),
    ("multi", "mantenimiento de carreteras", {}),
    ("multi", "equipos médicos hospital", {}),
    ("multi", "agua potable saneamiento", {}),
    ("multi", "alquiler de maquinaria pesada", {}),
    ("code", "LP-SM-12-2026", {}),
    ("misspelled", "mantenimeinto", {}),
    ("misspelled", "servcio de limpeiza", {}),
    ("misspelled", "adquisicon de computadros", {}),
    ("misspelled", "medicamnetos", {}),
    ("filter", "servicio", {"regions": ("04",)}),
    ("filter", "adquisición", {"object_types": ("goods",)}),
    ("filter", "uniformes", {"regions": ("15", "08")}),
    ("filter", "medicamentos", {"sectors": ("51000000",)}),
    ("filter", "obra", {"value_min": Decimal(100_000), "value_max": Decimal(2_000_000)}),
    ("filter", "servicio de vigilancia", {"procedure_types": ("AS", "CP")}),
    ("filter", "computadoras", {"closing_within_days": 15}),
    ("filter", "cemento", {"buyer_ids": (17, 23, 99)}),
    ("size", "", {"size_class": "micro"}),
    ("size", "servicio", {"size_class": "small"}),
    ("size", "adquisición", {"size_class": "micro", "regions": ("04",)}),
    ("sorted", "servicio", {"sort": "closing"}),
    ("sorted", "mantenimiento", {"sort": "published"}),
    ("sorted", "obra", {"sort": "value"}),
    ("sorted", "", {"sort": "closing"}),
    ("sorted", "", {"sort": "value"}),
    ("deep page", "servicio", {"page": 10}),
    ("deep page", "adquisición de equipos", {"page": 12}),
    ("deep page", "", {"page": 15, "sort": "published"}),
    ("empty", "", {}),
    ("empty", "", {"regions": ("04",)}),
    ("empty", "", {"published_within_days": 7}),
]


def drawn_queries(corpus: Corpus, count: int = 300) -> list[tuple[str, str, dict]]:
    """Buyer, place and code queries as people type them, drawn from the corpus's own buyers
    (real district and department names), places and codes: each names notices it holds."""
    rng = random.Random(SEED + 1)
    buyers = _buyers(corpus.real, random.Random(SEED))  # the corpus's buyers, same seed
    # an acronym that is a stop word ("HAY") is no query: it would ask for everything
    drawn = [b for b in buyers[1:] if b.acronym.isalpha() and term_of(b.acronym)]
    first = list(corpus.documents(count))  # the corpus's first notices: their codes exist
    notice = first[rng.randrange(count)]
    code, ocid = notice["refs"].split()
    named = buyers[notice["buyer"]]
    region, province, district = rng.choice(corpus.real.places)
    return [
        ("buyer", named.name, {}),
        ("buyer", _place_in(named.name), {}),
        ("buyer", rng.choice(drawn).acronym, {}),
        ("buyer", named.ruc, {}),
        ("buyer", f"{notice['title'].split()[-1]} {named.ruc}", {}),
        ("place", "Lima", {}),
        ("place", "Cusco", {}),
        ("place", department_names()[region], {}),
        ("place", province.title(), {}),
        ("place", district.title(), {}),
        ("place", "servicio Arequipa", {}),
        ("code", code, {}),
        ("code", code.lower().replace("-", " "), {}),
        ("code", ocid, {}),
        ("code", code.rsplit("-", 1)[0], {}),  # without the buyer's acronym
    ]


def _place_in(name: str) -> str:
    """ "Municipalidad Distrital de San Isidro" -> "San Isidro"."""
    kind = next(kind for kind in BUYER_KINDS if name.startswith(kind + " "))
    return name[len(kind) + 1 :]


def query_params(text: str, fields: dict, all_statuses: bool) -> SearchParams:
    return SearchParams(q=text, statuses=() if all_statuses else ("open",), **fields)


# ---------------------------------------------------------------------------------------
# Whoosh: the portal's own index and search


def whoosh_index_dir(workdir: Path, docs: int) -> Path:
    # earlier runs' "whoosh-N" had one big segment, "whoosh-N-tiers" no buyers, places, codes
    return workdir / f"whoosh-{docs}-v{SCHEMA_VERSION}"


def whoosh_build(corpus: Corpus, docs: int, index_dir: Path) -> float:
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    writer, batch = WriterProcess(index_dir), []
    for document in corpus.documents(docs):
        batch.append(document)
        if len(batch) == INDEX_BATCH_SIZE:
            writer.write(batch, {d["doc_key"] for d in batch})
            batch = []
    writer.write(batch, {d["doc_key"] for d in batch})
    writer.close()
    return time.perf_counter() - started


@dataclass(frozen=True)
class Page:
    """What both engines answer, compared by the check."""

    total: int
    suggestion: str | None
    hits: list  # [(id, title html)]
    facets: dict  # facet -> [(value, count)]


def whoosh_page(app, params: SearchParams) -> Page:
    with app.app_context():
        results = search(params, NOW)
    return Page(
        results.total,
        results.suggestion,
        [(hit.id, hit.title_html) for hit in results.hits],
        {
            name: [(count.value, count.count) for count in counts]
            for name, counts in results.facets.items()
            if counts
        },
    )


# ---------------------------------------------------------------------------------------
# SQLite FTS5 peer: the same page, written as efficiently as we can.
#
# fts_open holds only open notices (as the portal's open index does) and fts_all every notice,
# so an open-only search never touches archived rows and an all-status search reads one
# table whose bm25 statistics cover all notices (the portal's idf does the same). docs carries
# every filter/facet column; a partial index serves open-only searches without text.

FTS_SCHEMA = """
CREATE TABLE docs (id INTEGER PRIMARY KEY, kind TEXT, status TEXT, region TEXT,
  object_type TEXT, procedure_type TEXT, buyer INTEGER, segment TEXT, family TEXT,
  value REAL, published REAL, deadline REAL);
CREATE TABLE sectors (code TEXT, doc INTEGER, PRIMARY KEY (code, doc)) WITHOUT ROWID;
CREATE TABLE codes (key TEXT, doc INTEGER, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE INDEX docs_open ON docs(deadline) WHERE status = 'open';
CREATE INDEX docs_status ON docs(status, deadline);
CREATE VIRTUAL TABLE fts_all USING fts5(title, body, entity, place, refs,
  tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE fts_open USING fts5(title, body, entity, place, refs,
  tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE vocab_all USING fts5vocab(fts_all, 'col');
CREATE VIRTUAL TABLE vocab_open USING fts5vocab(fts_open, 'col');
CREATE VIRTUAL TABLE temp.terms_all USING fts5vocab(main, fts_all, 'row');
CREATE TABLE stems (stem TEXT, term TEXT, PRIMARY KEY (stem, term)) WITHOUT ROWID;
"""
FTS_COLUMNS = ("title", "body", "entity", "place", "refs")
assert FTS_COLUMNS == tuple(field for field, _weight in FIELD_WEIGHTS)
BM25_WEIGHTS = ", ".join(str(weight) for _field, weight in FIELD_WEIGHTS)  # the portal's
FACET_COLUMNS = {  # portal facet -> column of the hit set ("family" only under a chosen segment)
    "sector": "segment",
    "region": "region",
    "buyer": "buyer",
    "object_type": "object_type",
    "procedure_type": "procedure_type",
    "status": "status",
    "kind": "kind",
}
FACET_LIMIT = 50
FACET_FILTERS = {facet: facet for facet in FACET_COLUMNS} | {"family": "sector"}


def fts_build(corpus: Corpus, docs: int, path: Path) -> float:
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.executescript(FTS_SCHEMA)
    batch_docs, batch_sectors, batch_codes, batch_all, batch_open = [], [], [], [], []
    columns = ", ".join(FTS_COLUMNS)

    def flush() -> None:
        connection.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", batch_docs)
        connection.executemany("INSERT INTO sectors VALUES (?,?)", batch_sectors)
        connection.executemany("INSERT OR IGNORE INTO codes VALUES (?,?)", batch_codes)
        for table, rows in (("fts_all", batch_all), ("fts_open", batch_open)):
            connection.executemany(
                f"INSERT INTO {table}(rowid, {columns}) VALUES (?,?,?,?,?,?)", rows
            )
        for batch in (batch_docs, batch_sectors, batch_codes, batch_all, batch_open):
            batch.clear()

    for d in corpus.documents(docs):
        sectors = d["sectors"].decode().split()
        segments = [code for code in sectors if code.endswith("000000")]
        families = [code for code in sectors if code not in segments]
        assert len(segments) == len(families) == 1, "docs: one segment and family per notice"
        status = d["status"].decode()
        batch_docs.append(
            (
                d["db_id"],
                d["kind"].decode(),
                status,
                d["region"].decode(),
                d["object_type"].decode(),
                d["procedure_type"].decode(),
                d["buyer"],
                segments[0],
                families[0],
                d["value"],
                d["published"],
                d["deadline"],
            )
        )
        batch_sectors.extend((code, d["db_id"]) for code in sectors)
        batch_codes.extend((key, d["db_id"]) for key in d["codes"].split())
        row = (d["db_id"], *(d[column] for column in FTS_COLUMNS))
        batch_all.append(row)
        if status == "open":
            batch_open.append(row)
        if len(batch_docs) >= 10_000:
            flush()
    flush()
    connection.commit()
    for table in ("fts_all", "fts_open"):
        connection.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
    # Spanish stems without a C tokenizer: every indexed form under the portal's stem, so a
    # query word expands to its forms ("servicio" -> servicio OR servicios).
    connection.executemany(
        "INSERT INTO stems VALUES (?, ?)",
        (
            (stem, term)
            for (term,) in connection.execute("SELECT term FROM temp.terms_all").fetchall()
            if (stem := term_of(term))
        ),
    )
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def fts_connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA mmap_size = 4294967296")
    connection.execute("PRAGMA cache_size = -1048576")  # 1 GiB: all in memory, as Whoosh's arrays
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection


def fts_terms(text: str) -> list[str]:
    """The query's stems as the portal's analyser makes them (stop words gone)."""
    return list(dict.fromkeys(t for t in (term_of(w) for w in re.findall(r"\w+", text)) if t))


def fts_match(connection: sqlite3.Connection, stems: list[str]) -> str:
    """All stems required, each as the OR of its indexed forms."""
    groups = []
    for stem in stems:
        forms = [
            row[0] for row in connection.execute("SELECT term FROM stems WHERE stem = ?", [stem])
        ]
        groups.append("(" + " OR ".join(f'"{form}"' for form in forms or [stem]) + ")")
    return " AND ".join(groups)


def _marks(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


def _range_conditions(app, params: SearchParams, now: float) -> tuple[list[str], list]:
    """Filters that narrow every facet (no facet of their own)."""
    where, args = [], []
    if params.value_min is not None:
        where.append("d.value >= ?")
        args.append(float(params.value_min))
    if params.value_max is not None:
        where.append("d.value >= 0 AND d.value <= ?")
        args.append(float(params.value_max))
    if params.size_class:
        with app.app_context():  # the portal reads the same limit per search
            limit = size_value_limit(db.session, params.size_class, NOW)
        where.append("d.value >= 0 AND d.value <= ?")
        args.append(limit)
    if params.published_within_days is not None:
        where.append("d.published >= ?")
        args.append(now - params.published_within_days * 86400)
    if params.closing_within_days is not None:
        where.append("d.deadline BETWEEN ? AND ?")
        args.extend([now, now + params.closing_within_days * 86400])
    return where, args


def _facet_flags(params: SearchParams) -> tuple[dict[str, str], list]:
    """Facet filters as flag columns of the hit set: each facet ignores its own (disjunctive)."""
    flags: dict[str, str] = {}
    args: list = []
    for facet, values in (
        ("region", params.regions),
        ("object_type", params.object_types),
        ("procedure_type", params.procedure_types),
        ("buyer", params.buyer_ids),
    ):
        if values:
            flags[facet] = f"(d.{facet} IN ({_marks(values)})) AS f_{facet}"
            args.extend(values)
    if params.sectors:
        flags["sector"] = (
            f"(d.id IN (SELECT doc FROM sectors WHERE code IN ({_marks(params.sectors)})))"
            " AS f_sector"
        )
        args.extend(params.sectors)
    return flags, args


def _hit_set(
    table: str, match: str, key: str, open_only: bool, flags, flag_args, ranges, key_args=()
):
    """SELECT of one hit set (columns for facets, the sort key, flags) and its arguments."""
    now = NOW.timestamp()
    columns = [
        "d.id, d.kind, d.region, d.buyer, d.object_type, d.procedure_type, d.segment, d.family",
        "d.status, d.deadline",
        f"{key} AS key",
        *flags.values(),
    ]
    args = [*key_args, *flag_args]
    if match:
        source = f"{table} CROSS JOIN docs d ON d.id = {table}.rowid WHERE {table} MATCH ?"
        args.append(match)
    else:
        source = "docs d WHERE 1"
    conditions, range_args = ranges
    if open_only:
        conditions = ["d.status = 'open' AND d.deadline > ?", *conditions]
        range_args = [now, *range_args]
    sql = f"SELECT {', '.join(columns)} FROM {source}" + "".join(f" AND {c}" for c in conditions)
    return sql, [*args, *range_args]


def _facet_part(facet: str, column: str, source: str, flags, extra: str = "") -> str:
    """Top values of one facet as the portal picks them: the 100 most frequent (ties by code),
    then most frequent first, ties by value as text, 50 of them."""
    kept = " AND ".join(f"f_{name}" for name in flags if name != FACET_FILTERS[facet]) or "1"
    count = "count(*)"
    if facet == "status":  # open notices whose deadline has passed count under no status
        count = f"count(*) FILTER (WHERE NOT (status = 'open' AND deadline <= {NOW.timestamp()!r}))"
    return (
        f"SELECT * FROM (SELECT * FROM (SELECT '{facet}', {column} AS value, {count} AS n "
        f"FROM {source} WHERE {kept} AND {column} IS NOT NULL AND {column} NOT IN ('', 0)"
        f"{extra} GROUP BY {column} HAVING n > 0 ORDER BY n DESC, {column} "
        f"LIMIT {FACET_LIMIT * 2}) ORDER BY n DESC, CAST(value AS TEXT) LIMIT {FACET_LIMIT})"
    )


def fts_page(app, connection: sqlite3.Connection, params: SearchParams):
    """Total, page and disjunctive facets in one statement over a materialised hit set;
    highlights and snippets of the page in a second. Same answers as portal.search.query."""
    open_only = params.statuses == ("open",)
    if params.statuses not in ((), ("open",)) or params.kinds != SearchParams().kinds:
        raise NotImplementedError("the bench runs opportunities, open-only or all statuses")
    table = "fts_open" if open_only else "fts_all"
    terms = fts_terms(params.q)
    match = fts_match(connection, terms) if terms else ""
    key_args: list = []
    if params.sort == "relevance" and terms:
        key = f"bm25({table}, {BM25_WEIGHTS})"
        for code in query_code_keys(params.q):  # exact codes, RUC, acronym first
            named = [
                row[0] for row in connection.execute("SELECT doc FROM codes WHERE key = ?", [code])
            ]
            if named:
                key += f" - {EXACT_FIRST!r} * (d.id IN ({_marks(named)}))"
                key_args += named
    elif params.sort == "closing":
        key = "coalesce(d.deadline, 1e300)"
    elif params.sort == "value":
        key = "-d.value"
    else:
        key = "coalesce(-d.published, 1e300)"
    flags, flag_args = _facet_flags(params)
    ranges = _range_conditions(app, params, NOW.timestamp())
    hits_sql, args = _hit_set(table, match, key, open_only, flags, flag_args, ranges, key_args)
    ctes = [f"hits AS MATERIALIZED ({hits_sql})"]
    every = "hits"
    if open_only:  # the portal's status facet also counts the archive's statuses
        every_sql, every_args = _hit_set("fts_all", match, "0", False, flags, flag_args, ranges)
        ctes.append(f"every AS ({every_sql})")
        args += every_args
        every = "every"
    kept = " AND ".join(f"f_{name}" for name in flags) or "1"
    parts = [
        f"SELECT 'total', NULL, count(*) FROM hits WHERE {kept}",
        f"SELECT * FROM (SELECT 'page', id, key FROM hits WHERE {kept} "
        "ORDER BY key, id DESC LIMIT ? OFFSET ?)",
    ]
    args += [params.per_page, (params.page - 1) * params.per_page]
    for facet, column in FACET_COLUMNS.items():
        parts.append(_facet_part(facet, column, every if facet == "status" else "hits", flags))
    if params.sectors:  # families under the chosen segments
        segments = sorted({code[:2] for code in params.sectors})
        parts.append(
            _facet_part(
                "family",
                "family",
                "hits",
                flags,
                f" AND substr(family, 1, 2) IN ({_marks(segments)})",
            )
        )
        args += segments
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(parts)
    total = 0
    page: list[int] = []
    facets: dict[str, list] = defaultdict(list)
    for name, value, number in connection.execute(sql, args).fetchall():
        if name == "total":
            total = number
        elif name == "page":
            page.append(value)
        else:
            facets[name].append((str(value), number))
    highlighted = {}
    if page and terms:
        highlighted = {
            row[0]: row[1:]
            for row in connection.execute(
                f"SELECT rowid, highlight({table}, 0, '<mark>', '</mark>'), "
                f"snippet({table}, 1, '<mark>', '</mark>', '…', 30) FROM {table} "
                f"WHERE {table} MATCH ? AND rowid IN ({_marks(page)})",
                [match, *page],
            )
        }
    elif page:
        highlighted = {
            row[0]: row[1:]
            for row in connection.execute(
                f"SELECT rowid, title, substr(body, 1, 240) FROM {table} "
                f"WHERE rowid IN ({_marks(page)})",
                page,
            )
        }
    suggestion = fts_suggestion(connection, table, params.q) if total == 0 and terms else None
    return Page(total, suggestion, [(doc, highlighted[doc][0]) for doc in page], dict(facets))


def _within_two(word: str, other: str) -> bool:
    """Edit distance <= 2 counting a swap of neighbours as one edit (as Whoosh's automaton)."""
    if abs(len(word) - len(other)) > 2:
        return False
    before, previous = None, list(range(len(other) + 1))
    for i, char in enumerate(word, 1):
        current = [i]
        for j, other_char in enumerate(other, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other_char))
            if i > 1 and j > 1 and char == other[j - 2] and word[i - 2] == other_char:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > 2 and (before is None or min(previous) > 2):
            return False
        before, previous = previous, current
    return previous[-1] <= 2


def fts_suggestion(connection: sqlite3.Connection, table: str, text: str) -> str | None:
    """The portal's rule: an unknown word becomes the most frequent word of titles, buyers'
    names and departments within edit distance 2 sharing its first letter (fts5vocab); a word
    of those, of a code or of a department's name is never replaced."""
    vocab = "vocab_open" if table == "fts_open" else "vocab_all"
    words = [w for w in (folded(w) for w in re.findall(r"\w+", text)) if len(w) >= 2]
    words = [w for w in words if w not in STOP_WORDS]
    departments = {folded(w) for name in department_names().values() for w in name.split()}
    corrected = []
    for word in words:
        known = (
            word in departments
            or connection.execute(
                f"SELECT 1 FROM {vocab} WHERE term = ? AND col != 'body'", [word]
            ).fetchone()
        )
        replacement = word
        if not known and not any(character.isdigit() for character in word):
            candidates = connection.execute(
                f"SELECT term, sum(cnt) FROM {vocab} WHERE term >= ? AND term < ? "
                "AND col IN ('title', 'entity', 'place') AND length(term) BETWEEN ? AND ? "
                "GROUP BY term",
                [word[0], chr(ord(word[0]) + 1), len(word) - 2, len(word) + 2],
            ).fetchall()
            best = None  # Whoosh's corrector: the most frequent, a tie to the larger term
            for term, count in candidates:
                if term != word and _within_two(word, term):
                    if best is None or (count, term) > best:
                        best = (count, term)
            if best:
                replacement = best[1]
        corrected.append(replacement)
    return " ".join(corrected) if corrected != words else None


# ---------------------------------------------------------------------------------------
# Running and reporting


def _size(path: Path) -> float:
    files = [path] if path.is_file() else list(path.rglob("*"))
    return sum(f.stat().st_size for f in files if f.is_file()) / 1e6


def nearest_rank(ordered: list[float], share: float) -> float:
    """The ceil(share * n)-th smallest value (nearest-rank percentile)."""
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def _stats(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), nearest_rank(ordered, 0.95)


def _timed(run_one, params) -> tuple[float, tuple]:
    started = time.perf_counter()
    page = run_one(params)
    return (time.perf_counter() - started) * 1000, page


def _bench_app(index_dir: Path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",  # size classes and UIT for the size filter
            "PORTAL_INDEX_DIR": str(index_dir),
            "PORTAL_INDEX_WRITER": False,
        }
    )
    with app.app_context():
        db.create_all()
        load_reference(db.session)
        db.session.commit()
    return app


@dataclass
class Measured:
    docs: int
    engine: str
    statuses: str
    timings: dict  # query index -> [ms, ...]
    build: float
    size: float
    pages: dict  # query index -> (total, suggestion, [(id, title_html)])


def run(
    corpus: Corpus, queries: list, docs: int, workdir: Path, rounds: int, reuse: bool
) -> tuple[list[Measured], object]:
    index_dir = whoosh_index_dir(workdir, docs)
    fts_path = workdir / f"fts-{docs}-v{SCHEMA_VERSION}.sqlite3"
    whoosh_seconds = fts_seconds = float("nan")  # an index kept from an earlier run
    build_whoosh = not (reuse and index_dir.is_dir())
    build_fts = not (reuse and fts_path.is_file())
    if build_whoosh or build_fts:
        print(f"Construyendo {docs:,} documentos…", file=sys.stderr)
    if build_whoosh:
        whoosh_seconds = whoosh_build(corpus, docs, index_dir)
        print(f"  whoosh: {whoosh_seconds:.0f} s", file=sys.stderr)
    if build_fts:
        fts_seconds = fts_build(corpus, docs, fts_path)
        print(f"  fts5: {fts_seconds:.0f} s", file=sys.stderr)
    app = _bench_app(index_dir)
    connection = fts_connect(fts_path)
    engines = (
        ("whoosh", lambda params: whoosh_page(app, params), whoosh_seconds, _size(index_dir)),
        ("fts5", lambda params: fts_page(app, connection, params), fts_seconds, _size(fts_path)),
    )
    measured = []
    for all_statuses in (False, True):
        label = "all" if all_statuses else "open"
        for engine, run_one, build, size in engines:
            searches = [query_params(t, f, all_statuses) for _, t, f in queries]
            pages = {i: run_one(p) for i, p in enumerate(searches)}  # warm-up, kept for checks
            timings = defaultdict(list)
            for _ in range(rounds):
                for i, params in enumerate(searches):
                    timings[i].append(_timed(run_one, params)[0])
            measured.append(Measured(docs, engine, label, timings, build, size, pages))
    return measured, app


def _check(measured: list[Measured], queries: list) -> bool:
    """Per query: hits, page ids in common, facets and suggestion of each engine."""
    print(
        "\nComprobación (no cronometrada): total whoosh / fts5, ids de la página en común, "
        "facetas distintas, sugerencia",
        file=sys.stderr,
    )
    by_key = {(m.docs, m.engine, m.statuses): m for m in measured}
    same = True
    for m in measured:
        if m.engine != "whoosh":
            continue
        fts = by_key[(m.docs, "fts5", m.statuses)]
        for i, (kind, text, fields) in enumerate(queries):
            w, f = m.pages[i], fts.pages[i]
            common = len({d for d, _ in w.hits} & {d for d, _ in f.hits})
            facets = sorted(
                n for n in set(w.facets) | set(f.facets) if w.facets.get(n) != f.facets.get(n)
            )
            same &= w.total == f.total and not facets
            notes = f"  facetas distintas: {','.join(facets)}" if facets else ""
            if w.suggestion or f.suggestion:
                notes += f"  sugerencia {w.suggestion!r} / {f.suggestion!r}"
            print(
                f"  {m.docs:,} {m.statuses:4} {kind:10} {text or '(vacía)'!r:30} "
                f"{str(fields or ''):38.38} {w.total:>8,} / {f.total:>8,}  "
                f"página {common}/{len(w.hits)}{notes}",
                file=sys.stderr,
            )
    return same


def _slowest(measured: list[Measured], count: int) -> list[tuple[float, str, int]]:
    whoosh = [
        (statistics.median(times), m.statuses, i)
        for m in measured
        if m.engine == "whoosh"
        for i, times in m.timings.items()
    ]
    return sorted(whoosh, reverse=True)[:count]


def _profile(app, measured: list[Measured], queries, count: int = 5, lines: int = 35) -> None:
    """pyinstrument over the slowest Whoosh queries, each repeated; the top of each profile."""
    from pyinstrument import Profiler

    for median, statuses, i in _slowest(measured, count):
        kind, text, fields = queries[i]
        params = query_params(text, fields, statuses == "all")
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(10):
            whoosh_page(app, params)
        profiler.stop()
        output = profiler.output_text(unicode=True, color=False, show_all=False)
        head = "\n".join(output.splitlines()[:lines])
        print(
            f"\n=== perfil: {kind} {text!r} {fields} ({statuses}, mediana {median:.1f} ms, "
            f"10 repeticiones) ===\n{head}",
            file=sys.stderr,
        )


def report(measured: list[Measured], queries: list) -> None:
    print("| docs | engine | statuses | median ms | p95 ms | build s | docs/s | size MB |")
    print("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    p95s = {}
    for m in measured:
        median, p95 = _stats([t for times in m.timings.values() for t in times])
        p95s[(m.docs, m.engine, m.statuses)] = p95
        print(
            f"| {m.docs:,} | {m.engine} | {m.statuses} | {median:.1f} | {p95:.1f} | "
            f"{m.build:.0f} | {m.docs / m.build:,.0f} | {m.size:.0f} |"
        )
    print("\n| docs | statuses | whoosh p95 / fts5 p95 |")
    print("| ---: | --- | ---: |")
    for docs, statuses in dict.fromkeys((m.docs, m.statuses) for m in measured):
        ratio = p95s[(docs, "whoosh", statuses)] / p95s[(docs, "fts5", statuses)]
        print(f"| {docs:,} | {statuses} | {ratio:.2f} |")
    classes = list(dict.fromkeys(kind for kind, _, _ in queries))
    columns = [(m.docs, m.engine, m.statuses) for m in measured]
    print("\nmedian ms per query class (p95 in brackets):\n")
    print("| class | " + " | ".join(f"{e} {s} {d:,}" for d, e, s in columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    for kind in classes:
        cells = []
        for m in measured:
            times = sorted(t for i, ts in m.timings.items() if queries[i][0] == kind for t in ts)
            cells.append(f"{statistics.median(times):.1f} ({nearest_rank(times, 0.95):.1f})")
        print(f"| {kind} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, action="append", help="corpus size (repeatable)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/search-bench"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile", action="store_true", help="pyinstrument the slowest Whoosh queries"
    )
    parser.add_argument("--reuse", action="store_true", help="keep indexes built by a past run")
    options = parser.parse_args()
    options.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    corpus = Corpus(load_real_text())
    queries = QUERIES + drawn_queries(corpus)
    print(
        f"Vocabulario real: {len(corpus.real.words):,} palabras, "
        f"{sum(map(len, corpus.real.starts.values()))} inicios de título, "
        f"{len(corpus.real.objects):,} objetos "
        f"({time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )
    measured = []
    for docs in options.docs or [100_000]:
        rows, app = run(corpus, queries, docs, options.workdir, options.rounds, options.reuse)
        measured.extend(rows)
        if options.profile:
            _profile(app, rows, queries)
    if not _check(measured, queries):
        print("AVISO: los motores difieren en totales o facetas (ver arriba)", file=sys.stderr)
    report(measured, queries)


if __name__ == "__main__":
    main()
