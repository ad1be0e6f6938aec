"""The dashboard's headline figures: PROMPYME's number (the days an SME had to prepare a
bid) and the few that explain it, for the chosen range, region and sector."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.statistics.activity import subscribers, unsubscribes_by_month
from portal.statistics.dashboard import Dashboard
from portal.statistics.measures import ALERT_LEAD, CALL_LEAD, PLAN_NOTICE, SEEN_DELAY
from portal.statistics.tally import Tally


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: float | int | None
    kind: str  # count, days, number, percent
    detail: str = ""


def summary(dashboard: Dashboard) -> list[Headline]:
    alerts, calls = dashboard.total(ALERT_LEAD), dashboard.total(CALL_LEAD)
    seen = dashboard.total(SEEN_DELAY)
    notice = dashboard.tallies(PLAN_NOTICE, "total").get("", Tally(PLAN_NOTICE.bins))
    months = len(dashboard.months())
    total = f"{calls.facts:,}"
    headlines = [
        Headline(
            "alert-lead",
            _("Días para preparar la oferta tras la alerta (media)"),
            alerts.mean,
            "days",
            _median(alerts, alerts.measured, _("alertas")),
        ),
        Headline(
            "call-lead",
            _("Días entre la publicación y el cierre (media)"),
            calls.mean,
            "days",
            _median(calls, calls.measured, _("convocatorias")),
        ),
        Headline(
            "short",
            _("Convocatorias con menos plazo que el mínimo"),
            None if calls.share_short is None else calls.share_short * 100,
            "percent",
            _(
                "%(short)s de %(total)s con plazo mínimo",
                short=f"{calls.short:,}",
                total=f"{calls.with_minimum:,}",
            ),
        ),
        Headline(
            "seen-delay",
            _("Días entre la publicación y su llegada al portal (media)"),
            seen.mean,
            "days",
            _median(seen, seen.measured, _("convocatorias")),
        ),
        Headline(
            "plan-notice",
            _("Días de aviso del plan anual (media)"),
            notice.mean,
            "days",
            _median(notice, notice.measured, _("convocatorias enlazadas a su plan")),
        ),
        Headline(
            "informed",
            _("Convocatorias informadas por mes"),
            calls.facts / months if months else None,
            "number",
            ngettext("%(total)s en %(num)d mes", "%(total)s en %(num)d meses", months, total=total),
        ),
    ]
    if not dashboard.public:
        headlines += _admin_headlines(dashboard, alerts)
    return headlines


def _admin_headlines(dashboard: Dashboard, alerts: Tally) -> list[Headline]:
    by_size = subscribers(dashboard, "size")
    smes = sum(count for count, _subscriptions in by_size.values())
    subscriptions = sum(count for _smes, count in by_size.values())
    unsubscribes = unsubscribes_by_month(dashboard)
    return [
        Headline("alerts-sent", _("Alertas enviadas"), alerts.facts, "count"),
        Headline("smes", _("MYPE con alertas activas (hoy)"), smes, "count"),
        Headline("subscriptions", _("Alertas activas (hoy)"), subscriptions, "count"),
        Headline("unsubscribes", _("Bajas de alertas"), sum(unsubscribes.values()), "count"),
    ]


def _median(tally: Tally, count: int, of_what: str) -> str:
    median = tally.median
    shown = "—" if median is None else f"{median:,.1f}"
    return _(
        "mediana %(median)s · %(count)s %(what)s", median=shown, count=f"{count:,}", what=of_what
    )
