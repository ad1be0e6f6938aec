"""/cuenta: the company profile, changing e-mail and password, and deleting the account."""

from datetime import UTC, datetime
from decimal import Decimal

from account_factories import PASSWORD, sign_in_client
from factories import create_opportunity
from foundation_factories import make_buyer
from lxml import html
from sent_mail import body_text, links_in
from sqlalchemy import func, select, text

from notifications.models import AlertDelivery, DeliveryKind
from portal.accounts.models import AuditAction, AuditEvent, CompanyProfile, Role, User
from portal.subscriptions.models import SavedOpportunity, Subscription

RUC = "20601234565"
NEW_PASSWORD = "otra frase bastante larga"


def _company(**fields):
    return {
        "name": "Confecciones Andinas S.A.C.",
        "ruc": RUC,
        "annual_sales_pen": "480000",
        "sectors": ["53000000", "60000000"],
        "regions": ["15", "04"],
        "contact_emails": "ventas@andinas.pe\nGerencia@Andinas.pe",
        "language": "es",
        **fields,
    }


def test_an_sme_saves_its_company_and_sees_its_size_class(app, signed_in, session):
    app.config["PORTAL_UIT_YEAR"] = 2026
    client, user = signed_in()
    response = client.post("/cuenta/perfil", data=_company())
    assert response.status_code == 302

    company = session.scalar(select(CompanyProfile).where(CompanyProfile.user_id == user.id))
    assert (company.name, company.ruc, company.annual_sales_pen) == (
        "Confecciones Andinas S.A.C.",
        RUC,
        Decimal("480000.00"),
    )
    assert company.size_class_code == "micro"  # 87 UIT of S/ 5,500
    assert sorted(sector.code for sector in company.sectors) == ["53000000", "60000000"]
    assert sorted(region.code for region in company.regions) == ["04", "15"]
    assert company.contact_emails == "ventas@andinas.pe\ngerencia@andinas.pe"

    page = client.get("/cuenta").get_data(as_text=True)
    assert "Microempresa" in page
    assert "data-picklist" in page
    checked = html.fromstring(page).cssselect('input[name="sectors"][checked]')
    assert sorted(box.get("value") for box in checked) == ["53000000", "60000000"]

    client.post("/cuenta/perfil", data=_company(annual_sales_pen="13000000"))
    assert "Gran empresa" in client.get("/cuenta").get_data(as_text=True)


def test_a_bad_ruc_or_contact_email_is_explained_and_nothing_saved(signed_in, session):
    client, _user = signed_in()
    bad_ruc = client.post("/cuenta/perfil", data=_company(ruc="20601234560"))
    assert bad_ruc.status_code == 400
    assert "dígito verificador" in bad_ruc.get_data(as_text=True)
    bad_email = client.post("/cuenta/perfil", data=_company(contact_emails="ventas@andinas.pe\nno"))
    assert "«no» no es un correo válido" in bad_email.get_data(as_text=True)
    assert session.scalar(select(func.count(CompanyProfile.id))) == 0


def test_staff_and_administrators_see_their_role_without_a_company_form(signed_in, session):
    buyer = make_buyer(session, name="Municipalidad de Surco")
    session.commit()
    staff_client, _staff = signed_in(role=Role.AGENCY_STAFF, buyer=buyer)
    page = staff_client.get("/cuenta").get_data(as_text=True)
    assert "Municipalidad de Surco" in page and 'href="/entidad"' in page
    assert 'name="ruc"' not in page
    saved = staff_client.post("/cuenta/perfil", data={"language": "en"})
    assert saved.status_code == 302
    admin_client, _admin = signed_in(role=Role.ADMIN)
    admin_page = admin_client.get("/cuenta").get_data(as_text=True)
    assert "Administrador" in admin_page


def test_changing_email_needs_the_password_and_a_link_sent_to_the_new_address(
    signed_in, outbox, session
):
    client, user = signed_in(email="vieja@empresa.pe")
    wrong = client.post("/cuenta/correo", data={"email": "nueva@empresa.pe", "password": "x" * 12})
    assert wrong.status_code == 400 and "no es correcta" in wrong.get_data(as_text=True)
    assert outbox() == []

    client.post("/cuenta/correo", data={"email": "Nueva@Empresa.pe", "password": PASSWORD})
    (message,) = outbox()
    assert message["To"] == "nueva@empresa.pe"
    link = links_in(message)[0].removeprefix("http://localhost")
    assert link.startswith("/cuenta/correo/")
    session.expire_all()
    assert session.get(User, user.id).email == "vieja@empresa.pe"  # not before the link

    assert client.get(link).status_code == 200  # a confirmation button, no change yet
    assert client.post(link).status_code == 302
    session.expire_all()
    assert session.get(User, user.id).email == "nueva@empresa.pe"
    notice = outbox()[-1]
    assert notice["To"] == "vieja@empresa.pe" and "nueva@empresa.pe" in body_text(notice)
    assert client.post(link).status_code == 302  # used: refused, nothing changes
    assert len(outbox()) == 2


def test_changing_to_a_taken_address_answers_the_same_and_sends_nothing(
    signed_in, make_user, outbox
):
    taken = make_user(email="ocupada@empresa.pe")
    client, _user = signed_in()
    taken_answer = client.post("/cuenta/correo", data={"email": taken.email, "password": PASSWORD})
    free_answer = client.post(
        "/cuenta/correo", data={"email": "libre@empresa.pe", "password": PASSWORD}
    )
    assert taken_answer.status_code == free_answer.status_code == 302
    assert [message["To"] for message in outbox()] == ["libre@empresa.pe"]


def test_changing_password_keeps_this_device_and_signs_out_the_others(
    app, signed_in, session, outbox
):
    client, user = signed_in()
    other_device = app.test_client()
    sign_in_client(other_device, user)
    weak = client.post(
        "/cuenta/contrasena",
        data={
            "current_password": PASSWORD,
            "password": "1234567890",
            "password_confirm": "1234567890",
        },
    )
    assert weak.status_code == 400
    changed = client.post(
        "/cuenta/contrasena",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert client.get("/cuenta").status_code == 200
    assert other_device.get("/cuenta").status_code == 302
    session.expire_all()
    assert session.get(User, user.id).check_password(NEW_PASSWORD)
    assert outbox()[-1]["Subject"] == "Tu contraseña de Compras MYPE cambió"


def test_deleting_the_account_leaves_no_personal_data_and_keeps_deliveries(app, signed_in, session):
    client, user = signed_in(email="dueno@andinas.pe")
    client.post("/cuenta/perfil", data=_company())
    opportunity = create_opportunity(session)
    session.add(Subscription(user_id=user.id, name="Uniformes", keywords="uniformes"))
    session.add(SavedOpportunity(user_id=user.id, opportunity_id=opportunity.id))
    delivery = AlertDelivery(
        user_id=user.id,
        opportunity_id=opportunity.id,
        kind=DeliveryKind.MATCH,
        dedup_key=f"opportunity:{opportunity.id}",
        sent_at=datetime.now(UTC),
    )
    session.add(delivery)
    session.commit()

    refused = client.post("/cuenta/eliminar", data={"password": "no-es-la-clave"})
    assert refused.status_code == 400
    response = client.post("/cuenta/eliminar", data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/cuenta").status_code == 302

    session.expire_all()
    stored = session.get(User, user.id)
    assert stored.email == f"eliminado-{user.id}@cuentas.invalid"
    assert stored.deleted_at is not None and not stored.active
    assert not stored.check_password(PASSWORD)
    assert session.scalar(select(func.count(CompanyProfile.id))) == 0
    assert session.scalar(select(func.count(Subscription.id))) == 0
    assert session.scalar(select(func.count()).select_from(SavedOpportunity)) == 0
    assert session.scalar(select(func.count(AlertDelivery.id))) == 1
    event = session.scalar(select(AuditEvent).where(AuditEvent.subject_id == user.id))
    assert event.action == AuditAction.ACCOUNT_DELETED

    for table in ("users", "company_profiles", "audit_events", "auth_attempts"):
        dump = " ".join(str(row) for row in session.execute(text(f"SELECT * FROM {table}")))
        for personal in ("dueno@andinas.pe", "andinas", RUC, "Confecciones"):
            assert personal.lower() not in dump.lower(), (table, personal)
    signin = app.test_client().post(
        "/ingresar", data={"email": "dueno@andinas.pe", "password": PASSWORD}
    )
    assert "no son correctos" in signin.get_data(as_text=True)
