"""The reporting cycle on the Tình hình báo cáo page: each unit's state, approve / return / unlock,
pending changes to accept or reject, the chase list with reminder texts. Widgets only: the rules are
in ``queries`` (state, chase list, reminder text), the writes in ``ui.actions`` (role-checked)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import queries
from core import catalog, fmt
from core.periods import label as period_label
from core.periods import phrase
from ui import access, actions, data, tables
from ui.text import plain
from ui.widgets import downloads, metric, opened, show


def _done(message: str) -> None:
    message = plain(message)  # names units and reasons people wrote
    st.toast(message, icon=":material/check_circle:")
    st.session_state["cycle_message"] = message


def _run(fn, *args) -> None:
    try:
        out = fn(*args)
    except (actions.CycleError, actions.Denied) as e:
        st.error(plain(e), icon=":material/error:")
        return
    if isinstance(out, list):
        out = "\n".join(out)
    elif isinstance(out, int):
        out = f"Đã ghi nhận nhắc {fmt.number(out)} đơn vị."
    _done(out)
    st.rerun()


def panel(f, rep: pd.DataFrame) -> None:
    """The cycle's section for the filters' period, one quarter at a time (the newest by default);
    ``rep``: the page's ``reporting`` rows (read once, not again here)."""
    quarters = f.period.quarter_codes
    st.header("Duyệt, khóa và nhắc báo cáo")
    quarter = (
        quarters[-1]
        if len(quarters) == 1
        else st.selectbox(
            "Quý", list(reversed(quarters)), format_func=period_label, key="cycle_quarter", placeholder="Chọn quý"
        )
    )
    states = data.cycle_states((quarter,), f.scope)
    subs = queries.submission_view(rep[rep.quarter == quarter], states, data.contacts(f.scope))
    if subs.empty:
        st.info("Chưa có đơn vị nào phải báo cáo trong phạm vi đang xem.", icon=":material/info:")
        return
    if msg := st.session_state.pop("cycle_message", None):
        st.success(msg, icon=":material/check_circle:")
    counts = subs.state.value_counts()
    words = catalog.submission_states()
    cols = st.columns(len(words))
    for col, w in zip(cols, sorted(words.values(), key=lambda w: w.order), strict=True):
        metric(col, f"{w.symbol} {w.label}", int(counts.get(w.code, 0)), help=w.help)
    viewer = access.current()
    _returned_notice(subs)
    table = tables.submissions(subs.sort_values(["state_order", "unit_name"]))
    show(table, width="stretch")
    downloads(table, f"trang_thai_nop_{quarter}", f"subs_{quarter}")
    if viewer.can("duyet"):
        _decide(subs, quarter)
    _pending(f, viewer.can("duyet"))
    _chase(subs, quarter, viewer.can("duyet"), f.plan)


def _returned_notice(subs: pd.DataFrame) -> None:
    """A unit sees why its report came back."""
    returned = subs.state.to_numpy() == "tra_lai"
    if not returned.any():  # the usual case: nothing to build
        return
    for r in subs[returned].head(5).itertuples():
        st.warning(
            f"**{plain(r.unit_name)}**: báo cáo {period_label(r.quarter)} bị trả lại ngày {fmt.datetime(r.at_time)}. "
            f"Lý do: {plain(r.reason)}. Sửa trong bảng tính rồi báo văn phòng duyệt lại.",
            icon=":material/undo:",
        )


def _decide(subs: pd.DataFrame, quarter: str) -> None:
    names = dict(zip(subs.unit_code, subs.unit_name, strict=True))
    ready = subs[subs.state == "da_nop"].unit_code.tolist()
    approved = subs[subs.state == "da_duyet"].unit_code.tolist()
    sent = subs[subs.state.isin(["da_nop", "da_duyet"])].unit_code.tolist()
    with st.expander(f"Duyệt báo cáo ({fmt.number(len(ready))} đơn vị chờ duyệt)", expanded=bool(ready)):
        with st.form("cycle_approve", border=False):
            chosen = st.multiselect(
                "Chọn đơn vị để duyệt (số liệu sẽ bị khóa)",
                ready,
                format_func=names.get,
                placeholder="Chọn đơn vị",
                key="cycle_approve_units",
            )
            c = st.columns(2)
            one = c[0].form_submit_button("Duyệt các đơn vị đã chọn", type="primary", width="stretch")
            every = c[1].form_submit_button(f"Duyệt tất cả {fmt.number(len(ready))} đơn vị", width="stretch")
        if one or every:
            _run(actions.approve, quarter, ready if every else chosen)
    with st.expander("Trả lại báo cáo hoặc mở khóa"):
        with st.form("cycle_return", border=False):
            unit = st.selectbox("Đơn vị", sent, format_func=names.get, index=None, placeholder="Chọn đơn vị")
            reason = st.text_input("Lý do (gửi kèm cho đơn vị)", placeholder="Ví dụ: thiếu số người được khảo sát")
            c = st.columns(2)
            back = c[0].form_submit_button("Trả lại báo cáo", width="stretch")
            open_ = c[1].form_submit_button("Mở khóa", width="stretch", disabled=not approved)
        if (back or open_) and unit is None:
            st.error("Chọn một đơn vị trước.", icon=":material/error:")
        elif back:
            _run(actions.return_report, quarter, unit, reason)
        elif open_:
            _run(actions.unlock, quarter, unit, reason)


def _pending(f, can_decide: bool) -> None:
    changes = data.pending_changes(f.scope)
    if changes is None:
        return
    st.subheader(f"Thay đổi chờ duyệt ({fmt.number(len(changes))})")
    if changes.empty:
        st.caption("Không có thay đổi nào: số liệu đã duyệt khớp với bảng tính.")
        return
    st.caption(
        "Khi đơn vị sửa số liệu đã duyệt, giá trị mới chờ duyệt ở đây và chưa được công bố. Chấp nhận thì "
        "giá trị mới được công bố và kỳ được duyệt lại; từ chối thì giữ giá trị đang công bố."
    )
    show(tables.pending(changes), width="stretch")
    if not can_decide:
        return
    label = {r.id: f"#{r.id} · {r.unit_name} · {r.field_name}" for r in changes.itertuples()}
    with st.form("cycle_pending", border=False):
        picked = st.multiselect("Thay đổi", list(label), format_func=label.get, placeholder="Chọn thay đổi")
        c = st.columns(2)
        ok = c[0].form_submit_button("Chấp nhận", type="primary", width="stretch")
        no = c[1].form_submit_button("Từ chối", width="stretch")
    if (ok or no) and picked:
        fn = actions.accept_change if ok else actions.reject_change
        _run(lambda: [fn(int(i)) for i in picked])


def _chase(subs: pd.DataFrame, quarter: str, can_decide: bool, plan: str) -> None:
    office = data.settings().set_index("plan").co_quan.get(plan, "")
    rows = queries.chase_list(subs, office)
    st.subheader(f"Cần nhắc ({fmt.number(len(rows))} đơn vị quá hạn hoặc bị trả lại)")
    if rows.empty:
        st.success("Không có đơn vị nào quá hạn hay bị trả lại.", icon=":material/check_circle:")
        return
    table = tables.chase(rows)
    show(table, width="stretch")
    downloads(table.assign(**{"Nội dung nhắc": rows.reminder}), f"can_nhac_{quarter}", f"chase_{quarter}")
    names = dict(zip(rows.unit_code, rows.unit_name, strict=True))
    unit = st.selectbox(
        "Nội dung nhắc cho đơn vị", list(names), format_func=names.get, key="chase_unit", placeholder="Chọn đơn vị"
    )
    st.code(rows.set_index("unit_code").reminder[unit], language=None, wrap_lines=True)
    st.caption("Bấm biểu tượng sao chép ở góc khung rồi dán vào Zalo hoặc thư điện tử.")
    if can_decide:
        c = st.columns(2)
        if c[0].button("Đã nhắc đơn vị này", width="stretch"):
            _run(actions.remind, quarter, [unit])
        if c[1].button(f"Đã nhắc cả {fmt.number(len(rows))} đơn vị", width="stretch"):
            _run(actions.remind, quarter, list(names))
        _mail(plan, quarter, list(names))


def _mail(plan: str, quarter: str, units: list[str]) -> None:
    """The reminders by e-mail (outputs.remind): one button for the whole chase list, then what
    happened to each unit (sent, skipped inside the window, no address, refused)."""
    ready, what = actions.mail_ready()
    if not ready:
        if not access.current().can("nguoi_dung"):  # the setup's files and settings are the administrator's
            what = "chưa cấu hình máy chủ thư. Đề nghị quản trị viên cấu hình (mục «Thư nhắc qua thư điện tử»)."
        st.caption(f"Gửi thư nhắc tự động: {what}")
        return
    if st.button(f"Gửi thư nhắc ({fmt.number(len(units))} đơn vị)", type="primary", width="stretch", key="chase_mail"):
        try:
            run = actions.send_reminders(plan, quarter, units)
        except (actions.RemindError, actions.Denied) as e:
            st.error(plain(e), icon=":material/error:")
            return
        st.session_state["chase_mail_run"] = run
        st.session_state["cycle_message"] = plain(run.summary())
        st.rerun()
    run = st.session_state.get("chase_mail_run")
    if run is not None and run.quarter == quarter:
        st.markdown(f"**Kết quả gửi thư nhắc {phrase(quarter)}**")
        if run.warning:
            st.warning(plain(run.warning), icon=":material/warning:")
        show(tables.reminders_sent(run), width="stretch")


def unit_changes(scope, code: str) -> None:
    """One unit's history of published values and of the cycle's decisions (the unit page)."""
    hist = data.history(scope, code)
    st.markdown("**Lịch sử thay đổi và duyệt**")
    if hist is None or hist.empty:
        st.caption(
            "Chưa có thay đổi nào: mỗi giá trị đang công bố là giá trị đọc được lần đầu; chưa có quyết định duyệt "
            "hay trả lại."
        )
        return
    table = tables.history(hist)
    show(table, width="stretch")
    downloads(table, f"lich_su_{code}", f"history_{code}")


def late_and_unknown(s, part: pd.DataFrame) -> None:
    """Under a quarter of Tình hình báo cáo: the units that reported late, and apart from them those
    whose report was loaded after the deadline with no time of receipt (never counted as late)."""
    late = opened(f"Đơn vị báo cáo muộn ({fmt.number(s.late)})", key=f"muon_{s.quarter}") if s.late else None
    if late is not None:  # each list drawn when opened (ui.widgets.opened)
        with late:
            show(tables.late_units(queries.late_rows(part)))
    unknown = (
        opened(f"Không rõ thời điểm báo cáo ({fmt.number(s.time_unknown)})", key=f"khong_ro_{s.quarter}")
        if s.time_unknown
        else None
    )
    if unknown is not None:
        with unknown:
            st.caption(
                "Số liệu nhập sau hạn mà không ghi thời điểm báo cáo (nhập bù tệp cũ): không tính là muộn, không "
                "tính vào tỷ lệ đúng hạn. Nhập lại với --seen-at «dd/mm/yyyy HH:MM» nếu biết ngày nhận."
            )
            show(tables.unknown_time_units(queries.unknown_time_rows(part)))
