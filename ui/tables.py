"""The tables pages show and download: read-API results with Vietnamese column names and formats.

Column names and order here are the download files' columns (people build
spreadsheets on them): change them only on purpose.

Numbers and dates stay numbers and dates (they sort and sum): each table says how its numeric and
date columns are drawn (``typed``: ``df.attrs["formats"]``, kinds in ``queries.export.KINDS``) and
what an empty cell reads as on the page (``df.attrs["empty"]``); ``ui.widgets.table`` draws them in
Vietnamese style, ``queries.export`` writes them as real numbers. The unit is in the header
(«Muộn (ngày)») or, when rows differ, in a column of its own («Đơn vị tính»).
"""

from __future__ import annotations

import re

import pandas as pd

from core import catalog, fmt
from core.periods import label as period_label
from data_sources.load import web
from ui import data
from ui.widgets import STATUSES, status_label, value_text


def typed(df: pd.DataFrame, formats: dict[str, str], empty: dict[str, str] | None = None) -> pd.DataFrame:
    """``df`` with how its numeric and date columns are drawn, and the word for an empty cell."""
    df.attrs["formats"] = dict(formats)
    df.attrs["empty"] = dict(empty or {})
    return df


def _num(values) -> pd.Series:
    return pd.to_numeric(pd.Series(list(values), dtype="object"), errors="coerce").astype("float64")


def _when(values) -> pd.Series:
    return pd.to_datetime(pd.Series(list(values), dtype="object"), errors="coerce")


def _plan_names() -> dict[str, str]:
    """A plan's source file -> the plan's name (a page names the plan, never its file)."""
    return {r["seed"]: r["ten"] for r in catalog.read_csv("plans.csv")}


NO_DATA = "Chưa có số liệu"
MEASURE = "Đơn vị tính"


def overview(overall: pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "Chỉ tiêu": overall.indicator_name.to_numpy(),
            "Giá trị": _num(overall.value),
            "Chỉ tiêu kế hoạch": _num(overall.target),
            MEASURE: overall.measure.to_numpy(),
            "Hạn": _when(overall.deadline),
            "Trạng thái": [status_label(s) for s in overall.status],
            "Kế hoạch": [_plan_names().get(s, s) for s in overall.seed],
        }
    )
    return typed(
        df,
        {"Giá trị": f"theo:{MEASURE}", "Chỉ tiêu kế hoạch": f"theo:{MEASURE}", "Hạn": "ngay"},
        {"Giá trị": NO_DATA, "Chỉ tiêu kế hoạch": "kế hoạch không quy định số", "Hạn": "kế hoạch không quy định hạn"},
    )


def indicator_units(rows: pd.DataFrame) -> pd.DataFrame:
    """One target's units: the value a number, its unit in the header («Giá trị (%)»)."""
    measure = rows.measure.iloc[0] if len(rows) else ""
    head = f"Giá trị ({measure})" if measure else "Giá trị"
    df = pd.DataFrame(
        {
            "Mã đơn vị": rows.unit_code.to_numpy(),
            "Đơn vị": rows.unit_name.to_numpy(),
            head: _num(rows.value),
            "Trạng thái": rows.status_label.to_numpy(),
        }
    )
    return typed(df, {head: "phan_tram" if measure == "%" else "so_le"}, {head: NO_DATA})


def unit_matrix_export(long: pd.DataFrame) -> pd.DataFrame:
    """Every unit × target, one row each (the Theo đơn vị download)."""
    df = pd.DataFrame(
        {
            "Mã đơn vị": long.unit_code.to_numpy(),
            "Đơn vị": long.unit_name.to_numpy(),
            "Chỉ tiêu": long.indicator_name.to_numpy(),
            "Giá trị": _num(long.value),
            MEASURE: long.measure.to_numpy(),
            "Trạng thái": long.status_label.to_numpy(),
        }
    )
    return typed(df, {"Giá trị": f"theo:{MEASURE}"}, {"Giá trị": NO_DATA})


def _values(df: pd.DataFrame, unit_row: bool) -> list[str]:
    return [value_text(v, m, k, unit_row) for v, m, k in zip(df.value, df.measure, df.kind, strict=True)]


def unit_matrix_wide(long: pd.DataFrame, indicators: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid people read (unit × target, cells ``mark value``) and the matching grid of
    status codes (for colours), both in the order ``queries.unit_matrix`` gave."""
    marks = [STATUSES[s].symbol for s in long.status]
    cells = long.assign(cell=[f"{m} {v}" for m, v in zip(marks, _values(long, True), strict=True)])
    grid = cells.pivot(index="unit_rank", columns="indicator", values="cell")
    states = cells.pivot(index="unit_rank", columns="indicator", values="status")[indicators].reset_index(drop=True)
    first = long.drop_duplicates("unit_rank")  # one row per unit, already in rank order
    shown = pd.DataFrame({"Đơn vị": first.unit_name.to_numpy(), "Số chỉ tiêu chậm": first.behind.to_numpy()})
    for ind in indicators:
        shown[ind] = grid[ind].to_numpy()
    return shown, states


def school_grid(schools: pd.DataFrame) -> pd.DataFrame:
    return (
        schools.assign(cell=[status_label(s) for s in schools.status])
        .pivot(index="unit_name", columns="indicator", values="cell")
        .reset_index()
        .rename(columns={"unit_name": "Trường"})
    )


def unit_history(hist: pd.DataFrame) -> pd.DataFrame:
    order = {p: i for i, p in enumerate(sorted(set(hist.period)))}
    h = hist.assign(Kỳ=hist.period.map(period_label), v=_num(hist.value).to_numpy())
    df = h.pivot(index="field_name", columns="Kỳ", values="v").reset_index().rename(columns={"field_name": FIELD})
    periods = sorted(set(hist.period), key=order.get)
    df = df[[FIELD, *[period_label(p) for p in periods]]]
    df.columns.name = None
    return typed(df, {period_label(p): "so_le" for p in periods})


FIELD = "Mục số liệu"


def missing_units(missing: pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "Mã đơn vị": missing.unit_code.to_numpy(),
            "Đơn vị": missing.unit_name.to_numpy(),
            "Hạn": _when(missing.deadline),
            "Số ngày quá hạn": _num(missing.days_overdue),
        }
    )
    return typed(df, {"Hạn": "ngay", "Số ngày quá hạn": "so"}, {"Số ngày quá hạn": "chưa đến hạn"})


def late_units(late: pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "Đơn vị": late.unit_name.to_numpy(),
            "Thời điểm báo cáo": _when(late.first_at),
            "Muộn (ngày)": _num(late.days_late),
        }
    )
    return typed(df, {"Thời điểm báo cáo": "luc", "Muộn (ngày)": "so"})


def unknown_time_units(rows: pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame({"Đơn vị": rows.unit_name.to_numpy(), "Nhập vào hệ thống lúc": _when(rows.first_at)})
    return typed(df, {"Nhập vào hệ thống lúc": "luc"})


DQ_KINDS = {
    "gia_tri": "Giá trị bị từ chối",
    "don_vi": "Tên đơn vị không khớp",
    "don_vi_nhieu": "Tên đơn vị khớp nhiều đơn vị",
    "ky_bao_cao": "Không rõ kỳ báo cáo",
    "kiem_tra": "Số liệu không hợp lý (số thành phần lớn hơn tổng số)",
    "ty_le": "Cột tỷ lệ không khớp",
    "thay_the": "Bị thay bằng lần báo cáo sau",
    "ky_mau_thuan": "Kỳ báo cáo mâu thuẫn (không nhập trang)",
}


def _field_name(code) -> str:
    """A field of the form by its name («Số bài trên Fanpage…»), never its code (bai_mxh)."""
    if not isinstance(code, str) or not code:
        return ""
    f = catalog.fields().get(code)
    return f.name if f else code


def source_words(source) -> str:
    """A source as people name it: a file or sheet as written; a report sent from the «Nộp báo cáo» form
    (``web:<plan>:<unit>``, data_sources/load/web.py) as «Nộp trực tuyến (<unit's name>)»."""
    if not isinstance(source, str):
        return ""
    if source.startswith(web.SOURCE_PREFIX):
        unit = source.rsplit(":", 1)[-1]
        return f"Nộp trực tuyến ({data.lookups().get('names', {}).get(unit, unit)})"
    return source


def data_quality(shown: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Loại": shown.kind.map(DQ_KINDS),
            "Nguồn": [source_words(x) for x in shown.source],
            "Trang": shown.sheet,
            "Dòng": shown.row,
            "Cột": shown.column,
            FIELD: [_field_name(c) for c in shown.field],
            "Đơn vị": shown.unit,
            "Giá trị gốc": shown.raw_value,
            "Lý do": shown.reason,
            "Mở ô": shown.link,
        }
    )


def unmatched(unmatched: pd.DataFrame) -> pd.DataFrame:
    return unmatched.rename(
        columns={
            "unit_text": "Tên ghi trong bảng",
            "parent_text": "Xã, phường, đặc khu ghi kèm",
            "reason": "Lý do",
            "candidates": "Gần nhất",
            "rows": "Số dòng",
            "sources": "Nguồn",
        }
    )[["Tên ghi trong bảng", "Xã, phường, đặc khu ghi kèm", "Lý do", "Gần nhất", "Số dòng", "Nguồn"]]


def sources(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "Bảng": [lbl or sid for lbl, sid in zip(df.label, df.source_id, strict=True)],
            "Trang": [t or "tất cả" for t in df.tabs],
            "Đọc tốt lần cuối": _when(df.last_ok_at),
            "Lần thử cuối": _when(df.last_attempt_at),
            "Lỗi lần thử cuối": [e if isinstance(e, str) else "" for e in df.last_error],
            "Mở": df.url.to_numpy(),
        }
    )
    return typed(out, {"Đọc tốt lần cuối": "luc", "Lần thử cuối": "luc"}, {"Đọc tốt lần cuối": "chưa"})


IMPORT_COUNTS = {
    "cells_read": "Ô đọc",
    "imported": "Mới",
    "updated": "Cập nhật",
    "unchanged": "Không đổi",
    "missing": "Trống",
    "rejected": "Từ chối",
}


def imports(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "Lần": _num(df.import_id),
            "Thời điểm nhập": _when(df.seen_at),
            "Tệp / bảng": [source_words(x) for x in df.source],
            "Trang": df.sheet.to_numpy(),
            **{name: _num(df[col]) for col, name in IMPORT_COUNTS.items()},
            "Ghi chú / lỗi": [e if e else t for e, t in zip(df.error.fillna(""), df.notes.fillna(""), strict=True)],
        }
    )
    return typed(out, {"Lần": "so", "Thời điểm nhập": "luc", **{name: "so" for name in IMPORT_COUNTS.values()}})


# a tile holds a few words: the rest of a kind's name is the tile's help
DQ_TILE_HELP = {"Số liệu không hợp lý": "Số thành phần lớn hơn tổng số (ví dụ số được quán triệt lớn hơn tổng số)."}


def dq_counts(dq: pd.DataFrame) -> dict[str, int]:
    """The four tiles of the data-quality page (names matching several units count as unmatched); a label
    short enough for a tile on a phone, its longer words in ``DQ_TILE_HELP``."""
    n = dq.kind.value_counts()
    return {
        DQ_KINDS["gia_tri"]: int(n.get("gia_tri", 0)),
        DQ_KINDS["don_vi"]: int(n.get("don_vi", 0)) + int(n.get("don_vi_nhieu", 0)),
        "Số liệu không hợp lý": int(n.get("kiem_tra", 0)),
        DQ_KINDS["thay_the"]: int(n.get("thay_the", 0)),
    }


PERIOD_CODE = re.compile(r"\d{4}(-(Q[1-4]|H[12]|(0[1-9]|1[0-2])))?")


def log_value(key: str, value, names: dict[str, str]) -> str:
    """One detail of an audit record in words: a period as «Quý II/2026», a unit by its name, a
    yes/no as Có/Không, a list joined with commas, an action or a kind of unit by its word."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(log_value(key, v, names) for v in value) or "không có"
    if isinstance(value, int | float):
        return fmt.number(value)
    text = str(value)
    if key == "thao_tac":
        return catalog.action_words().get(text, text)
    if key == "level":
        kinds = catalog.unit_kinds()
        return kinds[text].label if text in kinds else text
    if key == "units" and " " in text:
        return ", ".join(names.get(c, c) for c in text.split())
    if PERIOD_CODE.fullmatch(text) and key in ("quarter", "period"):
        return period_label(text)
    if key in ("unit", "units", "sent", "skipped", "no_address", "refused"):
        return names.get(text, text)
    return text


def audit(log: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The audit log as sentences: when (dd/mm/yyyy HH:MM), who, the role and the action in words,
    and each detail named in Vietnamese (catalog/nhat_ky_muc.csv) with its value in words."""
    from ui.access import role_word

    names = names or {}
    keys, words = catalog.log_keys(), catalog.action_words()

    def detail(d) -> str:
        if not isinstance(d, dict):
            return ""
        parts = [f"{keys.get(k, k.replace('_', ' '))}: {log_value(k, v, names)}" for k, v in d.items()]
        return "; ".join(parts)

    df = pd.DataFrame(
        {
            "Thời điểm": _when(log["at"]),
            "Người": log.who.to_numpy(),
            "Vai trò": [role_word(r) for r in log.role],
            "Thao tác": [words.get(a, a.replace("_", " ")) for a in log.action],
            "Chi tiết": [detail(d) for d in log.detail],
        }
    )
    return typed(df, {"Thời điểm": "luc"})


# ---------------------------------------------------------------- the reporting cycle


def _value(v, t, field: str | None = None) -> str:
    """A cycle value for people: a number in Vietnamese format, a yes/no answer as Có/Không, a text as
    written, «(trống)» for none."""
    if isinstance(t, str) and t:
        return t
    f = catalog.fields().get(field) if isinstance(field, str) else None
    if f is not None and f.kind == "yesno" and pd.notna(v):
        return "Có" if v else "Không"
    return fmt.number(v, 2 if pd.notna(v) and v != int(v) else 0) if pd.notna(v) else "(trống)"


def _cell(source, sheet, column, row) -> str:
    """«tệp / trang · D12»: where a value was read ("" when it is gone from the sheet)."""
    if not isinstance(source, str):
        return ""
    where = f"{column}{int(row)}" if isinstance(column, str) and pd.notna(row) else ""
    source = source_words(source)
    return f"{source} / {sheet} · {where}" if sheet else f"{source} · {where}"


def submissions(subs: pd.DataFrame) -> pd.DataFrame:
    """The office's list for one quarter: state, decision, pending changes, reminders."""
    symbols = {c: s.symbol for c, s in catalog.submission_states().items()}
    df = pd.DataFrame(
        {
            "Mã": subs.unit_code.to_numpy(),
            "Đơn vị": subs.unit_name.to_numpy(),
            "Trạng thái": [f"{symbols.get(s, '')} {w}" for s, w in zip(subs.state, subs.state_label, strict=True)],
            "Thời điểm báo cáo": _when(subs.first_at),
            "Quyết định": [
                f"{w} · {a} · {fmt.datetime(t)}" if isinstance(w, str) and w else "—"
                for w, a, t in zip(subs.action.map(catalog.cycle_events()), subs.actor, subs["at_time"], strict=True)
            ],
            "Lý do trả lại": [
                r if s == "tra_lai" and isinstance(r, str) else "" for s, r in zip(subs.state, subs.reason, strict=True)
            ],
            "Thay đổi chờ duyệt": _num(subs.pending),
        }
    )
    return typed(df, {"Thời điểm báo cáo": "luc", "Thay đổi chờ duyệt": "so"}, {"Thời điểm báo cáo": "—"})


def pending(changes: pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "Số": _num(changes.id),
            "Đơn vị": changes.unit_name.to_numpy(),
            "Kỳ": [period_label(p) for p in changes.period],
            FIELD: changes.field_name.to_numpy(),
            "Đang công bố": [
                _value(v, t, f) for v, t, f in zip(changes.old_value, changes.old_text, changes.field, strict=True)
            ],
            "Giá trị mới": [
                _value(v, t, f) for v, t, f in zip(changes.new_value, changes.new_text, changes.field, strict=True)
            ],
            "Ô nguồn": [
                _cell(s, sh, c, r) or "(không còn trong bảng)"
                for s, sh, c, r in zip(changes.source, changes.sheet, changes.column, changes["row"], strict=True)
            ],
            "Thời điểm đọc": _when(changes.seen_at),
        }
    )
    return typed(df, {"Số": "so", "Thời điểm đọc": "luc"})


def chase(rows: pd.DataFrame) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "Đơn vị": rows.unit_name.to_numpy(),
            "Trạng thái": rows.state_label.to_numpy(),
            "Quá hạn (ngày)": _num(rows.days_overdue),
            "Người liên hệ": rows.contact.to_numpy(),
            "Điện thoại": rows.phone.to_numpy(),
            "Thư điện tử": rows.email.to_numpy(),
            "Đã nhắc (lần)": _num(rows.reminders),
        }
    )
    return typed(df, {"Quá hạn (ngày)": "so", "Đã nhắc (lần)": "so"})


def reminders_sent(run) -> pd.DataFrame:
    """What the «Gửi thư nhắc» button did, per unit (``outputs.remind.Run``)."""
    df = pd.DataFrame(
        {
            "Đơn vị": [r.name for r in run.results],
            "Thư điện tử": [", ".join(r.to) for r in run.results],
            "Kết quả": [r.label for r in run.results],
            "Trả lời của máy chủ thư": [f"{r.code} {r.answer}".strip() if r.code else "" for r in run.results],
            "Ghi chú": [r.note for r in run.results],
        }
    )
    return typed(df, {})


def history(hist: pd.DataFrame) -> pd.DataFrame:
    """A unit's history for people: what happened, to which value, from where, by whom."""
    df = pd.DataFrame(
        {
            "Thời điểm": _when(hist["at_time"]),
            "Kỳ": [
                period_label(p if isinstance(p, str) else q) for p, q in zip(hist.period, hist.quarter, strict=True)
            ],
            "Sự kiện": hist.event_label.to_numpy(),
            FIELD: hist.field_name.fillna("").to_numpy(),
            "Cũ → mới": [
                f"{_value(ov, ot, f)} → {_value(nv, nt, f)}" if isinstance(f, str) else ""
                for f, ov, ot, nv, nt in zip(
                    hist.field, hist.old_value, hist.old_text, hist.new_value, hist.new_text, strict=True
                )
            ],
            "Ô nguồn": [
                _cell(s, sh, c, r)
                for s, sh, c, r in zip(hist.source, hist.sheet, hist.column, hist["row"], strict=True)
            ],
            "Lần nhập": [f"#{int(i)}" if pd.notna(i) else "" for i in hist.import_id],
            "Người thực hiện": hist.actor.fillna("").to_numpy(),
            "Người duyệt": hist.approved_by.fillna("").to_numpy(),
            "Ghi chú": hist.reason.fillna("").to_numpy(),
        }
    )
    return typed(df, {"Thời điểm": "luc"})
