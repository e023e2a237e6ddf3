"""Forms that write (upload, add a Google source): widgets wired to ``ui.actions``."""

from __future__ import annotations

import streamlit as st

from ui import access, actions, data
from ui.text import plain
from ui.widgets import unit_choices


def upload_box() -> None:
    """File picker + import button; a progress bar per file and step, then the import summary, or
    why nothing was written."""
    st.caption(
        "Tệp .xlsx, .xls (Excel 97-2003), .ods (LibreOffice) hoặc .csv/.txt (Tệp > Tải xuống trong Google Sheets; "
        "UTF-8, UTF-16 «Unicode text», Windows-1258). Mọi ô đọc được đều được lưu; giá trị không hợp lệ được liệt kê "
        "ở trang Chất lượng dữ liệu kèm lý do. Các tệp được công bố cùng một lần: lỗi ở một tệp thì không tệp nào được ghi."
    )
    files = st.file_uploader(
        "Chọn tệp (kéo thả tệp vào ô dưới hoặc bấm nút trong ô)",
        type=actions.UPLOAD_TYPES,
        accept_multiple_files=True,
        key="upload",
        max_upload_size=actions.upload_limit_mb(),
        help=f"Tối đa {actions.upload_limit_mb()} MB mỗi tệp; .xlsx, .xls, .ods, .csv, .txt",
    )
    if not (files and st.button("Nhập các tệp đã chọn", type="primary")):
        return
    with st.status("Đang nhập…", expanded=True) as status:
        bar = st.progress(0.0, text="Chuẩn bị nhập…")
        try:
            summary = actions.upload(files, progress=lambda fraction, text: bar.progress(min(fraction, 1.0), text=text))
        except (actions.ReadError, actions.StoreError) as e:
            status.update(label="Không nhập được", state="error")
            st.error(f"{plain(e)} Chưa nhập gì; dữ liệu cũ giữ nguyên.")  # names the person's own file
        else:
            failed = [t for t in summary.tabs if t.get("error")]
            label = "Đã nhập xong" + (f" ({len(failed)} trang không nhập, xem lý do bên dưới)" if failed else "")
            status.update(label=label, state="complete")
            st.code(summary.text(), language=None)


def service_account_note(sa: dict | None, problem: str | None) -> None:
    if problem:
        st.error(plain(problem))
    if sa:
        st.markdown(
            f"Tài khoản dịch vụ: `{sa.get('client_email', '?')}` — chia sẻ quyền **Người xem** mỗi bảng với địa chỉ này."
        )
    else:
        from ui import access

        where = (  # the setting's name is for the administrator who sets it
            " (gcp_service_account trong .streamlit/secrets.toml hoặc GOOGLE_APPLICATION_CREDENTIALS)"
            if access.current().can("nguoi_dung")
            else ""
        )
        st.caption(
            f"Chưa cấu hình tài khoản dịch vụ Google{where}: chỉ đọc được bảng chia sẻ «Bất kỳ ai có đường liên kết»."
        )


def add_source_form() -> None:
    with st.form("add_source", clear_on_submit=True):
        link = st.text_input(
            "Dán đường dẫn Google Sheets", placeholder="https://docs.google.com/spreadsheets/d/…/edit#gid=0"
        )
        c1, c2 = st.columns(2)
        label = c1.text_input("Tên hiển thị (tùy chọn)")
        tabs = c2.text_input("Chỉ đọc các trang (tùy chọn, cách nhau bởi dấu phẩy)")
        if st.form_submit_button("Thêm nguồn"):
            try:
                sid = actions.add_source(link, tabs, label)
            except actions.GoogleError as e:
                st.error(plain(e.message))
            else:
                shown = f"«{plain(label.strip())}»" if label.strip() else f"có mã {sid}"  # its name when it has one
                st.success(f"Đã thêm bảng {shown}. Bấm «Làm mới ngay» để đọc.", icon=":material/check_circle:")


def mapping_form(unmatched, scope) -> None:
    """Confirm the unit of a written name (remembered for every later import): shown only to a role that
    holds «anh_xa»; the server checks again (``actions.confirm_mapping``) and records a refusal."""
    if not access.current().can("anh_xa"):
        st.caption("Văn phòng hoặc quản trị viên xác nhận đơn vị cho các tên này.")
        return
    with st.container(border=True):
        st.markdown("**Xác nhận đơn vị cho một tên** (ghi nhớ và áp dụng cho mọi lần nhập sau)")
        written = dict(zip(unmatched.unit_key, unmatched.unit_text, strict=True))
        key = st.selectbox(
            "Tên ghi trong bảng", list(written), key="map_name", format_func=written.get, placeholder="Chọn tên"
        )
        hints = unmatched.set_index("unit_key").loc[key].candidates
        order, names = unit_choices(data.units(scope), hints)
        code = st.selectbox("Là đơn vị", order, format_func=names.get, key=f"map_to_{key}", placeholder="Chọn đơn vị")
        if st.button("Xác nhận", type="primary", key="confirm_mapping"):
            actions.confirm_mapping(key, written[key], code)
            st.toast(f"Đã ghi nhớ: «{plain(written[key])}» là {plain(names[code])}.", icon=":material/check_circle:")
            st.rerun()
