import re
from datetime import timedelta

from factories import NOW

from portal.opportunities.models import ChangeKind, OpportunityChange


def test_detail_shows_buyer_link_days_left_and_calendar_link(client, make_buyer, make_opportunity):
    buyer = make_buyer(name="Gobierno Regional de Cusco")
    opportunity = make_opportunity(buyer=buyer, title="Compra de carpetas escolares")

    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)

    assert "Compra de carpetas escolares" in page
    assert f'href="/entidades/{buyer.id}"' in page
    assert "Presentación de ofertas: quedan 9 días." in page or "quedan 10 días." in page
    assert f"/oportunidades/{opportunity.id}.ics" in page
    assert 'href="https://example.org/convocatorias/' in page


def test_detail_lists_changes_with_spanish_labels(client, session, make_opportunity):
    opportunity = make_opportunity()
    session.add(
        OpportunityChange(
            opportunity_id=opportunity.id,
            changed_at=NOW,
            kind=ChangeKind.DEADLINE_EXTENDED,
            field="deadline_at",
            old_value="2026-03-01T21:30:00+00:00",
            new_value="2026-03-09T21:30:00+00:00",
        )
    )
    session.add(
        OpportunityChange(
            opportunity_id=opportunity.id,
            changed_at=NOW,
            kind=ChangeKind.DETAILS_CHANGED,
            field="title",
            old_value="Compra de carpetas",
            new_value="Compra de carpetas escolares",
        )
    )
    session.commit()

    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)

    # the field, from what to what, in Lima time: never a raw UTC timestamp
    assert "Plazo para ofertas (plazo ampliado)" in page
    assert "domingo, 1 de marzo de 2026, 16:30 (hora de Lima)" in page
    assert "lunes, 9 de marzo de 2026, 16:30" in page
    assert "2026-03-01T21:30" not in page
    compact = re.sub(r">\s+<", "><", page)
    assert (
        "<td>Título</td><td>Compra de carpetas</td><td>Compra de carpetas escolares</td>" in compact
    )


def test_deadline_before_publication_is_flagged_unreliable(client, make_opportunity):
    opportunity = make_opportunity(deadline_at=NOW - timedelta(days=2))

    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)

    assert "Plazo no confiable" in page


def test_detail_links_the_plan_line_it_fulfils(client, session, make_plan, make_opportunity):
    plan = make_plan(lines=1)
    line = plan.lines[0]
    opportunity = make_opportunity(plan_line_id=line.id, plan_link_rule="same CUBSO and month")

    page = client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True)

    assert (
        f"/planes/{plan.buyer_id}/{plan.fiscal_year}?version=1&amp;linea={line.reference_number}#linea-{line.reference_number}"
        in page
    )
    assert "same CUBSO and month" in page


def test_unknown_opportunity_is_404(client):
    assert client.get("/oportunidades/999999").status_code == 404


def test_detail_suggests_similar_open_opportunities(client, make_opportunity):
    shown = make_opportunity(title="Adquisición de uniformes escolares para Cusco")
    make_opportunity(title="Uniformes escolares para colegios de Puno")
    make_opportunity(title="Mantenimiento de carreteras")

    page = client.get(f"/oportunidades/{shown.id}").get_data(as_text=True)

    assert "Convocatorias similares" in page
    assert "Uniformes escolares para colegios de Puno" in page
    assert "Mantenimiento de carreteras" not in page
