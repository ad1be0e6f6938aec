"""Signing up, in and out, password reset (auth), and the signed-in user's own page (account)."""

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.accounts import mail
from portal.accounts.access import require_sign_in
from portal.accounts.audit import client_address
from portal.accounts.forms import (
    ACCOUNT_AGENCY,
    EmailForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
)
from portal.accounts.models import Role
from portal.accounts.operations import (
    AccountError,
    LoginOutcome,
    authenticate,
    find_user,
    register_user,
    request_password_reset,
    reset_link_user,
    reset_password,
    verify_email,
)
from portal.accounts.throttle import REGISTER_LIMIT, minutes, record_attempt, retry_after
from portal.accounts.tokens import TokenExpired, TokenInvalid
from portal.db import db, utcnow
from portal.security.links import safe_next

auth = Blueprint("auth", __name__)
account = Blueprint("account", __name__, url_prefix="/cuenta")
require_sign_in(account)


def _throttled(template: str, wait: timedelta, **context):
    """429 with the same words whoever asks, and a Retry-After for scripts."""
    message = ngettext(
        "Demasiados intentos. Vuelve a intentarlo en %(num)d minuto o recupera tu contraseña.",
        "Demasiados intentos. Vuelve a intentarlo en %(num)d minutos o recupera tu contraseña.",
        minutes(wait),
    )
    response = render_template(template, error=message, **context)
    return response, 429, {"Retry-After": str(int(wait.total_seconds()) + 1)}


@auth.route("/ingresar", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    target = safe_next(form.next.data or request.args.get("next"), url_for("web.home"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(target)
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    now = utcnow()
    result = authenticate(db.session, form.email.data, form.password.data, client_address(), now)
    db.session.commit()
    if result.outcome is LoginOutcome.THROTTLED:
        return _throttled("accounts/login.html", result.wait, form=form)
    if result.outcome is LoginOutcome.SIGNED_IN:
        login_user(result.user, remember=form.remember_me.data)
        session.permanent = True  # 12 h without activity (PERMANENT_SESSION_LIFETIME)
        session["lang"] = result.user.language
        return redirect(target)
    if result.outcome is LoginOutcome.UNVERIFIED:
        mail.send_verification(result.user, now)
        error = _(
            "Aún no confirmaste tu correo. Te enviamos un enlace nuevo: ábrelo y vuelve a ingresar."
        )
    elif result.outcome is LoginOutcome.INACTIVE:
        error = _("Esta cuenta está desactivada. Escríbenos si crees que es un error.")
    else:
        error = _("El correo o la contraseña no son correctos.")
    return render_template("accounts/login.html", form=form, error=error)


@auth.post("/salir")
def logout():
    logout_user()
    flash(_("Cerraste tu sesión."), "info")
    return redirect(url_for("web.home"))


@auth.route("/registro", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if not form.validate_on_submit():
        return render_template("accounts/register.html", form=form)
    now, address = utcnow(), client_address()
    if wait := retry_after(db.session, REGISTER_LIMIT, form.email.data, address, now):
        return _throttled("accounts/register.html", wait, form=form)
    record_attempt(db.session, REGISTER_LIMIT, form.email.data, address, now)
    agency_ruc = form.agency_ruc.data.strip() if form.account_type.data == ACCOUNT_AGENCY else None
    try:
        registration = register_user(
            db.session, form.email.data, form.password.data, now, str(get_locale()), agency_ruc
        )
    except AccountError as error:
        db.session.commit()  # the attempt still counts
        return render_template("accounts/register.html", form=form, error=str(error))
    db.session.commit()
    if registration.new_user is not None:
        mail.send_verification(registration.new_user, now)
    else:
        mail.send_registration_attempt(registration.existing_user)
    flash(
        _(
            "Te enviamos un correo a %(email)s. Abre el enlace que contiene para activar tu "
            "cuenta; si no lo ves en unos minutos, revisa la carpeta de spam.",
            email=form.email.data.strip().lower(),
        ),
        "info",
    )
    return redirect(url_for("auth.login"))


@auth.get("/verificar/<token>")
def verify(token: str):
    """A GET, so the link in the mail works as clicked: confirming is idempotent and the token
    is the only credential, so a forged request achieves nothing."""
    try:
        user = verify_email(db.session, token, utcnow())
    except (TokenExpired, TokenInvalid) as problem:
        return _link_problem(problem, "auth.resend_verification")
    db.session.commit()
    flash(_("Tu correo quedó confirmado. Ya puedes ingresar."), "info")
    if user.role == Role.AGENCY_STAFF and user.staff_approved_at is None:
        flash(_("Un administrador revisará tu solicitud para actuar por tu entidad."), "info")
    return redirect(url_for("auth.login"))


def _link_problem(problem: Exception, new_link_endpoint: str):
    expired = isinstance(problem, TokenExpired)
    return (
        render_template(
            "accounts/link_problem.html",
            expired=expired,
            form=EmailForm(formdata=None),
            action=url_for(new_link_endpoint),
        ),
        400,
    )


@auth.route("/verificar/nuevo", methods=["GET", "POST"])
def resend_verification():
    form = EmailForm()
    if not form.validate_on_submit():
        return render_template("accounts/resend.html", form=form)
    now, address = utcnow(), client_address()
    if wait := retry_after(db.session, REGISTER_LIMIT, form.email.data, address, now):
        return _throttled("accounts/resend.html", wait, form=form)
    record_attempt(db.session, REGISTER_LIMIT, form.email.data, address, now)
    user = find_user(db.session, form.email.data)
    db.session.commit()
    if user is not None and user.is_active and user.email_verified_at is None:
        mail.send_verification(user, now)
    flash(_("Si el correo tiene una cuenta por confirmar, te enviamos un enlace nuevo."), "info")
    return redirect(url_for("auth.login"))


@auth.route("/recuperar", methods=["GET", "POST"])
def forgot():
    form = EmailForm()
    if not form.validate_on_submit():
        return render_template("accounts/forgot.html", form=form)
    now = utcnow()
    outcome = request_password_reset(db.session, form.email.data, client_address(), now)
    db.session.commit()
    if outcome.wait:
        return _throttled("accounts/forgot.html", outcome.wait, form=form)
    if outcome.user is not None:
        mail.send_reset_link(outcome.user, now)
    flash(
        _(
            "Si el correo está registrado, te enviamos un enlace para elegir una contraseña "
            "nueva. Vale por una hora y sirve una sola vez."
        ),
        "info",
    )
    return redirect(url_for("auth.login"))


@auth.route("/recuperar/<token>", methods=["GET", "POST"])
def reset(token: str):
    now = utcnow()
    try:
        user = reset_link_user(db.session, token, now)
    except (TokenExpired, TokenInvalid) as problem:
        return _link_problem(problem, "auth.forgot")
    form = NewPasswordForm()
    form.account_email = user.email
    if not form.validate_on_submit():
        return render_template("accounts/reset.html", form=form)
    try:
        reset_password(db.session, token, form.password.data, now)
    except AccountError as error:
        return render_template("accounts/reset.html", form=form, error=str(error))
    db.session.commit()
    mail.send_password_changed(user)
    if current_user.is_authenticated:
        logout_user()
    flash(_("Tu contraseña cambió. Ingresa con la nueva."), "info")
    return redirect(url_for("auth.login"))


from portal.accounts import account_views  # noqa: E402,F401  (the /cuenta routes)
