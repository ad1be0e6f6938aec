"""Documents added to a followed call reach the follower: the change ingest is to record when a
new version lists a document the stored one did not (portal.opportunities.documents), read by
the change-alert job and mailed through a real SMTP server with the titles of the new ones."""

from datetime import timedelta

from factories import NOW
from sending_support import plain_text
from sqlalchemy import select

from notifications.change_text import ChangeText, change_text
from notifications.matching import run_matching
from notifications.models import AlertDelivery, DeliveryKind
from notifications.sending import send_due
from portal.opportunities.documents import (
    DocumentLine,
    documents_change,
    documents_change_text,
    documents_json,
)
from portal.opportunities.models import ChangeKind, OpportunityChange
from portal.subscriptions.models import SavedOpportunity
from scrapers.records import DocumentRecord

BASES = DocumentRecord("Bases", "https://prod2.seace.gob.pe/bases.pdf", "biddingDocuments", "1")
INTEGRATED = DocumentRecord("Bases integradas", "https://prod2.seace.gob.pe/bi.pdf", None, "2")
ANSWERS = DocumentRecord("Absolución de consultas", "https://prod2.seace.gob.pe/abs.pdf")


def test_a_change_is_recorded_only_when_a_document_is_added():
    assert documents_change([BASES], [BASES]) is None
    assert documents_change([BASES, INTEGRATED], [INTEGRATED]) is None  # withdrawn: not news
    renamed = DocumentRecord("Bases (versión final)", BASES.url, BASES.document_type, "1")
    assert documents_change([BASES], [renamed]) is None  # same id: the same document
    old, new = documents_change([BASES], [BASES, INTEGRATED])
    assert old == (
        '[{"id":"1","title":"Bases","type":"biddingDocuments",'
        '"url":"https://prod2.seace.gob.pe/bases.pdf"}]'
    )
    assert new.count('"title"') == 2
    assert documents_change([], [ANSWERS]) == (None, documents_json([ANSWERS]))


def test_without_an_id_a_document_is_known_by_its_link_then_its_title():
    untitled_link = DocumentLine("Absolución de consultas (2)", ANSWERS.url)
    assert documents_change([ANSWERS], [untitled_link]) is None
    assert documents_change([DocumentLine("Acta")], [DocumentLine("ACTA")]) is None
    assert documents_change([DocumentLine("Acta")], [DocumentLine("Acta 2")]) is not None


def test_the_change_reads_as_counts_and_the_titles_of_the_new_ones(app, session, make_opportunity):
    old, new = documents_change([BASES], [BASES, INTEGRATED, ANSWERS])
    change = OpportunityChange(
        kind=ChangeKind.DETAILS_CHANGED, field="documents", old_value=old, new_value=new
    )
    assert change_text(session, change, make_opportunity()) == ChangeText(
        "Documentos",
        "1 documento",
        "3 documentos; nuevos: «Bases integradas», «Absolución de consultas»",
    )
    assert documents_change_text(None, documents_json([ANSWERS])) == (
        "—",
        "1 documento; nuevos: «Absolución de consultas»",
    )
    assert documents_change_text("lista rara", None) == ("lista rara", "—")


def test_the_follower_is_mailed_the_documents_added(
    app, session, make_user, make_opportunity, smtp_sink
):
    opportunity = make_opportunity(title="Servicio de limpieza del hospital Rebagliati")
    follower = make_user(email="compras@limpieza-andina.pe")
    session.add(SavedOpportunity(user_id=follower.id, opportunity_id=opportunity.id))
    old, new = documents_change([BASES], [BASES, INTEGRATED])
    session.add(
        OpportunityChange(
            opportunity_id=opportunity.id,
            changed_at=NOW,
            kind=ChangeKind.DETAILS_CHANGED,
            field="documents",
            old_value=old,
            new_value=new,
        )
    )
    session.commit()

    assert run_matching(session, NOW).changes == 1
    [delivery] = session.scalars(select(AlertDelivery)).all()
    assert (delivery.kind, delivery.user_id) == (DeliveryKind.CHANGE, follower.id)
    later = NOW + timedelta(minutes=1)
    assert send_due(session, later, digest=False, sender_name="test").messages == 1

    [message] = smtp_sink.messages
    assert message["To"] == follower.email
    lines = plain_text(message).splitlines()
    assert "Documentos: antes 1 documento; ahora 2 documentos; nuevos: «Bases integradas»" in lines
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "2 documentos; nuevos: «Bases integradas»" in html
