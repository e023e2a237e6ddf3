"""plotly figures of the analysis pages (the overview's chart is Vega-Lite: ``widgets.trend_chart``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.widgets import status_colour, status_label, value_text


def indicator_bars(chart: pd.DataFrame, overall: pd.Series) -> go.Figure:
    """One bar per unit (worst first, as ``queries.indicator_view`` ordered them), coloured and
    labelled by status, with the plan's target as a dashed line."""
    fig = go.Figure(
        go.Bar(
            x=chart.value,
            y=chart.unit_name,
            orientation="h",
            marker_color=[status_colour(s) for s in chart.status],
            text=[
                f"{value_text(v, u, k, True)} · {status_label(s)}"
                for v, u, k, s in zip(chart.value, chart.measure, chart.kind, chart.status, strict=True)
            ],
            textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    if pd.notna(overall.target):
        fig.add_vline(
            x=overall.target,
            line_dash="dash",
            line_color="#57606a",
            annotation_text=f"Chỉ tiêu {value_text(overall.target, overall.measure)}",
            annotation_position="top",
        )
    fig.update_layout(
        height=max(300, 24 * len(chart) + 80),
        margin=dict(l=10, r=10, t=30, b=10),
        yaxis=dict(autorange="reversed", automargin=True),
        separators=",.",
        xaxis=dict(ticksuffix="%" if overall.measure == "%" else ""),
    )
    return fig
