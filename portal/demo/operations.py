"""`portal demo`: a working portal on the embedded default, fed through the real pipeline."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from flask import Flask, url_for
from sqlalchemy import func, select

from notifications.jobs import match_alerts, send_alerts
from notifications.messages import send_message
from portal.accounts.models import CompanyProfile, Role, User
from portal.accounts.operations import create_user
from portal.accounts.size import size_class_for_sales
from portal.buyers.models import Buyer
from portal.db import db
from portal.demo.catalogue import BUYERS
from portal.demo.files import (
    pac_draft_with_errors_csv,
    uploaded_pac_xlsx,
    write_ocds_package,
    write_plan_csv,
    write_private_feed,
)
from portal.migrate import upgrade_database
from portal.opportunities.models import Opportunity
from portal.plan_upload.operations import publish_draft, store_draft
from portal.plans.models import AnnualPlan, PlanLine
from portal.reference.loader import load_reference
from portal.reference.models import Department, Sector
from portal.reference.uit import current_uit_year
from portal.search.params import parse_search_args
from portal.subscriptions.models import Frequency, Subscription
from portal.subscriptions.params import apply_params
from scrapers import local_files
from scrapers.fetch import Fetcher, settings_from_config
from scrapers.models import SourceKind
from scrapers.pipeline import options_from_config, run_source
from scrapers.sources import add_source, find_source

ADMIN_EMAIL = "admin@comprasmype.pe"
ADMIN_PASSWORD = "demo-admin-2026"
SME_EMAIL = "mype@textilesgamarra.pe"
SME_PASSWORD = "demo-mype-2026"
SME_RUC = "20601234565"  # generated: valid check digit, not a real company
STAFF_EMAIL = "logistica@munivillaelsalvador.pe"
STAFF_PASSWORD = "demo-entidad-2026"
STAFF_BUYER = 2  # BUYERS[2], Villa El Salvador: its staff upload its PAC in the demo
PAC_PUBLISHED_DAYS_AGO = (45, 8)  # the plan, then its first modification
PLAN_BUYERS = 4
DEMO_BASE_URL = "http://127.0.0.1:5000"  # `portal demo --serve`'s default port


@dataclass
class DemoSummary:
    opportunities: int = 0
    plan_lines: int = 0
    buyers: int = 0
    runs: list[str] = field(default_factory=list)
    alerts: str = ""

    def lines(self) -> list[str]:
        return [
            *self.runs,
            *([self.alerts] if self.alerts else []),
            f"Convocatorias: {self.opportunities} · Líneas de PAC: {self.plan_lines} · "
            f"Entidades: {self.buyers}",
            f"Administrador: {ADMIN_EMAIL} / {ADMIN_PASSWORD}",
            f"Usuario MYPE: {SME_EMAIL} / {SME_PASSWORD}",
            f"Personal de entidad: {STAFF_EMAIL} / {STAFF_PASSWORD}",
        ]


def build_demo(
    app: Flask, opportunity_count: int = 400, now: datetime | None = None
) -> DemoSummary:
    """Idempotent: running it twice leaves one copy of everything (the pipeline dedupes)."""
    now = now or datetime.now(UTC)
    upgrade_database(app)
    load_reference(db.session)
    db.session.commit()
    # where local sources may be read (PORTAL_LOCAL_SOURCES_DIR, the instance folder by default)
    allowed = local_files.folders(app.config["PORTAL_LOCAL_SOURCES_DIR"])
    folder = (allowed[0] if allowed else Path(app.instance_path)) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    sources = _write_sources(folder, opportunity_count, now)
    summary = DemoSummary()
    options = options_from_config(app.config)
    with Fetcher(settings_from_config(app.config)) as fetcher:
        for key, kind, name, path, config in sources:
            source = find_source(db.session, key) or add_source(
                db.session, key, kind, path.as_uri(), name=name, config=config, interval_minutes=30
            )
            db.session.commit()
            run = run_source(db.session, source, now, fetcher, options)
            summary.runs.append(
                f"{key}: {run.status.value} (nuevas {run.new}, actualizadas {run.updated}, "
                f"sin cambios {run.unchanged}, fallidas {run.failed})"
                + (f" — {run.error}" if run.error else "")
            )
    _create_demo_users(app, now)
    _create_demo_staff(now)
    _upload_demo_plan(now)
    summary.alerts = _send_demo_alerts(app)
    summary.opportunities = db.session.scalar(select(func.count(Opportunity.id)))
    summary.plan_lines = db.session.scalar(select(func.count(PlanLine.id)))
    summary.buyers = db.session.scalar(select(func.count(Buyer.id)))
    return summary


def _write_sources(folder: Path, count: int, now: datetime) -> list:
    ocds_path = folder / "seace-convocatorias.json"
    write_ocds_package(ocds_path, count, now)
    feed_path = folder / "minera-proveedores-locales.rss"
    write_private_feed(feed_path, now)
    sources = [
        ("demo-seace-ocds", SourceKind.OCDS, "SEACE (OCDS, demostración)", ocds_path, {}),
        (
            "demo-minera-rss",
            SourceKind.FEED,
            "Minera Andina del Sur (RSS, demostración)",
            feed_path,
            {},
        ),
    ]
    for index, buyer in enumerate(BUYERS[:PLAN_BUYERS]):
        if index == STAFF_BUYER:  # uploaded by its staff instead (_upload_demo_plan)
            continue
        plan_path = folder / f"pac-{buyer.ruc}-{now.year}.csv"
        write_plan_csv(plan_path, buyer, now.year, now, seed=index)
        key = f"demo-pac-{buyer.acronym.lower()}"
        sources.append((key, SourceKind.PLAN_FILE, f"PAC {buyer.name}", plan_path, {}))
    return sources


def _create_demo_users(app: Flask, now: datetime) -> None:
    """The README's accounts, verified so they sign in at /ingresar straight away."""
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    if admin is None:
        create_user(db.session, ADMIN_EMAIL, ADMIN_PASSWORD, Role.ADMIN, now=now)
    elif admin.email_verified_at is None:  # a demo database from before verification existed
        admin.email_verified_at = now
    sme = db.session.scalar(select(User).where(User.email == SME_EMAIL))
    if sme is not None:
        sme.email_verified_at = sme.email_verified_at or now
        db.session.commit()
        return
    sme = create_user(db.session, SME_EMAIL, SME_PASSWORD, Role.SME, now=now)
    sales = Decimal("480000")
    company = CompanyProfile(
        user_id=sme.id,
        ruc=SME_RUC,
        name="Textiles Gamarra Unidos S.A.C. (demostración)",
        annual_sales_pen=sales,
        size_class_code=size_class_for_sales(db.session, sales, current_uit_year(app.config, now)),
        contact_emails=SME_EMAIL,
    )
    db.session.add(company)
    company.sectors = [db.session.get(Sector, "53000000"), db.session.get(Sector, "60000000")]
    company.regions = [db.session.get(Department, "15"), db.session.get(Department, "04")]
    alert = Subscription(
        user_id=sme.id, name="Uniformes en Lima y Arequipa", frequency=Frequency.IMMEDIATE
    )
    apply_params(db.session, alert, parse_search_args({"q": "uniformes", "region": ["15", "04"]}))
    db.session.add(alert)
    db.session.commit()
    send_message("welcome", SME_EMAIL, email=SME_EMAIL, url=_login_url(app))


def _send_demo_alerts(app: Flask) -> str:
    """Match what the sources brought against the demo alert and send it, as the scheduler
    does after a scrape run: the messages land in the outbox folder (or go to SMTP_URL)."""
    matched = match_alerts(app)
    sent = send_alerts(app)
    return (
        f"Alertas: {matched.matches} registradas, {sent.messages} correos enviados "
        f"({app.config.get('SMTP_URL') or app.config['PORTAL_OUTBOX_DIR']})"
    )


def _create_demo_staff(now: datetime) -> None:
    """An approved member of an entity's staff, so /entidad shows what agency staff see."""
    if db.session.scalar(select(User.id).where(User.email == STAFF_EMAIL)):
        return
    buyer = db.session.scalar(select(Buyer).where(Buyer.ruc == BUYERS[STAFF_BUYER].ruc))
    if buyer is None:  # the entity comes from the demo's sources; without it, no staff
        return
    staff = create_user(
        db.session, STAFF_EMAIL, STAFF_PASSWORD, Role.AGENCY_STAFF, buyer=buyer, now=now
    )
    staff.staff_approved_at = now
    db.session.commit()


def _upload_demo_plan(now: datetime) -> None:
    """The staff's entity publishes its PAC through /entidad/plan's own operations, amends it
    five weeks later, and leaves a draft with mistakes: the upload page, the plan's versions
    and their differences all have something to show."""
    staff = db.session.scalar(select(User).where(User.email == STAFF_EMAIL))
    if staff is None or staff.buyer_id is None:
        return
    buyer = db.session.get(Buyer, staff.buyer_id)
    published = db.session.scalar(
        select(AnnualPlan.id).where(
            AnnualPlan.buyer_id == buyer.id, AnnualPlan.fiscal_year == now.year
        )
    )
    if published is not None:
        return
    demo_buyer = BUYERS[STAFF_BUYER]
    for amendment, days_ago in enumerate(PAC_PUBLISHED_DAYS_AGO):
        moment = now - timedelta(days=days_ago)
        upload = store_draft(
            db.session,
            buyer=buyer,
            fiscal_year=now.year,
            user=staff,
            filename=f"PAC-{now.year}-MVES-v{amendment + 1}.xlsx",
            payload=uploaded_pac_xlsx(demo_buyer, now.year, now, amendment),
            now=moment,
        )
        publish_draft(db.session, upload, staff, moment)
        db.session.commit()
    store_draft(
        db.session,
        buyer=buyer,
        fiscal_year=now.year,
        user=staff,
        filename=f"PAC-{now.year}-MVES-modificacion-2.csv",
        payload=pac_draft_with_errors_csv(demo_buyer, now.year),
        now=now,
    )
    db.session.commit()


def _login_url(app: Flask) -> str:
    """The sign-in page on PORTAL_BASE_URL, or on the address `portal demo --serve` uses."""
    base = app.config.get("PORTAL_BASE_URL") or DEMO_BASE_URL
    with app.test_request_context(base_url=base):
        return url_for("auth.login", _external=True)


def serve_demo(app: Flask, port: int) -> None:
    """The development server plus the scheduler in-process, as the demo's single command.

    run_simple, not app.run: Flask ignores app.run() inside its own CLI, which `portal` is.
    """
    from werkzeug.serving import run_simple

    from scrapers.scheduler import build_scheduler

    app.config["PORTAL_DEV_BASE_URL"] = f"http://127.0.0.1:{port}"
    scheduler = build_scheduler(app, blocking=False)
    scheduler.start()
    try:
        run_simple("127.0.0.1", port, app, threaded=True)
    finally:
        scheduler.shutdown(wait=False)
