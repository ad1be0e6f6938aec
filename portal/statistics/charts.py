"""Charts as SVG files drawn on the server with pygal, for `<img src="….svg">`.

The SVG carries no script (`js=[]`: pygal would otherwise link its tooltips from a CDN; its
inline configuration script is removed) and keeps pygal's own stylesheet inside the file. As
an image it is a document of its own, so the pages' Content-Security-Policy, which admits no
inline style, stays as it is; the response of a chart gets a policy of its own that allows
exactly what it needs: inline style, and nothing else.
"""

import pygal
from flask_babel import gettext as _
from lxml import etree
from pygal.style import Style

from portal.statistics.figures import Chart

CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
SCRIPT_TAGS = ("script", "{http://www.w3.org/2000/svg}script")
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2733",
    foreground_strong="#1d2733",
    foreground_subtle="#5b6875",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    colors=("#0b5cab", "#b3261e", "#2e7d32", "#8e6c00", "#6a1b9a"),
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
    value_font_size=12,
    tooltip_font_size=12,
    no_data_font_size=28,
)
LABEL_LENGTH = 34  # a bar's name (an entity's may run to 300 characters)
KINDS = {
    "line": pygal.Line,
    "bar": pygal.Bar,
    "horizontal": pygal.HorizontalBar,
    "histogram": pygal.Histogram,
}


WIDTH = 800


def chart_height(chart: Chart) -> int:
    """Room for every bar of a horizontal chart; the page's <img> gets the same size."""
    if chart.kind == "horizontal":
        return max(360, 160 + 34 * len(chart.labels))
    return 440


def render_svg(chart: Chart, title: str) -> bytes:
    many = len(chart.labels) > 8
    horizontal = chart.kind == "horizontal"
    labels, series = list(chart.labels), [(name, list(values)) for name, values in chart.series]
    if horizontal:  # pygal draws the first bar at the bottom: the table's first on top
        labels = [_shortened(label) for label in reversed(labels)]
        series = [(name, values[::-1]) for name, values in series]
    drawing = KINDS[chart.kind](
        js=[],
        style=STYLE,
        title=title,
        width=WIDTH,
        height=chart_height(chart),
        explicit_size=False,  # the viewBox alone: the image scales to its box
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        truncate_legend=-1,
        x_label_rotation=40 if many and chart.kind == "line" else 0,
        y_title=None if horizontal else chart.y_title,
        x_title=chart.y_title if horizontal else (_("días") if chart.kind == "histogram" else None),
        show_minor_x_labels=not many or horizontal,
        x_labels_major_every=3 if many and not horizontal else None,
        no_data_text=_("Sin datos en este periodo"),
        print_values=False,
        value_formatter=_number,
        margin=16,
        spacing=6,
        include_x_axis=True,
    )
    if chart.kind != "histogram":
        drawing.x_labels = labels
    for name, values in series:
        drawing.add(name, values)
    return _without_scripts(drawing.render_tree())


def _shortened(label: str) -> str:
    return label if len(label) <= LABEL_LENGTH else label[: LABEL_LENGTH - 1].rstrip() + "…"


def _without_scripts(svg: etree._Element) -> bytes:
    """pygal writes its configuration into a <script> even with `js=[]`; an image never runs
    it, but a chart is data and carries none."""
    for script in [element for element in svg.iter() if element.tag in SCRIPT_TAGS]:
        script.getparent().remove(script)
    return etree.tostring(svg, xml_declaration=True, encoding="utf-8")


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"
