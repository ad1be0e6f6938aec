"""Rendering e-mails from templates/email/<name>/{subject.txt,body.txt,body.html}."""

from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from notifications.mail import build_message, mail_sender


def render_message(name: str, to: str, language: str = "es", **context) -> EmailMessage:
    """Renders in the recipient's language, whatever the language of the current request."""
    with force_locale(language):
        subject = render_template(f"email/{name}/subject.txt", **context).strip()
        text_body = render_template(f"email/{name}/body.txt", **context)
        try:
            html_body = render_template(f"email/{name}/body.html", **context)
        except TemplateNotFound:
            html_body = None
    return build_message(current_app, to, subject, text_body, html_body)


def send_message(name: str, to: str, language: str = "es", **context) -> None:
    mail_sender(current_app).send(render_message(name, to, language, **context))
