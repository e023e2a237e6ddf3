"""Values that cannot break anything (issue 25, finding 1): a number too big to store or to be true is
rejected with its reason, like a negative count; no cell text or number makes an import fail or any
export fail afterwards (a property-based test writes arbitrary cells into the form)."""

from __future__ import annotations

import csv
import math

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.db import connect_read
from data_sources.load.ingest import ingest_paths
from data_sources.read.readers import ReadError
from tests.conftest import run_cli

HEADER = ["Tên đơn vị", "Kỳ báo cáo", "Tổng số CBQL, GV, NV", "Số CBQL, GV, NV được quán triệt",
          "Số chuyên đề tuyên truyền", "Tỷ lệ (%)"]  # fmt: skip


def _rejects(db) -> dict[tuple[str, str], str]:
    con = connect_read(db)
    try:
        rows = con.execute("SELECT unit, field, reason FROM mart.rejects WHERE reason IS NOT NULL").fetchall()
    finally:
        con.close()
    return {(u, f): r for u, f, r in rows}


def _exports_work(db, tmp_path) -> None:
    for kind in ("observations", "progress", "rejects", "history", "submissions"):
        proc = run_cli("queries", "export", "--db", str(db), "--kind", kind, "--out", str(tmp_path / f"{kind}.csv"),
                       check=False)  # fmt: skip
        # 0, or a Vietnamese refusal (exit 2, «Lỗi: …», e.g. no period has data yet): never a traceback
        assert "Traceback" not in proc.stderr, (kind, proc.stderr)
        assert proc.returncode == 0 or (proc.returncode == 2 and proc.stderr.startswith("Lỗi:")), (kind, proc.stderr)


def test_huge_numbers_are_rejected_and_every_export_still_runs(tmp_path):
    path = tmp_path / "so_lon.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerow(["Xã Ea Kar", "Quý II/2026", "10.000.000.000.000.000.000.000", "100", "3", "50"])
        w.writerow(["Xã Ea Ô", "Quý II/2026", "300", "9" * 400, "7" * 5000, "150"])
        w.writerow(["Xã Cư Yang", "Quý II/2026", "300", "200", "50000", ""])
    db = tmp_path / "nq71.duckdb"
    proc = run_cli("data_sources", "ingest", str(path), "--db", str(db), "--province", "66", check=False)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    rej = _rejects(db)
    assert "quá lớn" in rej[("Xã Ea Kar", "cb_tong")]
    assert "quá lớn" in rej[("Xã Ea Ô", "cb_quan_triet")] and "quá lớn" in rej[("Xã Ea Ô", "so_chuyen_de")]
    assert "lớn hơn mức hợp lý tối đa 10.000" in rej[("Xã Cư Yang", "so_chuyen_de")]
    assert len(rej[("Xã Ea Ô", "so_chuyen_de")]) < 300  # the 5,000 digits are not echoed back
    _exports_work(db, tmp_path)


def test_an_xlsx_number_cell_of_1e308_is_rejected_even_as_a_numerator(tmp_path):
    path = tmp_path / "so_lon.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Quý II.2026"
    ws.append(HEADER[:5])
    ws.append(["Xã Ea Kar", "Quý II/2026", 100, 1e308, 2])  # a numerator far above its denominator
    ws.append(["Xã Ea Ô", "Quý II/2026", 1e308, 5, 1.5e15])
    wb.save(path)
    db = tmp_path / "nq71.duckdb"
    ingest_paths([path], db, province=66)
    rej = _rejects(db)
    assert {("Xã Ea Kar", "cb_quan_triet"), ("Xã Ea Ô", "cb_tong"), ("Xã Ea Ô", "so_chuyen_de")} <= set(rej)
    _exports_work(db, tmp_path)


CELL = st.one_of(
    st.text(max_size=60),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(
        ["1e308", "-0", "1.000.000.000.000.000", "12,5", "1,234", "…", "x", "=1/0", "#DIV/0!", "%", "0,0001"]
    ),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, min_size=4, max_size=4), min_size=1, max_size=4))
def test_no_cell_breaks_an_import_or_an_export(tmp_path_factory, rows):
    d = tmp_path_factory.mktemp("prop")
    path = d / "bat_ky.csv"
    units = ["Xã Ea Kar", "Xã Ea Ô", "Xã Cư Yang", "Xã Krông Nô"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for unit, cells in zip(units, rows, strict=False):
            w.writerow([unit, "Quý II/2026", *(c.replace("\x00", "") for c in cells)])
    db = d / "nq71.duckdb"
    try:
        ingest_paths([path], db, province=66)
    except ReadError as e:  # the whole file refused, in Vietnamese (e.g. text that reads as mojibake)
        assert str(e).startswith("Không đọc được") and not db.exists()
        return
    con = connect_read(db)
    try:
        values = [v for (v,) in con.execute("SELECT value FROM mart.observations").fetchall()]
    finally:
        con.close()
    assert all(v is None or (math.isfinite(v) and 0 <= v <= 10**12) for v in values)
    import contextlib
    import io

    from queries.__main__ import main as export

    for kind in ("observations", "progress", "rejects", "history", "submissions"):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = export(["export", "--db", str(db), "--kind", kind, "--out", str(d / f"{kind}.csv")])
        assert code == 0 or (code == 2 and err.getvalue().startswith("Lỗi:")), (kind, code, err.getvalue())
