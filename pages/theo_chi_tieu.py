"""Theo chỉ tiêu: one target, all units sorted with the target line, the ones behind first."""

import pandas as pd
import streamlit as st

import queries
from core import fmt
from ui import data, filters, tables
from ui.charts import bars_note, indicator_bars
from ui.widgets import (
    PACE_RULE,
    SCOPE_WORD,
    downloads,
    metric,
    opened,
    show,
    status_label,
    status_word,
    value_text,
)

f = filters.current()
st.title("Theo chỉ tiêu")
st.caption(filters.scope_caption(f))

prog = data.progress(f.plan, f.period, f.scope, level=f.level, units=f.units)
if prog.empty:
    st.info("Kế hoạch này không có chỉ tiêu nào tính được từ biểu mẫu.", icon=":material/info:")
    st.stop()
labels = queries.indicators_of(prog)  # the target's name; its code (CT01) is never shown
ind = st.selectbox("Chỉ tiêu", list(labels), format_func=labels.get, key="indicator", placeholder="Chọn chỉ tiêu")
overall, rows, n = queries.indicator_view(prog, ind)

c = st.columns(3)
c[0].metric(
    SCOPE_WORD, value_text(overall.value, overall.measure), status_label(overall.status),
    delta_color="off", delta_arrow="off", border=True,
)  # fmt: skip
metric(c[1], "Đơn vị đạt chỉ tiêu", n["meeting"], n["with_data"])
metric(c[2], status_word("chua_co_so_lieu"), n["no_data"])
target = value_text(overall.target, overall.measure) if pd.notna(overall.target) else "kế hoạch không quy định số"
deadline = f" · hạn {fmt.date(overall.deadline)}" if pd.notna(overall.deadline) else ""
st.caption(f"Chỉ tiêu kế hoạch: {target}{deadline} · nguồn: {f.plan_name}. {overall.note}")

chart = rows[rows.value.notna()]
if chart.empty:
    st.info("Chưa đơn vị nào có số liệu cho chỉ tiêu này trong kỳ.", icon=":material/info:")
else:
    st.vega_lite_chart(spec=indicator_bars(chart, overall), key="indicator_chart", width="stretch")
    if note := bars_note(len(chart)):
        st.caption(note)
st.caption(PACE_RULE)
table = tables.indicator_units(rows)
if (box := opened(f"Tất cả đơn vị ({fmt.number(len(table))})", key="ct_tat_ca")) is not None:  # drawn when opened
    with box:
        show(table)
downloads(table, f"{ind}_{f.period.code}", "indicator")
