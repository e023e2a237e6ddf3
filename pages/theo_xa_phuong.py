"""Theo xã/phường: every unit × every target, then one unit in detail."""

import streamlit as st

import queries
from core.periods import label as period_label
from ui import cycle, data, filters, tables
from ui.text import plain
from ui.widgets import downloads, show, status_grid, status_legend, unit_tiles

f = filters.current()
st.title(f"Theo {filters.level_word(f)}")
st.caption(filters.scope_caption(f))

prog = data.progress(f.plan, f.period, f.scope, level=f.level, units=f.units)
long, indicators = queries.unit_matrix(prog)
if long.empty:
    st.info("Không có đơn vị nào trong phạm vi đã chọn.", icon=":material/info:")
    st.stop()
st.markdown(status_legend(), unsafe_allow_html=True)
status_grid(*tables.unit_matrix_wide(long, indicators), help=queries.indicators_of(prog))
downloads(tables.unit_matrix_export(long), f"theo_don_vi_{f.period.code}", "units")

st.divider()
st.subheader("Chi tiết một đơn vị")
names = dict(zip(long.unit_code, long.unit_name, strict=True))
code = st.selectbox(
    "Chọn đơn vị", list(names), index=0 if len(names) == 1 else None, format_func=names.get,
    placeholder="Chọn hoặc gõ tên đơn vị", key="detail_unit",
)  # fmt: skip
if code is None:
    st.caption(
        "Chọn một đơn vị để xem từng chỉ tiêu, các cơ sở giáo dục, số liệu qua các kỳ, lịch sử duyệt và khó khăn."
    )
    st.stop()
unit_tiles(long[long.unit_code == code])

if f.level == "xa":
    schools = data.progress(f.plan, f.period, f.scope, level="truong", units=(code,))
    schools = schools[schools.unit_code != queries.ALL]
    st.markdown("**Cơ sở giáo dục thuộc đơn vị**")
    if schools.empty:
        st.caption("Chưa có trường nào của đơn vị này trong danh mục trường.")
    else:
        show(tables.school_grid(schools))

st.markdown("**Lịch sử số liệu qua các kỳ**")
hist = data.unit_history(f.scope, code)
if hist.empty:
    st.caption("Đơn vị chưa có số liệu nào.")
else:
    show(tables.unit_history(hist))
cycle.unit_changes(f.scope, code)
texts = data.unit_texts(f.scope, code)
st.markdown("**Khó khăn, đề xuất của đơn vị**")
if texts.empty:
    st.caption("Đơn vị không ghi khó khăn hay đề xuất.")
for r in texts.itertuples():
    st.markdown(f"- *{period_label(r.period)} · {r.field_name}:* {plain(r.text)}")  # sheet text: drawn as text
