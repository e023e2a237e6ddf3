"""Chất lượng dữ liệu: rejected values, unmatched names, validation failures, superseded submissions."""

import pandas as pd
import streamlit as st

from core import fmt
from ui import filters
from ui.data import q
from ui.widgets import downloads

KINDS = {
    "gia_tri": "Giá trị bị từ chối",
    "don_vi": "Tên đơn vị không khớp",
    "don_vi_nhieu": "Tên đơn vị khớp nhiều đơn vị",
    "ky_bao_cao": "Không rõ kỳ báo cáo",
    "kiem_tra": "Số liệu vô lý (tử số > mẫu số)",
    "ty_le": "Cột tỷ lệ không khớp",
    "thay_the": "Bị thay bằng lần gửi sau",
}
filters.current()
st.title("Chất lượng dữ liệu")
st.caption("Không ô nào bị bỏ mất: mọi ô đọc được đều lưu ở dữ liệu gốc; dưới đây là những ô không được tính và lý do.")

dq = q("named", "data_quality", kinds=None)
counts = dq.kind.value_counts()
cols = st.columns(4)
for i, k in enumerate(["gia_tri", "don_vi", "kiem_tra", "thay_the"]):
    cols[i].metric(
        KINDS[k],
        fmt.number(int(counts.get(k, 0)) + (int(counts.get("don_vi_nhieu", 0)) if k == "don_vi" else 0)),
        border=True,
    )

st.subheader("Tên đơn vị cần xác nhận")
unmatched = q("named", "unmatched")
if unmatched.empty:
    st.success("Mọi tên đơn vị đều đã khớp danh mục.", icon=":material/check_circle:")
else:
    st.dataframe(
        unmatched.rename(
            columns={
                "unit_text": "Tên ghi trong bảng",
                "parent_text": "Xã/phường ghi kèm",
                "reason": "Lý do",
                "candidates": "Gần nhất",
                "rows": "Số dòng",
                "sources": "Nguồn",
            }
        )[["Tên ghi trong bảng", "Xã/phường ghi kèm", "Lý do", "Gần nhất", "Số dòng", "Nguồn"]],
        hide_index=True,
    )
    units = q("named", "units")
    names = dict(zip(units.code, units.name, strict=False))
    with st.container(border=True):
        st.markdown("**Xác nhận đơn vị cho một tên** (ghi nhớ và áp dụng cho mọi lần nhập sau)")
        key = st.selectbox(
            "Tên ghi trong bảng",
            list(unmatched.unit_key),
            key="map_name",
            format_func=dict(zip(unmatched.unit_key, unmatched.unit_text, strict=False)).get,
        )
        written = unmatched.set_index("unit_key").loc[key]
        hints = [c for c in str(written.candidates or "").split(" | ") if c]
        # the closest names first, then xã/phường, then schools
        by_name = {n: c for c, n in names.items()}
        first = [by_name[h] for h in hints if h in by_name]
        order = first + [
            c for c in units.sort_values(["level", "name"], ascending=[False, True]).code if c not in first
        ]
        code = st.selectbox("Là đơn vị", order, format_func=names.get, key=f"map_to_{key}")
        if st.button("Xác nhận", type="primary", key="confirm_mapping"):
            from data_sources.load.mappings import confirm
            from ui.data import db_path

            confirm(db_path(), key, written.unit_text, code)
            st.toast(f"Đã ghi nhớ: «{written.unit_text}» là {names[code]}.", icon=":material/check_circle:")
            st.rerun()

st.subheader("Danh sách chi tiết")
chosen = st.multiselect("Loại", list(KINDS), default=[k for k in KINDS if k != "thay_the"], format_func=KINDS.get)
shown = dq[dq.kind.isin(chosen)]
table = pd.DataFrame(
    {
        "Loại": shown.kind.map(KINDS),
        "Nguồn": shown.source,
        "Trang": shown.sheet,
        "Dòng": shown.row,
        "Cột": shown.column,
        "Trường": shown.field,
        "Đơn vị": shown.unit,
        "Giá trị gốc": shown.raw_value,
        "Lý do": shown.reason,
        "Mở ô": shown.link,
    }
)
if table.empty:
    st.success("Không có vấn đề nào thuộc các loại đã chọn.", icon=":material/check_circle:")
else:
    st.dataframe(table, hide_index=True, column_config={"Mở ô": st.column_config.LinkColumn("Mở ô", display_text="Mở")})
    downloads(table, "chat_luong_du_lieu", "dq")
