"""Alert mail says a call's minimum and, for a short one, warns in words in both parts."""

from datetime import UTC, datetime

import pytest

from notifications.compose import compose_alert_message
from notifications.models import AlertDelivery, DeliveryKind
from portal.subscriptions.models import Frequency

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
SHORT = {
    "procedure_type_code": "AS",
    "minimum_days": 8,
    "minimum_day_kind": "business",
    "minimum_basis": "legal",
    "given_days": 5,
    "short_deadline": True,
}


@pytest.fixture
def mail_context(app):
    """A job's context: no request, absolute links from SERVER_NAME."""
    app.config["SERVER_NAME"] = "comprasmype.example"
    with app.app_context():
        yield app
    app.config["SERVER_NAME"] = None


def message_parts(session, user, opportunity) -> tuple[str, str]:
    delivery = AlertDelivery(
        user_id=user.id,
        kind=DeliveryKind.MATCH,
        dedup_key=f"opportunity:{opportunity.id}",
        frequency=Frequency.DAILY,
        opportunity_id=opportunity.id,
    )
    session.add(delivery)
    session.commit()
    message = compose_alert_message(session, user, [delivery], digest=False, now=NOW)
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_a_short_call_is_flagged_in_words_in_text_and_html(
    mail_context, session, make_user, make_opportunity
):
    opportunity = make_opportunity(title="Adquisición de cisternas", **SHORT)

    text, html = message_parts(session, make_user(), opportunity)

    sentence = "Plazo legal mínimo: 8 días hábiles; esta convocatoria da 5."
    advice = (
        "Esta convocatoria da menos días que el mínimo que exige la ley para preparar una oferta."
    )
    assert f"PLAZO CORTO: {sentence} {advice}" in text
    assert "  Plazo legal mínimo: 8 días hábiles; esta convocatoria da 5\n" in text
    assert f"<strong>⚠ Plazo corto:</strong> {sentence} {advice}" in html
    assert "8 días hábiles; esta convocatoria da 5</td>" in html


def test_a_call_with_enough_time_states_its_minimum_without_a_warning(
    mail_context, session, make_user, make_opportunity
):
    enough = SHORT | {"minimum_days": 6, "given_days": 9, "short_deadline": False}
    opportunity = make_opportunity(title="Adquisición de cisternas", **enough)

    text, html = message_parts(session, make_user(), opportunity)

    assert "  Plazo legal mínimo: 6 días hábiles; esta convocatoria da 9\n" in text
    assert "PLAZO CORTO" not in text and "Plazo corto" not in html


def test_a_call_without_a_minimum_mentions_none(mail_context, session, make_user, make_opportunity):
    opportunity = make_opportunity(title="Adquisición de cisternas", procedure_type_code="CD")

    text, html = message_parts(session, make_user(), opportunity)

    assert "mínimo" not in text and "mínimo" not in html
