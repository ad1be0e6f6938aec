"""Exports (OCDS, iCalendar, CSV, XLSX) carry a search's hits up to a cap, not one results
page."""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime, tzinfo

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.deadlines.display import short_deadline_label
from portal.labels import object_type_label, status_label
from portal.opportunities.models import Opportunity
from portal.opportunities.queries import opportunities_by_ids
from portal.search.params import SearchParams
from portal.search.query import ranked_opportunity_ids

# Enough for any one buyer's or sector's open calls; a whole archive belongs to the API's cursor.
DEFAULT_EXPORT_LIMIT = 1000
ROWS_PER_QUERY = 500  # ids per IN (...) list, well under SQLite's and psycopg's bind limits


def export_limit(config: Mapping) -> int:
    """PORTAL_EXPORT_LIMIT if the deployment sets one, else DEFAULT_EXPORT_LIMIT."""
    return int(config.get("PORTAL_EXPORT_LIMIT") or DEFAULT_EXPORT_LIMIT)


def export_params(params: SearchParams) -> SearchParams:
    """An export is the whole search: the page's paging does not apply."""
    defaults = SearchParams()
    return replace(params, kinds=("opportunity",), page=defaults.page, per_page=defaults.per_page)


def exported_opportunities(
    session: Session, params: SearchParams, now: datetime, limit: int
) -> list[Opportunity]:
    """The first `limit` matching opportunities in the search's order, rows loaded in batches."""
    ids = ranked_opportunity_ids(params, now, limit)
    rows: list[Opportunity] = []
    for start in range(0, len(ids), ROWS_PER_QUERY):
        rows.extend(opportunities_by_ids(session, ids[start : start + ROWS_PER_QUERY]))
    return rows


def spreadsheet_header() -> list[str]:
    """The columns of the CSV and XLSX exports, in the reader's language."""
    return [
        _("Título"),
        _("Entidad"),
        "RUC",
        _("Región"),
        _("Procedimiento"),
        _("Objeto"),
        _("Estado"),
        _("Valor estimado"),
        _("Moneda"),
        _("Publicado (hora de Lima)"),
        _("Plazo para ofertas (hora de Lima)"),
        _("Plazo mínimo (días)"),
        _("Tipo de días del mínimo"),
        _("Base del mínimo"),
        _("Días que da la convocatoria"),
        _("Plazo corto"),
        _("Página en Compras MYPE"),
    ]


def spreadsheet_rows(
    opportunities: Iterable[Opportunity], page_url: Callable[[Opportunity], str], zone: tzinfo
) -> Iterator[list]:
    """One row per notice: times as Lima wall time (spreadsheets have no zones), amounts and
    day counts as numbers so they sum; the minimum and days given as stored (portal.deadlines),
    day kind and basis as codes (business/calendar, legal/admin) that filter cleanly."""
    for opportunity in opportunities:
        buyer = opportunity.buyer
        yield [
            opportunity.title,
            buyer.name if buyer else None,
            buyer.ruc if buyer else None,
            opportunity.region.name if opportunity.region else None,
            opportunity.procedure_type_code or opportunity.procedure_text,
            object_type_label(opportunity.object_type) if opportunity.object_type else None,
            status_label(opportunity.status),
            opportunity.estimated_value,
            opportunity.currency,
            _wall_time(opportunity.published_at, zone),
            _wall_time(opportunity.deadline_at, zone),
            opportunity.minimum_days,
            opportunity.minimum_day_kind,
            opportunity.minimum_basis,
            opportunity.given_days,
            short_deadline_label(opportunity.short_deadline),
            page_url(opportunity),
        ]


def _wall_time(moment: datetime | None, zone: tzinfo) -> datetime | None:
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None
