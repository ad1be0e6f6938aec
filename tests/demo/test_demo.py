"""`portal demo` builds a working site: real notices through the real pipeline, and users."""

from datetime import UTC, datetime

import pytest
from lxml import html
from sqlalchemy import func, select

from portal.accounts.models import Role, User
from portal.buyers.models import Buyer
from portal.demo.operations import (
    ADMIN_EMAIL,
    SME_EMAIL,
    SME_PASSWORD,
    STAFF_EMAIL,
    STAFF_PASSWORD,
    build_demo,
)
from portal.opportunities.models import Opportunity, OpportunityStatus
from portal.plans.models import AnnualPlan, PlanLine, PlanUpload, UploadStatus
from portal.subscriptions.models import Subscription

# The demo's dates are relative to its `now`; the home page reads the real clock, so they agree.
NOW = datetime.now(UTC).replace(microsecond=0)
HOME_LIST_LENGTH = 10


@pytest.fixture
def demo(app, session):
    return build_demo(app, opportunity_count=300, now=NOW)


def test_demo_stores_hundreds_of_opportunities_from_several_buyers_and_regions(demo, session):
    assert session.scalar(select(func.count(Opportunity.id))) >= 300
    assert session.scalar(select(func.count(func.distinct(Opportunity.buyer_id)))) >= 10
    assert session.scalar(select(func.count(func.distinct(Opportunity.region_code)))) >= 8
    assert (
        session.scalar(
            select(func.count(Opportunity.id)).where(Opportunity.status == OpportunityStatus.OPEN)
        )
        > 50
    )
    assert session.scalar(select(func.count(AnnualPlan.id))) >= 4
    assert session.scalar(select(func.count(PlanLine.id))) >= 32
    assert demo.opportunities == session.scalar(select(func.count(Opportunity.id)))


def test_demo_has_calls_closed_and_awaiting_award_beside_awarded_ones(demo, session):
    def with_status(status: OpportunityStatus) -> list[Opportunity]:
        return list(session.scalars(select(Opportunity).where(Opportunity.status == status)))

    closed = with_status(OpportunityStatus.CLOSED)
    assert closed
    assert all(o.deadline_at < NOW for o in closed)
    assert with_status(OpportunityStatus.AWARDED)


def test_demo_creates_the_users_the_readme_states(demo, session):
    admin = session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    sme = session.scalar(select(User).where(User.email == SME_EMAIL))
    assert admin.role == Role.ADMIN
    assert sme.check_password(SME_PASSWORD)
    assert sme.company.size_class_code == "micro"


def test_demo_staff_signs_in_to_their_entity_and_the_sme_has_an_alert(demo, session, client):
    staff = session.scalar(select(User).where(User.email == STAFF_EMAIL))
    assert staff.is_approved_staff and staff.buyer.name.startswith("Municipalidad Distrital")

    signed_in = client.post("/ingresar", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert signed_in.status_code == 302
    entity_page = client.get("/entidad", follow_redirects=True)
    assert entity_page.status_code == 200
    assert staff.buyer.name in entity_page.get_data(as_text=True)

    sme = session.scalar(select(User).where(User.email == SME_EMAIL))
    (alert,) = session.scalars(select(Subscription).where(Subscription.user_id == sme.id))
    assert alert.keywords == "uniformes" and {r.code for r in alert.regions} == {"15", "04"}


def test_demo_staff_uploaded_their_plan_amended_it_and_left_a_draft_with_errors(
    demo, session, client
):
    staff = session.scalar(select(User).where(User.email == STAFF_EMAIL))
    versions = session.scalars(
        select(AnnualPlan).where(AnnualPlan.buyer_id == staff.buyer_id).order_by("version")
    ).all()
    uploads = session.scalars(select(PlanUpload).order_by(PlanUpload.id)).all()

    assert [(plan.version, plan.uploaded_by_id) for plan in versions] == [
        (1, staff.id),
        (2, staff.id),
    ]
    assert versions[1].approving_instrument.startswith("Resolución de Alcaldía N° 087")
    assert [upload.status for upload in uploads] == [
        UploadStatus.PUBLISHED,
        UploadStatus.PUBLISHED,
        UploadStatus.DRAFT,
    ]
    assert uploads[2].problem_count == 3 and uploads[2].line_count == 0
    linked = session.scalars(select(Opportunity).where(Opportunity.plan_line_id.is_not(None))).all()
    assert linked and all(call.plan_noticed_at is not None for call in linked)
    changes = client.get(f"/planes/{staff.buyer_id}/{NOW.year}/cambios").text
    assert 'class="lines-added"' in changes and 'class="lines-removed"' in changes


def test_running_the_demo_twice_adds_nothing(app, demo, session):
    before = session.scalar(select(func.count(Opportunity.id)))
    uploads = session.scalar(select(func.count(PlanUpload.id)))
    again = build_demo(app, opportunity_count=300, now=NOW)
    assert again.opportunities == before
    assert session.scalar(select(func.count(Buyer.id))) == demo.buyers
    assert session.scalar(select(func.count(PlanUpload.id))) == uploads


def _titles_under(page: str, heading_id: str) -> list[str]:
    """The opportunity titles listed in the section the heading labels, in page order."""
    section = html.fromstring(page).get_element_by_id(heading_id).getparent()
    return [link.text_content() for link in section.cssselect("li.opportunity a.title")]


def _open_calls(session, now: datetime) -> list[Opportunity]:
    opportunities = session.scalars(
        select(Opportunity).where(Opportunity.status == OpportunityStatus.OPEN)
    )
    return [o for o in opportunities if o.deadline_at is None or o.deadline_at > now]


def test_home_lists_the_newest_open_calls_and_those_closing_soonest(demo, client, session):
    now = datetime.now(UTC)
    open_calls = _open_calls(session, now)
    newest = sorted(open_calls, key=lambda o: (o.published_at, o.id), reverse=True)
    nearest = sorted((o for o in open_calls if o.deadline_at), key=lambda o: (o.deadline_at, o.id))

    page = client.get("/").get_data(as_text=True)

    latest = _titles_under(page, "latest-heading")
    closing = _titles_under(page, "closing-heading")
    assert latest == [o.title for o in newest[:HOME_LIST_LENGTH]]
    assert closing == [o.title for o in nearest[:HOME_LIST_LENGTH]]
    assert len(latest) == len(closing) == HOME_LIST_LENGTH  # not two empty lists agreeing


def test_demo_site_pages_answer_with_real_content(demo, client, session):
    home = client.get("/")
    assert home.status_code == 200
    assert "Últimas convocatorias abiertas" in home.get_data(as_text=True)
    opportunity = session.scalar(
        select(Opportunity).where(Opportunity.status == OpportunityStatus.OPEN).limit(1)
    )
    detail = client.get(f"/oportunidades/{opportunity.id}")
    assert detail.status_code == 200
    assert opportunity.title in detail.get_data(as_text=True)
    assert client.get("/oportunidades/999999").status_code == 404


def test_english_switch_keeps_the_page(demo, client):
    english = client.get("/?lang=en")
    assert english.status_code == 200
    assert "Latest open calls" in english.get_data(as_text=True)


def test_demo_writes_the_welcome_mail_and_an_alert_to_the_outbox(app, demo):
    from email import message_from_bytes, policy
    from pathlib import Path

    written = [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(Path(app.config["PORTAL_OUTBOX_DIR"]).glob("*.eml"))
    ]
    assert [message["To"] for message in written] == [SME_EMAIL, SME_EMAIL]
    alert = next(message for message in written if message["List-Unsubscribe"])
    text = alert.get_body(("plain",)).get_content()
    assert "«Uniformes en Lima y Arequipa»" in text and "uniformes" in text.lower()
