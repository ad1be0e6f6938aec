"""The iCalendar exports as three independent parsers read them, checked against the API."""

from datetime import UTC, datetime, timedelta

import ics
import pytest
import vobject
from factories import NOW
from icalendar import Calendar

from portal.opportunities.models import OpportunityStatus

STATUSES = {
    OpportunityStatus.OPEN: "CONFIRMED",
    OpportunityStatus.CLOSED: "CONFIRMED",
    OpportunityStatus.AWARDED: "CONFIRMED",
    OpportunityStatus.CANCELLED: "CANCELLED",
    OpportunityStatus.WITHDRAWN: "CANCELLED",
    OpportunityStatus.DESERTED: "CANCELLED",
    OpportunityStatus.PLANNED: "TENTATIVE",
    OpportunityStatus.SUSPENDED: "TENTATIVE",
}


def _uid_number(uid: str) -> int:
    return int(str(uid).split("-")[1])


def _icalendar_events(body: bytes) -> dict[int, dict]:
    return {
        _uid_number(event["uid"]): {
            "start": event.start,
            "end": event.end,
            "status": str(event["status"]),
            "alarms": len(event.walk("VALARM")),
            "uid": str(event["uid"]),
        }
        for event in Calendar.from_ical(body).walk("VEVENT")
    }


def _vobject_events(body: bytes) -> dict[int, dict]:
    calendar = vobject.readOne(body.decode())
    events = {}
    for event in calendar.vevent_list:
        end = event.dtend.value if hasattr(event, "dtend") else event.dtstart.value
        events[_uid_number(event.uid.value)] = {
            "start": event.dtstart.value,
            "end": end,
            "status": event.status.value,
            "alarms": len(getattr(event, "valarm_list", [])),
            "uid": event.uid.value,
        }
    return events


def _ics_events(body: bytes) -> dict[int, dict]:
    return {
        _uid_number(event.uid): {
            "start": event.begin.datetime,
            "end": event.end.datetime,
            "status": event.status,
            "alarms": len(event.alarms),
            "uid": event.uid,
        }
        for event in ics.Calendar(body.decode()).events
    }


PARSERS = {"icalendar": _icalendar_events, "vobject": _vobject_events, "ics": _ics_events}


@pytest.fixture
def one_call_per_status(make_opportunity):
    return {
        status: make_opportunity(
            title=f"Compra de cemento {status.value}",
            status=status,
            deadline_at=NOW + timedelta(days=2 + index),
        )
        for index, status in enumerate(OpportunityStatus)
    }


def _api_deadlines(client, query: str) -> dict[int, datetime]:
    rows = client.get(f"/api/v1/opportunities?{query}&per_page=100").get_json()["data"]
    return {
        row["id"]: datetime.fromisoformat(row["deadline_at"].replace("Z", "+00:00")) for row in rows
    }


@pytest.mark.parametrize("parser", PARSERS)
def test_every_parser_reads_the_deadlines_the_api_gives(client, one_call_per_status, parser):
    response = client.get("/buscar.ics?q=cemento&status=all")

    events = PARSERS[parser](response.data)

    assert {number: event["start"] for number, event in events.items()} == _api_deadlines(
        client, "q=cemento&status=all"
    )
    for event in events.values():
        assert event["end"] == event["start"], "a deadline is a point in time"


@pytest.mark.parametrize("parser", PARSERS)
def test_only_open_calls_ring_and_each_event_carries_its_status(
    client, one_call_per_status, parser
):
    events = PARSERS[parser](client.get("/buscar.ics?q=cemento&status=all").data)

    for status, opportunity in one_call_per_status.items():
        event = events[opportunity.id]
        assert event["status"] == STATUSES[status], status
        assert event["alarms"] == (1 if status == OpportunityStatus.OPEN else 0), status


def test_the_calendar_has_no_end_thirty_minutes_later(client, make_opportunity):
    make_opportunity(title="Compra de cemento")

    text = client.get("/buscar.ics?q=cemento").get_data(as_text=True)

    assert "DTEND" not in text and "DURATION" not in text
    assert "TRANSP:TRANSPARENT" in text


@pytest.mark.parametrize("query", ["cemento, arena; grava", "cemento \\ arena", "cemento\narena"])
def test_the_calendar_name_survives_commas_semicolons_backslashes_and_newlines(
    client, make_opportunity, query
):
    make_opportunity(title="Compra de cemento y arena y grava")

    response = client.get("/buscar.ics", query_string={"q": query})

    calendar = vobject.readOne(response.get_data(as_text=True))
    assert calendar.contents["x-wr-calname"][0].value == f"Plazos: {query}"
    assert len(Calendar.from_ical(response.data).walk("VEVENT")) == 1


def test_uids_carry_the_portal_domain(app, client, make_opportunity):
    opportunity = make_opportunity(title="Compra de cemento")
    app.config["PORTAL_BASE_URL"] = "https://comprasmype.gob.pe"

    for path in ("/buscar.ics?q=cemento", f"/oportunidades/{opportunity.id}.ics"):
        [event] = _vobject_events(client.get(path).data).values()
        assert event["uid"] == f"opportunity-{opportunity.id}-deadline@comprasmype.gob.pe", path


def test_uids_fall_back_to_the_host_the_portal_answered_on(client, make_opportunity):
    opportunity = make_opportunity(title="Compra de cemento")

    body = client.get("/buscar.ics?q=cemento", base_url="http://plazos.example.pe:8080").data

    [event] = _ics_events(body).values()
    assert event["uid"] == f"opportunity-{opportunity.id}-deadline@plazos.example.pe"


def test_calendar_content_type_names_the_charset_once(client, make_opportunity):
    opportunity = make_opportunity(title="Compra de cemento")

    for path in ("/buscar.ics", f"/oportunidades/{opportunity.id}.ics"):
        assert client.get(path).headers["Content-Type"] == "text/calendar; charset=utf-8", path


def test_one_deadline_file_matches_the_api_detail(client, make_opportunity):
    opportunity = make_opportunity(
        title="Compra de cemento", deadline_at=datetime(2026, 3, 5, 22, 0, tzinfo=UTC)
    )
    api = client.get(f"/api/v1/opportunities/{opportunity.id}").get_json()["data"]

    for parse in PARSERS.values():
        [event] = parse(client.get(f"/oportunidades/{opportunity.id}.ics").data).values()
        assert event["start"].isoformat().replace("+00:00", "Z") == api["deadline_at"]
        assert event["status"] == "CONFIRMED" and event["alarms"] == 1
