"""Deadlines as iCalendar events, so a bidder's calendar reminds them before a call closes.

Calendar apps differ in what they forgive, so the file keeps to RFC 5545 as three independent
parsers read it (icalendar, vobject and ics in tests/feeds): text values escaped, the event a
point in time, its STATUS saying whether the call still stands.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, vText

from portal.feeds.text import xml_safe
from portal.labels import status_label
from portal.opportunities.models import Opportunity, OpportunityStatus

# A call that no longer takes bids for good; a forecast or a paused call may still change.
CANCELLED = {OpportunityStatus.CANCELLED, OpportunityStatus.WITHDRAWN, OpportunityStatus.DESERTED}
TENTATIVE = {OpportunityStatus.PLANNED, OpportunityStatus.SUSPENDED}


def event_status(status: OpportunityStatus) -> str:
    """RFC 5545 §3.8.1.11: a closed or awarded call's deadline did happen (CONFIRMED)."""
    if status in CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if status in TENTATIVE else "CONFIRMED"


def deadline_event(opportunity: Opportunity, url: str, now: datetime, domain: str) -> Event:
    """The deadline as a point in time: without DTEND an event ends where it starts (RFC 5545
    §3.6.1; a DTEND must be later than DTSTART), and it is transparent, so it never books a
    slot. Only an open call rings the day-before alarm: a cancelled or awarded one has nothing
    left to bid for. The UID's domain is the portal's, so UIDs are unique beyond it."""
    title = xml_safe(opportunity.title)
    status = OpportunityStatus(opportunity.status)
    event = Event()
    event.add("uid", f"opportunity-{opportunity.id}-deadline@{domain}")
    event.add("dtstamp", now)
    event.add("last-modified", opportunity.updated_at)
    event.add("dtstart", opportunity.deadline_at)
    event.add("status", event_status(status))
    event.add("transp", "TRANSPARENT")
    if status == OpportunityStatus.OPEN:
        event.add("summary", _("Cierre: %(title)s", title=title))
    else:
        summary = _("Cierre (%(status)s): %(title)s", status=status_label(status), title=title)
        event.add("summary", summary)
    buyer = xml_safe(opportunity.buyer.name) if opportunity.buyer else ""
    event.add("description", f"{buyer}\n{url}".strip())
    event.add("url", url)
    if status == OpportunityStatus.OPEN:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _("Mañana cierra: %(title)s", title=title))
        alarm.add("trigger", timedelta(days=-1))
        event.add_component(alarm)
    return event


def deadlines_calendar(
    opportunities: Iterable[Opportunity], url_for_opportunity, now: datetime, name: str, domain: str
) -> bytes:
    """Only notices with a deadline become events; the rest have nothing to remind. The name
    is TEXT (escaped): unescaped, a comma or semicolon in a search cuts it short."""
    calendar = Calendar()
    calendar.add("prodid", "-//Compras MYPE//Plazos//ES")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", vText(xml_safe(name)))
    for opportunity in opportunities:
        if opportunity.deadline_at is not None:
            url = url_for_opportunity(opportunity)
            calendar.add_component(deadline_event(opportunity, url, now, domain))
    return calendar.to_ical()
