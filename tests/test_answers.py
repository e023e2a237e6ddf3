"""Answers prepared at publish (data_sources/sql/build_answers.sql, issues 27 and 31).

1. The pages' reads from the prepared tables (queries/progress.sql, queries/reporting.sql) give the same
   rows as computing them from the quarterly values and every submission (queries/progress_unprepared.sql,
   queries/reporting_unprepared.sql: the code before this change, kept for databases published before
   it), for every plan, period and kind of unit, for every unit, one province, a person's own choice of
   units and a unit's own scope, on three databases: the demo, the messy fixtures (months, halves, broken
   pairs, resubmissions) and the generated bench province.
2. Years of history: after a sequence of imports (a new year, a correction of an old quarter, a unit's
   resubmission, a file read again unchanged) the answers kept up to date year by year equal the answers
   computed whole from the published values, cell for cell; a year nobody touched is not computed again.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil

import duckdb
import pandas as pd
import pytest

import queries
from core import catalog
from core.db import connect_read
from core.periods import PeriodSel
from data_sources.load.ingest import ingest_paths
from data_sources.sql import statements
from queries import Scope
from queries.sql import load
from tests.test_marts import bench_db, fixtures_db  # noqa: F401  (session fixtures reused)

DATABASES = ["demo_db", "fixtures_db", "bench_db"]
PLANS = [r["plan"] for r in catalog.read_csv("plans.csv")]


def _unprepared(con, name: str, params: dict) -> pd.DataFrame:
    return con.execute(load(f"{name}_unprepared"), params).df()


def _same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    """Equal row for row and cell for cell (floats to 1e-9: a sum in another order)."""
    assert list(a.columns) == list(b.columns), what
    assert len(a) == len(b), f"{what}: {len(a)} rows vs {len(b)}"
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    for col in a.columns:
        for i, (x, y) in enumerate(zip(a[col], b[col], strict=True)):
            if isinstance(x, float) and isinstance(y, float):
                ok = (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
            else:
                ok = (pd.isna(x) and pd.isna(y)) if (pd.isna(x) is True or pd.isna(y) is True) else x == y
            assert ok, f"{what}: row {i} column {col}: {x!r} (prepared) vs {y!r} (from the quarterly values)"


def _views(con) -> list[tuple[str, Scope, list | None]]:
    """Every unit; one province's xã/phường (what the province filter asks); a person's own three units;
    a xã's own account (the xã and its schools)."""
    units = queries.units(con, Scope.everything())
    wards = units[units.level == "xa"].sort_values("code")
    out = [("mọi đơn vị", Scope.everything(), None)]
    if not wards.empty:
        province = wards.province.iloc[0]
        out.append(("một tỉnh", Scope.everything(), wards[wards.province == province].code.tolist()))
        out.append(("ba đơn vị chọn", Scope.everything(), wards.code.iloc[:: max(1, len(wards) // 3)].tolist()[:3]))
        ward = wards.code.iloc[len(wards) // 2]
        own = [ward, *units[units.parent_code == ward].code]
        out.append(("tài khoản một xã", Scope.of(own), None))
    return out


@pytest.mark.parametrize("database", DATABASES)
def test_prepared_progress_equals_progress_from_the_quarterly_values(request, database):
    con = connect_read(request.getfixturevalue(database))
    try:
        assert queries._prepared(con)
        periods = [PeriodSel(p) for p in queries.periods_with_data(con)]
        assert periods
        compared = 0
        for plan in PLANS:
            for level in catalog.plan_levels(plan):
                for what, scope, units in _views(con):
                    got = queries.progress_periods(con, plan, periods, scope, level=level, units=units)
                    sel = [
                        {
                            "period": p.code,
                            "year": p.year,
                            "q_from": p.quarters[0],
                            "q_to": p.quarters[1],
                            "as_of": p.as_of,
                        }
                        for p in periods
                    ]
                    want = _unprepared(
                        con,
                        "progress",
                        {"plan": plan, "periods": sel, "level": level, "scope": scope.param(), "units": units},
                    )
                    _same(got, want, f"{database} kế hoạch {plan} cấp {level} {what}")
                    compared += int(got.value.notna().sum())
        assert compared > 0  # values were there to compare, not only empty rows
    finally:
        con.close()


@pytest.mark.parametrize("database", DATABASES)
def test_prepared_reporting_equals_reporting_from_every_submission(request, database):
    con = connect_read(request.getfixturevalue(database))
    try:
        quarters = [q for q in queries.periods_with_data(con) if queries.quarter_of(q) == q]
        reported = 0
        for plan in PLANS:
            for level in catalog.plan_levels(plan):
                for what, scope, units in _views(con):
                    params = {"level": level, "units": units, "today": dt.date(2026, 12, 4)}
                    got = queries.reporting_quarters(con, plan, tuple(quarters), scope, **params)
                    want = _unprepared(
                        con,
                        "reporting",
                        {"plan": plan, "quarters": quarters, "scope": scope.param(), **params},
                    )
                    _same(got, want, f"{database} kế hoạch {plan} cấp {level} {what}")
                    reported += int(got.reported.sum())
        assert reported > 0
    finally:
        con.close()


# ---------------------------------------------------------------- years of history, kept up to date

HEADER = (
    "Tên đơn vị,Kỳ báo cáo,Tổng số CBQL GV NV,Số CBQL GV NV được quán triệt,Đã ban hành kế hoạch tuyên truyền,"
    'Số chuyên đề tuyên truyền,"Số tin, bài trên trang thông tin điện tử"'
)


def _file(tmp_path, name: str, rows: list[str]):
    p = tmp_path / f"{name}.csv"
    p.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def _quarter(tmp_path, year: int, q: int, base: int = 0, name: str | None = None):
    roman = ("I", "II", "III", "IV")[q - 1]
    rows = [
        f"Xã Ea Kar,Quý {roman}/{year},100,{min(100, 20 * q + base)},{'Có' if q > 1 else 'Không'},{q},{3 + base}",
        f"Xã Ea Ô,Quý {roman}/{year},300,{min(300, 50 * q + base)},Có,{2 * q},{5 + base}",
        f"Xã Cư Yang,Quý {roman}/{year},80,{min(80, 10 * q + base)},Không,0,{1 + base}",
    ]
    return _file(tmp_path, name or f"q{q}_{year}", rows)


PREPARED = ("mart.unit_answers", "mart.unit_first", "mart.answer_years", "mart.unit_quarter_reports")


def _table(con, table: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def _equal(x, y) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(x, list | tuple) and isinstance(y, list | tuple):
        return len(x) == len(y) and all(_equal(a, b) for a, b in zip(x, y, strict=True))
    return x == y


def _same_rows(a: list[tuple], b: list[tuple], what: str) -> None:
    assert len(a) == len(b), f"{what}: {len(a)} rows vs {len(b)}"
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        assert _equal(x, y), f"{what}: row {i}: {x!r} (kept up to date) vs {y!r} (computed whole)"


def _whole(db, tmp_path) -> duckdb.DuckDBPyConnection:
    """A copy of the published version whose answers are computed whole: the prepared tables dropped,
    the build run from nothing."""
    copy = tmp_path / "whole.duckdb"
    shutil.copy(db.resolve(), copy)
    con = duckdb.connect(str(copy))
    for t in ("mart.unit_answers", "mart.unit_first", "mart.answer_years"):
        con.execute(f"DROP TABLE {t}")
    for stmt in statements("build_answers"):
        con.execute(stmt)
    return con


def _years_computed(db) -> dict[int, int]:
    con = connect_read(db)
    try:
        return dict(con.execute("SELECT year, sig FROM mart.answer_years").fetchall())
    finally:
        con.close()


def test_answers_kept_up_to_date_equal_answers_computed_whole(tmp_path):
    db = tmp_path / "nq71.duckdb"
    steps = [
        ("năm 2025", [_quarter(tmp_path, 2025, q) for q in (1, 2, 3, 4)], "01/02/2026 08:00"),
        ("quý I/2026", [_quarter(tmp_path, 2026, 1)], "05/04/2026 08:00"),
        ("quý II/2026", [_quarter(tmp_path, 2026, 2)], "05/07/2026 08:00"),
        # the office corrects last year's third quarter: another file, values changed
        ("sửa quý III/2025", [_quarter(tmp_path, 2025, 3, base=7, name="q3_2025_sua")], "10/07/2026 08:00"),
        # a unit sends the second quarter again, later, with other numbers
        (
            "Xã Ea Ô gửi lại quý II/2026",
            [_file(tmp_path, "ea_o_lai", ["Xã Ea Ô,Quý II/2026,300,290,Có,9,12"])],
            "20/07/2026 08:00",
        ),
        # the same files read again: nothing changes
        ("đọc lại quý I/2026", [_quarter(tmp_path, 2026, 1)], "21/07/2026 08:00"),
    ]
    before: dict[int, int] = {}
    for what, paths, seen in steps:
        ingest_paths(paths, db, province=66, seen_at=dt.datetime.strptime(seen, "%d/%m/%Y %H:%M"))
        after = _years_computed(db)
        whole = _whole(db, tmp_path)
        con = connect_read(db)
        try:
            for table in PREPARED:
                _same_rows(_table(con, table), _table(whole, table), f"{what}: {table}")
        finally:
            con.close()
            whole.close()
        if what == "Xã Ea Ô gửi lại quý II/2026":
            # only 2026 was touched: 2025's answers were kept, not computed again
            assert after[2025] == before[2025] and after[2026] != before[2026]
        if what == "sửa quý III/2025":
            assert after[2025] != before[2025] and after[2026] == before[2026]
        before = after
    # the sequence did reach the values it was meant to: the correction and the resubmission are published
    con = connect_read(db)
    try:
        rows = queries.progress(con, "000", PeriodSel("2025-Q3"), Scope.everything())
        ea_kar = rows[(rows.unit_name == "Xã Ea Kar") & (rows.indicator == "CT01")]
        assert ea_kar.num.iloc[0] == 67  # 20 × 3 + 7: the corrected file
        rows = queries.progress(con, "000", PeriodSel("2026-Q2"), Scope.everything())
        ea_o = rows[(rows.unit_name == "Xã Ea Ô") & (rows.indicator == "CT01")]
        assert ea_o.num.iloc[0] == 290
    finally:
        con.close()
