"""The periodic report and the form kit, made from the dashboard (page Báo cáo định kỳ).

Each builder checks the viewer on the server, whatever the page shows: the report needs the page
``bao_cao_dinh_ky`` of the viewer's role and reads only the viewer's own scope (never the
filters' alone); the form kit needs the action ``bieu_mau`` (catalog/roles.csv). Both are
recorded in the audit log. Files are built in a temporary folder and handed back as bytes.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from core import db
from core.links import expires
from core.periods import previous_quarter, quarter_of
from outputs.kit import build_form, write_qr
from outputs.report import ReportError, build_docx, heading_note, soffice, to_pdf
from queries.report_data import gather
from ui import access
from ui.access import Denied
from ui.data import db_path

PAGE = "bao_cao_dinh_ky"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def key(f) -> tuple:
    """What a made report was made for: a change of filters hides the old download."""
    return (f.plan, f.period.code, f.level, f.units)


def pdf_available() -> bool:
    return soffice() is not None


def report(f, pdf: bool, today: dt.date | None = None) -> dict:
    """The report for the filters ``f`` within the viewer's scope: {key, name, docx, pdf, note}."""
    v = access.current()
    if not v.sees(PAGE):
        access.refuse(v, "bao_cao", f"Tài khoản {v.email or 'này'} ({v.role_label}) không được tạo báo cáo định kỳ.")
    name = f"bao_cao_{f.plan}_{f.period.code}"
    note = None
    with tempfile.TemporaryDirectory(prefix="nq71-report-") as tmp:
        con = db.connect_read(db_path())
        try:
            d = gather(con, f.plan, f.period, v.scope, level=f.level, units=f.units or None, today=today)
        finally:
            con.close()
        docx = build_docx(d, Path(tmp) / f"{name}.docx")
        note = heading_note(d) or None
        pdf_bytes = None
        if pdf:
            try:
                pdf_bytes = to_pdf(docx).read_bytes()
            except ReportError as e:  # how to install LibreOffice is for the administrator, not every role
                said = (
                    str(e)
                    if v.can("nguoi_dung")
                    else "Máy chủ chưa tạo được bản PDF; đã có bản Word. Xin báo quản trị viên."
                )
                note = f"{note}\n\n{said}" if note else said
        out = {"key": key(f), "name": name, "docx": docx.read_bytes(), "pdf": pdf_bytes, "note": note}
    access.record(v, "bao_cao", plan=f.plan, period=f.period.code, level=f.level, units=len(f.units), pdf=pdf)
    return out


def can_make_forms() -> bool:
    return access.current().can("bieu_mau")


def kit_periods(today: dt.date | None = None) -> list[str]:
    """Quarters a form can be made for: the current quarter and the next four, the next one first."""
    today = today or dt.date.today()
    y, q = today.year, (today.month - 1) // 3 + 1
    quarters = []
    for k in range(5):
        n = q - 1 + k
        quarters.append(f"{y + n // 4}-Q{n % 4 + 1}")
    return [quarters[1], quarters[0], *quarters[2:]]


def form_kit(plan: str, period: str, link: str = "") -> dict:
    """The form kit for ``plan`` and ``period`` and, with a link, its QR code: {name, xlsx, png, svg, units}."""
    v = access.require("bieu_mau")
    name = f"phu_luc_{plan}_{period}"
    with tempfile.TemporaryDirectory(prefix="nq71-kit-") as tmp:
        kit = build_form(plan, period, Path(tmp) / f"{name}.xlsx", link=link.strip())
        out = {"name": name, "xlsx": kit.path.read_bytes(), "png": None, "svg": None, "units": kit.units}
        if link.strip():
            png, svg = write_qr(link, Path(tmp) / f"qr_{name}.png")
            out["png"], out["svg"] = png.read_bytes(), svg.read_bytes()
    access.record(v, "bieu_mau", plan=plan, period=period, link=bool(link.strip()))
    return out


def link_periods(plan: str, today: dt.date | None = None) -> list[str]:
    """Quarters a personal link is made for, the one units report now first: the last quarter while its link
    still works (deadline plus grace: in January, Quý IV), this quarter, the next one."""
    today = today or dt.date.today()
    now = quarter_of(f"{today:%Y-%m}")
    last = previous_quarter(now)
    nxt = kit_periods(today)[0]
    return ([last] if expires(plan, last) >= today else []) + [now, nxt]


def phieu(plan: str, period: str, units: list[str], level: str) -> dict:
    """The printable «phiếu» of ``units``' personal links (one PDF page each): {name, pdf, units}."""
    from outputs.phieu import make

    v = access.require("bieu_mau")
    outside = [u for u in units if not v.scope.allows(u)]
    if outside:
        access.refuse(v, "bieu_mau", f"{len(outside)} đơn vị ngoài phạm vi của tài khoản này.", units=outside)
    name = f"phieu_duong_dan_{plan}_{period}"
    with tempfile.TemporaryDirectory(prefix="nq71-phieu-") as tmp:
        pdf, n = make(db_path(), plan, period, Path(tmp) / f"{name}.pdf", units or None, level)
        out = {"name": name, "pdf": pdf.read_bytes(), "units": n}
    access.record(v, "phieu", plan=plan, period=period, units=len(units) or n)
    return out


def links_panel(f) -> None:
    """«Đường dẫn riêng của các đơn vị»: the printable phiếu (PDF) of the units in the filters, and a new
    link for one unit (every earlier link of that unit stops working). Role: ``bieu_mau``."""
    import streamlit as st

    from core.periods import label as period_label
    from ui import actions, data
    from ui.text import plain

    st.subheader("Đường dẫn riêng của các đơn vị")
    st.caption(
        "Mỗi đơn vị có một đường dẫn riêng tới biểu mẫu «Nộp báo cáo» của mình, không cần tài khoản. Phiếu in mỗi "
        "đơn vị một trang: mã QR, đường dẫn, hạn báo cáo và ba bước."
    )
    units = data.units_in(f.scope, 0)
    units = units[units.level == f.level]
    if f.units:
        units = units[units.code.isin(f.units)]
    names = dict(zip(units.code, units.name, strict=True))
    period = st.selectbox("Kỳ của đường dẫn", link_periods(f.plan), format_func=period_label, key="links_period")
    if st.button(f"Tạo phiếu của {len(names)} đơn vị (PDF)", key="make_phieu", icon=":material/qr_code_2:",
                 disabled=not names or not pdf_available()):  # fmt: skip
        with st.spinner("Đang tạo phiếu…"):
            st.session_state["phieu"] = phieu(f.plan, period, list(names), f.level)
    made = st.session_state.get("phieu")
    if made:
        st.download_button(f"Tải phiếu ({made['units']} đơn vị, PDF)", made["pdf"], f"{made['name']}.pdf",
                           mime="application/pdf", key="dl_phieu")  # fmt: skip
    unit = st.selectbox("Cấp lại đường dẫn cho đơn vị", list(names), format_func=names.get, index=None,
                        key="revoke_unit", placeholder="Chọn đơn vị (khi đường dẫn cũ bị lộ hoặc gửi nhầm)")  # fmt: skip
    if unit and st.button("Cấp lại đường dẫn", key="revoke", icon=":material/autorenew:"):
        st.session_state["new_link"] = (unit, actions.renew_link(unit, f.plan, period))
    if (new := st.session_state.get("new_link")) and new[0] == unit:
        st.success(
            f"Đã cấp đường dẫn mới cho {plain(names.get(unit, unit))}: mọi đường dẫn cũ của đơn vị không "
            "còn dùng được. Gửi đường dẫn dưới đây cho đơn vị.",
            icon=":material/check_circle:",
        )
        st.code(new[1], language=None, wrap_lines=True)


__all__ = [
    "DOCX", "XLSX", "Denied", "can_make_forms", "form_kit", "kit_periods", "link_periods", "links_panel",
    "pdf_available", "phieu",
    "report",
]  # fmt: skip
