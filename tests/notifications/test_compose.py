"""What an alert e-mail says: per kind, in the reader's language, with Lima times, soles, and
working unsubscribe and follow links."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from factories import create_buyer, create_opportunity, create_plan
from sending_support import BASE_URL_HOST

from notifications.compose import compose_alert_message
from notifications.formatting import money, time_left
from notifications.mail import mail_sender
from notifications.models import AlertDelivery, DeliveryKind
from portal.accounts.models import User
from portal.db import utcnow
from portal.opportunities.models import ChangeKind, OpportunityChange, OpportunityStatus
from portal.subscriptions.models import Frequency, SavedOpportunity, Subscription

# Monday 2 March 2026, 10:00 in Lima.
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LINK = re.compile(r"https://\S+")


@pytest.fixture
def mail_app(app, request):
    """A job's app context with links on https, as PORTAL_BASE_URL sets them in production
    (the scheme is read when the context starts, so it is set first)."""
    app.config["PREFERRED_URL_SCHEME"] = "https"
    yield request.getfixturevalue("job_context")
    app.config["PREFERRED_URL_SCHEME"] = "http"


@pytest.fixture
def reader(session, make_user) -> User:
    return make_user(email="compras@ferreteria-andina.pe")


@pytest.fixture
def subscription(session, reader) -> Subscription:
    return _subscription(session, reader, "Agua y cisternas")


def _subscription(session, user, name) -> Subscription:
    subscription = Subscription(user_id=user.id, name=name, frequency=Frequency.DAILY)
    session.add(subscription)
    session.commit()
    return subscription


def _water_tender(session, **fields):
    """S/ 3,099,000 from a municipality in Cusco, closing Thursday 5 March at 12:00 in Lima."""
    values = {
        "buyer": create_buyer(session, name="Municipalidad Provincial del Cusco"),
        "title": "Adquisición de agua en cisternas",
        "region_code": "08",
        "procedure_text": "Licitación Pública",
        "estimated_value": Decimal("3099000.00"),
        "published_at": NOW - timedelta(days=1),
        "deadline_at": datetime(2026, 3, 5, 17, 0, tzinfo=UTC),
    }
    return create_opportunity(session, **(values | fields))


def _deliver(session, user, kind=DeliveryKind.MATCH, subscription=None, **fields):
    subject = (
        f"plan_line:{fields['plan_line_id']}"
        if kind == DeliveryKind.FORECAST
        else f"{kind.value}:{fields.get('change_id') or fields['opportunity_id']}"
    )
    delivery = AlertDelivery(
        user_id=user.id,
        kind=kind,
        dedup_key=subject,
        subscription_id=subscription.id if subscription else None,
        frequency=subscription.frequency if subscription else Frequency.DAILY,
        **fields,
    )
    session.add(delivery)
    session.commit()
    return delivery


def _parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_an_immediate_alert_has_every_fact_in_text_and_html(
    mail_app, session, reader, subscription
):
    tender = _water_tender(session)
    delivery = _deliver(session, reader, subscription=subscription, opportunity_id=tender.id)

    message = compose_alert_message(session, reader, [delivery], digest=False, now=NOW)
    text, html = _parts(message)

    assert message["To"] == "compras@ferreteria-andina.pe"
    assert message["Subject"] == "Nueva convocatoria: Adquisición de agua en cisternas"
    for part in (text, html):
        assert "Adquisición de agua en cisternas" in part
        assert "Municipalidad Provincial del Cusco" in part
        assert "Cusco" in part and "Licitación Pública" in part
        assert "S/ 3,099,000.00" in part
        assert "1 de marzo de 2026" in part  # published, Lima day
        assert "jueves, 5 de marzo de 2026, 12:00 (hora de Lima)" in part
        assert "quedan 3 días" in part
        assert "Agua y cisternas" in part  # which alert matched
        assert f"https://{BASE_URL_HOST}/oportunidades/{tender.id}" in part
        assert tender.url in part  # the source's own page


def test_an_english_reader_gets_english_dates_and_the_same_soles(
    mail_app, session, reader, subscription
):
    reader.language = "en"
    session.commit()
    tender = _water_tender(session)
    delivery = _deliver(session, reader, subscription=subscription, opportunity_id=tender.id)

    text, html = _parts(compose_alert_message(session, reader, [delivery], digest=False, now=NOW))

    assert '<html lang="en">' in html
    for part in (text, html):
        assert "Thursday, March 5, 2026" in part
        assert "March 1, 2026" in part
        assert "S/ 3,099,000.00" in part
        assert "jueves" not in part


def test_amounts_are_written_the_peruvian_way_whatever_the_currency():
    assert money(Decimal("3099000")) == "S/ 3,099,000.00"
    assert money(Decimal("12500.5"), "USD") == "USD 12,500.50"
    assert money(None) is None


@pytest.mark.parametrize(
    ("deadline", "wording"),
    [
        (datetime(2026, 3, 2, 22, 0, tzinfo=UTC), "cierra hoy"),  # 17:00 today in Lima
        (datetime(2026, 3, 3, 14, 0, tzinfo=UTC), "cierra mañana"),  # 09:00 tomorrow
        (datetime(2026, 3, 3, 4, 30, tzinfo=UTC), "cierra hoy"),  # 23:30 tonight in Lima
        (datetime(2026, 3, 5, 17, 0, tzinfo=UTC), "quedan 3 días"),
        (datetime(2026, 3, 2, 14, 0, tzinfo=UTC), "plazo vencido"),
    ],
)
def test_time_left_counts_lima_calendar_days(mail_app, deadline, wording):
    assert time_left(deadline, NOW) == wording


def test_a_digest_has_its_sections_in_order_and_leaves_out_empty_ones(
    mail_app, session, reader, subscription
):
    later = _water_tender(session, title="Servicio de limpieza", deadline_at=NOW + timedelta(30))
    soon = _water_tender(session, title="Agua embotellada", deadline_at=NOW + timedelta(days=4))
    followed = _water_tender(session, title="Mantenimiento de pozos")
    change = OpportunityChange(
        opportunity_id=followed.id,
        kind=ChangeKind.STATUS_CHANGED,
        field="status",
        old_value="open",
        new_value="cancelled",
    )
    session.add(change)
    session.commit()
    deliveries = [
        _deliver(session, reader, subscription=subscription, opportunity_id=later.id),
        _deliver(session, reader, subscription=subscription, opportunity_id=soon.id),
        _deliver(
            session,
            reader,
            DeliveryKind.CHANGE,
            opportunity_id=followed.id,
            change_id=change.id,
        ),
    ]

    message = compose_alert_message(session, reader, deliveries, digest=True, now=NOW)
    text, html = _parts(message)

    assert message["Subject"] == "Resumen diario de Compras MYPE: 3 avisos"
    headings = re.findall(r"^=== (.+) \(\d+\) ===$", text, re.MULTILINE)
    assert headings == [
        "NUEVAS CONVOCATORIAS",
        "CIERRAN EN LOS PRÓXIMOS 7 DÍAS",
        "CAMBIOS EN PROCESOS QUE SIGUE",
    ]
    sections = text.split("=== ")
    assert "Servicio de limpieza" in sections[1]
    assert "Agua embotellada" in sections[2]
    assert "Estado: antes Abierta; ahora Cancelada" in sections[3]
    assert "Pronósticos" not in text and "Pronósticos" not in html
    assert html.index("Servicio de limpieza") < html.index("Agua embotellada")


def test_a_weekly_digest_says_so(mail_app, session, reader):
    weekly = Subscription(user_id=reader.id, name="Semanal", frequency=Frequency.WEEKLY)
    session.add(weekly)
    session.commit()
    delivery = _deliver(
        session, reader, subscription=weekly, opportunity_id=_water_tender(session).id
    )

    message = compose_alert_message(session, reader, [delivery], digest=True, now=NOW)

    assert message["Subject"] == "Resumen semanal de Compras MYPE: 1 aviso"


def test_a_change_says_what_changed_from_what_to_what_in_lima_time(mail_app, session, reader):
    tender = _water_tender(session, status=OpportunityStatus.OPEN)
    session.add(SavedOpportunity(user_id=reader.id, opportunity_id=tender.id))
    moved = OpportunityChange(
        opportunity_id=tender.id,
        kind=ChangeKind.DEADLINE_EXTENDED,
        field="deadline_at",
        old_value="2026-03-05T17:00:00+00:00",
        new_value="2026-03-10T22:00:00+00:00",
    )
    value = OpportunityChange(
        opportunity_id=tender.id,
        kind=ChangeKind.VALUE_CHANGED,
        field="estimated_value",
        old_value="3099000",
        new_value="2500000.5",
    )
    session.add_all([moved, value])
    session.commit()
    deliveries = [
        _deliver(session, reader, DeliveryKind.CHANGE, opportunity_id=tender.id, change_id=c.id)
        for c in (moved, value)
    ]

    message = compose_alert_message(session, reader, deliveries, digest=False, now=NOW)
    text, html = _parts(message)

    assert text.count("CAMBIO EN UN PROCESO QUE SIGUE") == 1  # one alert for both changes
    assert (
        "Plazo para ofertas: antes jueves, 5 de marzo de 2026, 12:00 (hora de Lima); "
        "ahora martes, 10 de marzo de 2026, 17:00 (hora de Lima)"
    ) in text
    assert "Valor estimado: antes S/ 3,099,000.00; ahora S/ 2,500,000.50" in text
    assert "<del>S/ 3,099,000.00</del>" in html
    assert "Le avisamos porque sigue este proceso." in text
    assert "/alertas/seguir/" not in text  # already followed


def test_a_cancelled_process_says_so_in_words(mail_app, session, reader):
    tender = _water_tender(session, status=OpportunityStatus.CANCELLED)
    change = OpportunityChange(
        opportunity_id=tender.id,
        kind=ChangeKind.STATUS_CHANGED,
        field="status",
        old_value="open",
        new_value="cancelled",
    )
    session.add(change)
    session.commit()
    delivery = _deliver(
        session, reader, DeliveryKind.CHANGE, opportunity_id=tender.id, change_id=change.id
    )

    message = compose_alert_message(session, reader, [delivery], digest=False, now=NOW)
    text, _html = _parts(message)

    assert message["Subject"].startswith("Cambio en un proceso que sigue (Cambio de estado): ")
    assert "Estado: antes Abierta; ahora Cancelada" in text
    assert "quedan" not in text  # no countdown for a cancelled process
    assert "/alertas/seguir/" not in text  # nothing to follow in a cancelled process


def test_a_reminder_says_how_long_is_left_in_its_subject(mail_app, session, reader):
    tender = _water_tender(session, deadline_at=datetime(2026, 3, 3, 17, 0, tzinfo=UTC))
    session.add(SavedOpportunity(user_id=reader.id, opportunity_id=tender.id, follow_changes=False))
    session.commit()
    delivery = _deliver(session, reader, DeliveryKind.REMINDER, opportunity_id=tender.id)

    message = compose_alert_message(session, reader, [delivery], digest=False, now=NOW)
    text, _html = _parts(message)

    assert message["Subject"] == (
        "Recordatorio de plazo (cierra mañana): Adquisición de agua en cisternas"
    )
    assert "martes, 3 de marzo de 2026, 12:00 (hora de Lima) · cierra mañana" in text
    assert "Le avisamos porque guardó este proceso en su lista." in text
    assert "/alertas/seguir/" in text  # saved without change alerts: following is offered


def test_forecasts_and_their_follow_up_link_to_the_plan(mail_app, session, reader, subscription):
    buyer = create_buyer(session, name="Gobierno Regional de Piura")
    plan = create_plan(session, buyer=buyer, lines=3, fiscal_year=2026)
    line = plan.lines[2]
    call = _water_tender(session, buyer=buyer, plan_line_id=line.id)
    deliveries = [
        _deliver(
            session, reader, DeliveryKind.FORECAST, subscription=subscription, plan_line_id=line.id
        ),
        _deliver(
            session,
            reader,
            DeliveryKind.FOLLOW_UP,
            subscription=subscription,
            opportunity_id=call.id,
        ),
    ]

    text, html = _parts(compose_alert_message(session, reader, deliveries, digest=True, now=NOW))

    reference = line.reference_number
    plan_url = f"https://{BASE_URL_HOST}/planes/{buyer.id}/2026?version=1&linea={reference}"
    plan_url += f"#linea-{reference}"
    assert "PRONÓSTICO DEL PLAN ANUAL" in text
    assert "Mes previsto: marzo de 2026" in text
    assert "Valor estimado: S/ 15,000.00" in text
    assert "CONVOCATORIA QUE CUMPLE UN PRONÓSTICO QUE LE AVISAMOS" in text
    assert "línea 3 del plan anual 2026 de Gobierno Regional de Piura" in text
    assert text.count(plan_url) == 2
    # the forecast's title and link, the follow-up's note
    assert html.count(plan_url.replace("&", "&amp;")) == 3


def test_source_text_is_escaped_and_source_links_must_be_web_links(
    mail_app, session, reader, subscription
):
    tender = _water_tender(
        session,
        title='Agua <img src=x onerror="alert(1)">',
        buyer=create_buyer(session, name="Municipalidad <b>Lima</b> & Callao"),
        url="javascript:alert(document.cookie)",
    )
    delivery = _deliver(session, reader, subscription=subscription, opportunity_id=tender.id)

    text, html = _parts(compose_alert_message(session, reader, [delivery], digest=False, now=NOW))

    assert "<img" not in html and "<b>Lima" not in html
    assert "Agua &lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "Municipalidad &lt;b&gt;Lima&lt;/b&gt; &amp; Callao" in html
    assert "javascript:" not in html and "javascript:" not in text
    assert "Convocatoria oficial" not in text


def test_each_subscription_involved_gets_its_own_stop_link(mail_app, session, reader):
    water = _subscription(session, reader, "Agua")
    pumps = _subscription(session, reader, "Bombas")
    _subscription(session, reader, "Uniformes")  # not in this message
    deliveries = [
        _deliver(session, reader, subscription=sub, opportunity_id=_water_tender(session).id)
        for sub in (water, pumps)
    ]

    text, html = _parts(compose_alert_message(session, reader, deliveries, digest=True, now=NOW))

    assert "Dejar de recibir la alerta «Agua»:" in text
    assert "Dejar de recibir la alerta «Bombas»:" in text
    assert "Uniformes" not in text
    assert text.count("/alertas/baja/suscripcion/") == 2
    assert html.count("/alertas/baja/suscripcion/") == 2


def test_list_unsubscribe_survives_smtp_unfolded_and_stops_every_alert(
    mail_app, smtp_sink, session, reader, subscription
):
    """RFC 8058 one-click, through a real SMTP server: the header must reach the mail client as
    a plain <https://...> (not folded into encoded words), and its URL must work."""
    tender = _water_tender(session, deadline_at=utcnow() + timedelta(days=5))
    delivery = _deliver(session, reader, subscription=subscription, opportunity_id=tender.id)
    message = compose_alert_message(session, reader, [delivery], digest=False, now=utcnow())

    mail_sender(mail_app).send(message)
    (received,) = smtp_sink.messages
    raw = dict(received.raw_items())

    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(rf"<https://{BASE_URL_HOST}/alertas/baja/[\w.-]+>", raw["List-Unsubscribe"])
    assert raw["Auto-Submitted"] == "auto-generated"
    url = raw["List-Unsubscribe"].strip("<>")
    mail_client = mail_app.test_client(use_cookies=False)
    response = mail_client.post(
        url,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    session.refresh(reader)
    assert reader.alerts_stopped_at is not None


def test_the_follow_link_in_a_mail_follows_the_process(mail_app, session, reader, subscription):
    tender = _water_tender(session, deadline_at=utcnow() + timedelta(days=5))
    delivery = _deliver(session, reader, subscription=subscription, opportunity_id=tender.id)
    text, _html = _parts(
        compose_alert_message(session, reader, [delivery], digest=False, now=utcnow())
    )
    (follow,) = [link for link in LINK.findall(text) if "/alertas/seguir/" in link]

    browser = mail_app.test_client()
    assert tender.title in browser.get(follow).get_data(as_text=True)
    assert browser.post(follow).status_code == 200

    entry = session.get(SavedOpportunity, (reader.id, tender.id))
    assert entry is not None and entry.follow_changes


def test_a_message_needs_something_to_say_and_only_to_its_own_user(
    mail_app, session, reader, make_user
):
    someone_else = make_user()
    theirs = _deliver(session, someone_else, opportunity_id=_water_tender(session).id)

    with pytest.raises(ValueError):
        compose_alert_message(session, reader, [], digest=False, now=NOW)
    with pytest.raises(ValueError):
        compose_alert_message(session, reader, [theirs], digest=False, now=NOW)
