"""Answers prepared at publish (data_sources/sql/build_answers.sql, issues 27 and 31).

1. The pages' reads from the prepared tables (queries/progress.sql, queries/reporting.sql) give the same
   rows as computing them from the quarterly values and every submission (queries/progress_unprepared.sql,
   queries/reporting_unprepared.sql: the code before this change, kept for databases published before
   it), for every plan, period and kind of unit, for every unit, one province, a person's own choice of
   units and a unit's own scope, on three databases: the demo, the messy fixtures (months, halves, broken
   pairs, resubmissions) and the generated bench province.
2. Years of history: a sequence of imports and decisions (a new year, a correction of an old quarter, a
   unit's resubmission, a file read again unchanged, an approval, a change to an approved quarter
   accepted, an unlock) run twice, once as the product builds the marts (only the keys an import or a
   decision touched, and the answers of those units' years) and once building everything each
   time: after every step every mart table (the prepared answers among them), the history of changes and
   the cycle's tables are equal, row for row.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

import queries
from core import catalog
from core.db import connect_read
from core.periods import PeriodSel
from data_sources.load import cycle
from data_sources.load import ingest as ingest_mod
from data_sources.load.ingest import ingest_paths
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
        assert queries._has(con, "mart", "unit_answers")  # the prepared reads run
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


def _province_views(con) -> list[tuple[str, list | None, int]]:
    """Every unit (province 0), and each province as the province filter names it: its every xã/phường."""
    units = queries.units(con, Scope.everything())
    wards = units[units.level == "xa"]
    out = [("mọi đơn vị", None, 0)]
    for p, g in wards.groupby("province"):
        out.append((f"tỉnh {p}", g.code.tolist(), int(p)))
    return out


def _prepared_trend_equals_rows(con, what: str, plan: str, level: str, quarters: tuple, target) -> int:
    """mart.report_counts read for every unit and for each province as the province filter names it, against
    the summary counted in pandas from the unit rows; the units counted as reported."""
    reported = 0
    for view, units, province in _province_views(con):
        label = f"{what} kế hoạch {plan} cấp {level} {view}"
        params = {"plan": plan, "quarters": list(quarters), "level": level, "province": province}
        got = queries.summary_of_counts(con.execute(load("report_counts"), params).df(), target)
        rows = queries.reporting_quarters(con, plan, quarters, Scope.everything(), level=level, units=units)
        want = queries.reporting_summary(rows, target)
        _same(got, want, f"{label} (đếm sẵn)")
        trend = queries.reporting_counted(
            con, plan, quarters, Scope.everything(), level=level, units=units, target=target, province=province
        )
        _same(trend, want, f"{label} (reporting_counted)")
        reported += int(got.reported.sum())
    return reported


@pytest.mark.parametrize("database", DATABASES)
def test_on_time_trend_counted_in_the_database_equals_counting_the_rows(request, database):
    """The on-time trend of Tình hình báo cáo is counted in DuckDB, not from the units' rows in pandas: at
    publish (mart.report_counts, queries/report_counts.sql) for a viewer who sees every unit, viewing every
    unit or one province by the province filter; at the query (queries/reporting_counts.sql) for any other
    view. Both equal the summary counted in pandas from the unit rows of every quarter
    (queries.reporting_summary of queries.reporting_quarters, what the page did before)."""
    con = connect_read(request.getfixturevalue(database))
    try:
        quarters = tuple(q for q in queries.periods_with_data(con) if queries.quarter_of(q) == q)
        counted = prepared = 0
        for plan in PLANS:
            target = queries.reporting_target(con, plan)
            for level in catalog.plan_levels(plan):
                for what, scope, units in _views(con):  # counted at the query (or prepared: every unit)
                    args = {"level": level, "units": units}
                    got = queries.reporting_counted(con, plan, quarters, scope, target=target, **args)
                    rows = queries.reporting_quarters(con, plan, quarters, scope, **args)
                    want = queries.reporting_summary(rows, target)
                    _same(got, want, f"{database} kế hoạch {plan} cấp {level} {what}")
                    counted += int(got.reported.sum())
                prepared += _prepared_trend_equals_rows(con, database, plan, level, quarters, target)
        assert counted > 0 and prepared > 0 and len(quarters) >= 2  # units reporting in several quarters were counted
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


def _unit(db, name: str) -> str:
    con = connect_read(db)
    try:
        units = queries.units(con, Scope.everything())
        return units[units.name == name].code.iloc[0]
    finally:
        con.close()


def _waiting(db) -> list[int]:
    con = connect_read(db)
    try:
        return queries.pending_changes(con, Scope.everything()).id.tolist()
    finally:
        con.close()


def _drop_row(path, unit: str):
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line for line in lines if not line.startswith(unit + ",")) + "\n", encoding="utf-8")
    return path


def _steps(tmp_path):
    """Imports and decisions of the cycle, in order: (what, action(db))."""

    def imp(files, seen):
        # the files are written when the step runs (a later step may rewrite the same file)
        return lambda db: ingest_paths(files(), db, province=66, seen_at=dt.datetime.strptime(seen, "%d/%m/%Y %H:%M"))

    return [
        ("năm 2025", imp(lambda: [_quarter(tmp_path, 2025, q) for q in (1, 2, 3, 4)], "01/02/2026 08:00")),
        ("quý I/2026", imp(lambda: [_quarter(tmp_path, 2026, 1)], "05/04/2026 08:00")),
        ("quý II/2026", imp(lambda: [_quarter(tmp_path, 2026, 2)], "05/07/2026 08:00")),
        # the office corrects last year's third quarter: another file, values changed
        (
            "sửa quý III/2025",
            imp(lambda: [_quarter(tmp_path, 2025, 3, base=7, name="q3_2025_sua")], "10/07/2026 08:00"),
        ),
        # a unit sends the second quarter again, later, with other numbers
        (
            "Xã Ea Ô gửi lại quý II/2026",
            imp(lambda: [_file(tmp_path, "ea_o_lai", ["Xã Ea Ô,Quý II/2026,300,290,Có,9,12"])], "20/07/2026 08:00"),
        ),
        # the same file read again: nothing changes
        ("đọc lại quý I/2026", imp(lambda: [_quarter(tmp_path, 2026, 1)], "21/07/2026 08:00")),
        # the second quarter's file read again without Xã Cư Yang's row: its report is gone
        (
            "quý II/2026 mất dòng Cư Yang",
            imp(lambda: [_drop_row(_quarter(tmp_path, 2026, 2), "Xã Cư Yang")], "22/07/2026 08:00"),
        ),
        # a unit's first report (the pace line's start) moves: Ea Bá first reports the second quarter of
        # 2026, then sends the fourth of 2025 (its first moves a year earlier), then that file is read again
        # without its row (its first goes back to 2026, a year this import did not touch)
        (
            "Ea Bá báo cáo lần đầu quý II/2026",
            imp(lambda: [_file(tmp_path, "ea_ba_q2", ["Xã Ea Bá,Quý II/2026,50,40,Có,1,2"])], "23/07/2026 08:00"),
        ),
        (
            "Ea Bá, Ea Ly gửi quý IV/2025",
            imp(
                lambda: [
                    _file(
                        tmp_path,
                        "ea_ba_q4_2025",
                        ["Xã Ea Bá,Quý IV/2025,50,10,Có,1,2", "Xã Ea Ly,Quý IV/2025,70,35,Có,1,2"],
                    )
                ],
                "23/07/2026 09:00",
            ),
        ),
        (
            "quý IV/2025 của Ea Bá mất dòng",
            imp(lambda: [_drop_row(tmp_path / "ea_ba_q4_2025.csv", "Xã Ea Bá")], "23/07/2026 10:00"),
        ),
        # the office approves Ea Kar's first quarter; a later file says otherwise (a change waits); accepted
        ("duyệt quý I/2026", lambda db: cycle.approve(db, "2026-Q1", [_unit(db, "Xã Ea Kar")], by="vp")),
        (
            "Ea Kar sửa quý I/2026 đã duyệt",
            imp(lambda: [_file(tmp_path, "ea_kar_q1", ["Xã Ea Kar,Quý I/2026,100,55,Có,4,8"])], "25/07/2026 08:00"),
        ),
        # it sends again before the office decides: the first change is superseded, the new one waits
        (
            "Ea Kar gửi lại quý I/2026",
            imp(lambda: [_file(tmp_path, "ea_kar_q1_lai", ["Xã Ea Kar,Quý I/2026,100,60,Có,4,8"])], "26/07/2026 08:00"),
        ),
        ("chấp nhận thay đổi", lambda db: [cycle.accept(db, i, by="vp") for i in _waiting(db)]),
        ("mở khóa quý I/2026", lambda db: cycle.unlock(db, "2026-Q1", _unit(db, "Xã Ea Kar"), "sửa lại", by="vp")),
        # the third quarter read on its deadline day (15/10: on time), the fourth after it (15/01/2027 passed)
        ("quý III/2026 đúng ngày hạn", imp(lambda: [_quarter(tmp_path, 2026, 3)], "15/10/2026 23:00")),
        ("quý IV/2026 sau hạn", imp(lambda: [_quarter(tmp_path, 2026, 4)], "16/01/2027 08:00")),
    ]


def _tables(db) -> dict[str, list[tuple]]:
    """Every mart table, the history of changes and the cycle's waiting changes and locked cells, rows
    sorted (times a build writes as «now» left out)."""
    con = connect_read(db)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema = 'mart' AND table_type = 'BASE TABLE' AND table_name <> 'build_shape' ORDER BY 1"
            ).fetchall()
        ]
        out = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in names}
        out["cycle.history"] = con.execute("SELECT * EXCLUDE (at_time) FROM cycle.history ORDER BY ALL").fetchall()
        out["cycle.pending"] = con.execute("SELECT * EXCLUDE (decided_at) FROM cycle.pending ORDER BY ALL").fetchall()
        out["cycle.locked_cells"] = con.execute("SELECT * FROM cycle.locked_cells ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()


def _equal(x, y) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(x, list | tuple) and isinstance(y, list | tuple):
        return len(x) == len(y) and all(_equal(a, b) for a, b in zip(x, y, strict=True))
    return x == y


def _same_tables(a: dict, b: dict, what: str) -> None:
    assert sorted(a) == sorted(b), what
    for table in a:
        x, y = a[table], b[table]
        assert len(x) == len(y), f"{what}: {table}: {len(x)} rows key by key vs {len(y)} built whole"
        for i, (r, s) in enumerate(zip(x, y, strict=True)):
            assert _equal(r, s), f"{what}: {table} row {i}: {r!r} (key by key) vs {s!r} (built whole)"


def test_marts_kept_up_to_date_key_by_key_equal_marts_built_whole(tmp_path, monkeypatch):
    """The same imports and decisions on two databases: one built as the product builds (the keys an import
    or a decision touched), the other built whole every time; after each step every mart table, the history
    of changes and the cycle's tables are equal, row for row."""
    keyed, whole = tmp_path / "keyed" / "nq71.duckdb", tmp_path / "whole" / "nq71.duckdb"
    keyed.parent.mkdir()
    whole.parent.mkdir()
    built: list[bool] = []
    real = ingest_mod.build_marts

    def spy(con, touched=None):
        built.append(real(con, touched))
        return built[-1]

    for what, action in _steps(tmp_path):
        monkeypatch.setattr(ingest_mod, "build_marts", spy)
        action(keyed)
        monkeypatch.setattr(ingest_mod, "build_marts", lambda con, touched=None: real(con, None))
        action(whole)
        _same_tables(_tables(keyed), _tables(whole), what)
    # every build after the first was key by key (the product did not fall back to building everything)
    assert built[0] is False and all(built[1:]), built
    # the sequence reached what it was meant to: the correction, the resubmission, the accepted change
    ea_ba = _unit(keyed, "Xã Ea Bá")
    con = connect_read(keyed)
    try:
        rows = queries.progress(con, "000", PeriodSel("2025-Q3"), Scope.everything())
        assert rows[(rows.unit_name == "Xã Ea Kar") & (rows.indicator == "CT01")].num.iloc[0] == 67  # 20 × 3 + 7
        rows = queries.progress(con, "000", PeriodSel("2026-Q2"), Scope.everything())
        assert rows[(rows.unit_name == "Xã Ea Ô") & (rows.indicator == "CT01")].num.iloc[0] == 290
        assert rows[(rows.unit_name == "Xã Cư Yang") & (rows.indicator == "CT01")].num.isna().all()
        rows = queries.progress(con, "000", PeriodSel("2026-Q1"), Scope.everything())
        assert rows[(rows.unit_name == "Xã Ea Kar") & (rows.indicator == "CT01")].num.iloc[0] == 60
        # Ea Bá's first report went to 2025 and back to 2026 (the pace line's start, mart.unit_first)
        first = con.execute(
            "SELECT q0 FROM mart.unit_first WHERE indicator = 'CT01' AND unit_code = ?", [ea_ba]
        ).fetchall()
        assert first == [("2026-Q2",)], first
        events = set(queries.history(con, Scope.everything()).event)
        assert {"duyet", "chap_nhan", "mo_khoa", "nhap", "thay_the"} <= events
        # the on-time trend counted at publish, kept quarter by quarter, counts as the units' rows do: the third
        # quarter of 2026 on time on its deadline day, the fourth not on time
        quarters = tuple(q for q in queries.periods_with_data(con) if queries.quarter_of(q) == q)
        assert _prepared_trend_equals_rows(con, "từng khóa", "000", "xa", quarters, None) > 0
        trend = queries.reporting_counted(con, "000", quarters, Scope.everything()).set_index("quarter")
        assert trend.on_time["2026-Q3"] == 3 and trend.on_time["2026-Q4"] == 0, trend
    finally:
        con.close()


def test_a_version_published_before_the_prepared_tables_is_read_the_slower_way(demo_db, tmp_path):
    """A database published by a product before the answers prepared at publish has none of their tables
    (until its next publish): the pages' reads give the same rows the slower way. A table missing for any
    other reason is a fault, not an older version: it is raised, not read around."""
    import shutil

    import duckdb

    from core.db import readable

    old = tmp_path / "old.duckdb"
    shutil.copy(readable(demo_db)[0], old)
    con = duckdb.connect(str(old))
    for table in ("unit_answers", "unit_first", "unit_quarter_reports", "report_counts"):
        con.execute(f"DROP TABLE mart.{table}")
    con.close()
    new, older = connect_read(demo_db), connect_read(old)
    try:
        quarters = tuple(q for q in queries.periods_with_data(new) if queries.quarter_of(q) == q)
        periods = tuple(PeriodSel(p) for p in queries.periods_with_data(new))
        every = Scope.everything()
        for plan in PLANS:
            for level in catalog.plan_levels(plan):
                what = f"kế hoạch {plan} cấp {level}"
                _same(
                    queries.progress_periods(older, plan, periods, every, level=level),
                    queries.progress_periods(new, plan, periods, every, level=level),
                    what,
                )
                args = {"level": level, "today": dt.date(2026, 12, 4)}
                _same(
                    queries.reporting_quarters(older, plan, quarters, every, **args),
                    queries.reporting_quarters(new, plan, quarters, every, **args),
                    what,
                )
                target = queries.reporting_target(new, plan)
                _same(
                    queries.reporting_counted(older, plan, quarters, every, level=level, target=target),
                    queries.reporting_counted(new, plan, quarters, every, level=level, target=target),
                    what,
                )
    finally:
        new.close()
        older.close()
    # a version with the prepared answers but without the first reports they are read with: not an older
    # version (the slower way would hide it), a fault
    broken = tmp_path / "broken.duckdb"
    shutil.copy(readable(demo_db)[0], broken)
    con = duckdb.connect(str(broken))
    con.execute("DROP TABLE mart.unit_first")
    con.close()
    con = connect_read(broken)
    try:
        with pytest.raises(duckdb.CatalogException, match="unit_first"):
            queries.progress_periods(con, "000", periods, Scope.everything())
    finally:
        con.close()
