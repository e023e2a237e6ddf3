"""Nguồn dữ liệu: upload a copy of the form, see every import and its summary."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from data_sources import fmt
from ui.data import db_path, q

st.title("Nguồn dữ liệu")

st.subheader("Nhập tệp biểu mẫu")
st.caption(
    "Tệp .xlsx hoặc .csv (Tệp > Tải xuống trong Google Sheets). Mọi ô đọc được đều được lưu; giá trị không hợp lệ "
    "được liệt kê ở trang Chất lượng dữ liệu kèm lý do."
)
files = st.file_uploader("Chọn tệp", type=["xlsx", "csv"], accept_multiple_files=True, key="upload")
if files and st.button("Nhập các tệp đã chọn", type="primary"):
    from data_sources.ingest import ingest_paths
    from data_sources.readers import ReadError

    with tempfile.TemporaryDirectory() as tmp, st.status("Đang nhập…", expanded=True) as status:
        paths = []
        for up in files:
            p = Path(tmp) / Path(up.name).name
            p.write_bytes(up.getvalue())
            paths.append(p)
        try:
            summary = ingest_paths(paths, db_path())
        except ReadError as e:
            status.update(label="Không nhập được", state="error")
            st.error(f"{e} Chưa nhập gì; dữ liệu cũ giữ nguyên.")
        else:
            status.update(label="Đã nhập xong", state="complete")
            st.code(summary.text(), language=None)

st.subheader("Google Sheets")
st.info(
    "Kết nối trực tiếp Google Sheets (dán đường dẫn, làm mới định kỳ) chưa có trong phiên bản này. "
    "Trong lúc chờ, hãy tải bảng về dạng .xlsx hoặc .csv và nhập ở trên.",
    icon=":material/info:",
)

st.subheader("Lịch sử nhập")
imports = q("named", "imports")
if imports is None or imports.empty:
    st.caption("Chưa có lần nhập nào.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Lần": imports.import_id,
                "Lúc": [fmt.datetime(t) for t in imports.started_at],
                "Tệp": imports.source,
                "Trang": imports.sheet,
                "Ô đọc": imports.cells_read,
                "Mới": imports.imported,
                "Cập nhật": imports.updated,
                "Không đổi": imports.unchanged,
                "Trống": imports.missing,
                "Từ chối": imports.rejected,
                "Ghi chú / lỗi": [
                    e if e else n for e, n in zip(imports.error.fillna(""), imports.notes.fillna(""), strict=False)
                ],
            }
        ),
        hide_index=True,
    )
