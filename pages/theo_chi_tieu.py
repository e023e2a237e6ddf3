"""Theo chỉ tiêu: one target, all units sorted with the target line, the ones behind first."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import fmt
from ui import filters
from ui.data import q
from ui.widgets import PACE_RULE, STATUS_STYLE, downloads, status_label, value_text

f = filters.current()
st.title("Theo chỉ tiêu")
st.caption(filters.scope_caption(f))

prog = q("progress", f.plan, f.period, level=f.level, units=f.units)
if prog.empty:
    st.info("Kế hoạch này không có chỉ tiêu nào tính được từ biểu mẫu.", icon=":material/info:")
    st.stop()
inds = prog.sort_values("unit_code").drop_duplicates("indicator", keep="last")  # a unit row's name
labels = dict(zip(inds.indicator, inds.indicator + " · " + inds.indicator_name, strict=False))
ind = st.selectbox("Chỉ tiêu", list(labels), format_func=labels.get, key="indicator")
rows = prog[(prog.indicator == ind) & (prog.unit_code != "*")].copy()
overall = prog[(prog.indicator == ind) & (prog.unit_code == "*")].iloc[0]
target, measure = overall.target, overall.measure

with_data = rows[rows.value.notna()]
meeting = (with_data.status == "Đạt").sum()
c = st.columns(3)
c[0].metric(
    "Toàn bộ",
    value_text(overall.value, measure),
    status_label(overall.status),
    delta_color="off",
    delta_arrow="off",
    border=True,
)
c[1].metric(
    "Đơn vị đạt chỉ tiêu",
    f"{fmt.number(meeting)}/{fmt.number(len(with_data))}",
    fmt.percent(100 * meeting / len(with_data)) if len(with_data) else None,
    delta_color="off",
    delta_arrow="off",
    border=True,
)
c[2].metric("Chưa có số liệu", fmt.number(rows.value.isna().sum()), border=True)
st.caption(
    f"Chỉ tiêu kế hoạch: {value_text(target, measure) if pd.notna(target) else 'không nêu số'}"
    f"{' · hạn ' + fmt.date(overall.deadline) if pd.notna(overall.deadline) else ''} · nguồn: {overall.seed}. {overall.note}"
)

order = {"Chậm": 0, "Đúng tiến độ": 1, "Đạt": 2, "Theo dõi": 3, "Chưa có số liệu": 4}
rows["o"] = rows.status.map(order)
rows = rows.sort_values(["o", "value", "unit_name"])
chart = rows[rows.value.notna()]
if chart.empty:
    st.info("Chưa đơn vị nào có số liệu cho chỉ tiêu này trong kỳ.", icon=":material/info:")
else:
    fig = go.Figure(
        go.Bar(
            x=chart.value,
            y=chart.unit_name,
            orientation="h",
            marker_color=[STATUS_STYLE[s][0] for s in chart.status],
            text=[
                f"{value_text(v, u, k, True)} · {status_label(s)}"
                for v, u, k, s in zip(chart.value, chart.measure, chart.kind, chart.status, strict=True)
            ],
            textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    if pd.notna(target):
        fig.add_vline(
            x=target,
            line_dash="dash",
            line_color="#57606a",
            annotation_text=f"Chỉ tiêu {value_text(target, measure)}",
            annotation_position="top",
        )
    fig.update_layout(
        height=max(300, 24 * len(chart) + 80),
        margin=dict(l=10, r=10, t=30, b=10),
        yaxis=dict(autorange="reversed", automargin=True),
        separators=",.",
        xaxis=dict(ticksuffix="%" if measure == "%" else ""),
    )
    st.plotly_chart(fig, key="indicator_chart", config={"displayModeBar": False})
st.caption(PACE_RULE)
table = pd.DataFrame(
    {
        "Mã đơn vị": rows.unit_code,
        "Đơn vị": rows.unit_name,
        "Giá trị": [value_text(v, u, k, True) for v, u, k in zip(rows.value, rows.measure, rows.kind, strict=True)],
        "Trạng thái": rows.status,
    }
)
downloads(table, f"{ind}_{f.period.code}", "indicator")
