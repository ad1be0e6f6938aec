"""The pages behind the links of an alert e-mail, and the e-mail itself, in headless Chromium
at 390 px and 1366 px: no console error (the CSP forbids inline script and style), no failed
request, no sideways scrolling, with data as long as real data gets. Nobody is signed in: the
links work from a phone that never signed in."""

from datetime import timedelta

import pytest
from account_factories import create_account
from browser_pages import VIEWPORTS, Problems, check_page, fits_phone_width, sideways_overflow
from factories import create_buyer, create_opportunity

from notifications.compose import compose_alert_message
from notifications.models import AlertDelivery, DeliveryKind
from portal.accounts.tokens import Purpose, make_token
from portal.db import utcnow
from portal.subscriptions.models import Frequency, Subscription

LONG_TITLE = (
    "Adquisición de agua potable en cisternas para el abastecimiento de los asentamientos "
    "humanos de la zona alta del distrito LP-SM-0042-2026-MDSJL/CS-PRIMERA-CONVOCATORIA-ITEM-01"
)
LONG_BUYER = (
    "Municipalidad Distrital de San Juan de Lurigancho - Gerencia de Servicios a la Ciudad "
    "y Gestión Ambiental"
)
LONG_EMAIL = (
    "representante.legal.de.la.empresa.constructora.y.servicios"
    "@consorcio-inversiones-amazonicas-del-peru.com.pe"
)
LONG_ALERT_NAME = ("Agua potable en cisternas y camiones para asentamientos humanos " * 2)[:120]


@pytest.fixture
def links(session) -> dict:
    """A user with a subscription and an open process, and a link of each kind for them."""
    user = create_account(session, email=LONG_EMAIL)
    subscription = Subscription(user_id=user.id, name=LONG_ALERT_NAME, keywords="cisternas")
    session.add(subscription)
    opportunity = create_opportunity(
        session, buyer=create_buyer(session, name=LONG_BUYER), title=LONG_TITLE
    )
    now = utcnow()
    ids = {"user": user.id}
    return {
        "user": user,
        "subscription": subscription,
        "opportunity": opportunity,
        "stop all": "/alertas/baja/" + make_token(Purpose.STOP_ALERTS, ids, now),
        "stop one": "/alertas/baja/suscripcion/"
        + make_token(Purpose.STOP_SUBSCRIPTION, ids | {"subscription": subscription.id}, now),
        "follow": "/alertas/seguir/"
        + make_token(Purpose.FOLLOW_OPPORTUNITY, ids | {"opportunity": opportunity.id}, now),
    }


@pytest.fixture
def browse(new_context, live_server):
    """browse() -> (page, problems) for a fresh, signed-out visitor."""

    def open_browser():
        page = new_context().new_page()
        problems = Problems(live_server)
        problems.watch(page)
        return page, problems

    return open_browser


@pytest.mark.parametrize("name", ["stop all", "stop one", "follow"])
def test_a_link_page_works_in_a_browser(browse, live_server, links, screenshots, name):
    page, problems = browse()

    failures = check_page(page, problems, live_server + links[name], screenshots)

    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda viewport: f"{viewport['width']}px")
@pytest.mark.parametrize(
    ("name", "button", "outcome"),
    [
        ("stop all", "Dejar de recibir alertas", "Ya no le enviaremos correos de alertas"),
        ("stop one", "Pausar la alerta", "Alerta en pausa"),
        ("follow", "Seguir este proceso", "Ahora sigue este proceso"),
    ],
)
def test_the_button_of_a_link_page_does_it_and_the_answer_fits(
    browse, live_server, links, name, button, outcome, viewport
):
    page, problems = browse()
    page.set_viewport_size(viewport)
    page.goto(live_server + links[name])

    with page.expect_navigation():
        page.get_by_role("button", name=button).click()

    assert outcome in page.locator("main").inner_text()
    failures = fits_phone_width(page, problems)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/alertas/baja/not-a-token", 400),
        ("/alertas/seguir/not-a-token", 400),
        ("expired", 410),
    ],
)
def test_a_bad_link_gets_a_page_that_fits(browse, live_server, links, path, status):
    if path == "expired":
        long_ago = utcnow() - timedelta(days=400)
        path = "/alertas/baja/" + make_token(Purpose.STOP_ALERTS, {"user": 1}, long_ago)
    page, problems = browse()
    failures = []
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        response = page.goto(live_server + path)
        assert response.status == status
        failures += [item for item in problems.take() if not _is_the_status(item, path, status)]
        failures += sideways_overflow(page)

    assert not failures, "\n".join(failures)


def _is_the_status(problem: str, path: str, status: int) -> bool:
    """The page's own status, which the browser reports twice (as a response and in the
    console): expected here, so not a failure."""
    return path in problem and (f"answered {status}" in problem or f"status of {status}" in problem)


def test_the_alert_email_fits_a_phone(app, session, browse, live_server, links):
    """Mail clients on phones are about as wide as a phone's browser."""
    delivery = AlertDelivery(
        user_id=links["user"].id,
        kind=DeliveryKind.MATCH,
        dedup_key=f"opportunity:{links['opportunity'].id}",
        opportunity_id=links["opportunity"].id,
        subscription_id=links["subscription"].id,
        frequency=Frequency.DAILY,
    )
    session.add(delivery)
    session.commit()
    with app.test_request_context(base_url=live_server):
        message = compose_alert_message(
            session, links["user"], [delivery], digest=True, now=utcnow()
        )
    html = message.get_body(preferencelist=("html",)).get_content()
    page, problems = browse()
    page.set_viewport_size(VIEWPORTS[0])

    page.set_content(html)

    assert LONG_TITLE in page.inner_text("body")
    failures = problems.take() + sideways_overflow(page)
    assert not failures, "\n".join(failures)
