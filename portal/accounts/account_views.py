"""The /cuenta routes (the `account` blueprint of views.py, which requires sign-in): one page
with every section, and one POST route per form, which re-renders the page when it fails."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal.accounts import mail
from portal.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    CompanyForm,
    ConfirmForm,
    DeleteAccountForm,
    PreferencesForm,
)
from portal.accounts.models import Role
from portal.accounts.operations import AccountError
from portal.accounts.profile import (
    CompanyDetails,
    change_password,
    confirm_email_change,
    delete_account,
    parse_contact_emails,
    request_email_change,
    save_company,
)
from portal.accounts.size import uit_for_year
from portal.accounts.tokens import TokenExpired, TokenInvalid
from portal.accounts.views import account
from portal.db import db, utcnow
from portal.reference.departments import departments_in_order
from portal.reference.models import Sector
from portal.reference.uit import current_uit_year


def _uit_year() -> int:
    return current_uit_year(current_app.config, utcnow())


def _profile_form(formdata=None):
    """The SME's company form, or the language preference alone for other roles."""
    if current_user.role != Role.SME:
        form = PreferencesForm(formdata=formdata, data={"language": current_user.language})
        return form
    company = current_user.company
    data = {"language": current_user.language}
    if company is not None:
        data |= {
            "name": company.name,
            "ruc": company.ruc,
            "annual_sales_pen": company.annual_sales_pen,
            "sectors": [sector.code for sector in company.sectors],
            "regions": [region.code for region in company.regions],
            "contact_emails": company.contact_emails,
        }
    form = CompanyForm(formdata=formdata, data=data)
    english = current_user.language == "en" or request.args.get("lang") == "en"
    form.sectors.choices = [
        SelectChoice(s.code, f"{s.code} · {s.name_en if english else s.name_es}")
        for s in db.session.scalars(select(Sector).order_by(Sector.code))
    ]
    form.regions.choices = [SelectChoice(d.code, d.name) for d in departments_in_order(db.session)]
    return form


def _page(status: int = 200, **forms):
    """The account page; a form passed in (with its errors) replaces the blank one."""
    year = _uit_year()
    context = {
        "profile_form": forms.get("profile_form") or _profile_form(),
        "email_form": forms.get("email_form") or ChangeEmailForm(formdata=None),
        "password_form": forms.get("password_form") or ChangePasswordForm(formdata=None),
        "delete_form": forms.get("delete_form") or DeleteAccountForm(formdata=None),
        "uit_year": year,
        "uit_value": _uit_or_none(year),
        "error": forms.get("error"),
    }
    return render_template("accounts/profile.html", **context), status


def _uit_or_none(year: int):
    try:
        return uit_for_year(db.session, year)
    except LookupError:
        return None


@account.get("")
def profile():
    return _page()


@account.post("/perfil")
def save_profile():
    form = _profile_form(request.form)
    if not form.validate():
        return _page(400, profile_form=form)
    current_user.language = form.language.data
    if isinstance(form, CompanyForm):
        try:
            details = CompanyDetails(
                name=form.name.data,
                ruc=form.ruc.data.strip(),
                annual_sales_pen=form.annual_sales_pen.data,
                sector_codes=form.sectors.data,
                region_codes=form.regions.data,
                contact_emails=parse_contact_emails(form.contact_emails.data or ""),
            )
        except AccountError as error:
            form.contact_emails.errors = [str(error)]
            return _page(400, profile_form=form)
        save_company(db.session, current_user, details, _uit_year())
    db.session.commit()
    flash(_("Guardamos los datos de tu cuenta."), "info")
    return redirect(url_for("account.profile", lang=form.language.data))


@account.post("/correo")
def change_email():
    form = ChangeEmailForm()
    if not form.validate_on_submit():
        return _page(400, email_form=form)
    try:
        address = request_email_change(
            db.session, current_user, form.password.data, form.email.data
        )
    except AccountError as error:
        form.email.errors = [str(error)]
        return _page(400, email_form=form)
    if address is not None:
        mail.send_email_change_link(current_user, address, utcnow())
    flash(
        _(
            "Si la dirección %(email)s puede usarse, te enviamos allí un enlace para confirmarla. "
            "Tu correo cambia cuando lo abras.",
            email=form.email.data.strip().lower(),
        ),
        "info",
    )
    return redirect(url_for("account.profile"))


@account.route("/correo/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """GET shows what will change; the POST (with its CSRF token) changes it."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("accounts/confirm_email.html", form=form)
    try:
        old_email = confirm_email_change(db.session, current_user, token, utcnow())
    except (TokenExpired, TokenInvalid):
        flash(_("El enlace venció o ya se usó. Pide el cambio de correo otra vez."), "error")
        return redirect(url_for("account.profile"))
    except AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("account.profile"))
    db.session.commit()
    mail.send_email_changed(current_user, old_email)
    flash(_("Tu correo ahora es %(email)s.", email=current_user.email), "info")
    return redirect(url_for("account.profile"))


@account.post("/contrasena")
def change_password_route():
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if not form.validate_on_submit():
        return _page(400, password_form=form)
    try:
        change_password(db.session, current_user, form.current_password.data, form.password.data)
    except AccountError as error:
        form.current_password.errors = [str(error)]
        return _page(400, password_form=form)
    db.session.commit()
    # The new epoch signed out every session, this one too: sign this device in again.
    login_user(current_user._get_current_object(), remember=False)
    mail.send_password_changed(current_user)
    flash(_("Tu contraseña cambió. Cerramos la sesión en tus otros dispositivos."), "info")
    return redirect(url_for("account.profile"))


@account.post("/eliminar")
def delete():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(400, delete_form=form)
    try:
        delete_account(db.session, current_user, form.password.data, utcnow())
    except AccountError as error:
        form.password.errors = [str(error)]
        return _page(400, delete_form=form)
    db.session.commit()
    logout_user()
    flash(_("Eliminamos tu cuenta y tus datos personales. Gracias por usar Compras MYPE."), "info")
    return redirect(url_for("web.home"))
