"""Administrators' pages: users, roles, agency staff approval, the audit log and which
entities have published their annual plan."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import require_role
from portal.accounts.models import AuditAction, Role, User
from portal.admin import operations
from portal.admin.deadline_form import DeadlineFloorForm, NonWorkingDayForm
from portal.admin.forms import DecisionForm, RoleForm
from portal.admin.labels import ACTION_LABELS, ROLE_LABELS, STATE_LABELS, action_label, role_label
from portal.admin.queries import STATES, audit_events, pending_staff, search_users
from portal.buyers.models import GovernmentLevel
from portal.buyers.queries import buyer_by_reference
from portal.db import db
from portal.deadlines.display import days_text
from portal.deadlines.operations import (
    change_admin_floor,
    forget_non_working_day,
    minimums_overview,
    record_non_working_day,
)
from portal.deadlines.rules import DIRECT_PROCEDURES
from portal.deadlines.settings import MAX_FLOOR_DAYS
from portal.pagination import PER_PAGE, Page
from portal.plans import compliance
from portal.plans.params import parse_region, parse_year
from portal.plans.queries import plan_years
from portal.reference.departments import departments_in_order
from portal.search.params import InvalidSearchParams
from portal.security.links import safe_next
from portal.spreadsheets import csv_bytes, download

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
require_role(blueprint, Role.ADMIN)

MAX_ID = 2147483647
USER_ID = f"<int(max={MAX_ID}):user_id>"


@blueprint.get("")
def index():
    return redirect(url_for("admin.users"))


@blueprint.get("/usuarios")
def users():
    email = _text_arg("q")
    role = _choice(Role, request.args.get("role"))
    state = request.args.get("state") if request.args.get("state") in STATES else None
    found = search_users(db.session, email, role, state, _page_number())
    return render_template("admin/users.html", found=found, q=email, role=role, state=state)


@blueprint.get(f"/usuarios/{USER_ID}")
def user(user_id: int):
    user = _user_or_404(user_id)
    entity = (user.buyer.ruc or str(user.buyer.id)) if user.buyer else ""
    return render_template(
        "admin/user.html",
        user=user,
        role_form=RoleForm(role=user.role.value, entity=entity),
        decision_form=DecisionForm(),
        events=audit_events(db.session, user_id=user.id).items[:10],
    )


@blueprint.post(f"/usuarios/{USER_ID}/rol")
def change_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return _back_to(user)
    buyer = None
    if form.chosen_role == Role.AGENCY_STAFF and form.entity.data:
        buyer = buyer_by_reference(db.session, form.entity.data)
        if buyer is None:
            flash(_("No encontramos una entidad con ese RUC o número."), "error")
            return _back_to(user)
    _decide(
        lambda admin: operations.change_role(
            db.session, admin, user, form.chosen_role, buyer, datetime.now(UTC)
        ),
        _("Rol actualizado. La persona deberá ingresar de nuevo."),
    )
    return _back_to(user)


@blueprint.post(f"/usuarios/{USER_ID}/aprobar")
def approve(user_id: int):
    user = _user_or_404(user_id)
    if _decide(
        lambda admin: operations.approve_staff(db.session, admin, user, datetime.now(UTC)),
        _("Solicitud aprobada: ya puede gestionar la página de su entidad."),
    ):
        _notify(user, user.buyer.name, approved=True)
    return _back_to(user)


@blueprint.post(f"/usuarios/{USER_ID}/rechazar")
def refuse(user_id: int):
    user = _user_or_404(user_id)
    entity = user.buyer.name if user.buyer else ""
    if _decide(
        lambda admin: operations.refuse_staff(db.session, admin, user),
        _("Solicitud rechazada: la cuenta sigue como cuenta MYPE."),
    ):
        _notify(user, entity, approved=False)
    return _back_to(user)


@blueprint.post(f"/usuarios/{USER_ID}/desactivar")
def deactivate(user_id: int):
    user = _user_or_404(user_id)
    _decide(
        lambda admin: operations.deactivate(db.session, admin, user),
        _("Cuenta desactivada: sus sesiones abiertas se cerraron."),
    )
    return _back_to(user)


@blueprint.post(f"/usuarios/{USER_ID}/reactivar")
def reactivate(user_id: int):
    user = _user_or_404(user_id)
    _decide(
        lambda admin: operations.reactivate(db.session, admin, user),
        _("Cuenta reactivada."),
    )
    return _back_to(user)


@blueprint.get("/solicitudes")
def requests():
    return render_template(
        "admin/requests.html", pending=pending_staff(db.session), decision_form=DecisionForm()
    )


@blueprint.get("/auditoria")
def audit():
    action = _choice(AuditAction, request.args.get("action"))
    email = _text_arg("email")
    user_id = request.args.get("user", type=int)
    if user_id is not None and not 0 < user_id <= MAX_ID:  # no such row; SQLite can't even bind it
        user_id = None
    found = audit_events(db.session, action, email, user_id, _page_number())
    return render_template(
        "admin/audit.html", found=found, action=action, email=email, user_id=user_id
    )


@blueprint.get("/planes")
def plans():
    filters = _compliance_filters()
    summary = compliance.compliance_summary(db.session, filters)
    number = _page_number()
    rows = compliance.compliance_rows(
        db.session, filters, limit=PER_PAGE, offset=(number - 1) * PER_PAGE
    )
    return render_template(
        "admin/plans.html",
        filters=filters,
        summary=summary,
        found=Page(list(rows), summary.total, number),
        years=sorted({*plan_years(db.session), _current_year(), filters.fiscal_year}, reverse=True),
        levels=compliance.LEVEL_LABELS,
        regions=departments_in_order(db.session),
    )


@blueprint.get("/planes.csv")
def plans_csv():
    filters = _compliance_filters()
    header = [
        _("Entidad"),
        "RUC",
        _("Nivel de gobierno"),
        _("Región"),
        _("Estado"),
        _("Primera publicación"),
        _("Versión vigente"),
        _("Modificaciones"),
        _("Fecha de la versión vigente"),
        _("Líneas"),
        _("Valor estimado (S/)"),
    ]
    rows = (_compliance_cells(row) for row in compliance.compliance_rows(db.session, filters))
    return download(csv_bytes(header, rows), f"planes-{filters.fiscal_year}.csv", "csv")


@blueprint.route("/plazos", methods=["GET", "POST"])
def deadlines():
    """The floor for procedures without a legal minimum; saving it recomputes their flags."""
    overview = minimums_overview(db.session)
    form = DeadlineFloorForm(days=overview.floor)
    if request.method == "POST":
        if not form.validate():
            return _deadlines_page(form, overview), 400
        report = change_admin_floor(db.session, form.days.data, current_user.id, datetime.now(UTC))
        flash(
            _(
                "Plazo guardado. Convocatorias recalculadas: %(changed)d; con plazo corto: "
                "%(flagged)d.",
                changed=report.changed,
                flagged=report.flagged,
            ),
            "success",
        )
        return redirect(url_for("admin.deadlines"), 303)
    return _deadlines_page(form, overview)


@blueprint.post("/plazos/dias-no-laborables")
def add_non_working_day():
    """Record a decreed non-working day; the calls whose bid window holds it are recomputed."""
    day_form = NonWorkingDayForm()
    if not day_form.validate():
        overview = minimums_overview(db.session)
        floor_form = DeadlineFloorForm(formdata=None, days=overview.floor)
        return _deadlines_page(floor_form, overview, day_form), 400
    day, note = day_form.day.data, day_form.note.data.strip()
    report = record_non_working_day(db.session, day, note, current_user.id, datetime.now(UTC))
    flash(
        _recomputed(_("Día no laborable guardado: %(day)s.", day=day.isoformat()), report),
        "success",
    )
    return redirect(url_for("admin.deadlines"), 303)


@blueprint.post("/plazos/dias-no-laborables/<string(length=10):day>/quitar")
def remove_non_working_day(day: str):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    report = forget_non_working_day(db.session, parsed, datetime.now(UTC))
    if report is None:
        flash(_("Ese día no estaba registrado."), "error")
    else:
        flash(_recomputed(_("Día no laborable quitado: %(day)s.", day=day), report), "success")
    return redirect(url_for("admin.deadlines"), 303)


def _recomputed(done: str, report) -> str:
    return _(
        "%(done)s Convocatorias recalculadas: %(changed)d; con plazo corto: %(flagged)d.",
        done=done,
        changed=report.changed,
        flagged=report.flagged,
    )


def _deadlines_page(form: DeadlineFloorForm, overview, day_form: NonWorkingDayForm | None = None):
    return render_template(
        "admin/deadlines.html",
        form=form,
        day_form=day_form or NonWorkingDayForm(formdata=None),
        overview=overview,
        days_text=days_text,
        direct_procedures=DIRECT_PROCEDURES,
        max_floor_days=MAX_FLOOR_DAYS,
    )


@blueprint.context_processor
def admin_helpers() -> dict:
    return {
        "role_label": role_label,
        "action_label": action_label,
        "role_labels": ROLE_LABELS,
        "state_labels": STATE_LABELS,
        "action_labels": ACTION_LABELS,
        "page_url": _page_url,
        "level_label": compliance.level_label,
    }


def _current_year() -> int:
    return compliance.current_fiscal_year(datetime.now(UTC), current_app.config["PORTAL_TIMEZONE"])


def _compliance_filters() -> compliance.ComplianceFilters:
    """The year (this fiscal year unless chosen), level and region; a value the page never
    offers is refused with 400 and says why."""
    try:
        year = parse_year(request.args.get("year"))
        region = parse_region(request.args.get("region"))
    except InvalidSearchParams as error:
        abort(400, description=str(error))
    level = request.args.get("level") or None
    if level is not None and level not in compliance.LEVEL_LABELS:
        abort(400, description=_("El nivel de gobierno no es uno de los de la lista."))
    return compliance.ComplianceFilters(
        fiscal_year=year or _current_year(),
        level=GovernmentLevel(level) if level else None,
        region=region,
    )


def _compliance_cells(row: compliance.PlanCompliance) -> list:
    """One CSV row: dates as Lima calendar dates (spreadsheets have no zones), the value as a
    number so the column sums."""
    zone = ZoneInfo(current_app.config["PORTAL_TIMEZONE"])
    return [
        row.name,
        row.ruc,
        compliance.level_label(row.level),
        row.region_name,
        _("Publicado") if row.published else _("Sin plan"),
        _local_date(row.first_published_at, zone),
        row.latest_version,
        row.amendments if row.published else None,
        _local_date(row.latest_published_at, zone),
        row.line_count if row.published else None,
        row.total_value,
    ]


def _local_date(value: datetime | None, zone: ZoneInfo) -> date | None:
    return value.astimezone(zone).date() if value else None


def _decide(decision: Callable[[User], None], success: str) -> bool:
    """One decision, one transaction: committed with its audit event, or refused whole."""
    if not DecisionForm().validate():
        abort(400)
    try:
        decision(current_user._get_current_object())
    except operations.AdminError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


def _notify(user: User, entity: str, approved: bool) -> None:
    """The decision is already committed: a mail server's failure is reported, not fatal."""
    try:
        operations.notify_staff_decision(user, entity, approved)
    except OSError:
        current_app.logger.exception("staff decision mail to user %s failed", user.id)
        flash(_("No pudimos enviar el correo de aviso; la decisión quedó registrada."), "warning")


def _back_to(user: User):
    fallback = url_for("admin.user", user_id=user.id)
    return redirect(safe_next(request.form.get("next"), fallback), 303)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _choice(enum_class, value: str | None):
    try:
        return enum_class(value) if value else None
    except ValueError:
        return None


def _text_arg(name: str) -> str:
    """A search fragment as typed, without the control characters PostgreSQL refuses (NUL)
    and no visitor means; at most an address's length."""
    text = request.args.get(name, "")
    return "".join(character for character in text if character.isprintable()).strip()[:254]


def _page_number() -> int:
    return min(max(request.args.get("page", 1, type=int), 1), 100_000)


def _page_url(number: int) -> str:
    """The current listing with its filters kept and only the page changed."""
    args = {
        key: value
        for key, value in request.args.items()
        if key != "page" and not key.startswith("_")  # url_for's own options, such as _external
    }
    return url_for(request.endpoint, **args, page=number)
