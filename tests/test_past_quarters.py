"""Loading last year's quarters into a new database (issue 29, part C): a file loaded without a time of
receipt after its period's deadline is «không rõ thời điểm nhận», never late; a time given with
--seen-at, or a Forms timestamp, still decides on time or late."""

from __future__ import annotations

import datetime as dt

from streamlit.testing.v1 import AppTest

import queries
from core.db import connect_read
from core.periods import PeriodSel
from queries import Scope
from tests.conftest import ROOT, run_cli

HEADER = "Tên đơn vị,Kỳ báo cáo,Tổng số CBQL GV NV,Số CBQL GV NV được quán triệt"
QUARTERS = ("I", "II", "III", "IV")


def _write_year(tmp_path, year: int = 2025):
    """One file per quarter of ``year``, two xã of Đắk Lắk each (as an office keeps last year's files)."""
    paths = []
    for q, roman in enumerate(QUARTERS, start=1):
        p = tmp_path / f"phu_luc_quy_{q}_{year}.csv"
        p.write_text(
            f"{HEADER}\nXã Ea Kar,Quý {roman}/{year},100,{20 * q}\nXã Ea Ô,Quý {roman}/{year},300,{50 * q}\n",
            encoding="utf-8",
        )
        paths.append(p)
    return paths


def _reporting(db, year: int = 2025):
    con = connect_read(db)
    try:
        rep = queries.reporting(con, "000", PeriodSel(str(year)), Scope.everything(), today=dt.date(2026, 12, 4))
    finally:
        con.close()
    return rep[rep.reported]


def test_four_past_quarters_loaded_today_make_no_unit_late(tmp_path):
    db = tmp_path / "nq71.duckdb"
    run_cli("data_sources", "ingest", *map(str, _write_year(tmp_path)), "--db", str(db), "--province", "66")
    rep = _reporting(db)
    assert len(rep) == 8  # two xã × four quarters, all reported
    assert rep.time_unknown.all() and rep.days_late.isna().all() and not rep.on_time.any()
    summary = queries.reporting_summary(rep)
    assert summary.late.tolist() == [0, 0, 0, 0]
    assert summary.time_unknown.tolist() == [2, 2, 2, 2]
    assert summary.on_time_rate.isna().all()  # nothing known to judge: no rate, not 0 %


def test_a_given_time_of_receipt_still_decides_on_time_or_late(tmp_path):
    db = tmp_path / "nq71.duckdb"
    q1, q2, *_ = _write_year(tmp_path)
    run_cli("data_sources", "ingest", str(q1), "--db", str(db), "--province", "66", "--seen-at", "10/04/2025 09:00")
    run_cli("data_sources", "ingest", str(q2), "--db", str(db), "--province", "66", "--seen-at", "30/07/2025 09:00")
    rep = _reporting(db).set_index(["quarter", "unit_name"])
    assert rep.loc[("2025-Q1", "Xã Ea Kar"), "on_time"] and not rep.loc[("2025-Q1", "Xã Ea Kar"), "time_unknown"]
    late = rep.loc[("2025-Q2", "Xã Ea Kar")]  # deadline 15/7/2025 (day 15 of the month after the quarter)
    assert not late.on_time and not late.time_unknown and late.days_late == 15


def test_the_reporting_page_lists_them_apart_and_the_rate_leaves_them_out(tmp_path, monkeypatch):
    db = tmp_path / "nq71.duckdb"
    q1, q2, *_ = _write_year(tmp_path)
    run_cli("data_sources", "ingest", str(q1), "--db", str(db), "--province", "66", "--seen-at", "10/04/2025 09:00")
    run_cli("data_sources", "ingest", str(q2), "--db", str(db), "--province", "66")  # loaded today, time unknown
    monkeypatch.setenv("NQ71_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["ky"] = "2025-Q2"
    at.run()
    at.switch_page("pages/bao_cao.py").run()
    assert not at.exception, at.exception
    labels = [e.label for e in at.expander]
    assert "Không rõ thời điểm báo cáo (2)" in labels
    assert not any(label.startswith("Đơn vị báo cáo muộn") for label in labels)
