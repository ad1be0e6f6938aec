"""Whatever bytes arrive, a parser yields its records or raises ParseError: nothing else."""

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrapers import feed, html_listing, ocds, plan_file, seace_csv
from scrapers.html_listing import SEACE_LISTING_CONFIG
from scrapers.records import (
    ItemError,
    NextPage,
    OpportunityRecord,
    ParseContext,
    ParseError,
    ParseWarning,
    PlanRecord,
)

ALLOWED = (OpportunityRecord, PlanRecord, ItemError, ParseWarning, NextPage)
PARSERS = {
    "feed": (feed.parse, ParseContext("fuzz-feed")),
    "ocds": (ocds.parse, ParseContext("fuzz-ocds")),
    "html": (html_listing.parse, ParseContext("fuzz-html", config=SEACE_LISTING_CONFIG)),
    "plan": (plan_file.parse, ParseContext("fuzz-plan")),
    "seace_csv": (seace_csv.parse_seace_calls_csv, ParseContext("fuzz-csv")),
}
SAMPLES = {
    "feed": ["placsp-atom/menores.atom", "placsp-atom/mayores_first-entry.atom"],
    "ocds": [
        "ocds-cdmx-paraguay/release-package-1.json",
        "ocds-cdmx-paraguay/release-package_split.json",
        "ocds-cdmx-paraguay/record-package_1.1.json",
        "ocds-cdmx-paraguay/release-package_encoding-iso-8859-1.json",
        "ocds-sample-data/colombia/records/ocds-k50g02-16-13-5282714.json",
    ],
    "html": ["seace-html/regional_resultados_tbody_p1.html"],
    "plan": ["seace-html/procesos_seace.csv"],
    "seace_csv": ["seace-html/procesos_seace.csv", "seace-html/resultados_orden_produccion.csv"],
}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(kind: str, payload: bytes) -> list:
    parser, context = PARSERS[kind]
    try:
        items = list(parser(io.BytesIO(payload), context))
    except ParseError:
        return []
    for item in items:
        assert isinstance(item, ALLOWED), type(item)
    return items


def mutated(sample: bytes, data) -> bytes:
    """Truncated, with bytes flipped, or with a slice repeated: the damage downloads suffer."""
    cut = data.draw(st.integers(0, len(sample)), label="cut")
    payload = bytearray(sample[:cut])
    for _ in range(data.draw(st.integers(0, 8), label="flips")):
        if payload:
            position = data.draw(st.integers(0, len(payload) - 1))
            payload[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans(), label="repeat") and payload:
        start = data.draw(st.integers(0, len(payload) - 1))
        payload += payload[start : start + 200]
    return bytes(payload)


@pytest.mark.parametrize("kind", sorted(PARSERS))
@FUZZ
@given(payload=st.binary(max_size=2048))
def test_arbitrary_bytes_never_escape_as_other_exceptions(kind, payload):
    outcome(kind, payload)


@pytest.mark.parametrize("kind", sorted(PARSERS))
@FUZZ
@given(data=st.data())
def test_damaged_real_files_never_escape_as_other_exceptions(shared_fixtures, kind, data):
    name = data.draw(st.sampled_from(SAMPLES[kind]), label="fixture")
    outcome(kind, mutated((shared_fixtures / name).read_bytes(), data))


@FUZZ
@given(
    values=st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "ocid",
                        "tender",
                        "buyer",
                        "parties",
                        "items",
                        "value",
                        "amount",
                        "tag",
                        "releases",
                        "records",
                        "compiledRelease",
                        "date",
                        "awards",
                        "status",
                        "classification",
                        "id",
                        "scheme",
                        "tenderPeriod",
                        "endDate",
                        "title",
                    ]
                ),
                children,
                max_size=6,
            )
        ),
        max_leaves=30,
    )
)
def test_ocds_shaped_json_never_escapes(values):
    outcome("ocds", json.dumps(values).encode())


@FUZZ
@given(
    cells=st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
            min_size=1,
            max_size=17,
        ),
        max_size=6,
    )
)
def test_plan_rows_with_random_cells_never_escape(cells):
    header = ",".join(plan_file.PLAN_COLUMNS)
    body = "\n".join(",".join(f'"{cell.replace(chr(34), "")}"' for cell in row) for row in cells)
    outcome("plan", f"{header}\n{body}".encode())
