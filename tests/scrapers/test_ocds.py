import io
import json
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from portal.opportunities.models import ObjectType, OpportunityStatus
from scrapers import ocds
from scrapers.records import (
    ClassificationRecord,
    ItemError,
    OpportunityRecord,
    ParseContext,
    ParseError,
    ParseWarning,
)

CONTEXT = ParseContext(source_key="ocds-test")
ALL_FIXTURES = ("ocds-cdmx-paraguay", "ocds-sample-data")


def parse_bytes(payload: bytes, context: ParseContext = CONTEXT) -> list:
    return list(ocds.parse(io.BytesIO(payload), context))


def parse_file(path) -> list:
    with path.open("rb") as stream:
        return list(ocds.parse(stream, CONTEXT))


def records(items: list) -> dict[str, OpportunityRecord]:
    return {item.source_ref: item for item in items if isinstance(item, OpportunityRecord)}


def peruvian_release(**changes) -> dict:
    release = {
        "ocid": "ocds-dgv273-seacev3-1001",
        "id": "1",
        "date": "2024-05-02T10:00:00-05:00",
        "tag": ["tender"],
        "parties": [
            {
                "id": "PE-RUC-20131312955",
                "name": "Seguro Social de Salud",
                "identifier": {"scheme": "PE-RUC", "id": "20131312955"},
                "address": {"countryName": "Perú", "region": "LIMA METROPOLITANA"},
                "roles": ["buyer", "procuringEntity"],
            }
        ],
        "buyer": {"id": "PE-RUC-20131312955", "name": "Seguro Social de Salud"},
        "tender": {
            "id": "AS-SM-35-2024-ELSE-1",
            "title": "Supervisión de obra del hospital",
            "description": "<p>Consultoría para la supervisión</p>",
            "status": "active",
            "mainProcurementCategory": "consultingServices",
            "procurementMethod": "selective",
            "procurementMethodDetails": "Adjudicación Simplificada",
            "value": {"amount": 150000.5, "currency": "PEN"},
            "tenderPeriod": {
                "startDate": "2024-05-02T10:00:00-05:00",
                "endDate": "2024-05-15T17:00:00-05:00",
            },
            "items": [
                {
                    "id": "1",
                    "classification": {"scheme": "CUBSO", "id": "8110150100000001"},
                    "additionalClassifications": [{"scheme": "UNSPSC", "id": "81101501"}],
                }
            ],
            "documents": [
                {"documentType": "tenderNotice", "url": "https://prod.seace.gob.pe/aviso/1001"}
            ],
        },
    }
    return release | changes


@pytest.mark.parametrize("folder", ALL_FIXTURES)
def test_every_fixture_parses_or_is_refused_cleanly(shared_fixtures, folder):
    for path in sorted((shared_fixtures / folder).rglob("*.json")):
        try:
            items = parse_file(path)
        except ParseError as error:
            assert path.stat().st_size == 0, f"{path.name}: {error}"
            continue
        assert items, path.name
        for item in items:
            assert isinstance(item, OpportunityRecord | ItemError | ParseWarning), path.name
            if isinstance(item, OpportunityRecord):
                assert item.title and item.ocid == item.source_ref
                for moment in (item.published_at, item.deadline_at):
                    assert moment is None or moment.utcoffset().total_seconds() == 0


def test_release_package_maps_tender_buyer_and_value(shared_fixtures):
    items = parse_file(shared_fixtures / "ocds-cdmx-paraguay" / "release-package-1.json")
    by_ref = records(items)
    assert list(by_ref) == ["OCDS-87SD3T-AD-SF-DRM-063-2015"]
    record = by_ref["OCDS-87SD3T-AD-SF-DRM-063-2015"]
    assert record.title == "ARRENDAMIENTO DE BIENES INFORMÁTICOS"
    assert record.description == "471 COMPUTADORA PORTÁTIL"
    assert record.estimated_value == Decimal("1311264.0")
    assert record.currency == "MXN"
    assert record.deadline_at == datetime(2015, 12, 22, 6, tzinfo=UTC)
    assert record.buyer.name == "SECRETARÍA DE FINANZAS"
    assert (record.buyer.identifier, record.buyer.country) == ("GDF9712054NA", "MX")
    assert record.buyer.ruc is None
    assert record.procedure_text == "selective"
    assert record.procedure_type_code is None
    assert record.status is OpportunityStatus.AWARDED
    assert record.url.startswith("http://innovacion.finanzas.df.gob.mx/")


def test_deadline_not_after_publication_is_flagged(shared_fixtures):
    items = parse_file(shared_fixtures / "ocds-cdmx-paraguay" / "release-package-1.json")
    warnings = [item.message for item in items if isinstance(item, ParseWarning)]
    assert any("OCDS-87SD3T-AD-SF-DRM-063-2015" in message for message in warnings)


def test_iso_8859_1_file_reads_the_same_as_utf_8(shared_fixtures):
    folder = shared_fixtures / "ocds-cdmx-paraguay"
    latin = records(parse_file(folder / "release-package_encoding-iso-8859-1.json"))
    utf8 = records(parse_file(folder / "release-package_encoding-utf-8.json"))
    assert latin == utf8
    assert latin["OCDS-87SD3T-SEFIN-DRM-AD-024-2016"].title == "MANTENIMIENTO A MÁQUINA CORTADORA"


def test_concatenated_packages_are_all_read(shared_fixtures):
    items = parse_file(shared_fixtures / "ocds-cdmx-paraguay" / "release-package_split.json")
    assert set(records(items)) == {
        "OCDS-87SD3T-AD-SF-DRM-063-2015",
        "OCDS-87SD3T-AD-SF-DRM-065-2015",
    }


def test_record_package_uses_compiled_release(shared_fixtures):
    items = parse_file(shared_fixtures / "ocds-cdmx-paraguay" / "record-package_1.1.json")
    record = records(items)["ocds-03ad3f-193399"]
    assert record.title == "Adquisición de Scanner"
    assert record.buyer.name == "Dirección Nacional de Contrataciones Públicas (DNCP)"
    assert record.buyer.country == "PY"
    assert record.currency == "PYG"
    assert record.estimated_value is None
    assert record.status is OpportunityStatus.AWARDED


def test_zero_value_counts_as_unknown(shared_fixtures):
    items = parse_file(shared_fixtures / "ocds-cdmx-paraguay" / "record-package-1-2.json")
    record = records(items)["ocds-07smqs-993235"]
    assert record.estimated_value is None
    assert record.buyer.name == "Instituto Nacional de Antropología e Historia"
    assert record.procedure_text == "direct"


def test_contract_only_release_is_an_item_error(shared_fixtures):
    items = parse_file(shared_fixtures / "ocds-cdmx-paraguay" / "release-package_1.0-2.json")
    assert items == [
        ItemError("ocds-03ad3f-246807", "release without tender nor buyer (tags: ['contract'])")
    ]


def test_empty_file_is_a_clear_parse_error(shared_fixtures):
    with pytest.raises(ParseError, match="empty"):
        parse_file(shared_fixtures / "ocds-sample-data" / "paraguay" / "records" / "283826.json")


def test_award_cancellation_is_cancelled_never_open(shared_fixtures):
    path = shared_fixtures / "ocds-sample-data" / "colombia" / "records"
    record = records(parse_file(path / "ocds-k50g02-16-13-5282714.json"))[
        "ocds-k50g02-16-13-5282714"
    ]
    assert record.status is OpportunityStatus.CANCELLED
    assert record.currency == "COP"
    assert record.buyer.country == "CO"


def test_open_minimum_value_call_keeps_its_tender_period(shared_fixtures):
    path = shared_fixtures / "ocds-sample-data" / "colombia" / "records"
    record = records(parse_file(path / "ocds-k50g02-16-13-5279502.json"))[
        "ocds-k50g02-16-13-5279502"
    ]
    assert record.deadline_at == datetime(2016, 7, 7, tzinfo=UTC)
    assert record.published_at == datetime(2016, 6, 30, 7, tzinfo=UTC)
    assert record.estimated_value == Decimal("8605500.0")


def test_colombian_unspsc_code_in_item_id_is_used(shared_fixtures):
    path = shared_fixtures / "ocds-sample-data" / "colombia" / "releases"
    items = parse_file(path / "ocds-k50g02-11-11-452228-59adb46f998eb5950cf4516b.json")
    record = records(items)["ocds-k50g02-11-11-452228"]
    assert ClassificationRecord(
        "UNSPSC", "78000000", "Servicios de Transporte, Almacenaje y Correo"
    ) in (record.classifications)
    assert "\ufffd" in record.buyer.name


def test_paraguay_catalogue_ids_become_unspsc(shared_fixtures):
    path = shared_fixtures / "ocds-sample-data" / "paraguay" / "records" / "284182.json"
    record = records(parse_file(path))["ocds-03ad3f-284182"]
    codes = {c.code for c in record.classifications if c.scheme == "UNSPSC"}
    assert {"30181503", "31201502"} <= codes
    assert all(len(code) == 8 for code in codes)
    assert record.estimated_value == Decimal("184558192.0")
    assert record.deadline_at == datetime(2016, 1, 13, 14, 20, tzinfo=UTC)


def test_planning_only_releases_are_counted_not_mapped(shared_fixtures):
    path = shared_fixtures / "ocds-sample-data" / "paraguay" / "releases"
    items = parse_file(
        path / "ocds-03ad3f-277004-277004-adquisicion-equipos-e-insumos-informaticos-planning.json"
    )
    assert items == [ParseWarning("1 planning-only releases skipped (plans come from plan files)")]


def test_peruvian_release_maps_codes_region_and_ruc():
    [record] = records(parse_bytes(json.dumps(peruvian_release()).encode())).values()
    assert record.buyer.ruc == "20131312955"
    assert record.buyer.region_code == "15"
    assert record.region_code == "15"
    assert record.procedure_type_code == "AS"
    assert record.procedure_text == "Adjudicación Simplificada"
    assert record.object_type is ObjectType.CONSULTING
    assert record.description == "Consultoría para la supervisión"
    assert record.estimated_value == Decimal("150000.5")
    assert record.deadline_at == datetime(2024, 5, 15, 22, tzinfo=UTC)
    assert record.status is OpportunityStatus.OPEN
    assert record.url == "https://prod.seace.gob.pe/aviso/1001"
    assert record.classifications == (
        ClassificationRecord("CUBSO", "8110150100000001"),
        ClassificationRecord("UNSPSC", "81101501"),
    )


def test_nomenclatura_gives_the_type_when_details_are_missing():
    release = peruvian_release()
    release["tender"] = release["tender"] | {"procurementMethodDetails": None}
    [record] = records(parse_bytes(json.dumps(release).encode())).values()
    assert record.procedure_type_code == "AS"


def test_json_lines_later_release_supersedes_earlier_whatever_the_order():
    later = peruvian_release(date="2024-05-20T10:00:00-05:00")
    later["tender"] = later["tender"] | {"title": "Supervisión (rectificada)"}
    lines = [json.dumps(later), json.dumps(peruvian_release())]
    [record] = records(parse_bytes("\n".join(lines).encode())).values()
    assert record.title == "Supervisión (rectificada)"


def test_award_release_without_tender_moves_the_status_on():
    award = {
        "ocid": "ocds-dgv273-seacev3-1001",
        "date": "2024-06-01T10:00:00-05:00",
        "tag": ["award"],
        "awards": [{"id": "1", "status": "active"}],
    }
    package = {"uri": "x", "publishedDate": "2024-06-02", "releases": [peruvian_release(), award]}
    [record] = records(parse_bytes(json.dumps(package).encode())).values()
    assert record.status is OpportunityStatus.AWARDED
    assert record.title == "Supervisión de obra del hospital"


def test_record_without_compiled_release_uses_its_last_release():
    second = peruvian_release(date="2024-05-03T10:00:00-05:00")
    second["tender"] = second["tender"] | {"status": "cancelled"}
    package = {
        "records": [{"ocid": second["ocid"], "releases": [peruvian_release(), second]}],
        "publishedDate": "2024-05-04",
    }
    [record] = records(parse_bytes(json.dumps(package).encode())).values()
    assert record.status is OpportunityStatus.CANCELLED


def test_top_level_array_of_releases_and_windows_1252():
    release = peruvian_release()
    release["tender"] = release["tender"] | {"title": "Adquisición de cañerías"}
    payload = json.dumps([release], ensure_ascii=False).encode("cp1252")
    [record] = records(parse_bytes(payload)).values()
    assert record.title == "Adquisición de cañerías"


def test_non_seekable_stream_is_spooled():
    class OneWay(io.RawIOBase):
        def __init__(self, payload: bytes):
            self._inner = io.BytesIO(payload)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = self._inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    stream = OneWay(json.dumps(peruvian_release()).encode())
    [record] = [item for item in ocds.parse(stream, CONTEXT) if isinstance(item, OpportunityRecord)]
    assert record.ocid == "ocds-dgv273-seacev3-1001"


def test_values_that_are_not_releases_are_item_errors():
    items = parse_bytes(b'{"foo": 1}\n5\n"texto"')
    assert len(items) == 3
    assert all(isinstance(item, ItemError) for item in items)


@pytest.mark.parametrize("payload", [b"{", b'{"releases": [', b"   ", b"nul"])
def test_broken_json_is_a_parse_error(payload):
    with pytest.raises(ParseError):
        parse_bytes(payload)


def test_large_package_is_streamed_not_loaded(tmp_path):
    path = tmp_path / "big.json"
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"uri": "x", "publishedDate": "2024-06-01", "releases": [')
        for number in range(2500):
            release = peruvian_release(date=f"2024-05-02T10:{number % 60:02d}:00-05:00")
            release["ocid"] = f"ocds-dgv273-seacev3-{number % 10}"
            handle.write(("," if number else "") + json.dumps(release))
        handle.write("]}")
    assert path.stat().st_size > 2_500_000
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            found = records(list(ocds.parse(stream, CONTEXT)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(found) == 10
    assert peak < 1_200_000
