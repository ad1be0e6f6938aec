"""The search page /buscar: one box, filters with facet counts, shareable paged links."""

from dataclasses import replace
from datetime import UTC, datetime

from flask import Blueprint, render_template, request
from sqlalchemy import select

from portal.db import db
from portal.opportunities.facets import readable_facets, search_url_args
from portal.opportunities.search_request import search_params_from
from portal.opportunities.search_results import run_search
from portal.reference.models import Department, ProcedureType, Sector
from portal.search.params import InvalidSearchParams, SearchParams
from portal.search.size import SIZE_RULE_HELP_ES

blueprint = Blueprint("search_page", __name__)


def _choices() -> dict:
    """The options of the filter form, from the reference tables."""
    return {
        "sectors": db.session.scalars(
            select(Sector).where(Sector.level == "segment").order_by(Sector.code)
        ).all(),
        "departments": db.session.scalars(select(Department).order_by(Department.name)).all(),
        "procedures": db.session.scalars(select(ProcedureType).order_by(ProcedureType.code)).all(),
    }


@blueprint.get("/buscar")
def page():
    try:
        params = search_params_from(request.args)
    except InvalidSearchParams as error:
        return render_template(
            "search/page.html",
            error=error,
            params=SearchParams(),
            size_rule_help=SIZE_RULE_HELP_ES,
            **_choices(),
        ), 400
    now = datetime.now(UTC)
    found = run_search(db.session, params, now)
    suggestion = found.results.suggestion
    return render_template(
        "search/page.html",
        error=None,
        params=params,
        found=found,
        facets=readable_facets(db.session, params, found.results.facets),
        links=_links(params, suggestion, found.page_count),
        size_rule_help=SIZE_RULE_HELP_ES,
        now=now,
        **_choices(),
    )


def _links(params: SearchParams, suggestion: str | None, page_count: int) -> dict:
    """Query strings for this search's neighbours: pages, the suggestion, no filters."""

    def at_page(number: int) -> str | None:
        if not 1 <= number <= page_count:
            return None
        return search_url_args(replace(params, page=number))

    return {
        "this": search_url_args(params),
        "previous": at_page(params.page - 1),
        "next": at_page(params.page + 1),
        "suggestion": search_url_args(replace(params, q=suggestion, page=1))
        if suggestion
        else None,
        "unfiltered": search_url_args(SearchParams(q=params.q)),
    }
