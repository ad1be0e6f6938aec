"""Every page of the site, for the role that uses it, in headless Chromium at 390 px and at
1366 px: no console error (CSP violations are console errors), no page error, no failed request
to the site, no sideways scrolling. The data is made long on purpose (titles, e-mails, names)."""

from datetime import UTC, datetime

import pytest
from account_factories import PASSWORD, create_account
from browser_pages import VIEWPORTS, Problems, check_page, sideways_overflow, sign_in
from factories import create_buyer, create_opportunity, create_plan

from portal.accounts.models import AuditAction, AuditEvent, CompanyProfile, Role
from portal.subscriptions.models import SavedOpportunity, Subscription

LONG_CODE = "LP-SM-0042-2026-MDSJL/CS-PRIMERA-CONVOCATORIA-PAQUETE-BIENES-ESTRATEGICOS-ITEM-01"
LONG_TITLE = (
    "Adquisición de agua potable en cisternas para el abastecimiento de los asentamientos "
    "humanos de la zona alta del distrito durante el periodo de estiaje " + LONG_CODE
)
LONG_BUYER = (
    "Municipalidad Distrital de San Juan de Lurigancho - Gerencia de Servicios a la Ciudad "
    "y Gestión Ambiental"
)
LONG_EMAIL = (
    "representante.legal.de.la.empresa.constructora.y.servicios"
    "@consorcio-inversiones-amazonicas-del-peru.com.pe"
)
SEARCH_WORD = "cisternas"

ANONYMOUS_PAGES = (
    "/",
    "/buscar",
    f"/buscar?q={SEARCH_WORD}",
    "opportunity",
    "buyer",
    "/planes/",
    "plan",
    "plan changes",
    "/ingresar",
    "/registro",
    "/recuperar",
)
SME_PAGES = (
    "/cuenta",
    "/cuenta/alertas",
    "/cuenta/alertas/nueva",
    f"/cuenta/alertas/nueva?q={SEARCH_WORD}",
    "alert",
    "/cuenta/guardadas",
    "opportunity",
)
ADMIN_PAGES = (
    *("/admin/usuarios", "/admin/auditoria", "/admin/solicitudes", "sme in admin"),
    "/admin/planes",
)
STAFF_PAGES = ("/entidad", "/cuenta", "/entidad/plan")


@pytest.fixture
def site(session) -> dict:
    """Accounts of every role and content for every page, all of it as long as real data gets."""
    buyer = create_buyer(session, name=LONG_BUYER)
    opportunity = create_opportunity(
        session, buyer=buyer, title=LONG_TITLE, description=LONG_TITLE * 3
    )
    for number in range(3):
        create_opportunity(session, buyer=buyer, title=f"Cisternas de agua, lote {number + 1}")
    plan = create_plan(session, buyer=buyer, lines=4)
    create_plan(session, buyer=buyer, lines=6, version=2)  # an amendment: two lines added
    sme = create_account(session, email=LONG_EMAIL)
    session.add(
        CompanyProfile(
            user_id=sme.id,
            ruc="20131312955",
            name="Consorcio de Inversiones Amazónicas del Perú Sociedad Anónima Cerrada " * 2,
            contact_emails=f"{LONG_EMAIL}\nventas.{LONG_EMAIL}",
        )
    )
    alert = Subscription(user_id=sme.id, name=LONG_TITLE[:120], keywords=SEARCH_WORD)
    session.add(alert)
    session.add(SavedOpportunity(user_id=sme.id, opportunity_id=opportunity.id))
    # Stopped alert mail with a List-Unsubscribe click, quiet hours set: every part of the
    # alerts page shows.
    stopped = create_account(session, email=f"baja.{LONG_EMAIL}")
    stopped.alerts_stopped_at = datetime.now(UTC)
    stopped.quiet_from_hour, stopped.quiet_until_hour = 22, 7
    session.add(Subscription(user_id=stopped.id, name=LONG_TITLE[:120], keywords=SEARCH_WORD))
    admin = create_account(session, role=Role.ADMIN, email=f"admin.{LONG_EMAIL}"[:254])
    staff = create_account(
        session, role=Role.AGENCY_STAFF, buyer=buyer, email=f"staff.{LONG_EMAIL}"
    )
    create_account(
        session, role=Role.AGENCY_STAFF, buyer=buyer, email=f"pending.{LONG_EMAIL}", approved=False
    )
    session.add(
        AuditEvent(
            at=datetime.now(UTC),
            action=AuditAction.LOGIN_FAILED,
            subject_id=sme.id,
            client_address="2001:db8:85a3:0000:0000:8a2e:0370:7334",
            detail=f"Intento fallido para {LONG_EMAIL}",
        )
    )
    session.commit()
    return {
        "users": {
            "sme": sme.email,
            "stopped sme": stopped.email,
            "admin": admin.email,
            "staff": staff.email,
        },
        "opportunity": f"/oportunidades/{opportunity.id}",
        "buyer": f"/entidades/{buyer.id}",
        "plan": f"/planes/{buyer.id}/{plan.fiscal_year}",
        "plan changes": f"/planes/{buyer.id}/{plan.fiscal_year}/cambios",
        "alert": f"/cuenta/alertas/{alert.id}",
        "sme in admin": f"/admin/usuarios/{sme.id}",
    }


@pytest.fixture
def visit(new_context, live_server, site, screenshots):
    """visit(path or page name, as_role=None) -> the failures of that page, signed in first by
    the real login form when a role is given."""

    def run(name: str, as_role: str | None = None) -> list[str]:
        page = new_context().new_page()
        problems = Problems(live_server)
        problems.watch(page)
        failures = []
        if as_role:
            failures += sign_in(page, live_server, site["users"][as_role], PASSWORD)
            failures += [f"while signing in: {item}" for item in problems.take()]
        path = site.get(name, name)
        return failures + check_page(page, problems, live_server + path, screenshots)

    return run


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_public_page_works_in_a_browser(visit, name):
    failures = visit(name)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", SME_PAGES)
def test_sme_page_works_in_a_browser(visit, name):
    failures = visit(name, as_role="sme")
    assert not failures, "\n".join(failures)


def test_alerts_page_of_a_user_who_stopped_alert_mail_works_in_a_browser(visit):
    failures = visit("/cuenta/alertas", as_role="stopped sme")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda viewport: f"{viewport['width']}px")
def test_refused_sending_preferences_fit_in_a_browser(new_context, live_server, site, viewport):
    page = new_context().new_page()
    page.set_viewport_size(viewport)
    problems = Problems(live_server)
    problems.watch(page)
    assert sign_in(page, live_server, site["users"]["sme"], PASSWORD) == []
    page.goto(f"{live_server}/cuenta/alertas")
    page.get_by_label("Máximo de correos de alertas inmediatas por día").fill("0")
    page.get_by_label("Horas de silencio: desde las").select_option("22")

    with page.expect_navigation():
        page.get_by_role("button", name="Guardar preferencias").click()

    assert page.locator(".field-error").count() == 2
    # The refusal's own 400, which the browser reports as a response and in the console.
    refusal = ("/cuenta/alertas/preferencias", "400")
    failures = [item for item in problems.take() if not all(part in item for part in refusal)]
    failures += sideways_overflow(page)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_page_works_in_a_browser(visit, name):
    failures = visit(name, as_role="admin")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_agency_staff_page_works_in_a_browser(visit, name):
    failures = visit(name, as_role="staff")
    assert not failures, "\n".join(failures)


def test_the_site_has_an_icon(new_context, live_server):
    """Every browser asks for /favicon.ico; a 404 there is an error in every visitor's console."""
    page = new_context().new_page()
    problems = Problems(live_server, ignore_icon=False)
    problems.watch(page)
    page.goto(live_server + "/")
    page.wait_for_load_state("networkidle")
    found = problems.take()

    assert not found, "\n".join(found)
