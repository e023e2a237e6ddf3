"""Tổng quan: how far are we, who is behind, who has not reported."""

import streamlit as st

import queries
from core import fmt
from core.periods import label as period_label
from core.periods import phrase as period_phrase
from ui import filters, tables
from ui.charts import trend_chart
from ui.data import overview
from ui.widgets import PACE_RULE, change_lines, downloads, metric, opened, show, target_list

f = filters.current()
st.title("Tổng quan")
st.caption(filters.scope_caption(f))

prog, reported, trend, prev, changed = overview(f)
s = queries.overview_summary(prog, reported)
overall = prog[prog.unit_code == queries.ALL]
st.markdown(
    f"**{f.period.label}:** {fmt.number(s['reported'])}/{fmt.number(s['expected'])} {filters.level_word(f)} "
    f"đã báo cáo; chỉ tiêu: **{s['met']} đạt**, **{s['on_track']} đúng tiến độ**, **{s['behind']} chậm**."
)
c = st.columns(3)
when = period_label(s["quarter"]) if s["quarter"] else f.period.label
metric(
    c[0], "Đơn vị đã báo cáo", s["reported"], s["expected"], help=f"Kỳ {when}; phải báo cáo: mọi đơn vị trong danh mục"
)
metric(c[1], "Chỉ tiêu đạt", s["met"], s["judged"], note=f"{s['on_track']} đúng tiến độ · {s['behind']} chậm")
metric(c[2], "Đơn vị có chỉ tiêu chậm", s["units_behind"])

if changed is not None:
    n = len(changed)
    with st.expander(
        f"So với {period_phrase(prev)} có {fmt.number(n)} thay đổi"
        + (f" (hiển thị {min(n, 8)} thay đổi đầu)" if n else "")
    ):
        st.markdown("\n".join(f"- {line}" for line in change_lines(changed)) or "Không có thay đổi nào.")

st.subheader("Tiến độ từng chỉ tiêu")
if overall.empty:
    st.info("Kế hoạch này không có chỉ tiêu nào tính được từ biểu mẫu.", icon=":material/info:")
else:
    st.html(target_list(overall))
    st.caption(PACE_RULE)

st.subheader("Xu hướng theo quý")
if not queries.has_trend(trend):
    st.info("Cần số liệu của ít nhất hai quý để vẽ xu hướng.", icon=":material/info:")
else:
    st.vega_lite_chart(spec=trend_chart(trend), key="trend", width="stretch")

if (box := opened("Bảng số liệu và tải xuống", key="tq_bang")) is not None:  # drawn when opened
    with box:
        table = tables.overview(overall)
        show(table)
        downloads(table, f"tong_quan_{f.period.code}", "overview")
