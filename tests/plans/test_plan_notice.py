"""Forecast notice: a call and the plan line it fulfils link to each other, and the days of
notice the plan gave are shown and measurable."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from factories import NOW
from plan_factories import plan_line
from sqlalchemy import select

from portal.opportunities.models import Opportunity, OpportunityStatus
from portal.plans.queries import plan_notice_days
from portal.statistics.measures import plan_notice_days as plan_notice_days_sql
from scrapers.plan_linking import link_plan

LIMA = ZoneInfo("America/Lima")
CEMENT = {"description": "Cemento portland tipo I", "classification_code": "3011160100001234"}


def cement_plan(make_buyer, make_version):
    """Line 12 first published 60 days ago in version 1, repeated by version 2 10 days ago."""
    buyer = make_buyer(name="Gobierno Regional de Arequipa")
    make_version(buyer, 1, [plan_line("12", **CEMENT)], days_ago=60)
    amended = make_version(buyer, 2, [plan_line("12", **CEMENT), plan_line("13")], days_ago=10)
    return buyer, amended


def test_link_plan_records_when_the_line_was_first_published(
    session, make_buyer, make_version, make_opportunity
):
    buyer, amended = cement_plan(make_buyer, make_version)
    call = make_opportunity(
        buyer_id=buyer.id,
        title="Adquisición de cemento portland tipo I",
        classifications=("30111601",),
        published_at=NOW - timedelta(days=1),
    )

    assert link_plan(session, amended) == 1
    session.commit()

    assert call.plan_line.plan.version == 2
    assert call.plan_noticed_at == NOW - timedelta(days=60)
    assert plan_notice_days(call) == 59


def test_detail_page_states_the_notice_and_links_the_plan_line(
    client, session, make_buyer, make_version, make_opportunity
):
    buyer, amended = cement_plan(make_buyer, make_version)
    call = make_opportunity(
        buyer_id=buyer.id,
        plan_line_id=amended.lines[0].id,
        plan_noticed_at=NOW - timedelta(days=60),
        published_at=NOW - timedelta(days=1),
    )
    first_published = (NOW - timedelta(days=60)).astimezone(LIMA).strftime("%d/%m/%Y")

    page = client.get(f"/oportunidades/{call.id}").get_data(as_text=True)

    assert (
        f"Anunciado en el Plan Anual de Contrataciones {NOW.year} de Gobierno Regional de "
        f"Arequipa (línea 12, publicado el {first_published})</a>: 59 días antes de la "
        "convocatoria"
    ) in page
    assert f'href="/planes/{buyer.id}/{NOW.year}?version=2&amp;linea=12#linea-12"' in page


def test_a_plan_published_after_the_call_gave_no_notice(
    client, make_buyer, make_version, make_opportunity
):
    buyer, amended = cement_plan(make_buyer, make_version)
    call = make_opportunity(
        buyer_id=buyer.id,
        plan_line_id=amended.lines[0].id,
        plan_noticed_at=NOW - timedelta(days=10),
        published_at=NOW - timedelta(days=20),
    )

    page = client.get(f"/oportunidades/{call.id}").get_data(as_text=True)

    assert plan_notice_days(call) is None
    assert "después de la convocatoria, sin aviso previo" in page
    assert "días antes de la convocatoria" not in page


def test_plan_page_links_each_line_to_the_calls_that_fulfil_it_with_their_status(
    client, make_buyer, make_version, make_opportunity
):
    buyer, amended = cement_plan(make_buyer, make_version)
    open_call = make_opportunity(buyer_id=buyer.id, plan_line_id=amended.lines[0].id)
    awarded = make_opportunity(
        buyer_id=buyer.id,
        plan_line_id=amended.lines[0].id,
        status=OpportunityStatus.AWARDED,
        title="Cemento: segunda convocatoria",
    )

    page = client.get(f"/planes/{buyer.id}/{NOW.year}").get_data(as_text=True)

    row = page.split('id="linea-12"')[1].split("</tr>")[0]
    assert f'href="/oportunidades/{open_call.id}"' in row and "Abierta" in row
    assert f'href="/oportunidades/{awarded.id}"' in row and "Adjudicada" in row
    other = page.split('id="linea-13"')[1].split("</tr>")[0]
    assert "/oportunidades/" not in other


def test_a_call_linked_under_an_older_version_shows_on_the_newest(
    client, make_buyer, make_version, make_opportunity
):
    buyer = make_buyer()
    first = make_version(buyer, 1, [plan_line("12", **CEMENT)], days_ago=60)
    make_version(buyer, 2, [plan_line("12", **CEMENT)], days_ago=10)
    call = make_opportunity(buyer_id=buyer.id, plan_line_id=first.lines[0].id)

    page = client.get(f"/planes/{buyer.id}/{NOW.year}").get_data(as_text=True)

    assert f'href="/oportunidades/{call.id}"' in page.split('id="linea-12"')[1]


@pytest.mark.parametrize(
    ("published_days_ago", "noticed_days_ago", "expected"),
    [(1, 61, 60.0), (5, 5, 0.0), (20, 10, None), (None, 10, None), (1, None, None)],
)
def test_notice_days_in_python_and_sql_agree(
    session, make_opportunity, published_days_ago, noticed_days_ago, expected
):
    def ago(days):
        return None if days is None else NOW - timedelta(days=days)

    call = make_opportunity(
        published_at=ago(published_days_ago), plan_noticed_at=ago(noticed_days_ago)
    )
    in_sql = session.scalar(select(plan_notice_days_sql()).where(Opportunity.id == call.id))

    assert plan_notice_days(call) == expected
    if expected is None:
        assert in_sql is None
    else:
        assert in_sql == pytest.approx(expected)
