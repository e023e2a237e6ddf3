"""Nguồn dữ liệu: upload a copy of the form, see every import and its summary."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from core import fmt
from ui.data import db_path, q

st.title("Nguồn dữ liệu")

st.subheader("Nhập tệp biểu mẫu")
st.caption(
    "Tệp .xlsx hoặc .csv (Tệp > Tải xuống trong Google Sheets). Mọi ô đọc được đều được lưu; giá trị không hợp lệ "
    "được liệt kê ở trang Chất lượng dữ liệu kèm lý do."
)
files = st.file_uploader("Chọn tệp", type=["xlsx", "csv"], accept_multiple_files=True, key="upload")
if files and st.button("Nhập các tệp đã chọn", type="primary"):
    from data_sources.load.ingest import ingest_paths
    from data_sources.read.readers import ReadError

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
from data_sources import refresh as gs  # noqa: E402
from data_sources.read.google import GoogleError  # noqa: E402


def _service_account() -> dict | None:
    try:
        secrets = (
            {"gcp_service_account": st.secrets["gcp_service_account"]} if "gcp_service_account" in st.secrets else None
        )
    except Exception:  # no secrets.toml at all
        secrets = None
    try:
        return gs.load_service_account(secrets)
    except (OSError, ValueError) as e:
        st.error(f"Không đọc được khóa tài khoản dịch vụ: {type(e).__name__}. Kiểm tra GOOGLE_APPLICATION_CREDENTIALS.")
        return None


sa = _service_account()
if sa:
    st.markdown(
        f"Tài khoản dịch vụ: `{sa.get('client_email', '?')}` — chia sẻ quyền **Người xem** mỗi bảng với địa chỉ này."
    )
else:
    st.caption(
        "Chưa cấu hình tài khoản dịch vụ (gcp_service_account trong .streamlit/secrets.toml hoặc "
        "GOOGLE_APPLICATION_CREDENTIALS): chỉ đọc được bảng chia sẻ «Bất kỳ ai có đường liên kết»."
    )
with st.form("add_source", clear_on_submit=True):
    link = st.text_input(
        "Dán đường dẫn Google Sheets", placeholder="https://docs.google.com/spreadsheets/d/…/edit#gid=0"
    )
    c1, c2 = st.columns(2)
    label = c1.text_input("Tên hiển thị (tùy chọn)")
    tabs = c2.text_input("Chỉ đọc các trang (tùy chọn, cách nhau bởi dấu phẩy)")
    if st.form_submit_button("Thêm nguồn"):
        try:
            sid = gs.add_source(db_path(), link, tabs, label)
        except GoogleError as e:
            st.error(e.message)
        else:
            st.success(f"Đã thêm bảng {sid}. Bấm «Làm mới ngay» để đọc.", icon=":material/check_circle:")

sources = gs.list_sources(db_path())
if not sources:
    st.caption("Chưa có bảng Google Sheets nào.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Bảng": [r["label"] or r["source_id"] for r in sources],
                "Trang": [r["tabs"] or "tất cả" for r in sources],
                "Đọc tốt lần cuối": [fmt.datetime(r["last_ok_at"]) if r["last_ok_at"] else "chưa" for r in sources],
                "Lần thử cuối": [fmt.datetime(r["last_attempt_at"]) if r["last_attempt_at"] else "—" for r in sources],
                "Lỗi lần thử cuối": [r["last_error"] or "" for r in sources],
                "Mở": [r["url"] for r in sources],
            }
        ),
        hide_index=True,
        column_config={"Mở": st.column_config.LinkColumn("Mở", display_text="Mở bảng")},
    )
    if st.button("Làm mới ngay", type="primary", key="refresh_now"):
        bar = st.progress(0.0, text="Đang đọc…")

        def show(i, n, name):
            bar.progress(
                i / n if n else 1.0, text=f"Đang đọc {i + 1}/{n}: {name}" if i < n else "Đang công bố số liệu…"
            )

        result = gs.refresh(db_path(), sa, progress=show)
        st.session_state["last_refresh"] = (
            bool(result.failed),
            f"Đọc {len(result.read)} bảng, không đổi {len(result.unchanged)}, lỗi {len(result.failed)}.",
            result.text(),
        )
        st.rerun()  # show the sources table as the refresh left it
    if "last_refresh" in st.session_state:
        failed, headline, detail = st.session_state["last_refresh"]
        (st.warning if failed else st.success)(headline)
        with st.expander("Tóm tắt lần làm mới"):
            st.code(detail, language=None)

st.subheader("Lịch sử nhập")
imports = q("named", "imports")
if imports is None or imports.empty:
    st.caption("Chưa có lần nhập nào.")
else:
    n = fmt.number
    st.dataframe(
        pd.DataFrame(
            {
                "Lần": imports.import_id,
                "Nhận lúc": [fmt.datetime(t) for t in imports.seen_at],
                "Tệp / bảng": imports.source,
                "Trang": imports.sheet,
                "Ô đọc": [n(v) for v in imports.cells_read],
                "Mới": [n(v) for v in imports.imported],
                "Cập nhật": [n(v) for v in imports.updated],
                "Không đổi": [n(v) for v in imports.unchanged],
                "Trống": [n(v) for v in imports.missing],
                "Từ chối": [n(v) for v in imports.rejected],
                "Ghi chú / lỗi": [
                    e if e else t for e, t in zip(imports.error.fillna(""), imports.notes.fillna(""), strict=True)
                ],
            }
        ),
        hide_index=True,
    )
