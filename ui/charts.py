"""Vega-Lite figures (Altair, drawn by Streamlit's built-in Vega) of the analysis pages; the
overview's trend is ``widgets.trend_chart``.

Vega-Lite rather than plotly: plotly's JavaScript is one 4,7 MB file that every new visitor's
browser downloads and compiles before the first chart, and its bar chart of a province's hundred
xã/phường cost the browser about a second of work per redraw (bench/LOADTEST.md); Vega is already
loaded for the overview."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.widgets import status_colour, status_label, value_text

BAR = 24  # pixels per unit


def indicator_bars(chart: pd.DataFrame, overall: pd.Series) -> alt.LayerChart:
    """One bar per unit (worst first, as ``queries.indicator_view`` ordered them), coloured and
    labelled by status, with the plan's target as a dashed line."""
    df = pd.DataFrame(
        {
            "unit": chart.unit_name.tolist(),
            "value": chart.value.astype(float).tolist(),
            "colour": [status_colour(s) for s in chart.status],
            "text": [
                f"{value_text(v, u, k, True)} · {status_label(s)}"
                for v, u, k, s in zip(chart.value, chart.measure, chart.kind, chart.status, strict=True)
            ],
        }
    )
    percent = overall.measure == "%"
    x = alt.X(
        "value:Q",
        title=None,
        axis=alt.Axis(labelExpr="replace(format(datum.value, '~g'), '.', ',')" + (" + '%'" if percent else "")),
        scale=alt.Scale(domainMin=0),
    )
    y = alt.Y("unit:N", title=None, sort=None, axis=alt.Axis(labelLimit=260))
    base = alt.Chart(df).encode(y=y)
    bars = base.mark_bar().encode(
        x=x,
        color=alt.Color("colour:N", scale=None),
        tooltip=[alt.Tooltip("unit:N", title="Đơn vị"), alt.Tooltip("text:N", title="Giá trị")],
    )
    labels = base.mark_text(align="left", dx=4, color="#1b1f24").encode(x=x, text="text:N")
    layers = [bars, labels]
    if pd.notna(overall.target):
        target = pd.DataFrame(
            {"target": [float(overall.target)], "label": [f"Chỉ tiêu {value_text(overall.target, overall.measure)}"]}
        )
        rule = alt.Chart(target).mark_rule(strokeDash=[6, 4], color="#57606a").encode(x="target:Q")
        note = (
            alt.Chart(target)
            .mark_text(align="left", dx=4, dy=-6, color="#57606a", baseline="bottom")
            .encode(x="target:Q", y=alt.value(0), text="label:N")
        )
        layers += [rule, note]
    return alt.layer(*layers).properties(height=max(120, BAR * len(df)))
