"""`portal demo` goes through ingest, so its calls carry their minimums, and some give less
time than the law requires: their pages say so."""

from datetime import UTC, datetime

from lxml import html
from sqlalchemy import func, select

from portal.demo.operations import build_demo
from portal.opportunities.models import Opportunity

# Fixed, so the generated calls are the same every run: the demo's calendar floors are
# calendar days, and around Fiestas Patrias (28-29 July) they fall short in business days.
DEMO_NOW = datetime(2026, 8, 3, 15, 0, tzinfo=UTC)


def test_the_demo_has_flagged_calls_with_the_warning_on_their_page(app, session, client):
    build_demo(app, opportunity_count=120, now=DEMO_NOW)

    assessed = session.scalar(
        select(func.count(Opportunity.id)).where(Opportunity.minimum_basis == "legal")
    )
    flagged = session.scalars(
        select(Opportunity).where(Opportunity.short_deadline.is_(True)).order_by(Opportunity.id)
    ).all()
    assert assessed >= 100  # every SEACE call in the demo has a legal minimum
    assert flagged
    assert all(o.given_days < o.minimum_days and o.minimum_day_kind == "business" for o in flagged)

    page = client.get(f"/oportunidades/{flagged[0].id}").get_data(as_text=True)

    [warning] = html.fromstring(page).cssselect("p.warning.short-deadline")
    text = " ".join(warning.text_content().split())
    assert text.startswith("⚠ Plazo corto. Plazo legal mínimo:")
    assert f"esta convocatoria da {flagged[0].given_days}." in text
