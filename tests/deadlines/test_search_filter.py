"""The flag as a filter is defined once: the index search, the alert matcher (both through
portal.search.rules) and the API listing, which the index answers too, agree; an index written
before the column existed keeps working."""

from datetime import UTC, datetime

from factories import NOW
from whoosh.filedb.filestore import FileStorage

from notifications.match_engine import document_batch, match, subscription_index
from portal.opportunities.models import Opportunity
from portal.search.documents import opportunity_documents
from portal.search.params import SearchParams, parse_search_args
from portal.search.query import search
from portal.search.schema import build_schema
from portal.search.store import PARTS, open_part, part_dir

SHORT = {"minimum_days": 6, "minimum_day_kind": "business", "minimum_basis": "legal"}


def three_calls(make_opportunity) -> dict[str, int]:
    return {
        "short": make_opportunity(
            title="Agua potable", **SHORT, given_days=2, short_deadline=True
        ).id,
        "enough": make_opportunity(title="Agua tratada", **SHORT, given_days=9).id,
        "unknown": make_opportunity(title="Agua de mesa", **SHORT).id,  # dates unknown
    }


def searched_ids(params: SearchParams) -> set[int]:
    return {hit.id for hit in search(params, datetime.now(UTC)).hits}


def test_the_matcher_and_the_search_apply_the_same_filter(session, make_opportunity):
    calls = three_calls(make_opportunity)
    searches = [
        SearchParams(q="agua", deadline_checks=("short",), kinds=("opportunity",)),
        SearchParams(q="agua", deadline_checks=("enough",), kinds=("opportunity",)),
        SearchParams(q="agua", deadline_checks=("enough", "short"), kinds=("opportunity",)),
        SearchParams(q="agua", kinds=("opportunity",)),
    ]
    batch = document_batch(list(opportunity_documents(session, calls.values())))
    subs, docs = match(subscription_index(searches, {}), batch, NOW.timestamp())
    matched = {
        (int(sub), int(batch.keys[int(doc)].split(":")[1]))
        for sub, doc in zip(subs, docs, strict=True)
    }

    for row, params in enumerate(searches):
        assert {i for sub, i in matched if sub == row} == searched_ids(params)
    assert searched_ids(searches[0]) == {calls["short"]}
    assert searched_ids(searches[1]) == {calls["enough"]}
    assert searched_ids(searches[2]) == {calls["short"], calls["enough"]}
    assert searched_ids(searches[3]) == set(calls.values())


def test_api_listing_and_index_search_agree(session, client, make_opportunity):
    calls = three_calls(make_opportunity)
    for check in ("short", "enough"):
        params = parse_search_args({"deadline_check": check})
        listed = client.get(f"/api/v1/opportunities?deadline_check={check}").get_json()["data"]
        searched = client.get(f"/api/v1/opportunities?q=agua&deadline_check={check}").get_json()
        assert searched_ids(params) == {row["id"] for row in listed}
        assert {row["id"] for row in listed} == {row["id"] for row in searched["data"]}
        assert searched_ids(params) == {calls[check]}


def test_an_index_written_before_the_column_keeps_answering(app, session, make_opportunity):
    """Written by the previous release: its documents have no deadline_check, and its schema
    no such field, until `portal index rebuild` or the next write, which adds the field."""
    index_dir = app.config["PORTAL_INDEX_DIR"]
    app.config["PORTAL_INDEX_WRITER"] = False  # so the first notice is written the old way
    earlier = make_opportunity(title="Agua potable", **SHORT, given_days=2, short_deadline=True)
    old = build_schema()
    old.remove("deadline_check")
    [document] = opportunity_documents(session, [earlier.id])
    del document["deadline_check"]
    for part in PARTS:
        part_dir(index_dir, part).mkdir(parents=True, exist_ok=True)
        FileStorage(str(part_dir(index_dir, part))).create_index(old)
    writer = open_part(index_dir, "open").writer()
    writer.add_document(**document)
    writer.commit()
    app.config["PORTAL_INDEX_WRITER"] = True

    assert searched_ids(SearchParams(q="agua")) == {earlier.id}
    assert searched_ids(SearchParams(q="agua", deadline_checks=("short",))) == set()

    later = make_opportunity(title="Agua tratada", **SHORT, given_days=1, short_deadline=True)

    assert "deadline_check" in open_part(index_dir, "open").schema  # the write added it
    assert searched_ids(SearchParams(q="agua", deadline_checks=("short",))) == {later.id}
    session.get(Opportunity, earlier.id).title = "Agua potable para el distrito"
    session.commit()  # written again: now with its column
    assert searched_ids(SearchParams(q="agua", deadline_checks=("short",))) == {
        earlier.id,
        later.id,
    }
