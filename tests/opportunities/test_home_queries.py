"""The home page's two lists: the newest open calls, and the open calls closing soonest."""

from datetime import timedelta

from factories import NOW

from portal.opportunities.models import OpportunityStatus
from portal.opportunities.queries import closing_soon, latest_open


def _titles(opportunities) -> list[str]:
    return [opportunity.title for opportunity in opportunities]


def test_latest_open_lists_the_newest_publication_first(session, make_opportunity):
    for days_ago in (5, 1, 3):
        make_opportunity(title=f"hace {days_ago}", published_at=NOW - timedelta(days=days_ago))

    assert _titles(latest_open(session, NOW)) == ["hace 1", "hace 3", "hace 5"]


def test_latest_open_breaks_ties_by_the_newest_row(session, make_opportunity):
    same_moment = NOW - timedelta(hours=2)
    make_opportunity(title="primera", published_at=same_moment)
    make_opportunity(title="segunda", published_at=same_moment)

    assert _titles(latest_open(session, NOW)) == ["segunda", "primera"]


def test_latest_open_keeps_to_the_limit(session, make_opportunity):
    for days_ago in range(1, 5):
        make_opportunity(title=f"hace {days_ago}", published_at=NOW - timedelta(days=days_ago))

    assert _titles(latest_open(session, NOW, limit=2)) == ["hace 1", "hace 2"]


def test_closing_soon_lists_the_nearest_deadline_first(session, make_opportunity):
    for days_left in (9, 2, 5):
        make_opportunity(title=f"quedan {days_left}", deadline_at=NOW + timedelta(days=days_left))

    assert _titles(closing_soon(session, NOW)) == ["quedan 2", "quedan 5", "quedan 9"]


def test_closing_soon_leaves_out_calls_without_a_deadline(session, make_opportunity):
    make_opportunity(title="sin plazo", deadline_at=None)
    make_opportunity(title="con plazo")

    assert _titles(closing_soon(session, NOW)) == ["con plazo"]
    assert set(_titles(latest_open(session, NOW))) == {"sin plazo", "con plazo"}


def test_neither_list_shows_a_call_whose_deadline_has_passed(session, make_opportunity):
    make_opportunity(title="vencida", deadline_at=NOW - timedelta(minutes=1))
    make_opportunity(title="vence justo ahora", deadline_at=NOW)
    make_opportunity(title="vigente", deadline_at=NOW + timedelta(hours=1))

    assert _titles(latest_open(session, NOW)) == ["vigente"]
    assert _titles(closing_soon(session, NOW)) == ["vigente"]


def test_neither_list_shows_a_call_that_is_not_open(session, make_opportunity):
    for status in OpportunityStatus:
        make_opportunity(title=status.value, status=status)

    assert _titles(latest_open(session, NOW)) == ["open"]
    assert _titles(closing_soon(session, NOW)) == ["open"]
