"""The dashboard's figures: each one a table (shown under its chart, and its CSV) and a chart.

A figure is built from a Dashboard and knows nothing of HTML or SVG: the page, the chart
route and the CSV route render the same Figure, so what a chart draws is what its table and
its download say. Public figures leave out what only administrators see (alerts and
subscription counts, unsubscribes, the entities most often below the minimum, sources).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.statistics.activity import subscribers, unsubscribes_by_month
from portal.statistics.bins import Bins
from portal.statistics.dashboard import Dashboard
from portal.statistics.measures import ALERT_LEAD, CALL_LEAD, PLAN_NOTICE, SEEN_DELAY
from portal.statistics.models import BIN_COUNT
from portal.statistics.sources import source_health
from portal.statistics.tally import Tally

TOP_BUYERS = 15
BREAKDOWN_ROWS = 25  # buyers in the breakdown (other breakdowns have fewer values)
CHART_BARS = 15


@dataclass(frozen=True)
class Chart:
    kind: str  # line, bar (vertical), horizontal (bar), histogram
    labels: tuple[str, ...]
    # (name, values); a histogram's values are (height, start, end) triples
    series: tuple[tuple[str, tuple], ...]
    y_title: str


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    header: tuple[str, ...]
    formats: tuple[str, ...]  # per column: text, count, days, percent
    rows: tuple[tuple, ...]
    chart: Chart | None = None
    note: str = ""


def month_label(month: date) -> str:
    return format_skeleton("yMMM", month, locale=get_locale())


def trend(dashboard: Dashboard) -> Figure:
    alerts = dashboard.tallies(ALERT_LEAD, "month")
    calls = dashboard.tallies(CALL_LEAD, "month")
    months = dashboard.months()
    empty_alerts, empty_calls = Tally(ALERT_LEAD.bins), Tally(CALL_LEAD.bins)
    rows = []
    for month in months:
        alert, call = alerts.get(month, empty_alerts), calls.get(month, empty_calls)
        row = [month_label(month), alert.measured, alert.mean, alert.median]
        row += [call.measured, call.mean, call.median, _percent(call.share_short)]
        rows.append(tuple(row))
    labels = tuple(row[0] for row in rows)
    chart = Chart(
        "line",
        labels,
        (
            (_("Tras la alerta (media)"), tuple(row[2] for row in rows)),
            (_("Tras la alerta (mediana)"), tuple(row[3] for row in rows)),
            (_("Desde la publicación (media)"), tuple(row[5] for row in rows)),
            (_("Desde la publicación (mediana)"), tuple(row[6] for row in rows)),
        ),
        _("días"),
    )
    return Figure(
        "tendencia",
        _("Días para preparar una oferta, mes a mes"),
        (
            _("Mes"),
            _("Alertas de convocatorias"),
            _("Tras la alerta: media"),
            _("Tras la alerta: mediana"),
            _("Convocatorias"),
            _("Desde la publicación: media"),
            _("Desde la publicación: mediana"),
            _("Bajo el plazo mínimo"),
        ),
        ("text", "count", "days", "days", "count", "days", "days", "percent"),
        tuple(rows),
        chart,
        _(
            "Días entre el aviso a la MYPE y el cierre de ofertas, y entre la publicación de la "
            "convocatoria y el cierre. Meses en hora de Lima."
        ),
    )


def distribution(dashboard: Dashboard) -> Figure:
    alerts, calls = dashboard.total(ALERT_LEAD), dashboard.total(CALL_LEAD)
    bins = CALL_LEAD.bins
    rows = tuple(
        (bins.label(index), alerts.counts[index], calls.counts[index]) for index in range(BIN_COUNT)
    )
    chart = Chart(
        "histogram",
        (),
        (
            (_("Alertas"), _histogram(bins, alerts)),
            (_("Convocatorias"), _histogram(bins, calls)),
        ),
        _("número por día de plazo"),
    )
    return Figure(
        "distribucion",
        _("Distribución de los días para preparar una oferta"),
        (_("Días"), _("Alertas de convocatorias"), _("Convocatorias")),
        ("text", "count", "count"),
        rows,
        chart,
        _(
            "Cuántas alertas y convocatorias dejaron cada número de días hasta el cierre. El "
            "gráfico muestra de 0 a 90 días; la tabla incluye el resto."
        ),
    )


BREAKDOWN_TITLES = {
    "region": lambda: _("Por región"),
    "sector": lambda: _("Por sector (segmento UNSPSC)"),
    "procedure": lambda: _("Por tipo de procedimiento"),
    "object": lambda: _("Por objeto de contratación"),
    "buyer": lambda: _("Por entidad (las %(count)d con más convocatorias)", count=BREAKDOWN_ROWS),
}
BREAKDOWN_LABELS = {
    "region": lambda: _("Región"),
    "sector": lambda: _("Sector"),
    "procedure": lambda: _("Procedimiento"),
    "object": lambda: _("Objeto"),
    "buyer": lambda: _("Entidad"),
}


def breakdown(dashboard: Dashboard) -> Figure:
    dimension = dashboard.breakdown
    if dimension == "buyer":
        calls = dashboard.tallies(CALL_LEAD, "buyer", top=BREAKDOWN_ROWS, rank_by="facts")
        alerts = dashboard.tallies(ALERT_LEAD, "buyer", values=sorted(calls))
    else:
        calls = dashboard.tallies(CALL_LEAD, dimension)
        alerts = dashboard.tallies(ALERT_LEAD, dimension)
    keys = sorted(set(calls) | set(alerts), key=lambda key: (-_facts(calls, key), key))
    names = dashboard.names(dimension, keys)
    empty_calls, empty_alerts = Tally(CALL_LEAD.bins), Tally(ALERT_LEAD.bins)
    rows = []
    for key in keys:
        call, alert = calls.get(key, empty_calls), alerts.get(key, empty_alerts)
        rows.append(
            (
                names.get(key, key),
                call.facts,
                call.mean,
                call.median,
                _percent(call.share_short),
                alert.measured,
                alert.mean,
                alert.median,
            )
        )
    shown = rows[:CHART_BARS]
    chart = Chart(
        "horizontal",
        tuple(row[0] for row in shown),
        (
            (_("Desde la publicación (media)"), tuple(row[2] for row in shown)),
            (_("Tras la alerta (media)"), tuple(row[6] for row in shown)),
        ),
        _("días"),
    )
    return Figure(
        "desglose",
        BREAKDOWN_TITLES[dimension](),
        (
            BREAKDOWN_LABELS[dimension](),
            _("Convocatorias"),
            _("Desde la publicación: media"),
            _("Desde la publicación: mediana"),
            _("Bajo el plazo mínimo"),
            _("Alertas de convocatorias"),
            _("Tras la alerta: media"),
            _("Tras la alerta: mediana"),
        ),
        ("text", "count", "days", "days", "percent", "count", "days", "days"),
        tuple(rows),
        chart,
        _("El gráfico muestra los %(count)d primeros; la tabla, todos.", count=CHART_BARS),
    )


def short_deadlines(dashboard: Dashboard) -> Figure:
    calls = dashboard.tallies(CALL_LEAD, "buyer", top=TOP_BUYERS)
    calls = {key: tally for key, tally in calls.items() if tally.short}
    names = dashboard.names("buyer", list(calls))
    rows = tuple(
        (
            names.get(key, key),
            tally.with_minimum,
            tally.short,
            _percent(tally.share_short),
            tally.mean,
        )
        for key, tally in calls.items()
    )
    chart = Chart(
        "horizontal",
        tuple(row[0] for row in rows),
        ((_("Convocatorias bajo el plazo mínimo"), tuple(row[2] for row in rows)),),
        _("convocatorias"),
    )
    return Figure(
        "plazo-corto",
        _("Entidades que más veces dieron menos plazo que el mínimo"),
        (
            _("Entidad"),
            _("Convocatorias con plazo mínimo"),
            _("Bajo el mínimo"),
            _("Proporción"),
            _("Plazo medio (días)"),
        ),
        ("text", "count", "count", "percent", "days"),
        rows,
        chart,
        _(
            "Según el plazo mínimo legal de cada procedimiento (días hábiles o calendario) o el "
            "que fijó la administración para los procedimientos sin mínimo legal."
        ),
    )


def plan_notice(dashboard: Dashboard) -> Figure:
    notice = dashboard.tallies(PLAN_NOTICE, "total").get("", Tally(PLAN_NOTICE.bins))
    bins = PLAN_NOTICE.bins
    rows = tuple(
        (bins.label(index), notice.counts[index])
        for index in range(1, BIN_COUNT)
        if notice.counts[index] or index <= bins.regular
    )
    chart = Chart(
        "histogram", (), ((_("Convocatorias"), _histogram(bins, notice)),), _("número por día")
    )
    return Figure(
        "aviso-plan",
        _("Aviso que dio el plan anual antes de la convocatoria"),
        (_("Días de aviso"), _("Convocatorias")),
        ("text", "count"),
        rows,
        chart,
        _(
            "Días entre la primera publicación de la línea del plan anual (PAC) y la "
            "convocatoria que la cumple, para las convocatorias enlazadas a su plan."
        ),
    )


def activity(dashboard: Dashboard) -> Figure:
    calls = dashboard.tallies(CALL_LEAD, "month")
    alerts = {} if dashboard.public else dashboard.tallies(ALERT_LEAD, "month")
    unsubscribes = {} if dashboard.public else unsubscribes_by_month(dashboard)
    rows = []
    for month in dashboard.months():
        row = [month_label(month), _facts(calls, month)]
        if not dashboard.public:
            row += [_facts(alerts, month), unsubscribes.get(month, 0)]
        rows.append(tuple(row))
    header = [_("Mes"), _("Convocatorias informadas")]
    if not dashboard.public:
        header += [_("Alertas enviadas"), _("Bajas de alertas")]
    series = tuple(
        (name, tuple(row[column] for row in rows)) for column, name in enumerate(header[1:], 1)
    )
    return Figure(
        "actividad",
        _("Actividad mes a mes"),
        tuple(header),
        ("text", *("count",) * (len(header) - 1)),
        tuple(rows),
        Chart("line", tuple(row[0] for row in rows), series, _("número")),
        _(
            "Las bajas son clics en el enlace para dejar de recibir alertas de un correo; no "
            "dependen de la región ni del sector."
        )
        if not dashboard.public
        else "",
    )


def subscribers_figure(dashboard: Dashboard, grouping: str) -> Figure:
    counts = subscribers(dashboard, grouping)
    dimension = "size" if grouping == "size" else "region"
    names = dashboard.names(dimension, list(counts))
    keys = sorted(counts, key=lambda key: (-counts[key][0], key))
    rows = tuple((names.get(key, key), *counts[key]) for key in keys)
    chart = Chart(
        "bar" if grouping == "size" else "horizontal",
        tuple(row[0] for row in rows[:CHART_BARS]),
        (
            (_("MYPE con alertas activas"), tuple(row[1] for row in rows[:CHART_BARS])),
            (_("Alertas activas"), tuple(row[2] for row in rows[:CHART_BARS])),
        ),
        _("número"),
    )
    by_size = grouping == "size"
    return Figure(
        "mype-tamano" if by_size else "mype-region",
        _("MYPE suscritas por tamaño") if by_size else _("MYPE suscritas por región"),
        (
            _("Tamaño de empresa") if by_size else _("Región"),
            _("MYPE con alertas activas"),
            _("Alertas activas"),
        ),
        ("text", "count", "count"),
        rows,
        chart,
        _("Situación de hoy. Una empresa con varias regiones cuenta en cada una.")
        if not by_size
        else _("Situación de hoy, según el tamaño declarado en el perfil de la empresa."),
    )


def sources(dashboard: Dashboard) -> Figure:
    delays = dashboard.tallies(SEEN_DELAY, "source")
    empty = Tally(SEEN_DELAY.bins)
    rows = tuple(
        (
            health.name,
            _("Sí") if health.active else _("No"),
            _("Sí") if health.healthy else _("No"),
            health.last_success_at,
            health.runs,
            health.failed_runs,
            health.failed_items,
            health.items_per_run,
            delays.get(str(health.source_id), empty).mean,
            delays.get(str(health.source_id), empty).median,
        )
        for health in source_health(dashboard.session, dashboard.filters, dashboard.offset_minutes)
    )
    return Figure(
        "fuentes",
        _("Fuentes"),
        (
            _("Fuente"),
            _("Activa"),
            _("Sana"),
            _("Último éxito"),
            _("Ejecuciones"),
            _("Fallidas"),
            _("Ítems con error"),
            _("Ítems por ejecución"),
            _("Demora publicación → portal: media"),
            _("Mediana"),
        ),
        ("text", "text", "text", "datetime", "count", "count", "count", "number", "days", "days"),
        rows,
        None,
        _(
            "Ejecuciones iniciadas en el periodo; la demora es la de las convocatorias publicadas "
            "en el periodo (y en la región y el sector elegidos)."
        ),
    )


FIGURES: dict[str, Callable[[Dashboard], Figure]] = {
    "tendencia": trend,
    "distribucion": distribution,
    "desglose": breakdown,
    "aviso-plan": plan_notice,
    "actividad": activity,
    "plazo-corto": short_deadlines,
    "mype-tamano": lambda dashboard: subscribers_figure(dashboard, "size"),
    "mype-region": lambda dashboard: subscribers_figure(dashboard, "region"),
    "fuentes": sources,
}
PUBLIC_FIGURES = ("tendencia", "distribucion", "desglose", "aviso-plan", "actividad")
TABLES_ONLY = ("fuentes",)  # figures with a table and no chart


def _facts(tallies: dict, key) -> int:
    tally = tallies.get(key)
    return tally.facts if tally else 0


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


def _histogram(bins: Bins, tally: Tally) -> tuple:
    """(height, start, end) per finite bin, the height per day of the bin's width so that
    wider bins do not look taller for being wider."""
    bars = []
    for index in range(1, BIN_COUNT - 1):
        low, high = bins.bounds(index)
        if tally.counts[index]:
            bars.append((tally.counts[index] / (high - low), low, high))
    return tuple(bars)
