"""Review of the answers prepared at publish and of the marts kept up to date key by key
(tests/test_answers.py): cases its databases and its sequence did not reach."""

from __future__ import annotations

import datetime as dt

import queries
from core.db import connect_read
from core.periods import PeriodSel
from data_sources.load import cycle
from data_sources.load import ingest as ingest_mod
from data_sources.load.ingest import ingest_paths
from data_sources.publish.store import publishing
from queries import Scope
from tests.test_answers import _file, _quarter, _same, _unit, _unprepared


def test_prepared_equals_unprepared_when_a_formula_reads_a_field_of_the_other_kind(tmp_path):
    """A catalog whose ratio reads a flow (agg sum) and whose yearly count reads a stock (agg last): the
    reads from the quarterly values take a ratio's fields at the end of the period only when they are stocks
    and sum only flows; the prepared answers must say the same, not another number after the next publish."""
    db = tmp_path / "db" / "nq71.duckdb"
    db.parent.mkdir()
    ingest_paths([_quarter(tmp_path, 2026, q) for q in (1, 2)], db, province=66, seen_at=dt.datetime(2026, 7, 5, 8))
    with publishing(db) as con:  # as an import writes ref.indicator_inputs from such a catalog
        con.execute(
            "UPDATE ref.indicator_inputs SET field = 'so_chuyen_de' WHERE indicator = 'CT01' AND role = 'tu_so'"
        )
        con.execute("UPDATE ref.indicator_inputs SET field = 'cb_tong' WHERE indicator = 'CT04'")
        ingest_mod.build_marts(con)
        con.execute("DROP TABLE IF EXISTS mart.prev_cells")
    con = connect_read(db)
    try:
        assert queries._has(con, "mart", "unit_answers")  # the prepared reads run
        periods = [PeriodSel(p) for p in ("2026-Q1", "2026-Q2", "2026-H1", "2026")]
        sel = [
            {"period": p.code, "year": p.year, "q_from": p.quarters[0], "q_to": p.quarters[1], "as_of": p.as_of}
            for p in periods
        ]
        got = queries.progress_periods(con, "000", periods, Scope.everything())
        want = _unprepared(
            con, "progress", {"plan": "000", "periods": sel, "level": "xa", "scope": None, "units": None}
        )
        _same(got, want, "CT01 đọc một trường cộng dồn, CT04 một trường cuối kỳ")
    finally:
        con.close()


def _flagged(db, unit: str) -> list[tuple]:
    con = connect_read(db)
    try:
        return con.execute(
            "SELECT field FROM mart.quarterly WHERE unit_code = ? AND quarter = '2026-Q1' AND flagged ORDER BY 1",
            [unit],
        ).fetchall()
    finally:
        con.close()


def test_a_locked_quarter_keeps_its_flagged_pair_when_its_tab_is_read_again(tmp_path):
    """An approved quarter publishes the approved cells (cycle.locked_cells), whose row was read by the tab's
    read of then. When the tab is read again (another unit's row changed), that row is no longer live: the
    broken ≤ pair of the approved cells must stay flagged (it counts toward nothing), not silently count."""
    db = tmp_path / "db" / "nq71.duckdb"
    db.parent.mkdir()
    rows = ["Xã Ea Kar,Quý I/2026,100,120,Có,1,2", "Xã Ea Ô,Quý I/2026,300,50,Có,1,2"]
    seen = dt.datetime(2026, 4, 5, 8)
    ingest_paths([_file(tmp_path, "q1", rows)], db, province=66, seen_at=seen)
    ea_kar = _unit(db, "Xã Ea Kar")
    cycle.approve(db, "2026-Q1", [ea_kar], by="vp")
    assert _flagged(db, ea_kar) == [("cb_quan_triet",), ("cb_tong",)]  # as approved
    rows[1] = "Xã Ea Ô,Quý I/2026,300,60,Có,1,2"  # another unit's row changes: the tab is read again
    ingest_paths([_file(tmp_path, "q1", rows)], db, province=66, seen_at=seen + dt.timedelta(days=1))
    assert _flagged(db, ea_kar) == [("cb_quan_triet",), ("cb_tong",)]
    con = connect_read(db)
    try:
        got = queries.progress(con, "000", PeriodSel("2026-Q1"), Scope.everything())
        assert got[(got.unit_code == ea_kar) & (got.indicator == "CT01")].num.isna().all()
    finally:
        con.close()


def test_a_file_read_again_with_a_time_of_receipt_does_not_make_an_unknown_first_report_late(tmp_path):
    """A quarter loaded without --seen-at after its deadline: its first report's time is not known
    («không rõ thời điểm nhận»), neither on time nor late. The same file read again with --seen-at keeps
    its rows' first time (stg.rows.first_seen), but that time is still the unknown one: the units must not
    turn late by hundreds of days."""
    db = tmp_path / "db" / "nq71.duckdb"
    db.parent.mkdir()
    ingest_paths([_quarter(tmp_path, 2025, 1)], db, province=66)
    later = dt.datetime.now().replace(microsecond=0) + dt.timedelta(days=1)
    ingest_paths([_quarter(tmp_path, 2025, 1)], db, province=66, seen_at=later)
    con = connect_read(db)
    try:
        got = queries.reporting_quarters(con, "000", ("2025-Q1",), Scope.everything())
        got = got[got.reported]
        assert len(got) == 3
        assert got.time_unknown.all(), got[["unit_name", "first_at", "time_unknown", "days_late"]]
        assert got.days_late.isna().all()
    finally:
        con.close()
