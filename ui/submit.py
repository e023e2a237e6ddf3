"""The «Nộp báo cáo» form: one unit, one plan, one period, laid out for a phone first.

The fields are ``core.form``'s (catalog/fields.csv), the checks the reader's own
(``data_sources.parse.entry``, run again on the server by ``ui.actions.submit_report``), the writes in
``ui.actions``. Opened by a unit's personal link (``Target.token``) or by a signed-in person for a unit of
their scope. Everything a person typed or a sheet said is drawn as text (``ui.text.plain``, tables).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core import catalog, drafts, fmt, form, links
from core.periods import label, phrase, previous_quarter, quarter_of
from data_sources.parse import entry
from data_sources.parse.values import OK, parse
from queries import Scope
from ui import actions, data
from ui.text import plain

YES, NO = "Có", "Không"
VIA = {"lien_ket": "qua đường dẫn riêng", "tai_khoan": "bằng tài khoản"}
VERDICT = {"ok": "Hợp lệ", "missing": "Để trống / chưa có", "rejected": "Không nhận"}


@dataclass(frozen=True)
class Target:
    unit: str
    unit_name: str
    plan: str
    period: str
    token: str | None = None  # the personal link's token; None for a signed-in person

    @property
    def key(self) -> str:
        return f"{self.unit}|{self.plan}|{self.period}"


def for_link(grant: links.Grant, token: str) -> Target:
    name = data.lookups().get("names", {}).get(grant.unit, grant.unit)
    return Target(grant.unit, name, grant.plan, grant.period, token)


def for_viewer(scope: Scope, today: dt.date | None = None) -> Target | None:
    """The unit (of the person's scope) and quarter chosen at the top of the page."""
    today = today or dt.date.today()
    units = data.units(scope)
    if units is None or units.empty:
        st.info("Tài khoản này chưa được gắn với đơn vị nào nên chưa có biểu mẫu để báo cáo.", icon=":material/info:")
        return None
    names = dict(zip(units.code, units.name, strict=True))
    plan = catalog.settings()["plan"]
    quarters = [quarter_of(f"{today:%Y-%m}")]  # this quarter and the three before it (a late report too)
    for _ in range(3):
        quarters.append(previous_quarter(quarters[-1]))
    c1, c2 = st.columns([3, 2])
    unit = c1.selectbox("Đơn vị", list(names), format_func=names.get, key="nop_unit", placeholder="Chọn đơn vị")
    period = c2.selectbox("Kỳ báo cáo", quarters, format_func=label, key="nop_period")
    return Target(unit, names[unit], plan, period) if unit else None


def _answers(fields: list[form.FormField]) -> dict[str, str]:
    out = {}
    for f in fields:
        v = st.session_state.get(f"ans_{f.code}")
        out[f.code] = "" if v is None else str(v)
    return out


def _start(t: Target, fields: list[form.FormField], scope: Scope) -> str:
    """Fill the widgets once per target: the draft if one is kept, else the unit's published report of the
    period (a correction starts from it), else the totals from its last period."""
    if st.session_state.get("nop_target") == t.key:
        return st.session_state.get("nop_start_note", "")
    saved, at = drafts.read(data.db_path(), t.unit, t.plan, t.period)
    current = data.current_answers(scope, t.unit, t.period) or {}
    if saved:
        values = saved
        note = f"Đã mở bản nháp lưu lúc {fmt.datetime(dt.datetime.fromtimestamp(at))}." if at else ""
    elif current:
        values = current
        note = (
            f"Đơn vị đã có báo cáo {phrase(t.period)}: biểu mẫu mở sẵn số liệu đang dùng. Gửi lại là thay cả báo "
            "cáo này bằng bản mới."
        )
    else:
        carried = data.carried_values(scope, t.unit, t.period, [f.code for f in fields if f.carried]) or {}
        values = {code: fmt.number(v) for code, (v, _) in carried.items()}
        note = ""
        if carried:
            fromp = sorted({p for _, p in carried.values()})[-1]
            note = f"Các ô tổng số đã điền sẵn theo báo cáo {phrase(fromp)}; sửa nếu đã thay đổi."
    for f in fields:
        v = values.get(f.code, "")
        st.session_state[f"ans_{f.code}"] = (v if v in (YES, NO) else None) if f.kind == "yesno" else v
    st.session_state["nop_target"] = t.key
    st.session_state["nop_saved"] = _answers(fields)
    st.session_state["nop_start_note"] = note
    return note


def _ratio(f: form.FormField, answers: dict[str, str]) -> str | None:
    """«Tỷ lệ: 94,7%» under a count that has a total, once both read as the reader reads them: the ratio
    is computed, never typed (a typed ratio that disagrees is what the sheets' «Tỷ lệ (%)» check catches)."""
    if not f.total:
        return None
    num, den = (parse("count", answers.get(c, "")) for c in (f.code, f.total))
    if num.status != OK or den.status != OK or not den.value or num.value > den.value:
        return None
    return f"Tỷ lệ: {fmt.percent(100 * num.value / den.value)}"


def _field(f: form.FormField, problem: str | None, ratio: str | None = None) -> None:
    key = f"ans_{f.code}"
    if f.kind == "count":
        st.text_input(f.name, key=key, help=f.help, placeholder=f"số {f.measure}" if f.measure else "số")
    elif f.kind == "yesno":
        st.radio(f.name, [YES, NO], key=key, horizontal=True, help=f.help)
    else:
        st.text_area(f.name, key=key, help=f.help, max_chars=form.TEXT_MAX, height=90)
    if problem:
        st.error(plain(problem), icon=":material/error:")
    elif ratio:
        st.caption(ratio)


def _status(t: Target, scope: Scope, today: dt.date) -> None:
    deadline = catalog.deadline_of(t.plan, t.period)
    line = f"{plain(t.unit_name)} · {label(t.period)} · hạn báo cáo {fmt.date(deadline)}"
    if t.token:
        line += f" · đường dẫn dùng được đến hết {fmt.date(links.expires(t.plan, t.period))}"
    st.caption(line)
    states = data.cycle_states([quarter_of(t.period)], scope)
    row = states[states.unit_code == t.unit] if states is not None else pd.DataFrame()
    action = row.action.iloc[0] if not row.empty else None
    if action == "duyet":
        st.info(
            "Báo cáo kỳ này đã được duyệt. Số liệu gửi thêm không thay số đã duyệt mà chờ cơ quan chủ trì xem xét.",
            icon=":material/lock:",
        )
    elif action == "tra_lai":
        st.warning(
            f"Báo cáo kỳ này đã bị trả lại để hoàn thiện. Lý do: {plain(row.reason.iloc[0])}. Sửa rồi gửi lại.",
            icon=":material/undo:",
        )
    if today > deadline:
        st.warning(
            f"Đã quá hạn báo cáo ({fmt.date(deadline)}): báo cáo gửi bây giờ được ghi nhận là nộp muộn.",
            icon=":material/schedule:",
        )


def draw(t: Target, scope: Scope, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    fields = form.fields(t.plan)
    _status(t, scope, today)
    if note := _start(t, fields, scope):
        st.caption(note)
    answers = _answers(fields)
    problems = {k: v for k, v in entry.check(answers, t.plan).items() if k != "*"}
    text_fields = [f for f in fields if f.kind == "text"]
    for title, group in form.groups(t.plan):
        with st.container(border=True):
            if len(group) > 1 or group[0].name != title:
                st.markdown(f"**{plain(title)}**")
            for f in group:
                _field(f, problems.get(f.code), _ratio(f, answers))
    with st.container(border=True):
        for f in text_fields:
            _field(f, problems.get(f.code))
    if answers != st.session_state.get("nop_saved"):
        try:
            actions.save_draft(t.unit, t.plan, t.period, answers, t.token)
            st.session_state["nop_saved"] = answers
            st.caption(f"Đã lưu nháp lúc {dt.datetime.now():%H:%M:%S}: lần sau mở lại vẫn còn cho đến khi gửi.")
        except actions.LinkError as e:
            st.error(plain(e), icon=":material/link_off:")
    if st.button("Gửi báo cáo", type="primary", key="nop_send", icon=":material/send:", width="stretch"):
        _send(t, answers)
    _history(t, scope)


def _send(t: Target, answers: dict[str, str]) -> None:
    with st.spinner("Đang gửi báo cáo…"):
        try:
            sent = actions.submit_report(t.unit, t.plan, t.period, answers, t.token)
        except (actions.LinkError, actions.Denied, actions.StoreError) as e:
            st.error(plain(e), icon=":material/block:")
            return
    if sent.problems:
        n = len(sent.problems)
        first = next(iter(sent.problems.values()))
        st.error(
            plain(f"Chưa gửi: còn {fmt.number(n)} ô cần sửa (xem thông báo dưới từng ô). {first}"),
            icon=":material/error:",
        )
        return
    st.session_state["nop_target"] = None  # the draft is gone: the next run starts from what was published
    st.success(
        f"Đã gửi báo cáo {phrase(t.period)} của {plain(t.unit_name)} lúc {sent.at:%H:%M:%S} ngày {fmt.date(sent.at)}. "
        "Cơ quan chủ trì thấy ngay số liệu này; có thể gửi lại để sửa trước hạn.",
        icon=":material/check_circle:",
    )


def _history(t: Target, scope: Scope) -> None:
    sent = data.web_submissions(scope, t.unit, t.plan)
    returns = data.history(scope, t.unit)
    returns = returns[returns.event == "tra_lai"] if returns is not None and not returns.empty else pd.DataFrame()
    n = 0 if sent is None else sent.import_id.nunique()
    with st.expander(f"Các lần đã gửi ({fmt.number(n)})", icon=":material/history:", expanded=False):
        for r in returns.itertuples():
            st.warning(
                f"{label(r.quarter)}: bị trả lại lúc {fmt.datetime(r.at_time)}. Lý do: {plain(r.reason)}",
                icon=":material/undo:",
            )
        if not n:
            st.caption("Đơn vị chưa gửi báo cáo nào bằng biểu mẫu này.")
            return
        for _, one in sent.groupby("import_id", sort=False):
            head = one.iloc[0]
            used = "đang được dùng" if one.shown.any() else "đã được thay bằng báo cáo sau"
            st.markdown(
                f"**{label(head.period)}** · gửi lúc {plain(fmt.datetime(head.sent_at))} "
                f"{VIA.get(head.via, '')} · {used}"
            )
            table = pd.DataFrame(
                {
                    "Mục số liệu": one.field_name,
                    "Đã ghi": one.raw_value,
                    "Kết quả": [
                        VERDICT.get(s, s) + (f": {r}" if s == "rejected" and r else "")
                        for s, r in zip(one.status, one.reason, strict=True)
                    ],
                }
            )
            st.dataframe(table, hide_index=True, width="stretch")
