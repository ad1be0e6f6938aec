"""`portal alerts match|send|digest|remind`: the scheduler's alert jobs, run by hand; and
`portal alerts unsubscribe-mail`, for the mail server to hand what the unsubscribe mailbox
receives (a pipe alias for PORTAL_UNSUBSCRIBE_MAILBOX)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from notifications.jobs import match_alerts, remind, send_alerts
from notifications.unsubscribe_mail import stop_alerts_from_mail
from portal.db import db, utcnow


@click.group("alerts")
def alerts_cli() -> None:
    """Alertas por correo: cruzar, enviar, resúmenes y recordatorios."""


@alerts_cli.command("match")
@with_appcontext
def match_command() -> None:
    """Cruza lo nuevo y lo cambiado con las suscripciones y registra las alertas."""
    tally = match_alerts(current_app._get_current_object())
    click.echo(
        f"{tally.documents} documentos, {tally.subscriptions} suscripciones: "
        f"{tally.matches} alertas, {tally.follow_ups} seguimientos de pronósticos, "
        f"{tally.changes} avisos de cambios ({tally.seconds:.2f} s)."
    )


def _echo_send(tally) -> None:
    click.echo(
        f"{tally.messages} mensajes enviados ({tally.sent} alertas); {tally.skipped} omitidas, "
        f"{tally.deferred} aplazadas, {tally.retried} por reintentar, {tally.failed} fallidas."
    )
    if tally.server_error:
        raise click.ClickException(f"servidor de correo: {tally.server_error}")


@alerts_cli.command("send")
@with_appcontext
def send_command() -> None:
    """Envía las alertas inmediatas pendientes."""
    _echo_send(send_alerts(current_app._get_current_object(), digest=False))


@alerts_cli.command("digest")
@with_appcontext
def digest_command() -> None:
    """Envía los resúmenes diarios y semanales que ya tocan."""
    _echo_send(send_alerts(current_app._get_current_object(), digest=True))


@alerts_cli.command("remind")
@with_appcontext
def remind_command() -> None:
    """Registra los recordatorios de cierre de las convocatorias guardadas."""
    click.echo(f"{remind(current_app._get_current_object())} recordatorios registrados.")


@alerts_cli.command("unsubscribe-mail")
@click.argument("message", type=click.File("rb"), default="-")
@with_appcontext
def unsubscribe_mail_command(message) -> None:
    """Detiene las alertas de quien escribió al buzón de bajas (un mensaje .eml, o la entrada
    estándar)."""
    user = stop_alerts_from_mail(db.session, message.read(), utcnow())
    db.session.commit()
    if user is None:
        raise click.ClickException("el asunto no trae un código de baja válido")
    click.echo(f"Alertas detenidas para la cuenta {user.id}.")
