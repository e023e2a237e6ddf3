"""The tables pages show and download: read-API results with Vietnamese column names and formats.

Column names and order here are the download files' columns (people build
spreadsheets on them): change them only on purpose.
"""

from __future__ import annotations

import pandas as pd

from core import catalog, fmt
from core.periods import label as period_label
from ui.widgets import STATUSES, status_label, value_text


def _values(df: pd.DataFrame, unit_row: bool) -> list[str]:
    return [value_text(v, m, k, unit_row) for v, m, k in zip(df.value, df.measure, df.kind, strict=True)]


def overview(overall: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Mã chỉ tiêu": overall.indicator,
            "Chỉ tiêu": overall.indicator_name,
            "Giá trị": [value_text(v, m) for v, m in zip(overall.value, overall.measure, strict=True)],
            "Chỉ tiêu kế hoạch": [
                value_text(v, m) if pd.notna(v) else "không nêu số"
                for v, m in zip(overall.target, overall.measure, strict=True)
            ],
            "Hạn": [fmt.date(d) if pd.notna(d) else "" for d in overall.deadline],
            "Trạng thái": [status_label(s) for s in overall.status],
            "Nguồn (kế hoạch)": overall.seed,
        }
    )


def indicator_units(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Mã đơn vị": rows.unit_code,
            "Đơn vị": rows.unit_name,
            "Giá trị": _values(rows, True),
            "Trạng thái": rows.status_label,
        }
    )


def unit_matrix_export(long: pd.DataFrame) -> pd.DataFrame:
    """Every unit × target, one row each (the Theo xã/phường download)."""
    return pd.DataFrame(
        {
            "Mã đơn vị": long.unit_code,
            "Đơn vị": long.unit_name,
            "Mã chỉ tiêu": long.indicator,
            "Chỉ tiêu": long.indicator_name,
            "Giá trị": _values(long, True),
            "Trạng thái": long.status_label,
        }
    )


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
    h = hist.assign(Kỳ=hist.period.map(period_label), v=[fmt.number(v) for v in hist.value])
    return (
        h.pivot(index="field_name", columns="Kỳ", values="v")
        .reset_index()
        .rename(columns={"field_name": "Trường số liệu"})
    )


def missing_units(missing: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Mã đơn vị": missing.unit_code,
            "Đơn vị": missing.unit_name,
            "Hạn": [fmt.date(d) for d in missing.deadline],
            "Số ngày quá hạn": [fmt.number(d) if pd.notna(d) else "chưa đến hạn" for d in missing.days_overdue],
        }
    )


def late_units(late: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Đơn vị": late.unit_name,
            "Nhận lúc": [fmt.datetime(t) for t in late.first_at],
            "Muộn (ngày)": [fmt.number(d) for d in late.days_late],
        }
    )


def unknown_time_units(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Đơn vị": rows.unit_name, "Nhập vào hệ thống lúc": [fmt.datetime(t) for t in rows.first_at]})


DQ_KINDS = {
    "gia_tri": "Giá trị bị từ chối",
    "don_vi": "Tên đơn vị không khớp",
    "don_vi_nhieu": "Tên đơn vị khớp nhiều đơn vị",
    "ky_bao_cao": "Không rõ kỳ báo cáo",
    "kiem_tra": "Số liệu vô lý (tử số > mẫu số)",
    "ty_le": "Cột tỷ lệ không khớp",
    "thay_the": "Bị thay bằng lần gửi sau",
    "ky_mau_thuan": "Kỳ báo cáo mâu thuẫn (không nhập trang)",
}


def data_quality(shown: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Loại": shown.kind.map(DQ_KINDS),
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


def unmatched(unmatched: pd.DataFrame) -> pd.DataFrame:
    return unmatched.rename(
        columns={
            "unit_text": "Tên ghi trong bảng",
            "parent_text": "Xã/phường ghi kèm",
            "reason": "Lý do",
            "candidates": "Gần nhất",
            "rows": "Số dòng",
            "sources": "Nguồn",
        }
    )[["Tên ghi trong bảng", "Xã/phường ghi kèm", "Lý do", "Gần nhất", "Số dòng", "Nguồn"]]


def sources(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Bảng": [lbl or sid for lbl, sid in zip(df.label, df.source_id, strict=True)],
            "Trang": [t or "tất cả" for t in df.tabs],
            "Đọc tốt lần cuối": [fmt.datetime(t) if pd.notna(t) else "chưa" for t in df.last_ok_at],
            "Lần thử cuối": [fmt.datetime(t) if pd.notna(t) else "—" for t in df.last_attempt_at],
            "Lỗi lần thử cuối": [e if isinstance(e, str) else "" for e in df.last_error],
            "Mở": df.url,
        }
    )


def imports(df: pd.DataFrame) -> pd.DataFrame:
    n = fmt.number
    return pd.DataFrame(
        {
            "Lần": df.import_id,
            "Nhận lúc": [fmt.datetime(t) for t in df.seen_at],
            "Tệp / bảng": df.source,
            "Trang": df.sheet,
            "Ô đọc": [n(v) for v in df.cells_read],
            "Mới": [n(v) for v in df.imported],
            "Cập nhật": [n(v) for v in df.updated],
            "Không đổi": [n(v) for v in df.unchanged],
            "Trống": [n(v) for v in df.missing],
            "Từ chối": [n(v) for v in df.rejected],
            "Ghi chú / lỗi": [e if e else t for e, t in zip(df.error.fillna(""), df.notes.fillna(""), strict=True)],
        }
    )


def dq_counts(dq: pd.DataFrame) -> dict[str, int]:
    """The four tiles of the data-quality page (names matching several units count as unmatched)."""
    n = dq.kind.value_counts()
    return {
        DQ_KINDS["gia_tri"]: int(n.get("gia_tri", 0)),
        DQ_KINDS["don_vi"]: int(n.get("don_vi", 0)) + int(n.get("don_vi_nhieu", 0)),
        DQ_KINDS["kiem_tra"]: int(n.get("kiem_tra", 0)),
        DQ_KINDS["thay_the"]: int(n.get("thay_the", 0)),
    }


def audit(log: pd.DataFrame) -> pd.DataFrame:
    from ui.access import ACTION_WORDS

    words = {**ACTION_WORDS, "them_nguon": "thêm nguồn Google Sheets"}
    return pd.DataFrame(
        {
            "Lúc": log["at"].str.replace("T", " "),
            "Người": log.who,
            "Vai trò": log.role,
            "Thao tác": log.action.map(lambda a: words.get(a, a)),
            "Chi tiết": [", ".join(f"{k}: {v}" for k, v in d.items()) for d in log.detail],
        }
    )


# ---------------------------------------------------------------- the reporting cycle


def _value(v, t) -> str:
    """A cycle value for people: a number in Vietnamese format, a text as written, «(trống)» for none."""
    if isinstance(t, str) and t:
        return t
    return fmt.number(v, 2 if pd.notna(v) and v != int(v) else 0) if pd.notna(v) else "(trống)"


def _cell(source, sheet, column, row) -> str:
    """«tệp / trang · D12»: where a value was read ("" when it is gone from the sheet)."""
    if not isinstance(source, str):
        return ""
    where = f"{column}{int(row)}" if isinstance(column, str) and pd.notna(row) else ""
    return f"{source} / {sheet} · {where}" if sheet else f"{source} · {where}"


def submissions(subs: pd.DataFrame) -> pd.DataFrame:
    """The office's list for one quarter: state, decision, pending changes, reminders."""
    symbols = {c: s.symbol for c, s in catalog.submission_states().items()}
    return pd.DataFrame(
        {
            "Mã": subs.unit_code,
            "Đơn vị": subs.unit_name,
            "Trạng thái": [f"{symbols.get(s, '')} {w}" for s, w in zip(subs.state, subs.state_label, strict=True)],
            "Nộp lúc": [fmt.datetime(t) if pd.notna(t) else "—" for t in subs.first_at],
            "Quyết định": [
                f"{w} · {a} · {fmt.datetime(t)}" if isinstance(w, str) and w else "—"
                for w, a, t in zip(subs.action.map(catalog.cycle_events()), subs.actor, subs["at_time"], strict=True)
            ],
            "Lý do trả lại": [
                r if s == "tra_lai" and isinstance(r, str) else "" for s, r in zip(subs.state, subs.reason, strict=True)
            ],
            "Thay đổi chờ duyệt": [fmt.number(n) if n else "" for n in subs.pending],
        }
    )


def pending(changes: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Số": changes.id,
            "Đơn vị": changes.unit_name,
            "Kỳ": [period_label(p) for p in changes.period],
            "Chỉ số": changes.field_name,
            "Đang công bố": [_value(v, t) for v, t in zip(changes.old_value, changes.old_text, strict=True)],
            "Giá trị mới": [_value(v, t) for v, t in zip(changes.new_value, changes.new_text, strict=True)],
            "Ô nguồn": [
                _cell(s, sh, c, r) or "(không còn trong bảng)"
                for s, sh, c, r in zip(changes.source, changes.sheet, changes.column, changes["row"], strict=True)
            ],
            "Nhận lúc": [fmt.datetime(t) for t in changes.seen_at],
        }
    )


def chase(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Đơn vị": rows.unit_name,
            "Trạng thái": rows.state_label,
            "Quá hạn (ngày)": [fmt.number(d) if pd.notna(d) else "" for d in rows.days_overdue],
            "Người liên hệ": rows.contact,
            "Điện thoại": rows.phone,
            "Email": rows.email,
            "Đã nhắc (lần)": [fmt.number(n) for n in rows.reminders],
        }
    )


def history(hist: pd.DataFrame) -> pd.DataFrame:
    """A unit's history for people: what happened, to which value, from where, by whom."""
    return pd.DataFrame(
        {
            "Lúc": [fmt.datetime(t) for t in hist["at_time"]],
            "Kỳ": [
                period_label(p if isinstance(p, str) else q) for p, q in zip(hist.period, hist.quarter, strict=True)
            ],
            "Sự kiện": hist.event_label,
            "Chỉ số": hist.field_name.fillna(""),
            "Cũ → mới": [
                f"{_value(ov, ot)} → {_value(nv, nt)}" if isinstance(f, str) else ""
                for f, ov, ot, nv, nt in zip(
                    hist.field, hist.old_value, hist.old_text, hist.new_value, hist.new_text, strict=True
                )
            ],
            "Ô nguồn": [
                _cell(s, sh, c, r)
                for s, sh, c, r in zip(hist.source, hist.sheet, hist.column, hist["row"], strict=True)
            ],
            "Lần nhập": [f"#{int(i)}" if pd.notna(i) else "" for i in hist.import_id],
            "Người thực hiện": hist.actor.fillna(""),
            "Người duyệt": hist.approved_by.fillna(""),
            "Ghi chú": hist.reason.fillna(""),
        }
    )
