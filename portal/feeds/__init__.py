"""Searches as feeds: RSS and Atom (feedgen), deadlines as iCalendar, results as OCDS."""
