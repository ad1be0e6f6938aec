"""`portal demo`'s awarded calls come with their winner, read from its OCDS file like any
publisher's: the winner's RUC, the amount and the page's "Adjudicación" section."""

from datetime import UTC, datetime

import pytest
from lxml import html
from sqlalchemy import select

from portal.buyers.ruc import is_valid_ruc
from portal.demo.catalogue import SUPPLIERS
from portal.demo.operations import build_demo
from portal.opportunities.models import Opportunity, OpportunityStatus

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def demo(app, session):
    return build_demo(app, opportunity_count=300, now=NOW)


def test_every_awarded_demo_call_names_its_winner_and_amount(demo, session, client):
    awarded = session.scalars(
        select(Opportunity).where(Opportunity.status == OpportunityStatus.AWARDED)
    ).all()
    assert awarded
    names = {supplier.name: supplier.ruc for supplier in SUPPLIERS}
    for opportunity in awarded:
        [award] = opportunity.awards
        assert award.supplier_ruc == names[award.supplier_name]
        assert is_valid_ruc(award.supplier_ruc)
        assert award.status == "active" and award.currency == "PEN"
        # the demo's winners bid 6% under the estimate, in whole soles
        assert award.amount == opportunity.estimated_value * 47 // 50
        assert NOW > award.awarded_at > opportunity.deadline_at

    first = awarded[0]
    page = html.fromstring(client.get(f"/oportunidades/{first.id}").get_data(as_text=True))
    [section] = page.cssselect("section.awards")
    winners = " ".join(section.cssselect(".winners")[0].text_content().split())
    award = first.awards[0]
    assert winners == f"{award.supplier_name} RUC {award.supplier_ruc}"
    others = session.scalars(
        select(Opportunity).where(Opportunity.status != OpportunityStatus.AWARDED)
    ).all()
    assert not any(opportunity.awards for opportunity in others)
