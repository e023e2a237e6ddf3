"""Drawing helpers: state badges, tiles, charts, downloads. Vietnamese formats."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_sources import fmt
from queries.export import csv_bytes, xlsx_bytes

# colour and word together: a colour-blind reader reads the word and the mark
STATUS_STYLE = {
    "Đạt": ("#1a7f37", "✔"),
    "Đúng tiến độ": ("#0969da", "➜"),
    "Chậm": ("#cf222e", "▼"),
    "Chưa có số liệu": ("#8c959f", "?"),
    "Theo dõi": ("#6e7781", "•"),
}
PACE_RULE = (
    "**Cách đánh giá tiến độ** (kế hoạch không nêu, sản phẩm áp dụng): chỉ tiêu đếm theo năm "
    "đúng tiến độ khi số cộng dồn từ đầu năm đến hết quý q đạt ít nhất q/4 chỉ tiêu; chỉ tiêu tỷ lệ "
    "có hạn đúng tiến độ khi không thấp hơn đường thẳng nối giá trị báo cáo đầu tiên với chỉ tiêu "
    "tại ngày hạn. Tỷ lệ luôn là tổng tử số / tổng mẫu số. «Chưa có số liệu» không bao giờ tính là 0."
)


def status_label(s: str) -> str:
    return f"{STATUS_STYLE.get(s, ('', ''))[1]} {s}"


def value_text(value, measure: str, kind: str = "", unit_row: bool = False) -> str:
    """``67,1%``, ``3 chuyên đề``; a unit's yes/no target reads ``Có``/``Chưa``."""
    if value is None or pd.isna(value):
        return "Chưa có số liệu"
    if unit_row and kind == "share_yes":
        return "Có" if value >= 100 else "Chưa"
    if measure == "%":
        return fmt.percent(value)
    return f"{fmt.number(value, 0 if float(value).is_integer() else 1)} {measure}"


def downloads(df: pd.DataFrame, name: str, key: str) -> None:
    c1, c2 = st.columns(2)
    c1.download_button(
        "⬇ Tải CSV", csv_bytes(df), f"{name}.csv", "text/csv", key=f"{key}_csv", width="stretch", on_click="ignore"
    )
    c2.download_button(
        "⬇ Tải Excel",
        xlsx_bytes(df),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        width="stretch",
        on_click="ignore",
    )


def target_bars(df: pd.DataFrame) -> go.Figure:
    """One horizontal bar per target: value against target, coloured by state, word in the label."""
    d = df.copy()
    d["pct"] = d.apply(lambda r: _pct_of_target(r), axis=1)
    d["label"] = d.apply(
        lambda r: (
            f"{value_text(r.value, r.measure)} / {value_text(r.target, r.measure) if pd.notna(r.target) else 'không nêu số'}"
            f" · {status_label(r.status)}"
        ),
        axis=1,
    )
    fig = go.Figure(
        go.Bar(
            y=[f"{r.indicator} · {r.indicator_name}" for r in d.itertuples()],
            x=d["pct"].fillna(0),
            orientation="h",
            marker_color=[STATUS_STYLE[s][0] for s in d["status"]],
            text=d["label"],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>%{text}<extra></extra>",
        )
    )
    fig.add_vline(x=100, line_dash="dash", line_color="#57606a", annotation_text="Chỉ tiêu", annotation_position="top")
    fig.update_layout(
        height=70 + 48 * len(d),
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(title="% so với chỉ tiêu", range=[0, 240], tickvals=[0, 50, 100], ticksuffix="%"),
        yaxis=dict(autorange="reversed", automargin=True),
        separators=",.",
        font=dict(family="Noto Sans, sans-serif", size=13),
    )
    return fig


def _pct_of_target(r) -> float | None:
    if pd.isna(r.value):
        return None
    if pd.isna(r.target) or not r.target:
        return None
    return min(130.0, 100.0 * r.value / r.target)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")
