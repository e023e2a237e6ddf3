"""Báo cáo định kỳ: the periodic report (.docx, PDF) for the filters and the viewer's scope; for
administrators and the office, the form kit (.xlsx) and the QR code of the shared sheet's link."""

import streamlit as st

from core.periods import label as period_label
from ui import filters, reports

f = filters.current()
st.title("Báo cáo định kỳ")
st.caption(filters.scope_caption(f))
st.markdown(
    "Báo cáo kết quả truyền thông (Word và PDF) theo thể thức Nghị định 30/2020/NĐ-CP, hoặc Hướng dẫn "
    "36-HD/VPTW khi cơ quan ban hành kế hoạch là cấp ủy Đảng; số liệu của kỳ, cấp và đơn vị đang chọn ở thanh "
    "bên, trong phạm vi tài khoản được xem. Văn thư ghi số, ngày rồi trình ký."
)
pdf = st.checkbox(
    "Kèm bản PDF", value=reports.pdf_available(), disabled=not reports.pdf_available(),
    help="Bản PDF được tạo trên máy chủ từ bản Word",
)  # fmt: skip
if st.button("Tạo báo cáo", type="primary", key="make_report", icon=":material/description:"):
    with st.spinner("Đang tạo báo cáo…"):
        st.session_state["report"] = reports.report(f, pdf)
made = st.session_state.get("report")
if made and made["key"] == reports.key(f):
    c = st.columns(2)
    c[0].download_button("Tải báo cáo (.docx)", made["docx"], f"{made['name']}.docx", mime=reports.DOCX, key="dl_docx")
    if made["pdf"]:
        c[1].download_button("Tải PDF", made["pdf"], f"{made['name']}.pdf", mime="application/pdf", key="dl_pdf")
    if made["note"]:
        st.warning(made["note"], icon=":material/picture_as_pdf:")

if reports.can_make_forms():
    st.subheader("Biểu mẫu cho các đơn vị và mã QR")
    st.caption(
        "Tệp Excel theo đúng mẫu hệ thống đọc được: một dòng cho mỗi đơn vị phải báo cáo, ô được kiểm tra khi "
        "gõ, tên đơn vị và tiêu đề được khóa. Dán đường dẫn Google Sheets gửi cho các đơn vị để tạo mã QR in vào "
        "kế hoạch."
    )
    with st.form("form_kit"):
        period = st.selectbox(
            "Kỳ báo cáo của biểu mẫu", reports.kit_periods(), format_func=period_label, placeholder="Chọn kỳ"
        )
        link = st.text_input("Đường dẫn Google Sheets (không bắt buộc)", placeholder="https://docs.google.com/…")
        go = st.form_submit_button("Tạo biểu mẫu", icon=":material/table_view:")
    if go:
        st.session_state["kit"] = reports.form_kit(f.plan, period, link)
    kit = st.session_state.get("kit")
    if kit:
        st.download_button(
            f"Tải biểu mẫu ({kit['units']} đơn vị)", kit["xlsx"], f"{kit['name']}.xlsx", mime=reports.XLSX, key="dl_kit"
        )  # fmt: skip
        if kit["png"]:
            st.image(kit["png"], caption="Mã QR của đường dẫn", width=220)
            c = st.columns(2)
            c[0].download_button("Tải mã QR (.png)", kit["png"], f"qr_{kit['name']}.png", key="dl_qr_png")
            c[1].download_button("Tải mã QR (.svg)", kit["svg"], f"qr_{kit['name']}.svg", key="dl_qr_svg")
    reports.links_panel(f)  # each unit's personal link: the printable phiếu, a new link
