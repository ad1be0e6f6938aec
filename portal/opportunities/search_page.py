"""The search page /buscar: one box, filters with facet counts, shareable paged links."""

from dataclasses import replace
from datetime import UTC, datetime

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from portal.db import db
from portal.deadlines.display import DEADLINE_CHECK_LABELS
from portal.feeds.export import export_limit
from portal.freshness.queries import stale_major_sources
from portal.opportunities.facets import readable_facets, search_url_args, sector_names
from portal.opportunities.search_request import search_params_from
from portal.opportunities.search_results import run_search
from portal.reference.departments import departments_in_order
from portal.reference.models import ProcedureType, Sector
from portal.search.params import InvalidSearchParams, SearchParams
from portal.search.size import size_rule_help

blueprint = Blueprint("search_page", __name__)


def _choices(params: SearchParams, now: datetime) -> dict:
    """The options of the filter form, from the reference tables; a family chosen through the
    sector facet is added to the segments so that submitting the form keeps it."""
    segments = db.session.scalars(
        select(Sector).where(Sector.level == "segment").order_by(Sector.code)
    ).all()
    families = [code for code in params.sectors if not code.endswith("000000")]
    return {
        "sectors": segments,
        "chosen_families": sector_names(db.session, families).items(),
        "departments": departments_in_order(db.session),
        "procedures": db.session.scalars(select(ProcedureType).order_by(ProcedureType.code)).all(),
        "size_rule_help": size_rule_help(db.session, now),
        "export_limit": export_limit(current_app.config),
        "deadline_check_labels": DEADLINE_CHECK_LABELS,
    }


@blueprint.get("/buscar")
def page():
    now = datetime.now(UTC)
    stale_sources = stale_major_sources(db.session, now)  # the banner: results may be missing
    try:
        params = search_params_from(request.args)
    except InvalidSearchParams as error:
        defaults = SearchParams()
        return render_template(
            "search/page.html",
            error=error,
            error_field=error.label,
            params=defaults,
            stale_sources=stale_sources,
            **_choices(defaults, now),
        ), 400
    found = run_search(db.session, params, now)
    suggestion = found.results.suggestion
    return render_template(
        "search/page.html",
        error=None,
        params=params,
        found=found,
        facets=readable_facets(db.session, params, found.results.facets),
        links=_links(params, suggestion, found.page_count),
        now=now,
        stale_sources=stale_sources,
        **_choices(params, now),
    )


def _links(params: SearchParams, suggestion: str | None, page_count: int) -> dict:
    """Query strings for this search's neighbours: pages, the suggestion, no filters.

    A page's query string may be empty (page 1 of the default search): None means no page.
    """

    def at_page(number: int) -> str | None:
        if not 1 <= number <= page_count:
            return None
        return search_url_args(replace(params, page=number))

    return {
        "this": search_url_args(params),
        "previous": at_page(params.page - 1),
        "next": at_page(params.page + 1),
        "last": at_page(page_count),  # where a link to a page past the end sends on
        "suggestion": search_url_args(replace(params, q=suggestion, page=1))
        if suggestion
        else None,
        "unfiltered": search_url_args(SearchParams(q=params.q)),
    }
