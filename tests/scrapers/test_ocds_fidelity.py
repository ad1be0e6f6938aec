"""OCDS as publishers write it: countries in any language, forecasts, same-date releases, bytes."""

import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.buyers.models import Buyer
from portal.opportunities.models import Opportunity, OpportunityStatus
from scrapers import ocds
from scrapers.models import RunStatus, SourceKind
from scrapers.pipeline import run_source
from scrapers.records import (
    ItemError,
    OpportunityRecord,
    ParseContext,
    ParseError,
    ParseWarning,
)

CONTEXT = ParseContext(source_key="ocds-fidelity")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OCID = "ocds-b5fd17-fidelity-1"  # a prefix the parser knows no country for


def release(**changes) -> dict:
    """A Contracts Finder-like release: the buyer's country only in its party's address."""
    base = {
        "ocid": OCID,
        "id": "1",
        "date": "2026-05-02T10:00:00Z",
        "tag": ["tender"],
        "parties": [
            {
                "id": "GB-CFS-1",
                "name": "Junta de Gobierno Local",
                "identifier": {"scheme": "GB-CFS", "id": "1"},
                "address": {"countryName": " United Kingdom"},
                "roles": ["buyer"],
            }
        ],
        "buyer": {"id": "GB-CFS-1", "name": "Junta de Gobierno Local"},
        "tender": {"id": "T-1", "title": "Road resurfacing", "status": "active"},
    }
    return base | changes


def with_country(country_name: str | None) -> dict:
    changed = release()
    address = {} if country_name is None else {"countryName": country_name}
    changed["parties"] = [changed["parties"][0] | {"address": address}]
    return changed


def with_tender(**tender) -> dict:
    changed = release()
    changed["tender"] = changed["tender"] | tender
    return changed


def parse(payload: bytes, context: ParseContext = CONTEXT) -> list:
    return list(ocds.parse(io.BytesIO(payload), context))


def parse_releases(*releases: dict, context: ParseContext = CONTEXT) -> list:
    package = {"uri": "x", "publishedDate": "2026-05-03", "releases": list(releases)}
    return parse(json.dumps(package, ensure_ascii=False).encode(), context)


def only_record(items: list) -> OpportunityRecord:
    [record] = [item for item in items if isinstance(item, OpportunityRecord)]
    return record


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("United Kingdom", "GB"),
        (" United Kingdom", "GB"),
        ("Reino Unido", "GB"),
        ("GB", "GB"),
        ("GBR", "GB"),
        ("México", "MX"),
        ("Mexico", "MX"),
        ("Paraguay", "PY"),
        ("España", "ES"),
        ("Perú", "PE"),
        ("Colombia", "CO"),
        ("Chile", "CL"),
        ("Royaume-Uni", "GB"),
    ],
)
def test_buyer_country_comes_from_the_address_in_any_language_or_code(written, code):
    buyer = only_record(parse_releases(with_country(written))).buyer
    assert buyer.country == code


def test_a_foreign_buyer_gets_no_peruvian_region_or_procedure():
    record = only_record(parse_releases(release()))
    assert (record.buyer.country, record.region_code, record.procedure_type_code) == (
        "GB",
        None,
        None,
    )


@pytest.mark.parametrize("address", [None, "Atlantis"])
def test_without_a_readable_address_the_source_configuration_says_the_country(address):
    configured = ParseContext("ocds-uk", config={"country": "GB"})
    assert only_record(parse_releases(with_country(address))).buyer.country == "PE"
    record = only_record(parse_releases(with_country(address), context=configured))
    assert record.buyer.country == "GB"


def test_real_publishers_addresses_give_their_countries(shared_fixtures):
    def countries(path: str) -> set[str]:
        payload = (shared_fixtures / path).read_bytes()
        return {
            item.buyer.country for item in parse(payload) if isinstance(item, OpportunityRecord)
        }

    assert countries("ocds-cdmx-paraguay/release-package-1.json") == {"MX"}
    assert countries("ocds-sample-data/colombia/records/ocds-k50g02-16-13-5279502.json") == {"CO"}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("planned", OpportunityStatus.PLANNED),
        ("planning", OpportunityStatus.PLANNED),
        ("withdrawn", OpportunityStatus.WITHDRAWN),
        ("active", OpportunityStatus.OPEN),
    ],
)
def test_tender_status_maps_forecasts_and_withdrawals(status, expected):
    assert only_record(parse_releases(with_tender(status=status))).status is expected


def same_date_pair() -> tuple[dict, dict]:
    first = with_tender(title="Road resurfacing, lot 1")
    second = with_tender(title="Road resurfacing, lots 1 and 2") | {"id": "2"}
    return first, second


@pytest.mark.parametrize("order", ["as published", "reversed"])
def test_same_date_releases_that_differ_are_reported_and_chosen_by_id(order):
    first, second = same_date_pair()
    releases = (first, second) if order == "as published" else (second, first)

    items = parse_releases(*releases)

    assert only_record(items).title == "Road resurfacing, lots 1 and 2"
    [warning] = [item for item in items if isinstance(item, ParseWarning)]
    assert OCID in warning.message and "same date" in warning.message


def test_release_ids_sort_in_natural_order_then_by_content():
    ninth = with_tender(title="Version nine") | {"id": "release-9"}
    tenth = with_tender(title="Version ten") | {"id": "release-10"}
    assert only_record(parse_releases(tenth, ninth)).title == "Version ten"
    twins = [with_tender(title=title) for title in ("Twin A", "Twin B")]  # one id, two contents
    chosen = {only_record(parse_releases(*order)).title for order in (twins, twins[::-1])}
    assert len(chosen) == 1


def test_identical_copies_of_a_release_are_no_warning():
    items = parse_releases(release(), release())
    assert not [item for item in items if isinstance(item, ParseWarning)]


def test_a_later_release_still_wins_whatever_its_id():
    later = with_tender(title="Rectified") | {"id": "0", "date": "2026-05-03T10:00:00Z"}
    items = parse_releases(later, release() | {"id": "9"})
    assert only_record(items).title == "Rectified"
    assert not [item for item in items if isinstance(item, ParseWarning)]


@pytest.mark.parametrize(
    ("payload", "position"),
    [
        (b'\xef\xbb\xbf{"ocid": "\xff"}', 13),
        (b'\xef\xbb\xbf{"releases": [{"ocid": "a\xc3', 28),
    ],
)
def test_bytes_that_are_not_utf8_are_reported_as_a_sentence_with_their_position(payload, position):
    with pytest.raises(ParseError) as refused:
        parse(payload)
    message = str(refused.value)
    assert message == (
        f"not valid JSON: byte {position} is not UTF-8, though the file starts with a UTF-8"
        " byte order mark"
    )


@pytest.mark.parametrize(
    "payload",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        bytes(range(256)),
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcbH\xcd\xc9\xc9\x07\x00",
        b'{"releases": [\x00\x01]}',
    ],
    ids=["png", "pdf", "all-bytes", "gzip", "control-bytes"],
)
def test_undecodable_content_is_refused_with_a_sentence_not_a_byte_dump(payload):
    with pytest.raises(ParseError) as refused:
        parse(payload)
    message = str(refused.value)
    assert message.startswith("not valid JSON: ")
    assert message.isascii() and message.isprintable()
    assert "right here" not in message and "b'" not in message and "\\x" not in message


def test_item_errors_still_name_what_is_not_a_release():
    assert isinstance(parse(b'{"foo": 1}')[0], ItemError)


def test_run_stores_the_buyer_country_and_the_forecast(
    session, http_server, make_source, fetcher, shared_fixtures
):
    uk = with_tender(status="planned")
    package = json.dumps({"uri": "x", "publishedDate": "2026-05-03", "releases": [uk]}).encode()
    Reply = http_server.Reply
    uk_url = http_server.route("/uk.json", Reply(body=package))
    cdmx = (shared_fixtures / "ocds-cdmx-paraguay/release-package-1.json").read_bytes()
    cdmx_url = http_server.route("/cdmx.json", Reply(body=cdmx))

    for key, url in (("uk", uk_url), ("cdmx", cdmx_url)):
        run = run_source(session, make_source(key, SourceKind.OCDS, url), NOW, fetcher)
        assert run.status == RunStatus.SUCCEEDED, run.error

    countries = dict(session.execute(select(Buyer.name, Buyer.country)).all())
    assert countries["Junta de Gobierno Local"] == "GB"
    assert countries["SECRETARÍA DE FINANZAS"] == "MX"
    assert session.scalar(select(Opportunity.status).where(Opportunity.source_ref == OCID)) == (
        OpportunityStatus.PLANNED
    )
