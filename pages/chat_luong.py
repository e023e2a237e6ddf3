"""Chất lượng dữ liệu: rejected values, unmatched names, validation failures, superseded submissions."""

import streamlit as st

from ui import data, filters, forms, tables
from ui.widgets import downloads, metric, show

f = filters.current()
st.title("Chất lượng dữ liệu")
st.caption("Mọi ô đọc được đều được lưu nguyên trạng; dưới đây là các ô chưa được tính và lý do.")

dq = data.data_quality(f.scope)
for col, (label, n) in zip(st.columns(4), tables.dq_counts(dq).items(), strict=True):
    metric(col, label, n, help=tables.DQ_TILE_HELP.get(label))

st.subheader("Tên đơn vị cần xác nhận")
unmatched = data.unmatched(f.scope)
if unmatched.empty:
    st.success("Mọi tên đơn vị đều đã khớp danh mục.", icon=":material/check_circle:")
else:
    show(tables.unmatched(unmatched))
    forms.mapping_form(unmatched, f.scope)  # only for the roles that may confirm; the rest are told who can

st.subheader("Danh sách chi tiết")
kinds = tables.DQ_KINDS
chosen = st.multiselect(
    "Loại", list(kinds), default=[k for k in kinds if k != "thay_the"], format_func=kinds.get, placeholder="Chọn loại"
)
table = tables.data_quality(dq[dq.kind.isin(chosen)])
if table.empty:
    st.success("Không có vấn đề nào thuộc các loại đã chọn.", icon=":material/check_circle:")
else:
    show(table, {"Mở ô": st.column_config.LinkColumn("Mở ô", display_text="Mở")})
    downloads(table, "chat_luong_du_lieu", "dq")
