"""Ingestion: tabs -> raw + stg -> marts, published atomically, with a summary.

Every source (xlsx, CSV, Google Sheets values) arrives as :class:`Tab` and
goes through ``ingest_tabs``. Loads are bulk (pandas frames registered with
DuckDB, one bulk insert per table: ``data_sources/sql/insert_*.sql``), never row by row.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from core import catalog
from core.fmt import number
from core.periods import calendar_rows

from ..parse.extract import RAW_SCHEMA, ROW_COLS, ROW_TYPES, TabResult, extract, flatten
from ..parse.text import clean
from ..parse.units import Unit, UnitMatcher, official_wards, province_name, read_schools
from ..parse.values import MISSING, OK, REJECTED, parse, parse_yesno
from ..publish.store import publishing
from ..read.limits import Limits
from ..read.readers import ReadError, Tab, col_letter, gc_paused, read_path
from ..sql import load, statements


class Timing:
    """Seconds spent in each step of an import (for the benchmarks; NQ71_TIMING=1 prints them)."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._t
        self._t = now
        if os.environ.get("NQ71_TIMING"):
            print(f"[thời gian] {name}: {self.laps[name]:.2f} s", file=sys.stderr)


@dataclass
class ImportSummary:
    import_id: int
    tabs: list[dict] = field(default_factory=list)
    province: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    pending: int = 0  # values read differently in an approved (locked) quarter: waiting for the office
    published: bool = True  # False: the import changed nothing, no version was written

    @property
    def totals(self) -> dict[str, int]:
        keys = ("cells_read", "imported", "updated", "unchanged", "missing", "rejected")
        return {k: sum(t.get(k, 0) for t in self.tabs) for k in keys}

    def text(self) -> str:
        t = self.totals
        lines = [
            (f"Lần nhập #{self.import_id}" if self.published else "Lần đọc lại (không tạo phiên bản mới)")
            + f": {len(self.tabs)} trang tính",
            f"  Ô đọc: {number(t['cells_read'])} = mới {number(t['imported'])} + cập nhật {number(t['updated'])}"
            f" + không đổi {number(t['unchanged'])} + bỏ trống {number(t['missing'])} + bị từ chối {number(t['rejected'])}",
        ]
        if not self.published:
            lines.append(
                "  Không có gì thay đổi so với số liệu đang công bố (cùng các ô, cùng đơn vị, kỳ và giá trị như lần "
                "đọc trước): không tạo phiên bản mới."
            )
        if self.pending:
            lines.append(
                f"  Chờ duyệt: {number(self.pending)} giá trị khác với số liệu đã duyệt (kỳ đã khóa): chưa công bố, "
                "văn phòng chấp nhận hoặc từ chối ở trang Tình hình báo cáo (hoặc python -m data_sources cycle pending)."
            )
        for tab in self.tabs:
            name = f"{Path(tab['source']).name} / {tab['sheet']}" if tab["sheet"] else Path(tab["source"]).name
            if tab.get("error"):
                lines.append(f"  ✗ {name}: {tab['error']}")
                lines += [f"      - {note}" for note in tab.get("notes", [])]
                continue
            if tab.get("header_row") is None:  # a guide tab, skipped quietly (extract.is_guide)
                lines.append(f"  · {name}: {'; '.join(tab.get('notes', []))}")
                continue
            lines.append(
                f"  • {name}: đọc {number(tab['cells_read'])} ô, mới {number(tab['imported'])}, "
                f"cập nhật {number(tab['updated'])}, không đổi {number(tab['unchanged'])}, "
                f"trống {number(tab['missing'])}, từ chối {number(tab['rejected'])}"
                f"; bỏ qua {tab['total_rows']} dòng tổng cộng"
            )
            for note in tab.get("notes", []):
                lines.append(f"      - {note}")
        return "\n".join(lines)


def read_all(paths: list[str | Path], progress=None) -> list[Tab]:
    """Read every file first: one that cannot be read stops the import before anything is written."""
    tabs: list[Tab] = []
    for i, p in enumerate(paths):
        if progress:
            progress(0.3 * i / len(paths), f"Đang đọc tệp {i + 1}/{len(paths)}: {Path(p).name}")
        for t in read_path(p):
            t.source = Path(p).name
            tabs.append(t)
    return tabs


@gc_paused()  # the files' cells and their import under one pause (see readers.gc_paused)
def ingest_paths(paths, db, province=None, schools=None, seen_at=None, progress=None) -> ImportSummary:
    """``progress(fraction, text)``, when given, hears each file and step (Vietnamese text): the
    dashboard's progress bar."""
    if not paths:
        raise ReadError("Chưa chọn tệp nào để nhập.")
    tabs = read_all(paths, progress)
    for p in paths:  # a file with no row beyond its header is refused: nothing to import, no version written
        name = Path(p).name
        filled = sum(any(v.strip() for v, _ in row) for t in tabs if t.source == name for row in t.rows)
        if filled <= 1:
            raise ReadError(
                f"Tệp «{name}» không có dòng số liệu nào (rỗng hoặc chỉ có dòng tiêu đề). Hãy kiểm tra đã chọn đúng "
                "tệp đã điền số liệu."
            )
    return ingest_tabs(tabs, db, province=province, schools=schools, seen_at=seen_at, progress=progress)


def provinces_of(province) -> list[int]:
    """A deployment follows one province (66) or several; "all" / 0 is the Ministry view (34)."""
    from vietnam_provinces import Province

    if province in (None, "", "all", 0, "0"):
        return sorted(int(p.code) for p in Province.iter_all())
    if isinstance(province, (list, tuple, set)):
        return sorted(int(p) for p in province)
    return [int(province)]


_MATCHERS: dict[tuple, dict[int, UnitMatcher]] = {}


def _file_stamp(path: str | None) -> tuple | None:
    if not path:
        return None
    p = Path(catalog.resolve(path))
    st = p.stat()
    return (str(p.resolve()), st.st_ino, st.st_mtime_ns, st.st_size)


def build_matchers(con, provinces: list[int], schools_path: str | None) -> dict[int, UnitMatcher]:
    """One matcher per province: a name is only ever matched inside its own province.

    The indexes (50.000 schools at national scale: most of this function's time)
    are kept for the next import in the same process, a server that refreshes its
    sources on a schedule, until the school registry or the unit registry file changes."""
    registry_path = catalog.registry_path()
    registry_stamp = _file_stamp(str(registry_path)) if registry_path.exists() else None
    key = (tuple(provinces), _file_stamp(schools_path), registry_stamp)
    base = _MATCHERS.get(key)
    if base is None:
        wards = {p: official_wards(p) for p in provinces}
        all_codes = {w.code for ws in wards.values() for w in ws}
        schools = read_schools(catalog.resolve(schools_path), all_codes) if schools_path else []
        ward_province = {w.code: p for p, ws in wards.items() for w in ws}
        by_province: dict[int, list] = {p: [] for p in wards}
        for sc in schools:
            by_province[ward_province[sc.parent_code]].append(sc)
        registry = _registry_units(registry_path, provinces, ward_province, schools)
        prefixes = {k.code: k.prefixes for k in catalog.unit_kinds().values() if k.prefixes}
        base = {
            p: UnitMatcher(ws, by_province[p], registry=registry.get(p, []), prefixes=prefixes)
            for p, ws in wards.items()
        }
        _MATCHERS.clear()  # one set of indexes per process
        _MATCHERS[key] = base
    mappings = dict(con.execute(load("unit_mappings")).fetchall())
    return {p: m.with_mappings(mappings) for p, m in base.items()}


def _registry_units(path: Path, provinces: list[int], ward_province: dict[str, int], schools: list) -> dict[int, list]:
    """The unit registry (``catalog/don_vi.csv``: chi bộ, cơ quan, phòng ban) as units of each
    province: level = the kind, parent_code = cap_tren. A unit's province is its xã/phường's, found
    through cap_tren (a xã/phường, a school or another registry unit); a unit under a xã/phường of a
    province not followed is left out (a shared registry); with one province, a unit without a
    xã/phường above it belongs to it."""
    rows = catalog.unit_registry(path)
    if not rows:
        return {}
    by_code = {r.code: r for r in rows}
    school_ward = {s.code: s.parent_code for s in schools}

    def above(code: str, depth: int = 0) -> str | None:
        if code in ward_province or code in school_ward:
            return school_ward.get(code, code)
        r = by_code.get(code)
        return above(r.parent, depth + 1) if r and r.parent and depth < 20 else None

    out: dict[int, list] = {}
    for r in rows:
        ward = above(r.parent) if r.parent else None
        if ward is not None:
            province = ward_province[ward]
        elif r.parent and r.parent.isdigit() and len(r.parent) == 5:
            continue  # a xã/phường of a province this deployment does not follow
        elif len(provinces) == 1:
            province = provinces[0]
        else:
            raise ValueError(
                f"Danh mục đơn vị {path.name}: «{r.name}» ({r.code}) không có xã/phường cấp trên (cột cap_tren) "
                "nên không biết thuộc tỉnh nào trong các tỉnh đã cấu hình."
            )
        out.setdefault(province, []).append(Unit(r.code, r.name, r.kind, r.kind, r.parent))
    return out


def refresh_ref(con, matchers: dict[int, UnitMatcher]) -> None:
    """ref.*: the catalog files and the unit list, reloaded on every publish."""
    # column by column (53.000 units at national scale: a frame from one dict per unit costs ≈0,1 s)
    listed = [(p, u) for p, m in matchers.items() for u in m.units.values()]
    units = pd.DataFrame(
        {
            "code": [u.code for _, u in listed],
            "name": [u.name for _, u in listed],
            "level": [u.level for _, u in listed],
            "type": [u.type for _, u in listed],
            "parent_code": [u.parent_code or None for _, u in listed],
            "province": [p for p, _ in listed],
        },
        columns=["code", "name", "level", "type", "parent_code", "province"],
    )
    fields = pd.DataFrame(
        [
            {
                "code": f.code,
                "name": f.name,
                "kind": f.kind,
                "agg": f.agg,
                "measure": f.measure,
                "denominator": f.denominator,
            }
            for f in catalog.fields().values()
        ]
    )
    s = catalog.settings()
    provinces = sorted(matchers)
    settings = pd.DataFrame(
        [
            {
                "province": provinces[0] if len(provinces) == 1 else 0,
                "province_name": province_name(provinces[0]) if len(provinces) == 1 else "Toàn quốc",
                "plan": s["plan"],
                "reporting_year": s["reporting_year"],
                "default_deadline_day": s["default_deadline_day"],
            }
        ]
    )
    frames = {
        "units": units,
        "fields": fields,
        "settings": settings,
        "provinces": pd.DataFrame({"province": provinces, "name": [province_name(p) for p in provinces]}),
        "plans": pd.DataFrame(catalog.read_csv("plans.csv")),
        "unit_kinds": pd.DataFrame(
            [{"code": k.code, "label": k.label} for k in catalog.unit_kinds().values()], columns=["code", "label"]
        ),
        "indicators": pd.DataFrame(catalog.read_csv("indicators.csv")),
        "targets": pd.DataFrame(catalog.read_csv("targets.csv")),
        "deadlines": pd.DataFrame(catalog.read_csv("deadlines.csv")),
        "roster": _roster(),
        # one definition each, written for SQL to join (never recomputed in SQL)
        "statuses": pd.DataFrame(
            [
                {"code": x.code, "label": x.label, "colour": x.colour, "symbol": x.symbol, "ord": x.order}
                for x in catalog.statuses().values()
            ]
        ),
        "indicator_inputs": pd.DataFrame(catalog.indicator_inputs(), columns=["indicator", "role", "field"]),
        "periods": pd.DataFrame(calendar_rows()),
        "columns": pd.DataFrame({"col": range(1, 16385), "letter": [col_letter(c) for c in range(16384)]}),
    }
    for name, df in frames.items():
        con.register(f"_ref_{name}", df)
    for stmt in statements("ref_tables"):
        con.execute(stmt)
    for name in frames:
        con.unregister(f"_ref_{name}")


def _roster() -> pd.DataFrame:
    """The roster (deployment.toml ``roster``, catalog/roster.csv by default): units taken off
    (phai_bao_cao = 0) or put back on the expected roster, and whom to contact (chase list)."""
    path = catalog.roster_path()
    rows = catalog.read_csv(path.name, path.parent)
    cols = ["ma_don_vi", "phai_bao_cao", "ghi_chu", "nguoi_lien_he", "dien_thoai", "email"]
    df = pd.DataFrame(rows, columns=cols, dtype="object").fillna("")
    df["ma_don_vi"] = df["ma_don_vi"].str.strip()
    flags = []
    for i, text in enumerate(df["phai_bao_cao"], start=2):  # row 1 is the header
        read = parse_yesno(text)
        if read.status != OK:
            raise ValueError(
                f"catalog/roster.csv, dòng {i}, cột phai_bao_cao: «{text}» không phải có/không "
                "(ghi 1, x hoặc Có để phải báo cáo; 0, Không hoặc Chưa để bỏ khỏi danh sách)."
            )
        flags.append(read.value == 1)
    df["phai_bao_cao"] = pd.Series(flags, dtype=bool)  # BOOLEAN even when the file lists no unit
    return df


@gc_paused()
def ingest_tabs(
    tabs: list[Tab], db, province=None, schools=None, seen_at=None, on_publish=None, progress=None
) -> ImportSummary:
    """Load tabs, rebuild the marts and publish; ``on_publish(con)`` writes more in the same version;
    ``progress(fraction, text)`` hears each step."""
    if not tabs:  # nothing read: no version is written (its summary would have no tab to list)
        raise ReadError("Không có trang tính nào để nhập: các nguồn đã đọc không có trang nào.")
    step = progress or (lambda fraction, text: None)
    s = catalog.settings()
    provinces = provinces_of(province if province is not None else s["province"])
    schools = schools if schools is not None else s.get("schools")
    started = dt.datetime.now().replace(microsecond=0)
    seen = seen_at or started
    # the time of receipt is known when given (--seen-at) or when reading is receiving (a Google refresh,
    # on_publish set); a file loaded without --seen-at may have been received long before
    received_known = seen_at is not None or on_publish is not None
    timing = Timing()
    step(0.3, "Đang sao chép phiên bản đang công bố")
    box: list[ImportSummary] = []
    try:
        with publishing(db) as con:
            summary = _import(
                con, tabs, provinces, schools, s, started, seen, received_known, on_publish, step, timing, box
            )
    except _NothingChanged:
        summary = box[0]  # the new version was discarded: the summary says so
    if summary.published:
        timing.lap("công bố")
        step(1.0, "Đã nhập xong")
    else:
        step(1.0, "Không có gì thay đổi: không tạo phiên bản mới")
    summary.timings = timing.laps
    return summary


class _NothingChanged(Exception):
    """Raised inside the publish to discard the new version: the import changes nothing."""


def _import(con, tabs, provinces, schools, s, started, seen, received_known, on_publish, step, timing, box):
    """The import inside the new version (``con``): raw cells, units, staged rows and cells, marts, summary
    (also left in ``box``: the caller reads it when the import changed nothing and the version is discarded)."""
    timing.lap("sao chép phiên bản")
    import_id = con.execute(load("next_import_id")).fetchall()[0][0]
    # every non-empty cell first, stored (raw.cells) on a second cursor while Python matches
    # headers, periods and units: DuckDB scans the Arrow table without the interpreter lock
    raw, tab_table = _raw_table([flatten(t.rows) for t in tabs]), _tab_table(tabs)
    if raw.num_rows > BIG_IMPORT:
        con.execute(load("big_import_memory"))
    store_raw = _Background(
        con, load("insert_raw_cells"), {"id": import_id, "at": started}, {"_raw": raw, "_tabs": tab_table}
    )
    timing.lap("tách ô thô")
    try:
        step(0.4, "Đang nạp danh mục đơn vị")
        matchers = build_matchers(con, provinces, schools)
        budget = Limits.current().suggestions
        for m in matchers.values():
            m.limit_suggestions(budget)
        ref_before = _ref_fingerprint(con)
        refresh_ref(con, matchers)
        timing.lap("danh mục đơn vị")
        results: list[TabResult] = []
        for n, tab in enumerate(tabs):
            step(0.45 + 0.2 * n / max(len(tabs), 1), f"Đang đọc bảng {n + 1}/{len(tabs)}: {tab.sheet or tab.source}")
            matcher = matchers.get(tab.province or (provinces[0] if len(provinces) == 1 else None))
            if matcher is None:
                res = extract(Tab(tab.source, tab.sheet, tab.rows), None, s["reporting_year"])
                res.error = (
                    f"Trang «{tab.sheet}» của «{tab.source}»: không rõ thuộc tỉnh nào trong các tỉnh đã cấu hình; "
                    "hãy ghi tỉnh cho nguồn này."
                )
                results.append(res)
                continue
            results.append(extract(tab, matcher, s["reporting_year"]))
        skipped = sum(m.suggestions_skipped for m in matchers.values())
        if skipped and results:
            results[0].notes.append(
                f"Có quá nhiều tên đơn vị không khớp danh mục: chỉ gợi ý tên gần nhất cho {number(budget)} tên "
                f"đầu tiên, {number(skipped)} tên còn lại không kèm gợi ý (vẫn được liệt kê ở trang Chất lượng dữ "
                "liệu). Hãy kiểm tra đã chọn đúng tệp và đúng tỉnh."
            )
    except BaseException:
        store_raw.wait(quiet=True)  # the error here is the one to report
        raise
    store_raw.wait()  # raises what the store raised: the import fails, nothing is published
    _keep_samples(con, import_id, tabs, results)
    for tab in tabs:  # the cells are in raw (stored) and in results (staged): a big file's rows freed now
        tab.rows = []
    timing.lap("đọc bảng, khớp đơn vị")
    step(0.7, "Đang nạp số liệu và kiểm tra từng ô")
    _load(con, import_id, tabs, tab_table, results, raw, seen, received_known)
    del raw, store_raw  # stored and staged: the Arrow cells (and each tab's staged rows) freed before the marts
    for res in results:
        res.rows = {}
    timing.lap("nạp raw + stg")
    step(0.8, "Đang tính lại các bảng tổng hợp")
    # whether this import may change nothing (every tab it read was read before): only then is the fingerprint of
    # what is published taken, to compare after the build
    maybe_same = on_publish is None and not received_known and _tabs_read_before(con, import_id, tabs)
    marts_before = _fingerprint(con, "published_fingerprint") if maybe_same else None
    # with the catalog's tables as they were, the import can change only the keys of the rows it read
    keyed = ref_before is not None and ref_before == _ref_fingerprint(con)
    touched = ("marts_touched_import", {"import_id": import_id}) if keyed else None
    rebuild_marts(con, event="nhap", at=started, import_id=import_id, touched=touched)
    timing.lap("dựng mart")
    counts = {(r[0], r[1]): r[2:] for r in con.execute(load("import_summary"), {"import_id": import_id}).fetchall()}
    con.execute(load("drop_prev_cells"))
    timing.lap("tóm tắt")
    summary = ImportSummary(import_id, province=provinces[0] if len(provinces) == 1 else 0)
    box.append(summary)
    summary.pending = con.execute(load("cycle_pending_count"), {"import_id": import_id}).fetchall()[0][0]
    for tab, res in zip(tabs, results, strict=True):
        c = counts.get((tab.source, tab.sheet), (0, 0, 0, 0, 0, 0))
        summary.tabs.append(
            {
                "source": tab.source,
                "sheet": tab.sheet,
                "gid": tab.gid,
                "url": tab.url,
                "header_row": res.header_row,
                "error": res.error,
                "notes": res.notes,
                **dict(zip(("cells_read", "imported", "updated", "unchanged", "missing", "rejected"), c, strict=True)),
                "total_rows": res.total_rows,
                "empty_rows": res.empty_rows,
            }
        )
    if on_publish is None and not received_known and not summary.pending:  # a stated receipt time: always published
        if _changes_nothing(con, import_id, summary, ref_before, marts_before):
            summary.published = False
            raise _NothingChanged()
    tabs_df = pd.DataFrame(summary.tabs)
    tabs_df["notes"] = tabs_df["notes"].map(lambda n: "\n".join(n))
    tabs_df["import_id"] = import_id
    con.register("_tabs", tabs_df)
    con.execute(load("insert_tabs"))
    con.unregister("_tabs")
    con.execute(
        load("insert_import"),
        {
            "id": import_id,
            "started": started,
            "seen": seen,
            "finished": dt.datetime.now().replace(microsecond=0),
            "province": provinces[0] if len(provinces) == 1 else 0,
            "files": json.dumps(sorted({t.source for t in tabs}), ensure_ascii=False),
            "summary": json.dumps(summary.totals),
            "given": received_known,
        },
    )
    if on_publish is not None:
        on_publish(con)
    step(0.95, "Đang công bố phiên bản mới")
    return summary


def _fingerprint(con, name: str) -> list | None:
    """A fingerprint query's answer (``ref_fingerprint``, ``published_fingerprint``); None before the first
    import wrote the tables it reads."""
    try:
        return con.execute(load(name)).fetchall()[0][0]
    except duckdb.CatalogException:
        return None


def _tabs_read_before(con, import_id: int, tabs: list[Tab]) -> bool:
    try:
        before = {(r[0], r[1]) for r in con.execute(load("prev_tabs"), {"import_id": import_id}).fetchall()}
    except duckdb.CatalogException:  # before the first import wrote raw.tabs
        return False
    return all((t.source, t.sheet) in before for t in tabs)


def _ref_fingerprint(con) -> list | None:
    return _fingerprint(con, "ref_fingerprint")


def _changes_nothing(
    con, import_id: int, summary: ImportSummary, ref_before: list | None, marts_before: list | None
) -> bool:
    """Whether this import changes nothing that is published: what pages read is the same after the rebuild
    as before it (a file read again that wins back its units from another file changes it), every tab was read
    before with the same cells, units, periods, values and reasons, no value is new or updated, and the
    catalog's tables are as they were."""
    t = summary.totals
    if t["imported"] or t["updated"] or ref_before is None or ref_before != _ref_fingerprint(con):
        return False
    if marts_before is None or marts_before != _fingerprint(con, "published_fingerprint"):
        return False
    mine = pd.DataFrame(
        [
            {"source": x["source"], "sheet": x["sheet"], "header_row": x["header_row"], "error": x["error"]}
            for x in summary.tabs
        ],
        columns=["source", "sheet", "header_row", "error"],
    ).astype({"header_row": "Int32"})
    con.register("_mine", mine)
    try:
        diff = con.execute(load("import_changes"), {"import_id": import_id}).fetchall()[0]
    finally:
        con.unregister("_mine")
    return not any(diff)


# The shape of the marts a build may complete key by key (build_marts.sql): a database whose marts were built
# by a product with another shape (or before this was recorded) gets a full build first.
MARTS_SHAPE = 2  # 2: mart.report_counts (the on-time trend counted at publish)


def _marts_shape(con) -> int | None:
    if not _has_table(con, "mart", "build_shape"):
        return None
    row = con.execute(load("marts_shape_read")).fetchone()
    return row[0] if row else None


def _run(con, name: str, params: dict | None = None) -> None:
    for stmt in statements(name):
        con.execute(stmt, params) if params is not None and "$" in stmt else con.execute(stmt)


def build_marts(con, touched: tuple[str, dict] | None = None) -> bool:
    """The marts from stg + ref + the cycle's locks (build_marts.sql), then the answers the pages read
    (build_answers.sql: only the years whose values changed are computed again).

    ``touched``: (SQL file, parameters) naming the keys (unit × period) that can have changed: those of
    an import (marts_touched_import) or of a decision on a unit's quarter (marts_touched_quarter); the
    marts lose the rows of those keys and get them computed again, the others stay as published (the
    same result as a full build: tests/test_answers.py). None, or marts of another shape: everything is
    built. Leaves ``mart.prev_cells`` (the values published before, of the keys computed) for the
    caller's summary and history; the caller drops it (drop_prev_cells). True when keyed."""
    _run(con, "marts_rows")
    keyed = touched is not None and _has_table(con, "mart", "current_cells") and _marts_shape(con) == MARTS_SHAPE
    if keyed:
        name, params = touched
        _run(con, name, params)
        _run(con, "prev_cells_touched")
    else:
        # the current values before this build: a rename, not a copy
        _run(con, "prev_cells_from_current" if _has_table(con, "mart", "current_cells") else "prev_cells_empty")
        _run(con, "marts_drop")
    _run(con, "marts_tables")
    if not keyed:
        _run(con, "marts_touched_all")
    _run(con, "build_marts")
    _run(con, "build_answers")
    con.execute(load("marts_shape"), {"shape": MARTS_SHAPE})
    return keyed


def rebuild_marts(
    con,
    event: str,
    at: dt.datetime,
    by: str | None = None,
    import_id: int | None = None,
    touched: tuple[str, dict] | None = None,
) -> None:
    """Build the marts (``build_marts``; ``touched``: only the keys named) and write to ``cycle.history`` each
    published value that changed (``event``: nhap, chap_nhan, mo_khoa). Leaves ``mart.prev_cells``
    (the values published before) for the caller's summary; the caller drops it (drop_prev_cells)."""
    first = not _has_table(con, "mart", "current_cells")
    build_marts(con, touched)
    if not first:  # a first build publishes values for the first time: no change to record
        con.execute(load("record_history"), {"import_id": import_id, "event": event, "by": by, "at": at})


# a staged row's ord: import × 10¹² + its place in the import (tab, then row); older imports used
# import × 10⁹ + tab × 10⁶ + row, which stays below every newer import's ords (reading order kept)
ORD_PER_IMPORT = 10**12

# non-empty cells beyond which DuckDB's memory is capped (sql/big_import_memory.sql)
BIG_IMPORT = 2_000_000

# cells kept of a tab where no form was found: enough to see what it held, never 4,000,000 cells of junk
RAW_SAMPLE = 2_000


def _keep_samples(con, import_id: int, tabs: list[Tab], results: list) -> None:
    for tab, res in zip(tabs, results, strict=True):
        if not res.no_form:
            continue
        cells = sum(1 for row in tab.rows for v, _ in row if v != "")
        if cells <= RAW_SAMPLE:
            continue
        con.execute(
            load("trim_raw_sample"), {"id": import_id, "source": tab.source, "sheet": tab.sheet, "keep": RAW_SAMPLE}
        )
        res.notes.append(
            f"Không tìm thấy biểu mẫu trong trang này: chỉ lưu {number(RAW_SAMPLE)} ô đầu tiên làm mẫu (trang có "
            f"{number(cells)} ô có nội dung). Nếu trang có số liệu, hãy sửa dòng tiêu đề theo biểu mẫu rồi nhập lại."
        )


def _has_table(con, schema: str, name: str) -> bool:
    return con.execute(load("has_table"), {"s": schema, "n": name}).fetchall()[0][0] > 0


def _load(con, import_id, tabs, tab_table, results, raw, seen, given: bool) -> None:
    """Bulk loads after raw.cells (stored while the tabs were matched): staged rows, then staged
    cells built in SQL.

    A field cell of a data row is (row × field column) LEFT JOIN the raw cell at
    that place; its meaning comes from a table of the distinct (kind, text,
    type) of this import's field columns, each parsed once by values.parse (the
    one implementation of the cell rules), joined in the same statement."""

    rows, layouts, checks = [], [], []  # rows: how many staged rows each tab has
    problems = [
        {"import_id": import_id, "source": tab.source, "sheet": tab.sheet, "gid": tab.gid, "url": tab.url, **p}
        for tab, res in zip(tabs, results, strict=True)
        for p in res.problems
    ]
    if problems:
        con.register("_tab_problems", pd.DataFrame(problems))
        con.execute(load("insert_tab_problems"))
        con.unregister("_tab_problems")
    # each tab's staged rows as Arrow arrays, the Python lists dropped as soon as they are converted
    staged_cols: dict[str, list] = {c: [] for c in ROW_COLS}
    tops = {f.code: f.maximum for f in catalog.fields().values() if f.maximum is not None}
    for i, (tab, res) in enumerate(zip(tabs, results, strict=True)):
        meta = {"source": tab.source, "sheet": tab.sheet}
        rows.append(len(res.rows["row"]))
        row_numbers = res.rows["row"]
        for c in ROW_COLS:
            staged_cols[c].append(pa.array(res.rows[c], ROW_TYPES[c]))
            if c != "row":
                res.rows[c] = []
        staged_cols["_row_numbers"] = [*staged_cols.get("_row_numbers", []), np.asarray(row_numbers, np.int64)]
        layouts += [{"tab": i, "col": c, "field": f, "kind": k, "maximum": tops.get(f)} for c, f, k in res.layout]
        if res.checks:
            checks.append(pd.DataFrame(res.checks).assign(import_id=import_id, gid=tab.gid, url=tab.url, **meta))
    if raw.num_rows == 0 or not sum(rows):
        return
    layout = pd.DataFrame(layouts, columns=["tab", "col", "field", "kind", "maximum"]).astype({"maximum": "float64"})
    con.register("_raw", raw)
    con.register("_tabs", tab_table)
    # the staged rows of every tab as one Arrow table, column by column; a row's tab is an index
    # into _tabs (source, sheet, gid, url), its ord = import × 10⁹ + tab × 10⁶ + row
    tab_of = np.repeat(np.arange(len(rows), dtype=np.int64), rows)
    row_no = np.concatenate(staged_cols.pop("_row_numbers"))
    staged = pa.table(
        {
            **{c: pa.concat_arrays(staged_cols.pop(c)) for c in ROW_COLS},
            "tab": pa.array(tab_of.astype(np.int32)),
            # dense within the import, in tab then row order: no tab or row count can make two rows share one
            "ord": pa.array(import_id * ORD_PER_IMPORT + np.arange(len(row_no), dtype=np.int64)),
        }
    )
    con.register("_rows", staged)
    con.execute(load("insert_stg_rows"), {"id": import_id, "seen": seen, "given": given})
    con.unregister("_tabs")
    con.register("_layout", layout)
    distinct = con.execute(load("distinct_cell_texts")).fetchall()
    parsed = []
    for kind, text, typ in distinct:
        p = parse(kind, text, typ == "n", typ == "f")
        if kind == "text":
            parsed.append(
                (kind, text, typ, OK if p.status == OK else MISSING, None, clean(text) if p.status == OK else None, "")
            )
        else:
            parsed.append((kind, text, typ, p.status, p.value, None, p.reason if p.status == REJECTED else ""))
    con.register(
        "_parsed",
        pd.DataFrame(parsed, columns=["kind", "text", "type", "status", "value", "text_value", "reason"]).astype(
            {"value": "float64"}
        ),
    )
    con.execute(load("insert_stg_cells"), {"id": import_id})
    con.execute(load("set_first_seen"), {"id": import_id})  # a re-read unchanged row keeps its first time
    if checks:
        con.register("_checks", pd.concat(checks, ignore_index=True))
        con.execute(load("insert_checks"))
        con.unregister("_checks")
    for name in ("_raw", "_rows", "_layout", "_parsed"):
        con.unregister(name)


def _raw_table(raws: list) -> pa.Table:
    """Every non-empty cell of the import as one Arrow table; which tab a cell is on is an index into
    _tabs (source, sheet), not the two strings repeated a million times."""
    parts = [r.append_column("tab", pa.array(np.full(r.num_rows, i, np.int32))) for i, r in enumerate(raws)]
    return pa.concat_tables(parts) if parts else RAW_SCHEMA.append(pa.field("tab", pa.int32())).empty_table()


def _tab_table(tabs: list[Tab]) -> pa.Table:
    """Tab index -> source, sheet, gid, url (joined by the bulk inserts)."""
    return pa.table(
        {
            "tab": pa.array(range(len(tabs)), pa.int32()),
            "source": pa.array([t.source for t in tabs], pa.string()),
            "sheet": pa.array([t.sheet for t in tabs], pa.string()),
            "gid": pa.array([t.gid for t in tabs], pa.string()),
            "url": pa.array([t.url for t in tabs], pa.string()),
        }
    )


class _Background:
    """One bulk statement run on its own cursor in a thread while Python goes on. DuckDB releases the
    interpreter lock while a statement runs and scans a registered Arrow table without it, so the two
    overlap on two cores (a national import, run alternately both ways in one process: median 3,83 s
    against 4,44 s). The cursor is another connection to the same database: its rows are committed on
    their own, into the version being written, which is thrown away whole if the import fails."""

    def __init__(self, con, sql: str, params: dict, frames: dict):
        self.error: BaseException | None = None
        self.cur = con.cursor()
        for stmt in statements("connection_settings"):  # per connection: as the publishing one
            self.cur.execute(stmt)
        for name, frame in frames.items():
            self.cur.register(name, frame)
        self.thread = threading.Thread(target=self._run, args=(sql, params), name="nq71-raw-cells", daemon=True)
        self.thread.start()

    def _run(self, sql: str, params: dict) -> None:
        try:
            self.cur.execute(sql, params)
        except BaseException as e:  # handed to the importing thread by wait()
            self.error = e

    def wait(self, quiet: bool = False) -> None:
        """Until the statement has finished; then raises its error unless ``quiet`` (the importing
        thread is raising its own)."""
        self.thread.join()
        self.cur.close()
        if self.error is not None and not quiet:
            raise self.error
