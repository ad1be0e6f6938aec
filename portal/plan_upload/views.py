"""An entity's plan upload: the template, the upload form, a draft's preview, publish, discard.

Approved agency staff act for their own entity only; administrators for any entity, which
they choose on the page. Whose a draft is is checked by the blueprint's rule, before any route.
"""

from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import DBAPIError

from portal.accounts.access import require
from portal.accounts.models import Role, User
from portal.agency.queries import plan_summaries
from portal.buyers.models import Buyer
from portal.buyers.queries import buyer_by_reference
from portal.db import db
from portal.plan_upload import operations
from portal.plan_upload.forms import DecisionForm, UploadForm
from portal.plan_upload.queries import (
    draft_buyer_id,
    entities_matching,
    open_drafts,
    upload_by_id,
)
from portal.plans.models import PlanUpload, UploadStatus
from portal.reference.uit import FISCAL_ZONE
from portal.spreadsheets import download
from scrapers.plan_template import template_csv, template_xlsx
from scrapers.records import ParseError

blueprint = Blueprint("plan_upload", __name__, url_prefix="/entidad/plan")
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
UPLOAD_ID = "<int(max=2147483647):upload_id>"


def may_manage_plan(user: User, view_args: dict) -> bool:
    """Administrators for any entity; approved staff for their own, and only its drafts (a
    draft of another entity, or none at all, is 403 for them: no hint of what exists)."""
    if user.role == Role.ADMIN:
        return True
    if not user.is_approved_staff or user.buyer_id is None:
        return False
    upload_id = view_args.get("upload_id")
    return upload_id is None or draft_buyer_id(db.session, upload_id) == user.buyer_id


require(blueprint, may_manage_plan)


@blueprint.url_value_preprocessor
def limit_upload_size(_endpoint, _values) -> None:
    """Set before any before_request hook (CSRF protection reads the form first), so a body
    over the limit is refused with 413 before it is read."""
    request.max_content_length = _upload_limit()


@blueprint.errorhandler(413)
def too_large(_error):
    return render_template("plan_upload/too_large.html", limit_mb=_upload_limit() / 2**20), 413


@blueprint.app_template_global("open_plan_drafts")
def open_plan_drafts(buyer_id: int) -> list[PlanUpload]:
    """The drafts list on the entity's management page (templates/agency/entity.html)."""
    return open_drafts(db.session, buyer_id)


@blueprint.get("")
def page():
    buyer = _entity(request.args.get("entidad", ""))
    if buyer is None:
        return _choose_entity(request.args.get("entidad", ""))
    return _page(buyer, _upload_form())


@blueprint.post("")
def upload():
    form = _upload_form()
    buyer = _entity(form.entity.data or "")
    if buyer is None:
        return _choose_entity(form.entity.data or "", status=400)
    if not form.validate():
        return _page(buyer, form, status=400)
    try:
        draft = operations.store_draft(
            db.session,
            buyer=buyer,
            fiscal_year=form.fiscal_year.data,
            user=current_user,
            filename=form.plan_file.data.filename,
            payload=form.plan_file.data.read(),
            now=datetime.now(UTC),
        )
    except ParseError as error:
        db.session.rollback()
        form.plan_file.errors.append(_("No pudimos leer el archivo: %(reason)s", reason=str(error)))
        return _page(buyer, form, status=400)
    db.session.commit()
    return redirect(url_for("plan_upload.draft", upload_id=draft.id))


@blueprint.get("/plantilla.csv")
def template_as_csv():
    return download(template_csv(), "plantilla-pac.csv", "csv")


@blueprint.get("/plantilla.xlsx")
def template_as_xlsx():
    return download(template_xlsx(), "plantilla-pac.xlsx", "xlsx")


@blueprint.get(f"/borrador/{UPLOAD_ID}")
def draft(upload_id: int):
    upload = _upload_or_404(upload_id)
    return render_template("plan_upload/draft.html", upload=upload, form=DecisionForm())


@blueprint.post(f"/borrador/{UPLOAD_ID}/publicar")
def publish(upload_id: int):
    upload = _upload_or_404(upload_id)
    if not DecisionForm().validate():
        abort(400)
    try:
        plan = operations.publish_draft(db.session, upload, current_user, datetime.now(UTC))
    except operations.AlreadyDecided as decided:
        db.session.rollback()
        return _already_decided(upload, decided.status)
    except operations.PublishRefused as refused:
        db.session.rollback()
        flash(_("No se publicó: %(reason)s", reason=str(refused)), "error")
        return redirect(url_for("plan_upload.draft", upload_id=upload_id))
    except DBAPIError:  # another version of this year won the race for its number
        db.session.rollback()
        flash(
            _("No se publicó porque otra versión se publicó a la vez. Inténtelo de nuevo."), "error"
        )
        return redirect(url_for("plan_upload.draft", upload_id=upload_id))
    db.session.commit()
    flash(_("Plan publicado: versión %(version)d.", version=plan.version), "success")
    return redirect(url_for("plans.plan", buyer_id=plan.buyer_id, year=plan.fiscal_year))


@blueprint.post(f"/borrador/{UPLOAD_ID}/descartar")
def discard(upload_id: int):
    upload = _upload_or_404(upload_id)
    if not DecisionForm().validate():
        abort(400)
    try:
        operations.discard_draft(db.session, upload)
    except operations.AlreadyDecided as decided:
        db.session.rollback()
        return _already_decided(upload, decided.status)
    db.session.commit()
    flash(_("Borrador descartado."), "success")
    return redirect(url_for("plan_upload.page", entidad=upload.buyer_id))


def _entity(reference: str) -> Buyer | None:
    """Staff: their own entity, whatever the request names. Administrators: the one named."""
    if current_user.role != Role.ADMIN:
        return current_user.buyer
    return buyer_by_reference(db.session, reference) if reference.strip() else None


def _choose_entity(reference: str, status: int = 200):
    matches = entities_matching(db.session, reference)
    return render_template(
        "plan_upload/choose.html", reference=reference.strip(), matches=matches
    ), status


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.offer_years(datetime.now(FISCAL_ZONE).year)
    return form


def _page(buyer: Buyer, form: UploadForm, status: int = 200):
    form.entity.data = str(buyer.id)
    return render_template(
        "plan_upload/page.html",
        buyer=buyer,
        form=form,
        plans=plan_summaries(db.session, buyer.id),
        drafts=open_drafts(db.session, buyer.id),
        limit_mb=_upload_limit() / 2**20,
    ), status


def _upload_or_404(upload_id: int) -> PlanUpload:
    upload = upload_by_id(db.session, upload_id)
    if upload is None:
        abort(404)
    return upload


def _already_decided(upload: PlanUpload, status: UploadStatus):
    """A second click finds the work done: show its result rather than an error."""
    if status == UploadStatus.PUBLISHED:
        flash(_("Este borrador ya estaba publicado."), "info")
        return redirect(url_for("plans.plan", buyer_id=upload.buyer_id, year=upload.fiscal_year))
    flash(_("Este borrador ya fue descartado."), "info")
    return redirect(url_for("plan_upload.draft", upload_id=upload.id))


def _upload_limit() -> int:
    """Bytes a request may carry: PORTAL_PLAN_UPLOAD_MAX_BYTES, else 25 MB (the reader's own
    cap on a plan file)."""
    return current_app.config.get("PORTAL_PLAN_UPLOAD_MAX_BYTES", MAX_UPLOAD_BYTES)
