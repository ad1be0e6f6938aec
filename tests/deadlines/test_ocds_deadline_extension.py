"""The OCDS export carries each call's minimum and the short-deadline flag as
`tender.minimumTenderPeriod`, an extension the portal serves and the package names; releases
validate against the restated OCDS 1.1.5 schema and against it with the extension merged."""

import copy
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from feeds.test_ocds_export_fidelity import OCDS_PATHS, RELEASE_PACKAGE, VALIDATOR
from jsonschema import Draft4Validator, FormatChecker

LIMA = ZoneInfo("America/Lima")
CALL = {
    "procedure_type_code": "AS",
    "published_at": datetime(2026, 3, 2, 10, tzinfo=LIMA),
    "deadline_at": datetime(2026, 3, 6, 17, tzinfo=LIMA),
    "minimum_days": 6,
    "minimum_day_kind": "business",
    "minimum_basis": "legal",
}
SHORT = CALL | {"title": "Cisternas con plazo corto", "given_days": 4, "short_deadline": True}
ENOUGH = CALL | {"title": "Cisternas con plazo suficiente", "given_days": 9}
UNKNOWN = CALL | {"title": "Cisternas sin fechas", "given_days": None, "published_at": None}
FLOOR = CALL | {
    "title": "Cisternas con plazo del portal",
    "procedure_type_code": None,
    "minimum_days": 5,
    "minimum_basis": "admin",
    "given_days": 4,
    "short_deadline": True,
}
DIRECT = {
    "title": "Cisternas por contratación directa",
    "procedure_type_code": "CD",
    "minimum_days": None,
    "minimum_day_kind": None,
    "minimum_basis": None,
}


def _extended_validator(schema_patch: dict) -> Draft4Validator:
    """The restated release package schema with the extension's Tender field merged in, its
    definition inlined for the $ref and closed, so a field it does not name fails."""
    definition = copy.deepcopy(schema_patch["definitions"]["MinimumTenderPeriod"])
    definition["additionalProperties"] = False
    package = copy.deepcopy(RELEASE_PACKAGE)
    tender = package["properties"]["releases"]["items"]["properties"]["tender"]
    tender["properties"]["minimumTenderPeriod"] = definition
    package["properties"]["extensions"] = {
        "type": "array",
        "items": {"type": "string", "format": "uri"},
    }
    return Draft4Validator(package, format_checker=FormatChecker())


def _errors(validator: Draft4Validator, package: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(package)
    ]


def _by_title(package: dict) -> dict[str, dict]:
    return {release["tender"]["title"]: release["tender"] for release in package["releases"]}


def test_each_release_states_the_minimum_the_days_given_and_the_flag(client, make_opportunity):
    for fields in (SHORT, ENOUGH, UNKNOWN, FLOOR, DIRECT):
        make_opportunity(**fields)
    schema_patch = client.get("/ocds/extensiones/plazo-minimo/release-schema.json").get_json()
    extended = _extended_validator(schema_patch)

    for path in OCDS_PATHS:
        package = client.get(f"{path}?q=cisternas&status=all").get_json()
        tenders = _by_title(package)

        assert _errors(VALIDATOR, package) == []
        assert _errors(extended, package) == []
        assert tenders[SHORT["title"]]["minimumTenderPeriod"] == {
            "days": 6,
            "dayType": "business",
            "basis": "legal",
            "givenDays": 4,
            "belowMinimum": True,
        }
        assert tenders[ENOUGH["title"]]["minimumTenderPeriod"]["belowMinimum"] is False
        assert tenders[ENOUGH["title"]]["minimumTenderPeriod"]["givenDays"] == 9
        assert tenders[UNKNOWN["title"]]["minimumTenderPeriod"] == {
            "days": 6,
            "dayType": "business",
            "basis": "legal",
        }
        assert tenders[FLOOR["title"]]["minimumTenderPeriod"]["basis"] == "admin"
        assert "minimumTenderPeriod" not in tenders[DIRECT["title"]]


def test_the_extended_schema_refuses_what_the_extension_does_not_define(client):
    schema_patch = client.get("/ocds/extensiones/plazo-minimo/release-schema.json").get_json()
    release = {
        "ocid": "ocds-compras-mype-test-1",
        "id": "1",
        "date": "2026-03-01T00:00:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
        "tender": {
            "id": "1",
            "minimumTenderPeriod": {"days": 0, "dayType": "weekdays", "short": True},
        },
    }
    package = {
        "uri": "https://comprasmype.pe/buscar.ocds.json",
        "version": "1.1",
        "publishedDate": "2026-03-01T00:00:00Z",
        "publisher": {"name": "Compras MYPE"},
        "releases": [release],
    }

    problems = _errors(_extended_validator(schema_patch), package)

    assert len(problems) == 4  # days below 1, dayType unknown, basis missing, "short" unknown
    assert all(problem.startswith("releases/0/tender/minimumTenderPeriod") for problem in problems)


def test_the_package_names_the_extension_the_portal_serves(client, make_opportunity):
    make_opportunity(**SHORT)

    package = client.get("/buscar.ocds.json?q=cisternas&status=all").get_json()
    [extension_url] = package["extensions"]
    extension = client.get(urlsplit(extension_url).path)

    assert extension.status_code == 200
    metadata = extension.get_json()
    assert metadata["compatibility"] == ["1.1"]
    assert metadata["schemas"] == ["release-schema.json"]
    schema_url = extension_url.rsplit("/", 1)[0] + "/release-schema.json"
    schema_patch = client.get(urlsplit(schema_url).path).get_json()
    tender = schema_patch["definitions"]["Tender"]["properties"]["minimumTenderPeriod"]
    assert tender["$ref"] == "#/definitions/MinimumTenderPeriod"
    assert urlsplit(metadata["documentationUrl"]["es"]).path == urlsplit(schema_url).path


def test_a_search_for_short_deadlines_exports_only_releases_below_their_minimum(
    client, make_opportunity
):
    for fields in (SHORT, ENOUGH, UNKNOWN, FLOOR, DIRECT):
        make_opportunity(**fields)

    package = client.get("/buscar.ocds.json?q=cisternas&status=all&deadline_check=short")
    enough = client.get("/buscar.ocds.json?q=cisternas&status=all&deadline_check=enough")

    short_titles = set(_by_title(package.get_json()))
    assert short_titles == {SHORT["title"], FLOOR["title"]}
    assert set(_by_title(enough.get_json())) == {ENOUGH["title"]}
    for tender in _by_title(package.get_json()).values():
        assert tender["minimumTenderPeriod"]["belowMinimum"] is True


def test_the_openapi_document_describes_the_field(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    export = paths["/api/v1/opportunities.ocds.json"]["get"]["responses"]["200"]
    schema = export["content"]["application/json"]["schema"]
    tender = schema["properties"]["releases"]["items"]["properties"]["tender"]
    field = tender["properties"]["minimumTenderPeriod"]

    assert field["properties"]["dayType"]["enum"] == ["business", "calendar"]
    assert field["properties"]["basis"]["enum"] == ["legal", "admin"]
    assert schema["properties"]["extensions"]["items"]["format"] == "uri"
