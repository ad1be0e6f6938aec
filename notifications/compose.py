"""One alert e-mail for one user: an immediate alert, or a digest in sections.

Each message carries RFC 8058 one-click unsubscribe headers, a link per subscription involved
that stops just that one, and a one-click follow link per open process not yet followed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import quote

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from notifications.alert_items import AlertItem, build_items, load_subjects
from notifications.messages import render_message
from notifications.models import AlertDelivery, DeliveryKind
from portal.accounts.models import User
from portal.alert_links.tokens import stop_alerts_token, stop_alerts_url, stop_subscription_url
from portal.subscriptions.models import Frequency

CLOSING_SOON = timedelta(days=7)
SECTION_TITLES = {
    "new": _l("Nuevas convocatorias"),
    "closing": _l("Cierran en los próximos 7 días"),
    "changes": _l("Cambios en procesos que sigue"),
    "forecasts": _l("Pronósticos de los planes anuales"),
}
# RFC 5322's hard limit: at the default 78 the email package folds a long header without
# spaces into RFC 2047 encoded words, and mail clients no longer find the List-Unsubscribe URL.
HEADER_LINE_LIMIT = 998
UNSUBSCRIBE_SUBJECT = "baja"  # then the stop token: the subject of a mailto: unsubscribe


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[AlertItem, ...]


def compose_alert_message(
    session: Session,
    user: User,
    deliveries: list[AlertDelivery],
    *,
    digest: bool,
    now: datetime,
    to: Sequence[str] = (),
) -> EmailMessage:
    """One message for the user: immediate alert (1..n deliveries) or a digest with sections
    (new matches, closing within 7 days, changes to followed processes, plan forecasts).

    Rendered from templates/email/alert/ or templates/email/digest/ in user.language, HTML
    and plain text. Needs an app context that can build external URLs (SERVER_NAME, set from
    PORTAL_BASE_URL, or a request). Serialise it with its own policy (`bytes(message)`,
    `smtplib.send_message`): a 78-column policy would fold List-Unsubscribe into encoded words.
    `to`: every address it goes to (notifications.recipients), the account's alone if empty;
    its links act for the user whoever of them follows one.
    """
    if not deliveries or any(delivery.user_id != user.id for delivery in deliveries):
        raise ValueError("an alert message needs deliveries, all of them the user's own")
    language = user.language if user.language in current_app.config["LANGUAGES"] else "es"
    with force_locale(language):
        subjects = load_subjects(session, user.id, deliveries)
        sections = digest_sections(build_items(session, deliveries, subjects, now), now)
        stop_all = stop_alerts_url(user.id, now)
        context = {
            "user": user,
            "lang": language,
            "sections": sections,
            "items": [item for section in sections for item in section.items],
            "weekly": all(d.frequency == Frequency.WEEKLY for d in deliveries),
            "subscriptions": [
                (subscription.name, stop_subscription_url(user.id, subscription.id, now))
                for subscription in sorted(subjects.subscriptions.values(), key=lambda s: s.id)
            ],
            "stop_all_url": stop_all,
            "alerts_url": url_for("alerts.index", _external=True),
            "watchlist_url": url_for("watchlist.index", _external=True),
        }
        name = "digest" if digest else "alert"
        message = render_message(name, ", ".join(to or [user.email]), language, **context)
    add_list_headers(message, stop_all, unsubscribe_mailto(user.id, now))
    return message


def digest_sections(items: list[AlertItem], now: datetime) -> list[Section]:
    """The non-empty sections, in reading order. A new call that closes within a week goes
    under "closing": the deadline is what the reader must act on first."""
    buckets: dict[str, list[AlertItem]] = {key: [] for key in SECTION_TITLES}
    for item in items:
        buckets[_section_of(item, now)].append(item)
    buckets["new"].sort(key=lambda item: item.published_at or now, reverse=True)
    buckets["closing"].sort(key=lambda item: item.closes_at or now)
    return [
        Section(key, str(SECTION_TITLES[key]), tuple(bucket))
        for key, bucket in buckets.items()
        if bucket
    ]


def _section_of(item: AlertItem, now: datetime) -> str:
    if item.kind == DeliveryKind.CHANGE:
        return "changes"
    if item.kind == DeliveryKind.FORECAST:
        return "forecasts"
    if item.kind == DeliveryKind.REMINDER:
        return "closing"
    if item.closes_at is not None and item.closes_at <= now + CLOSING_SOON:
        return "closing"
    return "new"


def unsubscribe_mailto(user_id: int, now: datetime) -> str | None:
    """`mailto:` the configured unsubscribe mailbox, its subject carrying the user's stop token
    (`portal alerts unsubscribe-mail` acts on what arrives there); None without a mailbox."""
    mailbox = current_app.config.get("PORTAL_UNSUBSCRIBE_MAILBOX")
    if not mailbox:
        return None
    subject = quote(f"{UNSUBSCRIBE_SUBJECT} {stop_alerts_token(user_id, now)}")
    return f"mailto:{mailbox}?subject={subject}"


def add_list_headers(message: EmailMessage, stop_all_url: str, mailto: str | None = None) -> None:
    """RFC 2369/8058: mail clients show an unsubscribe button that POSTs
    `List-Unsubscribe=One-Click` to the URL, which stops every alert of the user. The https
    URL comes first (RFC 8058's one-click needs it); a `mailto:` follows for clients that only
    write mail."""
    targets = [stop_all_url, mailto] if mailto else [stop_all_url]
    message["List-Unsubscribe"] = ", ".join(f"<{target}>" for target in targets)
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to alerts
    message.policy = message.policy.clone(max_line_length=HEADER_LINE_LIMIT)
