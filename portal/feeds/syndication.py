"""A search as RSS 2.0 or Atom 1.0 with feedgen: one entry per result, in the feed's order
(portal.feeds.feed_rows), summaries as escaped HTML (portal.feeds.entry_html)."""

from datetime import datetime

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from portal.feeds.entry_html import opportunity_summary, plan_line_summary
from portal.feeds.feed_rows import feed_holds
from portal.feeds.text import xml_safe
from portal.opportunities.search_results import ResultRow
from portal.search.params import SearchParams

PORTAL = "Compras MYPE"


def feed_title(params: SearchParams) -> str:
    """What the feed holds, in words: calls (open ones by default), forecasts or both."""
    calls, forecasts = feed_holds(params)
    calls_noun = _("convocatorias abiertas") if params.statuses == ("open",) else _("convocatorias")
    if calls and forecasts:
        what = _("%(calls)s y pronósticos de planes anuales", calls=calls_noun)
    else:
        what = calls_noun if calls else _("pronósticos de planes anuales")
    query = xml_safe(params.q)
    if query:
        return _("Compras MYPE: %(what)s con «%(query)s»", what=what, query=query)
    return _("Compras MYPE: %(what)s", what=what)


def _entry_times(result: ResultRow) -> tuple[datetime, datetime]:
    """(published, updated): a notice's last change moves `updated`, so a reader shows a
    changed deadline as an update; a forecast changes with its plan version."""
    if result.is_plan_line:
        return result.row.plan.published_at, result.row.plan.published_at
    opportunity = result.row
    published = opportunity.published_at or opportunity.first_seen_at
    return published, max(opportunity.updated_at, published)


def _entry_author(result: ResultRow) -> str | None:
    buyer = result.row.plan.buyer if result.is_plan_line else result.row.buyer
    return xml_safe(buyer.name) if buyer else None


def search_feed(
    params: SearchParams,
    rows: tuple[ResultRow, ...],
    feed_url: str,
    page_url: str,
    link_of,
    now: datetime,
):
    """`link_of(result)` gives each entry's page; the feed id and its alternate link are the
    search page's URL, `self` the feed's own (RSS's channel link is the last link given).

    Scraped text passes through xml_safe: one control character in a title would make lxml
    refuse the whole feed. The portal is the feed's author (RFC 4287 §4.1.1), each buyer its
    entries' author.
    """
    feed = FeedGenerator()
    feed.id(page_url)
    feed.title(feed_title(params))
    feed.subtitle(_("Resultados de una búsqueda en Compras MYPE"))
    feed.author({"name": PORTAL})
    feed.link(href=feed_url, rel="self")
    feed.link(href=page_url, rel="alternate")
    feed.language("es")
    feed.load_extension("dc", atom=False, rss=True)  # RSS items have no author or updated
    feed.updated(max((_entry_times(result)[1] for result in rows), default=now))
    for result in reversed(rows):  # feedgen prepends: keep the feed's order
        entry = feed.add_entry()
        link = link_of(result)
        title = result.row.description if result.is_plan_line else result.row.title
        entry.id(link)
        entry.title(xml_safe(title[:300]))
        entry.link(href=link)
        summary = (
            plan_line_summary(result.row)
            if result.is_plan_line
            else (opportunity_summary(result.row))
        )
        entry.summary(summary, type="html")
        published, updated = _entry_times(result)
        entry.published(published)
        entry.updated(updated)
        entry.dc.dc_date(updated.isoformat())
        if author := _entry_author(result):
            entry.author({"name": author})
            entry.dc.dc_creator(author)
    return feed
