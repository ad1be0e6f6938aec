"""Deadlines as iCalendar events, so a bidder's calendar reminds them before a call closes."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event

from portal.feeds.text import xml_safe
from portal.opportunities.models import Opportunity


def deadline_event(opportunity: Opportunity, url: str, now: datetime) -> Event:
    """A 30-minute event ending at the deadline, with an alarm one day before."""
    title = xml_safe(opportunity.title)
    event = Event()
    event.add("uid", f"opportunity-{opportunity.id}-deadline@comprasmype")
    event.add("dtstamp", now)
    event.add("dtstart", opportunity.deadline_at)
    event.add("dtend", opportunity.deadline_at + timedelta(minutes=30))
    event.add("summary", _("Cierre: %(title)s", title=title))
    buyer = xml_safe(opportunity.buyer.name) if opportunity.buyer else ""
    event.add("description", f"{buyer}\n{url}".strip())
    event.add("url", url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _("Mañana cierra: %(title)s", title=title))
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    return event


def deadlines_calendar(
    opportunities: Iterable[Opportunity], url_for_opportunity, now: datetime, name: str
) -> bytes:
    """Only notices with a deadline become events; the rest have nothing to remind."""
    calendar = Calendar()
    calendar.add("prodid", "-//Compras MYPE//Plazos//ES")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", xml_safe(name))
    for opportunity in opportunities:
        if opportunity.deadline_at is not None:
            event = deadline_event(opportunity, url_for_opportunity(opportunity), now)
            calendar.add_component(event)
    return calendar.to_ical()
