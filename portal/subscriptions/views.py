"""The signed-in user's alerts (saved searches with a preview) and watchlist."""

from datetime import UTC, datetime
from urllib.parse import parse_qsl

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
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.accounts.access import require_sign_in
from portal.db import db
from portal.opportunities.models import Opportunity
from portal.search.params import MAX_QUERY_LENGTH, InvalidSearchParams, SearchParams
from portal.security.links import safe_next
from portal.subscriptions import operations
from portal.subscriptions.forms import (
    FREQUENCY_LABELS,
    AlertForm,
    SendingForm,
    WatchForm,
    alert_form_data,
    form_delivery,
    form_params,
    form_sending_preferences,
    sending_form_data,
    set_choices,
)
from portal.subscriptions.operations import Delivery, SubscriptionLimitReached
from portal.subscriptions.params import (
    alert_params,
    alert_params_from,
    check_references,
    subscription_params,
)
from portal.subscriptions.preview import subscription_preview
from portal.subscriptions.summary import criteria_summary, default_name

alerts = Blueprint("alerts", __name__, url_prefix="/cuenta/alertas")
watchlist = Blueprint("watchlist", __name__, url_prefix="/cuenta/guardadas")
require_sign_in(alerts)
require_sign_in(watchlist)

MAX_SEARCH_FIELDS = 200


def _limit() -> int:
    return current_app.config["PORTAL_SUBSCRIPTION_LIMIT"]


def _limit_message() -> str:
    return _(
        "Ya tiene %(limit)d alertas, el máximo por cuenta. Elimine o modifique una de ellas "
        "para crear otra.",
        limit=_limit(),
    )


def _owned_or_404(subscription_id: int):
    subscription = operations.owned_subscription(db.session, current_user.id, subscription_id)
    if subscription is None:
        abort(404)
    return subscription


@alerts.get("")
def index():
    return _index_page()


def _index_page(sending_form: SendingForm | None = None, status: int = 200):
    """The alerts list, whether alert mail is stopped, and the sending preferences (a form
    passed in, with its errors, replaces the saved values)."""
    subscriptions = operations.user_subscriptions(db.session, current_user.id)
    summaries = {
        sub.id: criteria_summary(db.session, subscription_params(sub)) for sub in subscriptions
    }
    if sending_form is None:
        preferences = operations.sending_preferences(current_user)
        sending_form = SendingForm(formdata=None, data=sending_form_data(preferences))
    return render_template(
        "subscriptions/index.html",
        subscriptions=subscriptions,
        summaries=summaries,
        frequency_labels=FREQUENCY_LABELS,
        limit=_limit(),
        sending_form=sending_form,
    ), status


@alerts.post("/preferencias")
def save_preferences():
    form = SendingForm()
    if not form.validate():
        return _index_page(form, 400)
    operations.save_sending_preferences(db.session, current_user, form_sending_preferences(form))
    db.session.commit()
    flash(_("Preferencias de envío guardadas."), "success")
    return redirect(url_for("alerts.index", _anchor="preferencias"))


@alerts.post("/reanudar-correos")
def resume_mail():
    """The way back from a List-Unsubscribe click (portal.alert_links)."""
    if operations.resume_alert_mail(db.session, current_user):
        db.session.commit()
        flash(_("Volveremos a enviarle correos de alertas."), "success")
    return redirect(url_for("alerts.index"))


@alerts.post("/desde-busqueda")
def create_from_search():
    """The one-click "Crear alerta con esta búsqueda": the search's canonical query string."""
    try:
        params = alert_params_from(_search_args(request.form.get("search", "")))
        subscription = operations.create_subscription(
            db.session, current_user, params, limit=_limit()
        )
    except SubscriptionLimitReached:
        flash(_limit_message(), "error")
        return redirect(url_for("alerts.index"))
    except InvalidSearchParams as invalid:
        db.session.rollback()
        return _blank_form_page(invalid)
    db.session.commit()
    flash(_("Alerta creada. Revisa la vista previa y ajústala si hace falta."), "success")
    return redirect(url_for("alerts.edit", subscription_id=subscription.id))


def _search_args(query_string: str) -> MultiDict:
    try:
        return MultiDict(parse_qsl(query_string, max_num_fields=MAX_SEARCH_FIELDS))
    except ValueError:
        message = _l("tiene demasiados parámetros")
        raise InvalidSearchParams("query", message, label=_l("Búsqueda")) from None


@alerts.get("/nueva")
def new():
    """The form filled from a search's query string (the link anonymous visitors follow after
    signing in), saved with one click."""
    try:
        params = alert_params_from(request.args)
        check_references(db.session, params)
    except InvalidSearchParams as invalid:
        return _blank_form_page(invalid)
    form = AlertForm(data=alert_form_data(params, default_name(db.session, params), Delivery()))
    return _form_page(form, params, None, None)


def _blank_form_page(error: InvalidSearchParams):
    """A search that cannot be saved: say why, and offer the empty form."""
    params = alert_params(SearchParams())
    form = AlertForm(formdata=None, data=alert_form_data(params, "", Delivery()))
    return _form_page(form, None, None, error)


@alerts.post("/nueva")
def create():
    form = AlertForm()
    params = _submitted_params(form)
    if params is not None and form.save.data:
        try:
            subscription = operations.create_subscription(
                db.session,
                current_user,
                params,
                limit=_limit(),
                name=form.name.data or "",
                delivery=form_delivery(form),
            )
        except SubscriptionLimitReached:
            flash(_limit_message(), "error")
            return _form_page(form, params, None, None)
        db.session.commit()
        flash(_("Alerta creada."), "success")
        return redirect(url_for("alerts.edit", subscription_id=subscription.id))
    return _form_page(form, params, None, None)


@alerts.get("/<int(max=2147483647):subscription_id>")
def edit(subscription_id: int):
    subscription = _owned_or_404(subscription_id)
    params = subscription_params(subscription)
    delivery = Delivery(subscription.frequency, subscription.digest_hour)
    form = AlertForm(data=alert_form_data(params, subscription.name, delivery))
    return _form_page(form, params, subscription, None)


@alerts.post("/<int(max=2147483647):subscription_id>")
def update(subscription_id: int):
    subscription = _owned_or_404(subscription_id)
    form = AlertForm()
    params = _submitted_params(form)
    if params is not None and form.save.data:
        operations.update_subscription(
            db.session, subscription, params, form.name.data or "", form_delivery(form)
        )
        db.session.commit()
        flash(_("Alerta guardada."), "success")
        return redirect(url_for("alerts.edit", subscription_id=subscription.id))
    return _form_page(form, params, subscription, None)


@alerts.post("/<int(max=2147483647):subscription_id>/pausar")
def pause(subscription_id: int):
    subscription = _owned_or_404(subscription_id)
    operations.set_active(db.session, subscription, False)
    db.session.commit()
    flash(_("Alerta «%(name)s» en pausa: no enviaremos avisos.", name=subscription.name), "success")
    return redirect(safe_next(request.form.get("next"), url_for("alerts.index")))


@alerts.post("/<int(max=2147483647):subscription_id>/reanudar")
def resume(subscription_id: int):
    subscription = _owned_or_404(subscription_id)
    operations.set_active(db.session, subscription, True)
    db.session.commit()
    flash(_("Alerta «%(name)s» activa de nuevo.", name=subscription.name), "success")
    return redirect(safe_next(request.form.get("next"), url_for("alerts.index")))


@alerts.post("/<int(max=2147483647):subscription_id>/eliminar")
def delete(subscription_id: int):
    subscription = _owned_or_404(subscription_id)
    name = subscription.name
    operations.delete_subscription(db.session, subscription)
    db.session.commit()
    flash(_("Alerta «%(name)s» eliminada.", name=name), "success")
    return redirect(url_for("alerts.index"))


def _submitted_params(form: AlertForm) -> SearchParams | None:
    """The posted criteria, narrowed if a narrowing button was pressed; None (with the errors
    on the form's fields) if the form or the search refuses them."""
    set_choices(form, db.session, request.form.getlist("buyer"))
    if not form.validate():
        return None
    try:
        params = form_params(form)
        check_references(db.session, params)
    except InvalidSearchParams as invalid:
        field = getattr(form, invalid.field, form.q)
        field.errors = [*field.errors, invalid.message]
        return None
    return _narrowed(form, params)


def _narrowed(form: AlertForm, params: SearchParams) -> SearchParams:
    """A "keep only this sector" or "add this word" button from the preview: applied to the
    form, unsaved, so the user sees the new preview before saving."""
    sector = request.form.get("narrow_sector", "")
    word = request.form.get("narrow_term", "").strip()
    if sector in {choice.value for choice in form.sector.choices}:
        form.sector.data = [sector]
    elif word.isalnum() and len(f"{form.q.data} {word}") <= MAX_QUERY_LENGTH:
        form.q.data = f"{form.q.data or ''} {word}".strip()
    else:
        return params
    return form_params(form)


def _form_page(form: AlertForm, params: SearchParams | None, subscription, error):
    """The create or edit page with its preview; while the form has errors, no preview."""
    if not form.sector.choices:
        set_choices(form, db.session, form.buyer.data or [])
    now = datetime.now(UTC)
    preview = None
    if params is not None and error is None:
        preview = subscription_preview(
            db.session,
            params,
            now,
            broad_per_week=current_app.config["PORTAL_BROAD_SUBSCRIPTION_PER_WEEK"],
            choosable_sectors={choice.value for choice in form.sector.choices},
        )
    count = operations.subscription_count(db.session, current_user.id)
    status = 400 if error is not None or params is None else 200
    return render_template(
        "subscriptions/form.html",
        form=form,
        subscription=subscription,
        preview=preview,
        error=error,
        summary=criteria_summary(db.session, params) if params is not None else [],
        limit_reached=subscription is None and count >= _limit(),
        limit=_limit(),
        now=now,
    ), status


@watchlist.get("", endpoint="index")
def saved_list():
    now = datetime.now(UTC)
    entries = operations.saved_opportunities(db.session, current_user.id, now)
    return render_template("watchlist/index.html", entries=entries, now=now)


@watchlist.post("/<int(max=2147483647):opportunity_id>")
def save(opportunity_id: int):
    """Follow from an opportunity's page (saved, change alerts on, a reminder), or change the
    reminder from the watchlist."""
    if db.session.get(Opportunity, opportunity_id) is None:
        abort(404)
    back = safe_next(
        request.form.get("next"), url_for("opportunities.detail", opportunity_id=opportunity_id)
    )
    form = WatchForm()
    if not form.validate():
        flash(_("Indica un número de días entre 0 y 30, o déjalo vacío."), "error")
        return redirect(back)
    new = operations.saved_entry(db.session, current_user.id, opportunity_id) is None
    operations.save_opportunity(
        db.session, current_user.id, opportunity_id, form.remind_days_before.data
    )
    db.session.commit()
    flash(_following_message() if new else _("Recordatorio cambiado."), "success")
    return redirect(back)


@watchlist.post("/<int(max=2147483647):opportunity_id>/avisos")
def follow_changes(opportunity_id: int):
    """Change alerts on (following, saving first if need be) or off (the entry and its
    reminder stay)."""
    back = safe_next(request.form.get("next"), url_for("watchlist.index"))
    if request.form.get("follow_changes") == "1":
        if db.session.get(Opportunity, opportunity_id) is None:
            abort(404)
        operations.follow_opportunity(db.session, current_user.id, opportunity_id)
        message = _following_message()
    elif operations.set_follow_changes(db.session, current_user.id, opportunity_id, False):
        message = _("Avisos de cambios desactivados; el recordatorio del cierre sigue igual.")
    else:
        return redirect(back)
    db.session.commit()
    flash(message, "success")
    return redirect(back)


def _following_message() -> str:
    return _(
        "Sigue esta convocatoria: le avisaremos por correo si cambian el plazo, el estado o el "
        "valor, y le recordaremos el cierre."
    )


@watchlist.post("/<int(max=2147483647):opportunity_id>/quitar")
def remove(opportunity_id: int):
    """Unfollow: out of the list, no change alerts and no reminder."""
    operations.remove_saved(db.session, current_user.id, opportunity_id)
    db.session.commit()
    flash(_("Dejó de seguir la convocatoria y la quitamos de su lista."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("watchlist.index")))
