"""Tổng quan: how far are we, who is behind, who has not reported."""

import pandas as pd
import streamlit as st

from core import fmt
from core.periods import label as period_label
from ui import filters
from ui.data import overview
from ui.widgets import PACE_RULE, downloads, status_label, target_list, trend_chart, value_text

f = filters.current()
st.title("Tổng quan")
st.caption(filters.scope_caption(f))

prog, rep, trend = overview(f)
overall = prog[prog.unit_code == "*"]
per_unit = prog[prog.unit_code != "*"]
last_q = rep[rep.quarter == rep.quarter.max()]

reported, expected = int(last_q.reported.sum()), len(last_q)
judged = overall[~overall.status.isin(["Theo dõi", "Chưa có số liệu"])]
n_met, n_track, n_behind = (int((judged.status == s).sum()) for s in ("Đạt", "Đúng tiến độ", "Chậm"))
behind_units = per_unit[per_unit.status == "Chậm"].unit_code.nunique()
level_word = "xã/phường" if f.level == "xa" else "cơ sở giáo dục"
st.markdown(
    f"**{f.period.label}:** {fmt.number(reported)}/{fmt.number(expected)} {level_word} đã báo cáo; "
    f"chỉ tiêu: **{n_met} đạt**, **{n_track} đúng tiến độ**, **{n_behind} chậm**."
)
c = st.columns(3)
c[0].metric(
    "Đơn vị đã báo cáo",
    f"{fmt.number(reported)}/{fmt.number(expected)}",
    fmt.percent(100 * reported / expected) if expected else None,
    delta_color="off",
    delta_arrow="off",
    border=True,
    help=f"Kỳ {period_label(last_q.quarter.iloc[0]) if len(last_q) else f.period.label}; phải báo cáo: mọi đơn vị trong danh mục",
)
c[1].metric(
    "Chỉ tiêu đạt",
    f"{n_met}/{len(judged)}",
    f"{n_track} đúng tiến độ · {n_behind} chậm",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
c[2].metric("Đơn vị có chỉ tiêu chậm", fmt.number(behind_units), border=True)

st.subheader("Tiến độ từng chỉ tiêu")
if overall.empty:
    st.info("Kế hoạch này không có chỉ tiêu nào tính được từ biểu mẫu.", icon=":material/info:")
else:
    st.html(target_list(overall))
    st.caption(PACE_RULE)

st.subheader("Xu hướng theo quý")
if trend.quarter.nunique() < 2:
    st.info("Cần số liệu của ít nhất hai quý để vẽ xu hướng.", icon=":material/info:")
else:
    st.altair_chart(trend_chart(trend), key="trend", width="stretch")

table = pd.DataFrame(
    {
        "Mã chỉ tiêu": overall.indicator,
        "Chỉ tiêu": overall.indicator_name,
        "Giá trị": [value_text(v, m) for v, m in zip(overall.value, overall.measure, strict=False)],
        "Chỉ tiêu kế hoạch": [
            value_text(v, m) if pd.notna(v) else "không nêu số"
            for v, m in zip(overall.target, overall.measure, strict=False)
        ],
        "Hạn": [fmt.date(d) if pd.notna(d) else "" for d in overall.deadline],
        "Trạng thái": [status_label(s) for s in overall.status],
        "Nguồn (kế hoạch)": overall.seed,
    }
)
with st.expander("Bảng số liệu và tải xuống"):
    st.dataframe(table, hide_index=True)
    downloads(table, f"tong_quan_{f.period.code}", "overview")
