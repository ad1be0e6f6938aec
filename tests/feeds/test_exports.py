"""The OCDS and iCalendar exports carry every hit of a search up to the export limit."""

import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from factories import NOW
from icalendar import Calendar

OCDS_PATHS = ("/buscar.ocds.json", "/api/v1/opportunities.ocds.json")
RELEASE_TAGS = {
    *("planning", "planningUpdate", "tender", "tenderAmendment", "tenderUpdate"),
    *("tenderCancellation", "award", "awardUpdate", "awardCancellation", "contract"),
    *("contractUpdate", "contractAmendment", "implementation", "implementationUpdate"),
    *("contractTermination", "compiled"),
}


def _is_date_time(text) -> bool:
    """OCDS dates are RFC 3339 date-times: with a time and an offset."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text and moment.tzinfo is not None


def release_package_problems(package: dict) -> list[str]:
    """What keeps `package` from being an OCDS 1.1 release package, by the schema's required
    fields (the schema itself would need the network)."""
    problems = []
    uri = urlsplit(str(package.get("uri", "")))
    if uri.scheme not in ("http", "https") or not uri.netloc:
        problems.append("uri is not an absolute URL")
    if not _is_date_time(package.get("publishedDate")):
        problems.append("publishedDate is not a date-time")
    if not isinstance(package.get("publisher"), dict) or not package["publisher"].get("name"):
        problems.append("publisher has no name")
    if package.get("version") != "1.1":
        problems.append("version is not 1.1")
    releases = package.get("releases")
    if not isinstance(releases, list):
        return [*problems, "releases is not an array"]
    for index, release in enumerate(releases):
        for field in ("ocid", "id"):
            if not isinstance(release.get(field), str) or not release[field]:
                problems.append(f"releases[{index}].{field} is not a non-empty string")
        if not _is_date_time(release.get("date")):
            problems.append(f"releases[{index}].date is not a date-time")
        tags = release.get("tag")
        if not isinstance(tags, list) or not tags or not set(tags) <= RELEASE_TAGS:
            problems.append(f"releases[{index}].tag is not a list of release tags")
        if release.get("initiationType") != "tender":
            problems.append(f"releases[{index}].initiationType is not 'tender'")
    if len({release.get("id") for release in releases}) != len(releases):
        problems.append("release ids repeat")
    return problems


def test_the_validator_catches_a_broken_package():
    broken = {
        "uri": "/relative",
        "publishedDate": "2026-03-01",
        "publisher": {},
        "releases": [{"ocid": "", "id": "1", "date": "ayer", "tag": ["bid"]}],
    }
    assert release_package_problems(broken) == [
        "uri is not an absolute URL",
        "publishedDate is not a date-time",
        "publisher has no name",
        "version is not 1.1",
        "releases[0].ocid is not a non-empty string",
        "releases[0].date is not a date-time",
        "releases[0].tag is not a list of release tags",
        "releases[0].initiationType is not 'tender'",
    ]


@pytest.fixture
def many_deadlines(make_opportunity):
    """More hits than the results pages asked for below (5 a page) show, a day apart."""
    return [
        make_opportunity(title=f"Obra de saneamiento {day}", deadline_at=NOW + timedelta(days=day))
        for day in range(1, 9)
    ]


def test_ocds_export_holds_every_hit_and_validates_as_a_release_package(client, many_deadlines):
    for path in OCDS_PATHS:
        package = json.loads(client.get(f"{path}?q=saneamiento&per_page=5&page=2").data)

        assert release_package_problems(package) == []
        assert {release["tender"]["id"] for release in package["releases"]} == {
            opportunity.source_ref for opportunity in many_deadlines
        }
        assert "page" not in package["uri"]


def test_calendar_export_holds_every_deadline(client, many_deadlines):
    calendar = Calendar.from_ical(client.get("/buscar.ics?q=saneamiento&per_page=5").data)

    assert len(calendar.walk("VEVENT")) == len(many_deadlines)


def test_exports_stop_at_the_configured_limit_in_the_search_order(app, client, many_deadlines):
    app.config["PORTAL_EXPORT_LIMIT"] = 3
    soonest = many_deadlines[:3]

    calendar = Calendar.from_ical(client.get("/buscar.ics?q=saneamiento&sort=closing").data)
    package = json.loads(client.get("/buscar.ocds.json?q=saneamiento&sort=closing").data)

    summaries = [str(event["summary"]) for event in calendar.walk("VEVENT")]
    assert summaries == [f"Cierre: {opportunity.title}" for opportunity in soonest]
    assert [release["tender"]["title"] for release in package["releases"]] == [
        opportunity.title for opportunity in soonest
    ]
