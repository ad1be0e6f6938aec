"""An ocid's releases add up their documents as OCDS merges them (by id): an amendment release
that lists only its new document keeps the others, whatever the order of the file, so the
next version never looks as if documents were withdrawn."""

import copy
import io
import json
from zoneinfo import ZoneInfo

import pytest

from scrapers import ocds
from scrapers.records import OpportunityRecord, ParseContext

RELEASES = "ocds-sample-data/paraguay/releases"
TENDER = f"{RELEASES}/277004-adquisicion-equipos-e-insumos-informaticos-tender.json"
ADDENDUM_ID = "YkHyO%2BZbEFk%3D"  # the fifth "Adenda" the call lists
CONTEXT = ParseContext(source_key="dncp", timezone=ZoneInfo("America/Asuncion"))


@pytest.fixture
def tender(shared_fixtures) -> dict:
    """DNCP Paraguay's real tender release, as first published: without its last addendum."""
    release = json.loads((shared_fixtures / TENDER).read_text(encoding="utf-8"))
    release["date"] = "2026-05-28T08:00:00-04:00"
    release["tender"]["documents"] = [
        document for document in release["tender"]["documents"] if document["id"] != ADDENDUM_ID
    ]
    return release


def addendum(shared_fixtures) -> dict:
    release = json.loads((shared_fixtures / TENDER).read_text(encoding="utf-8"))
    [document] = [d for d in release["tender"]["documents"] if d["id"] == ADDENDUM_ID]
    return document


def amendment(tender: dict, document: dict, *, whole: bool) -> dict:
    """The publisher's next release: the call restated with only the new document, or (not
    `whole`) a partial release holding nothing but it."""
    release = copy.deepcopy(tender) if whole else {"ocid": tender["ocid"], "tender": {}}
    release.update(id=f"{tender['id']}-adenda", date="2026-06-02T10:00:00-04:00")
    release["tag"] = ["tenderAmendment"]
    release["tender"].update(id=tender["tender"]["id"], documents=[document])
    return release


def parsed(*releases: dict) -> OpportunityRecord:
    payload = json.dumps({"uri": "x", "releases": list(releases)}).encode()
    [record] = [
        i for i in ocds.parse(io.BytesIO(payload), CONTEXT) if isinstance(i, OpportunityRecord)
    ]
    return record


def ids(record: OpportunityRecord) -> list[str]:
    return [document.source_document_id for document in record.documents]


@pytest.mark.parametrize("whole", [True, False], ids=["restated", "partial"])
def test_an_amendment_listing_only_its_document_keeps_the_others(tender, shared_fixtures, whole):
    first = ids(parsed(tender))
    assert len(first) >= 10 and ADDENDUM_ID not in first

    later = amendment(tender, addendum(shared_fixtures), whole=whole)

    assert ids(parsed(tender, later)) == [*first, ADDENDUM_ID]


def test_the_files_order_does_not_matter(tender, shared_fixtures):
    """Paged APIs list the newest release first."""
    later = amendment(tender, addendum(shared_fixtures), whole=True)

    assert ids(parsed(later, tender)) == ids(parsed(tender, later))
    assert ids(parsed(later, tender))[-1] == ADDENDUM_ID


def test_a_document_listed_again_is_replaced_not_repeated(tender):
    bases = copy.deepcopy(tender["tender"]["documents"][0])
    bases["title"] = "Aclaraciones (versión corregida)"
    later = amendment(tender, bases, whole=True)

    record = parsed(tender, later)

    assert ids(record) == ids(parsed(tender))
    assert record.documents[0].title == "Aclaraciones (versión corregida)"


def test_a_record_without_compiled_release_adds_up_its_releases(tender, shared_fixtures):
    later = amendment(tender, addendum(shared_fixtures), whole=True)
    record_package = {
        "uri": "x",
        "records": [{"ocid": tender["ocid"], "releases": [tender, later]}],
    }
    payload = json.dumps(record_package).encode()

    [record] = [
        i for i in ocds.parse(io.BytesIO(payload), CONTEXT) if isinstance(i, OpportunityRecord)
    ]

    assert ids(record) == [*ids(parsed(tender)), ADDENDUM_ID]


def test_a_call_reached_through_its_first_document_keeps_that_link(tender, shared_fixtures):
    """Without tender.url or a tenderNotice, the call's link is its first document's, not the
    document an amendment adds."""
    del tender["tender"]["url"]
    first_link = tender["tender"]["documents"][0]["url"]
    later = amendment(tender, addendum(shared_fixtures), whole=True)

    assert parsed(tender).url == first_link
    assert parsed(tender, later).url == first_link
    assert parsed(later, tender).url == first_link
