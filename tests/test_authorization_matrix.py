"""Every route, every role, the exact status each gets.

The table names every rule of the app's URL map: a new route without a row fails
`test_every_route_is_in_the_matrix`, so nobody adds a page without deciding who may use it.
Requests are the emptiest a client can send (GET, or POST with no form): what counts here is
who gets past authorisation, not what a form then says. CSRF is off in the test app (its
rejection is tested with the forms); anonymous visitors of a signed-in area are sent to sign in.
"""

import pytest
from account_factories import sign_in_client
from factories import create_buyer, create_opportunity, create_plan

from portal.accounts.models import Role
from portal.plans.models import PlanUpload
from portal.statistics import views as stats
from portal.subscriptions.models import SavedOpportunity, Subscription

ROLES = ("anonymous", "sme", "staff_a", "staff_b", "admin")
ALL_OK = dict.fromkeys(ROLES, 200)
SIGN_IN = 302  # anonymous visitors of signed-in pages go to /ingresar?next=...


def _each(anonymous, sme, staff_a, staff_b, admin) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, sme, staff_a, staff_b, admin), strict=True))


# (method, rule) -> status per role. {ids} in a rule's example URL are filled from the world.
MATRIX: dict[tuple[str, str], tuple[str, dict[str, int]]] = {}


def route(method: str, rule: str, example: str, statuses: dict[str, int]) -> None:
    MATRIX[(method, rule)] = (example, statuses)


ID = "<int(max=2147483647):{}>"
PLAN = "/planes/" + ID.format("buyer_id") + "/<int(max=9999):year>"
OCDS_EXTENSION_FILES = (
    "/ocds/extensiones/plazo-minimo/extension.json",
    "/ocds/extensiones/plazo-minimo/release-schema.json",
)
# Public pages, feeds and the read-only API: the same for everyone.
for rule, example in (
    ("/", "/"),
    ("/buscar", "/buscar"),
    ("/buscar.atom", "/buscar.atom"),
    ("/buscar.ics", "/buscar.ics"),
    ("/buscar.ocds.json", "/buscar.ocds.json"),
    *((path, path) for path in OCDS_EXTENSION_FILES),
    ("/buscar.rss", "/buscar.rss"),
    ("/buscar.csv", "/buscar.csv"),
    ("/buscar.xlsx", "/buscar.xlsx"),
    ("/api/v1/openapi.json", "/api/v1/openapi.json"),
    ("/api/v1/opportunities", "/api/v1/opportunities"),
    ("/api/v1/opportunities.ocds.json", "/api/v1/opportunities.ocds.json"),
    ("/api/v1/opportunities/<int:opportunity_id>", "/api/v1/opportunities/{opportunity}"),
    ("/api/v1/plans", "/api/v1/plans"),
    ("/oportunidades/" + ID.format("opportunity_id"), "/oportunidades/{opportunity}"),
    ("/oportunidades/" + ID.format("opportunity_id") + ".ics", "/oportunidades/{opportunity}.ics"),
    ("/entidades/", "/entidades/"),
    ("/entidades/" + ID.format("buyer_id"), "/entidades/{buyer_a}"),
    ("/planes/", "/planes/"),
    ("/fuentes", "/fuentes"),
    (PLAN, "/planes/{buyer_a}/{year}"),
    (PLAN + "/cambios", "/planes/{buyer_a}/{year}/cambios"),
    (PLAN + "/exportar", "/planes/{buyer_a}/{year}/exportar"),
    ("/static/<path:filename>", "/static/portal.css"),
):
    route("GET", rule, example, ALL_OK)
route("GET", "/favicon.ico", "/favicon.ico", dict.fromkeys(ROLES, 301))

# Signing up, in and out: open to everyone. Signed-in visitors are sent on from the sign-in
# form; empty forms are answered with the form again (200) or, for a bad link, 400.
route("GET", "/ingresar", "/ingresar", _each(200, 302, 302, 302, 302))
route("POST", "/ingresar", "/ingresar", ALL_OK)
route("GET", "/registro", "/registro", ALL_OK)
route("POST", "/registro", "/registro", ALL_OK)
route("GET", "/recuperar", "/recuperar", ALL_OK)
route("POST", "/recuperar", "/recuperar", ALL_OK)
BAD_LINK = dict.fromkeys(ROLES, 400)
route("GET", "/recuperar/<token>", "/recuperar/not-a-token", BAD_LINK)
route("POST", "/recuperar/<token>", "/recuperar/not-a-token", BAD_LINK)
route("GET", "/verificar/<token>", "/verificar/not-a-token", BAD_LINK)
route("GET", "/verificar/nuevo", "/verificar/nuevo", ALL_OK)
route("POST", "/verificar/nuevo", "/verificar/nuevo", ALL_OK)
route("POST", "/salir", "/salir", dict.fromkeys(ROLES, 302))
# Alert links from the mail: the signed token is the credential, whoever is signed in.
for rule, example in (
    ("/alertas/baja/<token>", "/alertas/baja/not-a-token"),
    ("/alertas/baja/suscripcion/<token>", "/alertas/baja/suscripcion/not-a-token"),
    ("/alertas/seguir/<token>", "/alertas/seguir/not-a-token"),
):
    route("GET", rule, example, BAD_LINK)
    route("POST", rule, example, BAD_LINK)

# One's own account, alerts and watchlist: any signed-in user, each only their own things.
SIGNED_IN = _each(SIGN_IN, 200, 200, 200, 200)
EMPTY_FORM = _each(SIGN_IN, 400, 400, 400, 400)  # refused as a bad request, nothing changed
DONE = _each(SIGN_IN, 302, 302, 302, 302)  # done (or nothing to do), back to a page
route("GET", "/cuenta", "/cuenta", SIGNED_IN)
route("POST", "/cuenta/perfil", "/cuenta/perfil", _each(SIGN_IN, 400, 302, 302, 302))
for rule in ("/cuenta/correo", "/cuenta/contrasena", "/cuenta/eliminar"):
    route("POST", rule, rule, EMPTY_FORM)
route("GET", "/cuenta/correo/<token>", "/cuenta/correo/not-a-token", SIGNED_IN)
route("POST", "/cuenta/correo/<token>", "/cuenta/correo/not-a-token", DONE)
route("GET", "/cuenta/alertas", "/cuenta/alertas", SIGNED_IN)
route("GET", "/cuenta/alertas/nueva", "/cuenta/alertas/nueva", SIGNED_IN)
route("POST", "/cuenta/alertas/nueva", "/cuenta/alertas/nueva", EMPTY_FORM)
route("POST", "/cuenta/alertas/desde-busqueda", "/cuenta/alertas/desde-busqueda", DONE)
route("POST", "/cuenta/alertas/preferencias", "/cuenta/alertas/preferencias", EMPTY_FORM)
route("POST", "/cuenta/alertas/reanudar-correos", "/cuenta/alertas/reanudar-correos", DONE)
# The SME owns the world's alert: anyone else's request finds nothing there.
SUBSCRIPTION = "/cuenta/alertas/" + ID.format("subscription_id")
route("GET", SUBSCRIPTION, "/cuenta/alertas/{subscription}", _each(SIGN_IN, 200, 404, 404, 404))
route("POST", SUBSCRIPTION, "/cuenta/alertas/{subscription}", _each(SIGN_IN, 400, 404, 404, 404))
for action in ("pausar", "reanudar", "eliminar"):
    example = f"/cuenta/alertas/{{subscription}}/{action}"
    route("POST", f"{SUBSCRIPTION}/{action}", example, _each(SIGN_IN, 302, 404, 404, 404))
route("GET", "/cuenta/guardadas", "/cuenta/guardadas", SIGNED_IN)
SAVED = "/cuenta/guardadas/" + ID.format("opportunity_id")
route("POST", SAVED, "/cuenta/guardadas/{opportunity}", DONE)
route("POST", SAVED + "/quitar", "/cuenta/guardadas/{opportunity}/quitar", DONE)
route("POST", SAVED + "/avisos", "/cuenta/guardadas/{opportunity}/avisos", DONE)

# Administrators only; their decisions answer "see other" (303) back to the user's page.
ADMIN_ONLY = _each(SIGN_IN, 403, 403, 403, 200)
route("GET", "/admin", "/admin", _each(SIGN_IN, 403, 403, 403, 302))
for rule in ("/admin/usuarios", "/admin/solicitudes", "/admin/auditoria", "/admin/planes"):
    route("GET", rule, rule, ADMIN_ONLY)
route("GET", "/admin/planes.csv", "/admin/planes.csv", ADMIN_ONLY)
route("GET", "/admin/plazos", "/admin/plazos", ADMIN_ONLY)
route("POST", "/admin/plazos", "/admin/plazos", _each(SIGN_IN, 403, 403, 403, 303))
# an empty form is refused (400); removing a day not recorded says so and goes back (303)
NON_WORKING = "/admin/plazos/dias-no-laborables"
route("POST", NON_WORKING, NON_WORKING, _each(SIGN_IN, 403, 403, 403, 400))
route(
    "POST",
    NON_WORKING + "/<string(length=10):day>/quitar",
    NON_WORKING + "/2026-06-29/quitar",
    _each(SIGN_IN, 403, 403, 403, 303),
)
# Lead-time statistics: the public part for everyone, all of it for administrators only.
for prefix, charts, figures, statuses in (
    ("/estadisticas", stats.PUBLIC_CHARTS, stats.PUBLIC_FIGURES, ALL_OK),
    ("/admin/estadisticas", stats.ADMIN_CHARTS, stats.ADMIN_FIGURES, ADMIN_ONLY),
):
    route("GET", prefix, prefix, statuses)
    chart = f"{prefix}/graficos/{stats.figure_key(charts)}.svg"
    route("GET", chart, f"{prefix}/graficos/tendencia.svg", statuses)
    route("GET", f"{prefix}/{stats.figure_key(figures)}.csv", f"{prefix}/tendencia.csv", statuses)
USER = "/admin/usuarios/" + ID.format("user_id")
route("GET", USER, "/admin/usuarios/{pending_staff}", ADMIN_ONLY)
for action in ("aprobar", "rechazar", "desactivar", "reactivar", "rol"):
    example = f"/admin/usuarios/{{pending_staff}}/{action}"
    route("POST", f"{USER}/{action}", example, _each(SIGN_IN, 403, 403, 403, 303))

# An entity's staff page: its approved staff and administrators.
route("GET", "/entidad", "/entidad", _each(SIGN_IN, 403, 302, 302, 200))
ENTITY = "/entidad/" + ID.format("buyer_id")
route("GET", ENTITY, "/entidad/{buyer_a}", _each(SIGN_IN, 403, 200, 403, 200))

# An entity's plan upload: its approved staff (their entity and its drafts only) and
# administrators. An empty upload is refused as a bad request (administrators: no entity named).
route("GET", "/entidad/plan", "/entidad/plan", _each(SIGN_IN, 403, 200, 200, 200))
route("POST", "/entidad/plan", "/entidad/plan", _each(SIGN_IN, 403, 400, 400, 400))
for rule in ("/entidad/plan/plantilla.csv", "/entidad/plan/plantilla.xlsx"):
    route("GET", rule, rule, _each(SIGN_IN, 403, 200, 200, 200))
DRAFT = "/entidad/plan/borrador/" + ID.format("upload_id")
route("GET", DRAFT, "/entidad/plan/borrador/{draft_a}", _each(SIGN_IN, 403, 200, 403, 200))
for action in ("publicar", "descartar"):  # an empty file: refused, back to the draft
    example = f"/entidad/plan/borrador/{{draft_a}}/{action}"
    route("POST", f"{DRAFT}/{action}", example, _each(SIGN_IN, 403, 302, 403, 302))


@pytest.fixture
def world(app, session):
    """Two entities with a member of staff each, an SME with an alert and a saved notice, an
    administrator and a pending member of staff of entity A."""
    from account_factories import create_account

    buyer_a, buyer_b = create_buyer(session), create_buyer(session)
    opportunity = create_opportunity(session, buyer_id=buyer_a.id)
    plan = create_plan(session, buyer=buyer_a)
    users = {
        "sme": create_account(session),
        "staff_a": create_account(session, role=Role.AGENCY_STAFF, buyer=buyer_a),
        "staff_b": create_account(session, role=Role.AGENCY_STAFF, buyer=buyer_b),
        "admin": create_account(session, role=Role.ADMIN),
    }
    pending = create_account(session, role=Role.AGENCY_STAFF, buyer=buyer_a, approved=False)
    draft = PlanUpload(
        buyer_id=buyer_a.id, fiscal_year=plan.fiscal_year, filename="pac.csv", content=b"",
        size_bytes=0, sha256="0" * 64,
    )  # fmt: skip
    session.add(draft)
    subscription = Subscription(user_id=users["sme"].id, name="Uniformes", keywords="uniformes")
    session.add(subscription)
    session.add(SavedOpportunity(user_id=users["sme"].id, opportunity_id=opportunity.id))
    session.commit()
    ids = {
        "opportunity": opportunity.id,
        "buyer_a": buyer_a.id,
        "year": plan.fiscal_year,
        "subscription": subscription.id,
        "pending_staff": pending.id,
        "draft_a": draft.id,
    }
    return users, ids


def _client_as(app, users, role):
    client = app.test_client()
    if role != "anonymous":
        sign_in_client(client, users[role])
    return client


def test_every_route_is_in_the_matrix(app):
    rules = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert rules - set(MATRIX) == set(), "routes nobody decided who may use"
    assert set(MATRIX) - rules == set(), "rows for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_status_on_every_route(app, world, role):
    users, ids = world
    got, expected = {}, {}
    for (method, _rule), (example, statuses) in MATRIX.items():  # deletions come last
        client = _client_as(app, users, role)  # fresh: /salir and /cuenta/eliminar end sessions
        url = example.format(**ids)
        with client.open(url, method=method) as response:
            got[(method, url)] = response.status_code
            location = response.headers.get("Location", "")
        expected[(method, url)] = statuses[role]
        if role == "anonymous" and statuses[role] == SIGN_IN and not url.startswith("/salir"):
            assert location.startswith("/ingresar?next="), url
    assert got == expected


def test_anonymous_visitors_come_back_to_the_page_they_asked_for(app, world):
    response = app.test_client().get("/cuenta/alertas/nueva?q=uniformes")

    assert response.status_code == SIGN_IN
    next_page = "%2Fcuenta%2Falertas%2Fnueva%3Fq%3Duniformes"
    assert response.headers["Location"] == f"/ingresar?next={next_page}"


def test_a_deactivated_account_is_signed_out_on_its_next_request(app, session, world):
    users, _ids = world
    client = _client_as(app, users, "sme")
    users["sme"].active = False
    session.commit()

    assert client.get("/cuenta").status_code == SIGN_IN
