"""The dashboard's charts as Vega-Lite specifications (plain dicts, drawn by Streamlit's built-in
Vega with ``st.vega_lite_chart``): the overview's trend, the bars of Theo chỉ tiêu, the on-time
share of Tình hình báo cáo.

Plain specs rather than Altair objects: Altair checks every chart against the Vega-Lite JSON schema
when Streamlit converts it, about 15 ms per chart on each rerun, under one lock shared by every
session of the process (``streamlit/elements/vega_charts.py``); the specs here are checked against
that same schema by the tests instead (tests/test_charts.py). Vega-Lite rather than plotly: plotly's
JavaScript is one 4,7 MB file that every new visitor's browser downloads and compiles before the
first chart, and its bar chart of a province's hundred xã/phường cost the browser about a second of
work per redraw (bench/LOADTEST.md)."""

from __future__ import annotations

import pandas as pd

from core import fmt
from core.periods import label as period_label
from ui.widgets import status_colour, status_label, value_text

BAR = 24  # pixels per unit
# Bars drawn on Theo chỉ tiêu: the units furthest behind first, about one laptop screen. Every unit is
# in the page's table and download. A bar per unit of a whole country (3 321 xã/phường, 80 000 px)
# was more than a browser can draw (a blank canvas), and a province's hundred took the browser a
# third of a second at each redraw.
BARS_MAX = 30
# a Vietnamese axis: 12,5 not 12.5
NUMBER_LABEL = "replace(format(datum.value, '~g'), '.', ',')"


def _nominal(field: str, title: str | None = None, **more) -> dict:
    return {"field": field, "type": "nominal", "title": title, **more}


def _tooltip(*pairs: tuple[str, str]) -> list[dict]:
    return [_nominal(field, title) for field, title in pairs]


def trend_chart(trend: pd.DataFrame) -> dict:
    """Each %-target per quarter as lines (``queries.trend`` rows), the legend under the plot.

    The overview draws this chart with Streamlit's built-in Vega-Lite rather than plotly: the
    overview is the page opened first, often on a phone, and plotly's JavaScript would hold the
    whole page back while a 2-core laptop runs it (bench/RESULTS.md)."""
    order = [period_label(c) for c in sorted(trend.quarter.unique())]
    data = pd.DataFrame(
        {
            "quarter": [period_label(c) for c in trend.quarter],
            "value": trend.value.astype(float).to_numpy(),
            "indicator": trend.indicator.to_numpy(),
            "text": [fmt.percent(v) for v in trend.value],
        }
    )
    return {
        "datasets": {"trend": data},
        "data": {"name": "trend"},
        "mark": {"type": "line", "point": {"size": 60}},
        "encoding": {
            "x": _nominal("quarter", "Quý", sort=order, axis={"labelAngle": 0}),
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": "Giá trị (%)",
                "scale": {"domain": [0, 100]},
                "axis": {"labelExpr": NUMBER_LABEL + " + '%'"},
            },
            # a long target name is cut with … where the screen ends (a phone), whole on a laptop
            "color": _nominal(
                "indicator",
                legend={"orient": "bottom", "direction": "vertical", "labelLimit": {"expr": "max(width - 20, 120)"}},
            ),
            "tooltip": _tooltip(("indicator", "Chỉ tiêu"), ("quarter", "Quý"), ("text", "Giá trị")),
        },
        # the height is the plot's; the legend (one line per target) is added below it
        "height": 260,
        "autosize": {"type": "fit-x", "contains": "padding"},
    }


def on_time_chart(summary: pd.DataFrame) -> dict:
    """The share of units reporting on time per quarter (``queries.reporting_summary`` rows), with
    the plan's target as a dashed rule."""
    data = pd.DataFrame(
        {
            "ky": [period_label(q) for q in summary.quarter],
            "on_time_rate": summary.on_time_rate.astype(float).to_numpy(),
            "text": [fmt.percent(v) for v in summary.on_time_rate],
        }
    )
    y = {"field": "on_time_rate", "type": "quantitative", "title": "Đúng hạn (%)", "scale": {"domain": [0, 100]}}
    layers = [
        {
            "data": {"name": "on_time"},
            "mark": {"type": "line", "point": {"size": 60}},
            "encoding": {
                "x": _nominal("ky", "Kỳ", sort=list(data.ky), axis={"labelAngle": 0}),
                "y": y,
                "tooltip": _tooltip(("ky", "Kỳ"), ("text", "Đúng hạn")),
            },
        }
    ]
    datasets = {"on_time": data}
    target = summary.target.dropna()
    if len(target):
        datasets["target"] = pd.DataFrame({"t": [float(target.iloc[0])]})
        layers.append(
            {
                "data": {"name": "target"},
                "mark": {"type": "rule", "strokeDash": [6, 4]},
                "encoding": {"y": {"field": "t", "type": "quantitative"}},
            }
        )
    return {"datasets": datasets, "layer": layers, "height": 220}


def bars_note(units: int) -> str | None:
    """What the page says under Theo chỉ tiêu's chart when it does not draw every unit."""
    if units <= BARS_MAX:
        return None
    return (
        f"Biểu đồ vẽ {BARS_MAX} đơn vị đầu danh sách (chậm nhất trước) trong {fmt.number(units)} đơn vị có "
        "số liệu; đủ mọi đơn vị ở bảng «Tất cả đơn vị» và trong tệp tải xuống."
    )


def indicator_bars(chart: pd.DataFrame, overall: pd.Series) -> dict:
    """One bar per unit for the first ``BARS_MAX`` units (worst first, as ``queries.indicator_view``
    ordered them), coloured and labelled by status, with the plan's target as a dashed line."""
    chart = chart.head(BARS_MAX)
    data = pd.DataFrame(
        {
            "unit": chart.unit_name.to_numpy(),
            "value": chart.value.astype(float).to_numpy(),
            "colour": [status_colour(s) for s in chart.status],
            "text": [
                f"{value_text(v, u, k, True)} · {status_label(s)}"
                for v, u, k, s in zip(chart.value, chart.measure, chart.kind, chart.status, strict=True)
            ],
        }
    )
    x = {
        "field": "value",
        "type": "quantitative",
        "title": None,
        "axis": {"labelExpr": NUMBER_LABEL + (" + '%'" if overall.measure == "%" else "")},
        "scale": {"domainMin": 0},
    }
    y = _nominal("unit", sort=None, axis={"labelLimit": 260})
    layers = [
        {
            "data": {"name": "units"},
            "mark": {"type": "bar"},
            "encoding": {
                "x": x,
                "y": y,
                "color": {"field": "colour", "type": "nominal", "scale": None},
                "tooltip": _tooltip(("unit", "Đơn vị"), ("text", "Giá trị")),
            },
        },
        {
            "data": {"name": "units"},
            "mark": {"type": "text", "align": "left", "dx": 4, "color": "#1b1f24"},
            "encoding": {"x": x, "y": y, "text": {"field": "text", "type": "nominal"}},
        },
    ]
    datasets = {"units": data}
    if pd.notna(overall.target):
        datasets["target"] = pd.DataFrame(
            {"target": [float(overall.target)], "label": [f"Chỉ tiêu {value_text(overall.target, overall.measure)}"]}
        )
        at_target = {"field": "target", "type": "quantitative"}
        layers += [
            {
                "data": {"name": "target"},
                "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#57606a"},
                "encoding": {"x": at_target},
            },
            {
                "data": {"name": "target"},
                "mark": {"type": "text", "align": "left", "dx": 4, "dy": -6, "color": "#57606a", "baseline": "bottom"},
                "encoding": {"x": at_target, "y": {"value": 0}, "text": {"field": "label", "type": "nominal"}},
            },
        ]
    return {"datasets": datasets, "layer": layers, "height": max(120, BAR * len(data))}
