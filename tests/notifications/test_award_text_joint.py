"""A joint award (a consortium: one award, several suppliers) is stored one row per supplier,
each with the award's amount; everywhere it is read it is one award with one amount and every
member named together: the change alert mail (through a real SMTP server), the opportunity
page, the API and the OCDS export. Also when the source gives the award no id, as CODICE does
for a contract without lots."""

import copy
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from lxml import html
from sending_support import plain_text
from sqlalchemy import select

from notifications.matching import run_matching
from notifications.sending import send_due
from portal.opportunities.awards import AwardLine, award_sentence, awards_of
from portal.opportunities.models import Opportunity, OpportunityAward
from portal.subscriptions.models import SavedOpportunity
from scrapers import feed, ocds
from scrapers.ingest import Ingestor
from scrapers.models import ScrapeRun, SourceKind
from scrapers.records import OpportunityRecord, ParseContext
from scrapers.sources import add_source, parse_context

PUBLISHED = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
AWARDED = datetime(2026, 6, 22, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Lima
RUC = "20601234565"
ANDINA, CHAVIN = "Constructora Andina S.A.C.", "Textiles Chavín E.I.R.L."
JOINT_SENTENCE = f"Adjudicado al consorcio: {ANDINA} (RUC {RUC}), {CHAVIN} — S/ 1,234.00"


def call_release() -> dict:
    return {
        "ocid": "ocds-dgv273-seacev3-5001",
        "id": "ocds-dgv273-seacev3-5001-tender-1",
        "date": "2026-06-01T10:00:00-05:00",
        "tag": ["tender"],
        "buyer": {"id": "PE-RUC-20131705437", "name": "Municipalidad de Villa El Salvador"},
        "tender": {
            "id": "AS-SM-14-2026-MVES-1",
            "title": "Mejoramiento del parque zonal de Villa El Salvador",
            "status": "active",
            "mainProcurementCategory": "works",
            "value": {"amount": 160000, "currency": "PEN"},
            "tenderPeriod": {"endDate": "2026-06-15T17:00:00-05:00"},
        },
    }


def joint_award_release(award_id: str | None) -> dict:
    """The buena pro to a consortium of two: one award, S/ 1,234 for both together."""
    release = copy.deepcopy(call_release())
    release.update(id="ocds-dgv273-seacev3-5001-award-1", date="2026-06-22T09:00:00-05:00")
    release["tag"], release["tender"]["status"] = ["award"], "complete"
    release["parties"] = [
        {"id": f"PE-RUC-{RUC}", "name": ANDINA, "identifier": {"scheme": "PE-RUC", "id": RUC}},
        {"id": "CONS-7", "name": CHAVIN},
    ]
    award = {
        "status": "active",
        "date": "2026-06-19T12:00:00-05:00",
        "value": {"amount": 1234, "currency": "PEN"},
        "suppliers": [{"id": f"PE-RUC-{RUC}", "name": ANDINA}, {"id": "CONS-7", "name": CHAVIN}],
    }
    release["awards"] = [award | ({"id": award_id} if award_id else {})]
    return release


@pytest.fixture
def publish(session):
    source = add_source(session, "oece", SourceKind.OCDS, "https://example.org/oece.json")
    session.commit()

    def publish(release: dict, now: datetime) -> None:
        run = ScrapeRun(source_id=source.id, started_at=now)
        session.add(run)
        session.commit()
        payload = json.dumps({"uri": "https://example.org/oece.json", "releases": [release]})
        ingestor = Ingestor(session, source, run.id, now)
        ingestor.consume(ocds.parse(io.BytesIO(payload.encode()), parse_context(source)))
        ingestor.finish()

    return publish


@pytest.mark.parametrize("award_id", ["AS-SM-14-2026-MVES-1-1", None])
def test_the_follower_reads_one_amount_for_the_consortium_and_both_members(
    app, session, make_user, smtp_sink, publish, award_id
):
    publish(call_release(), PUBLISHED)
    opportunity = session.scalar(select(Opportunity))
    follower = make_user(email="compras@ferreteria-los-andes.com.pe")
    session.add(SavedOpportunity(user_id=follower.id, opportunity_id=opportunity.id))
    session.commit()
    run_matching(session, PUBLISHED)

    publish(joint_award_release(award_id), AWARDED)
    rows = session.scalars(select(OpportunityAward).order_by(OpportunityAward.position)).all()
    assert [(row.supplier_name, row.amount) for row in rows] == [
        (ANDINA, Decimal("1234.00")),  # stored per supplier, each with the award's amount
        (CHAVIN, Decimal("1234.00")),
    ]
    run_matching(session, AWARDED)
    assert send_due(session, AWARDED, digest=False, sender_name="test").messages == 1

    [message] = smtp_sink.messages
    text = plain_text(message)
    assert f"Adjudicación: antes —; ahora {JOINT_SENTENCE}" in text.splitlines()
    assert text.count("1,234") == 1 and "2,468" not in text
    mail_html = message.get_body(preferencelist=("html",)).get_content()
    assert JOINT_SENTENCE in mail_html and mail_html.count("1,234") == 1


@pytest.mark.parametrize("award_id", ["AS-SM-14-2026-MVES-1-1", None])
def test_the_page_the_api_and_the_export_show_one_award_with_one_amount(
    client, session, publish, award_id
):
    publish(call_release(), PUBLISHED)
    publish(joint_award_release(award_id), AWARDED)
    opportunity = session.scalar(select(Opportunity))

    page = html.fromstring(client.get(f"/oportunidades/{opportunity.id}").get_data(as_text=True))
    [award] = page.cssselect("section.awards li.award")
    assert " ".join(award.cssselect(".consortium")[0].text_content().split()) == (
        "Consorcio · 2 empresas, un solo monto para todas"
    )
    assert len(award.cssselect(".winners li")) == 2
    assert award.text_content().count("S/ 1,234.00") == 1
    [history] = [
        " ".join(row.text_content().split())
        for row in page.cssselect("section.history tbody tr")
        if "Adjudicación" in row.text_content()
    ]
    assert history.endswith(JOINT_SENTENCE)

    [api_award] = client.get(f"/api/v1/opportunities/{opportunity.id}").get_json()["data"]["awards"]
    assert (api_award["amount"], len(api_award["suppliers"])) == ("1234.00", 2)
    package = json.loads(client.get("/buscar.ocds.json?q=parque&status=awarded").data)
    [release] = package["releases"]
    [exported] = release["awards"]
    assert exported["value"] == {"amount": 1234.0, "currency": "PEN"}
    assert [supplier["name"] for supplier in exported["suppliers"]] == [ANDINA, CHAVIN]


def test_unnamed_awards_join_only_when_every_term_agrees():
    """Two suppliers of one unnamed award join; an unnamed award for another amount, status
    or currency after them is an award of its own, and so is one of another id."""
    lines = [
        AwardLine(ANDINA, RUC, amount=Decimal("1234.00")),
        AwardLine(CHAVIN, amount=Decimal("1234.00")),
        AwardLine("Servicios Misti E.I.R.L.", amount=Decimal("99.00")),
        AwardLine("Rosa Mamani Quispe", amount=Decimal("99.00"), status="cancelled"),
        AwardLine("Ana Quispe", amount=Decimal("99.00"), status="cancelled", currency="USD"),
        AwardLine(
            "Beto Huamán",
            amount=Decimal("99.00"),
            status="cancelled",
            currency="USD",
            source_award_id="L2",
        ),
    ]
    awards = awards_of(lines)
    assert [[winner.name for winner in award.winners] for award in awards] == [
        [ANDINA, CHAVIN],
        ["Servicios Misti E.I.R.L."],
        ["Rosa Mamani Quispe"],
        ["Ana Quispe"],
        ["Beto Huamán"],
    ]
    assert awards[0].joint and not awards[1].joint


def test_a_joint_award_without_amount_or_in_force_says_so(app):
    lines = [
        AwardLine(ANDINA, RUC, status="pending", source_award_id="A1"),
        AwardLine(CHAVIN, status="pending", source_award_id="A1"),
    ]
    with app.test_request_context():
        [award] = awards_of(lines)
        assert award_sentence(award) == (
            f"Adjudicado al consorcio: {ANDINA} (RUC {RUC}), {CHAVIN} (pendiente)"
        )


CODICE = """<feed xmlns="http://www.w3.org/2005/Atom"
 xmlns:cbc="urn:dgpe:names:draft:codice:schema:xsd:CommonBasicComponents-2"
 xmlns:cac="urn:dgpe:names:draft:codice:schema:xsd:CommonAggregateComponents-2"
 xmlns:cac-place-ext="urn:dgpe:names:draft:codice-place-ext:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc-place-ext="urn:dgpe:names:draft:codice-place-ext:schema:xsd:CommonBasicComponents-2">
<title>PLACSP</title><entry><id>expediente-ute</id><link href="https://example.org/ute"/>
<title>Obra</title><updated>2026-06-21T04:00:33+02:00</updated>
<cac-place-ext:ContractFolderStatus>
 <cbc-place-ext:ContractFolderStatusCode>RES</cbc-place-ext:ContractFolderStatusCode>
 <cac:TenderResult>
  <cbc:ResultCode>8</cbc:ResultCode><cbc:AwardDate>2026-06-11</cbc:AwardDate>
  <cac:WinningParty><cac:PartyName><cbc:Name>Obras Norte S.L.</cbc:Name></cac:PartyName>
  </cac:WinningParty>
  <cac:WinningParty><cac:PartyName><cbc:Name>Obras Sur S.A.</cbc:Name></cac:PartyName>
  </cac:WinningParty>
  <cac:AwardedTenderedProject><cac:LegalMonetaryTotal>
   <cbc:PayableAmount currencyID="EUR">80000</cbc:PayableAmount>
  </cac:LegalMonetaryTotal></cac:AwardedTenderedProject>
 </cac:TenderResult>
</cac-place-ext:ContractFolderStatus></entry></feed>"""


def test_a_codice_joint_venture_without_lots_is_one_award(app):
    items = feed.parse(io.BytesIO(CODICE.encode()), ParseContext(source_key="placsp"))
    [record] = [item for item in items if isinstance(item, OpportunityRecord)]
    assert [award.source_award_id for award in record.awards] == [None, None]

    [award] = awards_of(record.awards)
    assert [winner.name for winner in award.winners] == ["Obras Norte S.L.", "Obras Sur S.A."]
    with app.test_request_context():
        assert award_sentence(award) == (
            "Adjudicado al consorcio: Obras Norte S.L., Obras Sur S.A. — EUR 80,000.00"
        )
