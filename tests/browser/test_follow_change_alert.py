"""Following a process and hearing of its change, end to end in Chromium with a real source and
a real SMTP server: an SME presses "Seguir" on an opportunity's page, the publisher moves the
deadline, the scheduler's after-scrape job matches and sends, and the mail that arrives says
what moved, in Lima time, with links that work in the browser. Then the SME stops alert mail
with the message's List-Unsubscribe link and turns it back on from "Mis alertas".

The source is an OCDS release package on disk (`file://`), a real DNCP release
(ocds-03ad3f-277004) reopened with Lima deadlines ahead of today, as
tests/following/test_change_alerts_from_ingest.py uses it.
"""

import copy
import email
import json
import re
import socket
from datetime import date, datetime, time, timedelta
from email import policy
from zoneinfo import ZoneInfo

import pytest
from account_factories import PASSWORD, create_account
from aiosmtpd.controller import Controller
from browser_pages import Problems, fits_phone_width, sign_in
from sqlalchemy import select

from notifications.jobs import alert_after_scrape
from portal.db import utcnow
from portal.opportunities.models import Opportunity
from portal.subscriptions.models import SavedOpportunity
from scrapers.fetch import Fetcher, FetchSettings, HostRegistry
from scrapers.models import RunStatus, SourceKind
from scrapers.pipeline import run_source
from scrapers.sources import add_source

LIMA = ZoneInfo("America/Lima")
RELEASES = "ocds-sample-data/paraguay/releases"
TENDER = f"{RELEASES}/277004-adquisicion-equipos-e-insumos-informaticos-tender.json"
EMAIL = "compras@ferreteria-los-andes.com.pe"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# Babel's CLDR Spanish, written out here so the test doesn't check the mail against itself.
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
).split()


def lima(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LIMA)


def spoken(moment: datetime) -> str:
    """`jueves, 18 de junio de 2026, 12:30`, as the mail writes a Lima time."""
    return (
        f"{WEEKDAYS[moment.weekday()]}, {moment.day} de {MONTHS[moment.month - 1]} de "
        f"{moment.year}, {moment:%H:%M}"
    )


def free_port() -> int:
    """aiosmtpd's controller checks its server by connecting to the port it was given, so
    port 0 won't do."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts, parsed."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def mailbox(app, live_server):
    """A real SMTP server as the app's SMTP_URL, and the live server as the portal's address,
    so the links in the mail open in the browser."""
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    app.config["PORTAL_DEV_BASE_URL"] = live_server
    yield handler
    controller.stop()


@pytest.fixture
def publisher(app, session, tmp_path, shared_fixtures):
    """publish(deadline) replaces the source's file with the tender closing at `deadline`, runs
    the source as the scheduler does and then its after-scrape job (match, then send)."""
    release = json.loads((shared_fixtures / TENDER).read_text(encoding="utf-8"))
    release["tender"]["status"] = "active"
    release["tender"]["datePublished"] = utcnow().astimezone(LIMA).isoformat(timespec="seconds")
    path = tmp_path / "dncp.json"
    source = add_source(session, "dncp", SourceKind.OCDS, path.as_uri(), timezone="America/Lima")
    session.commit()
    settings = FetchSettings(
        user_agent="ComprasMYPE-test/1.0", min_interval=0.0, local_sources_dirs=(tmp_path,)
    )
    versions = iter(range(1, 100))

    with Fetcher(settings, HostRegistry()) as fetcher:

        def publish(deadline: datetime) -> None:
            version = copy.deepcopy(release)
            version["id"] = f"{release['id']}-{next(versions)}"
            version["date"] = utcnow().astimezone(LIMA).isoformat(timespec="seconds")
            version["tender"]["tenderPeriod"]["endDate"] = deadline.isoformat()
            package = {"uri": "https://example.org/dncp.json", "releases": [version]}
            path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
            run = run_source(session, source, utcnow(), fetcher)
            assert run.status == RunStatus.SUCCEEDED, run.error
            alert_after_scrape(app)

        yield publish


@pytest.fixture
def browse(new_context, live_server):
    """browse(viewport) -> (page, problems) for a fresh visitor, every step's problems kept."""

    def open_browser(viewport: dict):
        page = new_context().new_page()
        page.set_viewport_size(viewport)
        problems = Problems(live_server)
        problems.watch(page)
        return page, problems

    return open_browser


def follow_from_the_page(page, live_server: str, session) -> Opportunity:
    """The SME opens the process's page and presses "Seguir"."""
    opportunity = session.scalar(select(Opportunity).where(Opportunity.ocid.like("%277004")))
    page.goto(f"{live_server}/oportunidades/{opportunity.id}")
    with page.expect_navigation():
        page.get_by_role("button", name="Seguir", exact=True).click()
    assert "Siguiendo" in page.locator("section.watch").inner_text()
    return opportunity


def plain_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_after(text: str, label: str) -> str:
    match = re.search(re.escape(label) + r"\s+(https?://\S+)", text)
    assert match, f"no link after {label!r} in:\n{text}"
    return match.group(1)


def test_a_followed_process_whose_deadline_moves_reaches_the_sme_by_mail(
    session, browse, live_server, mailbox, publisher
):
    today = utcnow().astimezone(LIMA).date()
    first, moved = lima(today + timedelta(days=10), 17), lima(today + timedelta(days=17), 12, 30)
    publisher(first)
    user = create_account(session, email=EMAIL)
    page, problems = browse(LAPTOP)
    assert sign_in(page, live_server, EMAIL, PASSWORD) == []
    opportunity = follow_from_the_page(page, live_server, session)
    session.expire_all()
    followed = session.get(SavedOpportunity, (user.id, opportunity.id))
    assert followed is not None and followed.follow_changes

    publisher(moved)

    [message] = mailbox.messages
    assert message["To"] == EMAIL
    assert message["Subject"].startswith("Cambio en un proceso que sigue")
    assert "ADQUISICION DE EQUIPOS E INSUMOS INFORMATICOS" in message["Subject"]
    text = plain_text(message)
    deadline_line = next(line for line in text.splitlines() if "Plazo para ofertas: antes" in line)
    assert deadline_line == (
        f"Plazo para ofertas: antes {spoken(first)} (hora de Lima); "
        f"ahora {spoken(moved)} (hora de Lima)"
    )
    assert "Le avisamos porque sigue este proceso." in text

    page.goto(link_after(text, "Ver en Compras MYPE:"))

    assert page.url == f"{live_server}/oportunidades/{opportunity.id}"
    shown = page.locator("main").inner_text()
    assert f"{moved:%d/%m/%Y %H:%M}" in shown
    assert "Siguiendo" in page.locator("section.watch").inner_text()
    failures = fits_phone_width(page, problems)
    assert not failures, "\n".join(failures)


def test_the_list_unsubscribe_link_stops_alert_mail_until_turned_back_on(
    session, browse, live_server, mailbox, publisher
):
    today = utcnow().astimezone(LIMA).date()
    deadlines = [lima(today + timedelta(days=days), 17) for days in (10, 12, 14, 16)]
    publisher(deadlines[0])
    user = create_account(session, email=EMAIL)
    page, problems = browse(PHONE)
    visited: dict[str, list[str]] = {}

    def arrived(step: str) -> None:
        visited[f"{step} ({page.url})"] = fits_phone_width(page, problems)

    assert sign_in(page, live_server, EMAIL, PASSWORD) == []
    follow_from_the_page(page, live_server, session)
    publisher(deadlines[1])
    [message] = mailbox.messages
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.startswith(f"{live_server}/alertas/baja/")

    page.goto(unsubscribe)
    arrived("unsubscribe link")
    with page.expect_navigation():
        page.get_by_role("button", name="Dejar de recibir alertas").click()
    arrived("unsubscribed")
    assert "Ya no le enviaremos correos de alertas" in page.locator("main").inner_text()
    publisher(deadlines[2])
    assert len(mailbox.messages) == 1, "a change alert was sent after the unsubscribe"

    session.expire_all()
    stopped_at = session.get(type(user), user.id).alerts_stopped_at.astimezone(LIMA)
    with page.expect_navigation():
        page.get_by_role("link", name="Ir a Mis alertas").first.click()
    arrived("my alerts, stopped")
    banner = f"Desde el {stopped_at:%d/%m/%Y} no le enviamos correos de alertas"
    assert banner in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Volver a recibir alertas").click()
    arrived("my alerts, resumed")

    main = page.locator("main").inner_text()
    assert "Volveremos a enviarle correos de alertas." in main
    assert "no le enviamos correos de alertas" not in main
    session.expire_all()
    assert session.get(type(user), user.id).alerts_stopped_at is None
    publisher(deadlines[3])
    assert len(mailbox.messages) == 2
    assert f"ahora {spoken(deadlines[3])}" in plain_text(mailbox.messages[1])
    failures = [f"{step}: {item}" for step, items in visited.items() for item in items]
    assert not failures, "\n".join(failures)
