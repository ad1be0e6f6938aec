"""The pages behind the links in alert mail, open to anyone holding a link.

The signed token in the path is the credential: it names the user it acts for, so no sign-in
is needed (people open alerts on phones where they aren't signed in) and being signed in as
someone else changes nothing. Every GET only shows what the link will do: mail scanners and
link previews fetch every URL in a message, and must never unsubscribe or follow on their own.
"""

from flask import Blueprint, render_template
from flask_login import current_user

from portal.accounts.forms import ConfirmForm
from portal.accounts.models import User
from portal.accounts.tokens import TokenExpired, TokenInvalid
from portal.alert_links import operations
from portal.alert_links.operations import LinkGone
from portal.db import db, utcnow
from portal.extensions import csrf
from portal.opportunities.models import Opportunity
from portal.subscriptions.operations import follow_opportunity

blueprint = Blueprint("alert_links", __name__, url_prefix="/alertas")


@blueprint.get("/baja/<token>")
def stop_alerts(token: str):
    user = operations.user_of_stop_link(db.session, token, utcnow())
    return render_template("alert_links/stop_alerts.html", user=user, done=False)


@blueprint.post("/baja/<token>")
@csrf.exempt
def stop_alerts_post(token: str):
    """RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` here with
    no cookie and no CSRF token, so this endpoint is exempt from CSRF. That is safe because the
    token in the URL is itself a secret only the recipient has, signed and bound to one user: a
    forged cross-site request cannot know it. The button on the GET page posts here too."""
    now = utcnow()
    user = operations.user_of_stop_link(db.session, token, now)
    operations.stop_all_alerts(db.session, user, now)
    db.session.commit()
    return render_template("alert_links/stop_alerts.html", user=user, done=True)


@blueprint.get("/baja/suscripcion/<token>")
def stop_subscription(token: str):
    subscription = operations.subscription_of_link(db.session, token, utcnow())
    return render_template(
        "alert_links/stop_subscription.html", subscription=subscription, done=False
    )


@blueprint.post("/baja/suscripcion/<token>")
@csrf.exempt
def stop_subscription_post(token: str):
    """Exempt from CSRF for the reason stop_alerts_post gives: the signed token is the
    authorisation, and an unsubscribe must work from any mail client."""
    now = utcnow()
    subscription = operations.subscription_of_link(db.session, token, now)
    operations.stop_subscription(db.session, subscription, now)
    db.session.commit()
    return render_template(
        "alert_links/stop_subscription.html", subscription=subscription, done=True
    )


@blueprint.get("/seguir/<token>")
def follow(token: str):
    """A page with one button rather than following on GET: scanners would otherwise follow
    every process of every alert they fetch. The form keeps the site's CSRF protection, since
    only this page posts it."""
    user, opportunity = operations.follow_link_subjects(db.session, token, utcnow())
    return _follow_page(user, opportunity, done=False)


@blueprint.post("/seguir/<token>")
def follow_post(token: str):
    user, opportunity = operations.follow_link_subjects(db.session, token, utcnow())
    if not ConfirmForm().validate_on_submit():
        return _follow_page(user, opportunity, done=False), 400
    follow_opportunity(db.session, user.id, opportunity.id)
    db.session.commit()
    return _follow_page(user, opportunity, done=True)


def _follow_page(user: User, opportunity: Opportunity, done: bool) -> str:
    return render_template(
        "alert_links/follow.html",
        user=user,
        opportunity=opportunity,
        form=ConfirmForm(formdata=None),
        done=done,
        other_account=current_user.is_authenticated and current_user.id != user.id,
    )


@blueprint.errorhandler(TokenExpired)
def _expired(_error):
    return render_template("alert_links/link_problem.html", problem="expired"), 410


@blueprint.errorhandler(TokenInvalid)
def _invalid(_error):
    return render_template("alert_links/link_problem.html", problem="invalid"), 400


@blueprint.errorhandler(LinkGone)
def _gone(_error):
    return render_template("alert_links/link_problem.html", problem="gone"), 410
