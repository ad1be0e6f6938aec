"""A search as RSS 2.0 or Atom 1.0 with feedgen: one entry per result, newest data first."""

from datetime import datetime

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from portal.excerpts import excerpt
from portal.feeds.text import xml_safe
from portal.opportunities.search_results import ResultRow, SearchPage

SUMMARY_CHARS = 500  # of a description per entry: a feed is a list, the notice's page has it all


def _entry_text(result: ResultRow) -> str:
    if result.is_plan_line:
        line = result.row
        return _(
            "Pronóstico (plan anual) de %(buyer)s para %(month)02d/%(year)d",
            buyer=line.plan.buyer.name,
            month=line.planned_month,
            year=line.plan.fiscal_year,
        )
    opportunity = result.row
    buyer = opportunity.buyer.name if opportunity.buyer else ""
    return f"{buyer}\n{excerpt(opportunity.description, SUMMARY_CHARS)}".strip()


def _entry_time(result: ResultRow, now: datetime) -> datetime:
    if result.is_plan_line:
        return result.row.plan.published_at
    return result.row.published_at or result.row.first_seen_at or now


def search_feed(found: SearchPage, feed_url: str, page_url: str, link_of, now: datetime):
    """`link_of(result)` gives each entry's page; the feed id is the search page's URL.

    Scraped text passes through xml_safe: one control character in a title would make lxml
    refuse the whole feed.
    """
    feed = FeedGenerator()
    feed.id(page_url)
    query = xml_safe(found.params.q) or _("convocatorias")
    feed.title(_("Compras MYPE: %(query)s", query=query))
    feed.subtitle(_("Resultados de una búsqueda en Compras MYPE"))
    feed.link(href=page_url, rel="alternate")
    feed.link(href=feed_url, rel="self")
    feed.language("es")
    feed.updated(now)
    for result in reversed(found.rows):  # feedgen prepends: keep the search's order
        entry = feed.add_entry()
        link = link_of(result)
        title = result.row.description if result.is_plan_line else result.row.title
        entry.id(link)
        entry.title(xml_safe(title[:300]))
        entry.link(href=link)
        entry.description(xml_safe(_entry_text(result) or title))
        entry.updated(_entry_time(result, now))
        entry.published(_entry_time(result, now))
    return feed
