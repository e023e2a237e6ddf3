"""One tab -> its raw cells (``flatten``: every non-empty cell) and its staged rows (``extract``).

Nothing here touches the database: ``ingest.py`` bulk-loads what these return. Every
data row becomes one staged row (unit as written and as matched, period, submission
time); its field cells are staged and parsed in bulk by ingest.py.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import pandas as pd
import pyarrow as pa

from core import catalog
from core.fmt import percent

from ..read.readers import Tab, col_letter
from .layout import Layout, LayoutError, cell_ref, find_layout
from .period_rule import conflict_message, row_period
from .text import clean, fold, norm
from .units import UnitMatcher, is_total, unit_key
from .values import OK, parse_ratio


@dataclass
class TabResult:
    source: str
    sheet: str
    gid: str
    rows: dict[str, list]
    notes: list[str] = field(default_factory=list)
    error: str = ""
    header_row: int | None = None
    total_rows: int = 0
    empty_rows: int = 0
    checks: list[dict] = field(default_factory=list)  # derived-ratio mismatches
    layout: list[tuple[int, str, str]] = field(default_factory=list)  # (1-based col, field, kind)
    problems: list[dict] = field(default_factory=list)  # tab-level problems (kind, reason): mart.rejects
    # rows that are not units and not the table's total (layout 1, bieu-mau.md): counted, never staged
    repeated_header_rows: list[int] = field(default_factory=list)  # 1-based rows
    group_rows: list[tuple[int, str]] = field(default_factory=list)  # («I. KHỐI PHƯỜNG»)
    subtotal_rows: list[tuple[int, str]] = field(default_factory=list)  # («Cộng khối phường»)
    no_form: bool = False  # no header row found: only a sample of the tab's raw cells is kept (ingest.py)


def _cols(*names: str) -> dict[str, list]:
    return {n: [] for n in names}


_TEXT = pa.dictionary(pa.int32(), pa.string())
MATCH_CACHE_MAX = 100_000  # distinct (name, parent) whose match is remembered within one tab
RAW_SCHEMA = pa.schema([("row", pa.int32()), ("col", pa.int32()), ("value", _TEXT), ("type", _TEXT)])
ROW_COLS = (
    "row", "unit_col", "unit_text", "parent_text", "unit_key", "unit_code", "unit_status",
    "unit_reason", "candidates", "period", "period_note", "submitted_at",
)  # fmt: skip
# the Arrow type of each (ingest.py loads the staged rows of an import as one Arrow table)
ROW_TYPES = {
    "row": pa.int32(), "unit_col": pa.int32(), "unit_text": pa.string(), "parent_text": pa.string(),
    "unit_key": pa.string(), "unit_code": pa.string(), "unit_status": pa.string(), "unit_reason": pa.string(),
    "candidates": pa.string(), "period": pa.string(), "period_note": pa.string(), "submitted_at": pa.timestamp("us"),
}  # fmt: skip


def flatten(rows: list[list]) -> pa.Table:
    """Every non-empty cell as an Arrow table (row, col, value, type), 1-based. Built column-wise:
    the cells chained in C, each cell's place from the row lengths (numpy), not one Python append per cell
    (a national quarter has 1,3 million). Value and type are dictionary-encoded (pandas' factorize over the
    cell tuples, which readers share between cells of the same text): a 50 MB CSV's 9 million cells are a few
    thousand distinct texts, so the table costs about 12 bytes a cell, not the texts again."""
    lens = np.fromiter(map(len, rows), np.int64, len(rows))
    n = int(lens.sum())
    if n == 0:
        return RAW_SCHEMA.empty_table()
    codes, uniques = pd.factorize(pd.Series(list(chain.from_iterable(rows)), dtype=object), sort=False)
    values = [u[0] for u in uniques]
    keep = np.asarray([v != "" for v in values], dtype=bool)[codes]
    row = np.repeat(np.arange(1, len(rows) + 1, dtype=np.int32), lens)[keep]
    starts = np.cumsum(lens) - lens
    col = (np.arange(n, dtype=np.int64) - np.repeat(starts, lens))[keep].astype(np.int32) + 1
    codes = codes[keep].astype(np.int32)
    value = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(values, pa.string()))
    typ = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array([u[1] for u in uniques], pa.string()))
    return pa.Table.from_arrays([pa.array(row), pa.array(col), value, typ], schema=RAW_SCHEMA)


def parse_timestamp(text: str, typ: str, date_order: str = "dmy") -> dt.datetime | None:
    """``Dấu thời gian``: ``dd/mm/yyyy HH:MM:SS`` (Vietnamese Forms; ``mm/dd/yyyy`` when the Google
    sheet's locale writes the month first), ISO, or a Sheets serial number."""
    s = clean(text)
    if not s:
        return None
    if typ == "n":
        try:
            return dt.datetime(1899, 12, 30) + dt.timedelta(days=float(s))
        except (ValueError, OverflowError):
            return None
    formats = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")
    if date_order == "mdy":
        formats = tuple(f.replace("%d/%m", "%m/%d") for f in formats)
    for fmt in formats:
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
    return None


def extract(tab: Tab, matcher: UnitMatcher, default_year: int) -> TabResult:
    res = TabResult(tab.source, tab.sheet, tab.gid, _cols(*ROW_COLS))
    res.notes += tab.notes
    if matcher is None:  # the caller reports why this tab cannot be matched
        return res
    rows = tab.filled()
    try:
        lay = find_layout(tab, rows, default_year=default_year)
    except LayoutError as e:
        res.no_form = True  # a guide's cells or another tab's: only a sample is kept beyond RAW_SAMPLE (ingest)
        if is_guide(tab.sheet):  # the form kit's «Hướng dẫn» sheet, a «Ghi chú» tab: no table, nothing lost
            res.notes.append(
                "trang hướng dẫn, không có bảng số liệu: bỏ qua (các ô được lưu ở dữ liệu gốc, tối đa 2.000 ô)"
            )
        else:
            res.error = str(e)
        return res
    res.header_row = lay.header_row + 1
    _describe(lay, res)
    if not lay.resolution.conflict:
        codes = _rows(lay, rows, matcher, res, tab.date_order)
        lay.resolution.check_column(codes)
        _note_skipped(res)
    if lay.resolution.conflict:  # strong period clues disagree: nothing of this tab is imported
        res.rows, res.layout, res.checks = _cols(*ROW_COLS), [], []
        res.error = conflict_message(tab.sheet or tab.source, lay.resolution)
        res.problems.append({"kind": "ky_mau_thuan", "row": lay.resolution.conflict_row, "reason": res.error})
    return res


# names of tabs that explain a form rather than hold its table (folded: no dấu, lower case); «Đường dẫn riêng»:
# the form kit's list of each unit's personal link (outputs/kit), sent back with the form by some offices
GUIDE_TABS = ("huong dan", "ghi chu", "gioi thieu", "quy uoc", "instructions", "readme", "duong dan rieng")


def is_guide(sheet: str) -> bool:
    """A tab named as a guide (``Hướng dẫn``, ``Ghi chú``…): skipped quietly when it has no table."""
    return fold(sheet or "").strip().startswith(GUIDE_TABS)


def _describe(lay: Layout, res: TabResult) -> None:
    res.notes += lay.resolution.notes()
    for c, h in lay.unknown:
        res.notes.append(f"Cột {col_letter(c)} «{h}» không thuộc biểu mẫu: giữ ở dữ liệu gốc, không nhập.")
    for c, h, f in lay.duplicates:
        res.notes.append(
            f"Cột {col_letter(c)} «{h}» trùng trường «{catalog.fields()[f].name}» đã có ở cột trước: "
            "chỉ dùng cột đầu tiên."
        )


def _rows(lay: Layout, rows: list, matcher: UnitMatcher, res: TabResult, tab_order: str) -> dict[str, tuple]:
    """One staged row per data row (unit, period, submission time). The field cells of
    those rows are parsed in bulk by ingest.py (SQL over raw cells + a table of the
    distinct values parsed once), never one by one here. Returns each distinct text of the
    period column that was read, with its period (for the period rule's check)."""
    fields = catalog.fields()
    value_cols = [c for c in lay.columns if fields[c.field].kind in catalog.VALUE_KINDS]
    res.layout = [(c.index + 1, c.field, fields[c.field].kind) for c in value_cols]
    value_idx = [c.index for c in value_cols]
    unit_c = lay.col(catalog.field_of_kind("unit"))
    parent_c = lay.col(catalog.field_of_kind("unit_parent"))
    period_c = lay.col(catalog.field_of_kind("period"))
    time_c = lay.col(catalog.field_of_kind("timestamp"))
    match_cache: dict[tuple[str, str], object] = {}
    period_cache: dict[str, tuple[str | None, str]] = {}
    period_row: dict[str, int] = {}  # first row of each period text
    R = res.rows
    empty = ("", "s")
    head_block = _HeaderBlock(rows, lay.first_data_row, unit_c)

    def match(unit: str, parent: str):
        key = (unit, parent)
        m = match_cache.get(key)
        if m is None:
            m = matcher.match(unit, parent)
            if len(match_cache) < MATCH_CACHE_MAX:  # a file of a million made-up names: matched, not all kept
                match_cache[key] = m
        return m

    for r in range(lay.first_data_row, len(rows)):
        row = rows[r]
        n = len(row)
        unit = clean(row[unit_c][0]) if unit_c < n else ""
        # a heading or a total may be written in the first columns (TT, merged across) instead
        label = unit or next((t for v, _ in row[:3] if (t := clean(v))), "")
        if not any(c < n and row[c][0].strip() for c in value_idx):
            if any(v.strip() for v, _ in row):
                if _is_group_heading(label, match):
                    res.group_rows.append((r + 1, label))
                else:
                    res.empty_rows += 1
            continue
        if head_block.repeats(row, unit):  # the header block again (a table pasted page after page)
            res.repeated_header_rows.append(r + 1)
            continue
        parent = clean(row[parent_c][0]) if parent_c is not None and parent_c < n else ""
        if (is_total(unit) and match(unit, parent).status != "matched") or (not unit and _is_total_row(row)):
            total = unit or next((t for v, _ in row[:3] if is_total(t := clean(v))), "")
            if _SUBTOTAL.match(norm(total)):
                res.subtotal_rows.append((r + 1, total))
            else:
                res.total_rows += 1
            continue
        if not unit and _is_group_heading(label, match):
            res.group_rows.append((r + 1, label))  # «II. KHỐI XÃ» in the TT column, carrying its group's sums
            continue
        if unit:
            m = match(unit, parent)
            if m.status == "unmatched" and _GROUP_HEADING.match(unit):  # only a name that is no unit
                res.group_rows.append((r + 1, unit))
                continue
            status, code, reason, cands = m.status, m.code, m.reason, m.candidates
        else:
            status, code, reason, cands = "no_unit", None, "dòng có số liệu nhưng không có tên đơn vị", []
        ptext = row[period_c][0] if period_c is not None and period_c < n else ""
        got = period_cache.get(ptext)
        if got is None:
            got = period_cache[ptext] = _row_period(lay, ptext, res, tab_order)
            period_row[ptext] = r + 1
        period, pnote = got
        submitted = None
        if time_c is not None:
            ts_text, ts_type = row[time_c] if time_c < n else empty
            submitted = parse_timestamp(ts_text, ts_type, tab_order)
            if clean(ts_text) and submitted is None:
                pnote = (pnote + "; " if pnote else "") + f"dấu thời gian «{ts_text}» không đọc được"
        R["row"].append(r + 1)
        R["unit_col"].append(unit_c + 1)
        R["unit_text"].append(unit)
        R["parent_text"].append(parent)
        R["unit_key"].append(unit_key(unit, parent) if unit and code is None else "")
        R["unit_code"].append(code)
        R["unit_status"].append(status)
        R["unit_reason"].append(reason)
        R["candidates"].append(" | ".join(cands))
        R["period"].append(period)
        R["period_note"].append(pnote)
        R["submitted_at"].append(submitted)
        for col, header, num, den in lay.derived:
            v, t = row[col] if col < n else empty
            if v.strip():
                nv = row[lay.col(num)] if lay.col(num) < n else empty
                dv = row[lay.col(den)] if lay.col(den) < n else empty
                _check_ratio(res, r, col, header, v, t, nv, dv)
    return {text: (got[0], period_row[text]) for text, got in period_cache.items() if got[0] and clean(text)}


def _is_total_row(row) -> bool:
    return any(is_total(v) for v, _ in row[:3])


# a group heading among the units: «I. KHỐI PHƯỜNG», «II - Các trường THCS», «A. Khối xã», «KHỐI PHƯỜNG»
# (a roman numeral, or a letter A–E, then a stop or dash; or a group word first). Only a label that
# matches no unit is taken for one. «P.» and «X.» are how people shorten Phường and Xã, so a lone X
# or P never makes a heading: «P. Tân Lập» that matches no ward stays on the list of names to fix.
_GROUP_HEADING = re.compile(
    r"^\s*(?:(?:I{1,3}|IV|VI{0,3}|IX|XI{1,3}|XIV|XV)\s*[.)/:–—-]\s*\S|[A-E]\s*[.)]\s*\S"
    r"|(?:khối|khoi|nhóm|nhom|cụm|cum|khu vực|khu vuc)\s)",
    re.IGNORECASE,
)


def _is_group_heading(label: str, match) -> bool:
    return bool(label) and bool(_GROUP_HEADING.match(label)) and match(label, "").status == "unmatched"


_SUBTOTAL = re.compile(
    r"^(?:tổng cộng|tổng số|tổng|cộng|tong cong|tong so|tong|cong)\s+(?:các\s+|cac\s+)?"
    r"(?:khối|khoi|nhóm|nhom|cụm|cum|khu vực|khu vuc|xã|xa|phường|phuong|trường|truong|cấp|cap|chi bộ|chi bo)\b"
)
_NUMBERING = re.compile(r"^\(\s*\d{1,3}\s*\)$")


class _HeaderBlock:
    """The texts above the first data row, column by column: a data row that repeats them (the header
    rows, or the numbering row ``(1) (2) …``, pasted again between units) is not a unit."""

    def __init__(self, rows: list, first_data_row: int, unit_c: int):
        self.texts: dict[int, set[str]] = {}
        for row in rows[:first_data_row]:
            for c, (v, _) in enumerate(row):
                if t := _same(v):
                    self.texts.setdefault(c, set()).add(t)
        self.unit_texts = self.texts.get(unit_c, set())

    def repeats(self, row, unit: str) -> bool:
        if unit and unit[0] != "(" and unit.casefold() not in self.unit_texts:
            return False  # a named row (nearly every row), not the header's own title: cheap way out
        if _NUMBERING.match(unit):
            return True
        # the texts as written (a data cell «3» is not the numbering cell «(3)» above it)
        filled = [(c, _same(v)) for c, (v, _) in enumerate(row) if v.strip()]
        if len(filled) < 2:
            return False
        same = sum(t in self.texts.get(c, ()) for c, t in filled)
        return same >= max(2, 0.6 * len(filled))


def _same(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _note_skipped(res: TabResult) -> None:
    """Say in the summary which rows were not units, by kind, and where."""

    def rows(nums: list[int]) -> str:
        shown = ", ".join(str(n) for n in nums[:6])
        return f"dòng {shown}{'…' if len(nums) > 6 else ''}"

    parts = []
    if res.repeated_header_rows:
        parts.append(f"{len(res.repeated_header_rows)} dòng tiêu đề lặp lại ({rows(res.repeated_header_rows)})")
    if res.group_rows:
        names = "; ".join(f"«{t}»" for _, t in res.group_rows[:3])
        parts.append(f"{len(res.group_rows)} dòng tiêu đề nhóm ({names}{'…' if len(res.group_rows) > 3 else ''})")
    if res.subtotal_rows:
        names = "; ".join(f"«{t}»" for _, t in res.subtotal_rows[:3])
        parts.append(f"{len(res.subtotal_rows)} dòng cộng nhóm ({names}{'…' if len(res.subtotal_rows) > 3 else ''})")
    if parts:
        res.notes.append(
            f"Bỏ qua {', '.join(parts)}: không phải đơn vị, không vào danh sách tên cần sửa "
            "(các ô vẫn được lưu ở dữ liệu gốc)."
        )


def _row_period(lay: Layout, text: str, res: TabResult, date_order: str) -> tuple[str | None, str]:
    """Once per distinct text of the period column (cached by the caller): the period rule decides."""
    code, reason, note = row_period(lay.period, text, date_order)
    if note:
        res.notes.append(note)
    return code, reason


def _check_ratio(res, r, col, header, v, t, num, den) -> None:
    from .values import parse_count

    p = parse_ratio(v, t == "n")
    n, d = parse_count(*num[:1], num[1] == "n"), parse_count(*den[:1], den[1] == "n")
    where = cell_ref(r, col)
    if p.status != OK:
        res.checks.append({"row": r + 1, "col": col + 1, "raw_value": v, "reason": f"tỷ lệ {p.reason}"})
        return
    if n.status != OK or d.status != OK or not d.value:
        return
    computed = 100.0 * n.value / d.value
    if abs(computed - p.value) > 0.5:
        res.checks.append(
            {
                "row": r + 1,
                "col": col + 1,
                "raw_value": v,
                "reason": (
                    f"cột tính sẵn «{header}» ở {where} ghi {percent(p.value)} nhưng số liệu cho "
                    f"{percent(computed)}: không dùng cột tỷ lệ, chỉ dùng tử số và mẫu số"
                ),
            }
        )
