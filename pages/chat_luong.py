"""Chất lượng dữ liệu: rejected values, unmatched names, validation failures, superseded submissions."""

import streamlit as st

from ui import actions, data, filters, tables
from ui.text import plain
from ui.widgets import downloads, metric, unit_choices

f = filters.current()
st.title("Chất lượng dữ liệu")
st.caption("Không ô nào bị bỏ mất: mọi ô đọc được đều lưu ở dữ liệu gốc; dưới đây là những ô không được tính và lý do.")

dq = data.data_quality(f.scope)
for col, (label, n) in zip(st.columns(4), tables.dq_counts(dq).items(), strict=True):
    metric(col, label, n)

st.subheader("Tên đơn vị cần xác nhận")
unmatched = data.unmatched(f.scope)
if unmatched.empty:
    st.success("Mọi tên đơn vị đều đã khớp danh mục.", icon=":material/check_circle:")
else:
    st.dataframe(tables.unmatched(unmatched), hide_index=True)
    with st.container(border=True):
        st.markdown("**Xác nhận đơn vị cho một tên** (ghi nhớ và áp dụng cho mọi lần nhập sau)")
        written = dict(zip(unmatched.unit_key, unmatched.unit_text, strict=True))
        key = st.selectbox("Tên ghi trong bảng", list(written), key="map_name", format_func=written.get)
        hints = unmatched.set_index("unit_key").loc[key].candidates
        order, names = unit_choices(data.units(f.scope), hints)
        code = st.selectbox("Là đơn vị", order, format_func=names.get, key=f"map_to_{key}")
        if st.button("Xác nhận", type="primary", key="confirm_mapping"):
            actions.confirm_mapping(key, written[key], code)
            st.toast(f"Đã ghi nhớ: «{plain(written[key])}» là {plain(names[code])}.", icon=":material/check_circle:")
            st.rerun()

st.subheader("Danh sách chi tiết")
kinds = tables.DQ_KINDS
chosen = st.multiselect("Loại", list(kinds), default=[k for k in kinds if k != "thay_the"], format_func=kinds.get)
table = tables.data_quality(dq[dq.kind.isin(chosen)])
if table.empty:
    st.success("Không có vấn đề nào thuộc các loại đã chọn.", icon=":material/check_circle:")
else:
    st.dataframe(table, hide_index=True, column_config={"Mở ô": st.column_config.LinkColumn("Mở ô", display_text="Mở")})
    downloads(table, "chat_luong_du_lieu", "dq")
