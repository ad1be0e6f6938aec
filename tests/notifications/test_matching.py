"""The matcher: alerts are exactly what each subscription's search returns, recorded once."""

import random
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from factories import NOW, create_buyer, create_plan, factory_source
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.match_engine import document_batch, match, subscription_index
from portal.opportunities.models import (
    ObjectType,
    Opportunity,
    OpportunityClassification,
    OpportunityStatus,
)
from portal.search.documents import opportunity_documents, plan_line_documents
from portal.search.params import KINDS, SearchParams
from portal.search.query import search
from portal.search.size import size_value_limit

WORDS = [
    "adquisición", "ADQUISICION", "computadoras", "computadora", "uniformes", "escolares",
    "limpieza", "carretera", "mantenimiento", "papel", "servicio", "de", "los",
    "Cusco", "AREQUIPA", "Lima", "municipalidad",  # a department, a buyer's name
]  # fmt: skip
SECTORS = ["43211500", "53102700", "72141000", "14111500"]
REGIONS = ["04", "08", "15"]


@st.composite
def documents(draw) -> list[dict]:
    """Notices with words in several spellings (accents, case, plural), every status, past
    and future deadlines, with and without value."""
    made = []
    for _ in range(draw(st.integers(4, 9))):
        made.append(
            {
                "title": " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))),
                "description": " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=3))),
                "code": draw(st.sampled_from(SECTORS)),
                "region_code": draw(st.sampled_from(REGIONS)),
                "object_type": draw(st.sampled_from(list(ObjectType))),
                "estimated_value": draw(st.sampled_from([None, Decimal(900), Decimal(50_000)])),
                "deadline_days": draw(st.sampled_from([-2, 1, 10, None])),
                "status": draw(
                    st.sampled_from([OpportunityStatus.OPEN] * 3 + [OpportunityStatus.CANCELLED])
                ),
                "buyer": draw(st.integers(0, 1)),
            }
        )
    return made


@st.composite
def subscriptions(draw) -> list[SearchParams]:
    def some(values):
        return tuple(sorted(set(draw(st.lists(st.sampled_from(values), max_size=2)))))

    made = []
    for _ in range(draw(st.integers(1, 6))):
        minimum = draw(st.sampled_from([None, Decimal(1000)]))
        made.append(
            SearchParams(
                q=" ".join(draw(st.lists(st.sampled_from(WORDS), max_size=2))),
                sectors=tuple(sorted({code[:4] + "0000" for code in some(SECTORS)})),
                regions=some(REGIONS),
                object_types=some([str(kind) for kind in ObjectType]),
                value_min=minimum,
                value_max=draw(st.sampled_from([None, Decimal(60_000), Decimal(1000)]))
                if minimum is None
                else None,
                size_class=draw(st.sampled_from([None, "micro"])),
                statuses=("open",),
                kinds=draw(st.sampled_from([("opportunity",), KINDS])),
                buyer_ids=(),
            )
        )
    return made


@pytest.fixture
def two_buyers(session):
    return [create_buyer(session), create_buyer(session)]


def _notice(session, doc: dict, buyers, number: int) -> Opportunity:
    deadline = doc["deadline_days"]
    return Opportunity(
        source_id=factory_source(session).id,
        source_ref=f"property-{number}",
        title=doc["title"],
        description=doc["description"],
        object_type=doc["object_type"],
        region_code=doc["region_code"],
        estimated_value=doc["estimated_value"],
        published_at=NOW - timedelta(days=1),
        deadline_at=None if deadline is None else NOW + timedelta(days=deadline),
        status=doc["status"],
        buyer_id=buyers[doc["buyer"]].id,
        content_hash="0" * 64,
        classifications=[OpportunityClassification(scheme="UNSPSC", code=doc["code"])],
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=documents(), searches=subscriptions())
def test_the_matcher_agrees_with_the_search(session, two_buyers, drawn, searches):
    """One commit per example (indexed on commit); the search reads the index, the matcher
    the committed rows, and both must return the same documents for every subscription."""
    # Hypothesis seeds the global random per example, and Whoosh names segments with it: the
    # second example's segment would reuse the first one's name.
    random.seed()
    numbers = session.info.setdefault("numbers", count())
    notices = [_notice(session, doc, two_buyers, next(numbers)) for doc in drawn]
    session.add_all(notices)
    session.commit()
    made = [notice.id for notice in notices]
    line_ids = session.info.setdefault(
        "plan_lines", [line.id for line in create_plan(session, lines=2).lines]
    )
    searches = [
        replace(params, buyer_ids=(two_buyers[0].id,)) if row == 0 else params
        for row, params in enumerate(searches)
    ]
    batch = document_batch(
        [*opportunity_documents(session, made), *plan_line_documents(session, line_ids)]
    )
    index = subscription_index(searches, {"micro": size_value_limit(session, "micro", NOW)})
    subs, docs = match(index, batch, NOW.timestamp())
    matched = {(int(sub), batch.keys[int(doc)]) for sub, doc in zip(subs, docs, strict=True)}

    ours = {f"opportunity:{i}" for i in made} | {f"plan_line:{i}" for i in line_ids}
    expected = set()
    for row, params in enumerate(searches):
        results = search(replace(params, per_page=100), NOW)
        assert results.total <= 100
        expected |= {(row, key) for hit in results.hits if (key := f"{hit.kind}:{hit.id}") in ours}
    assert matched == expected
