"""Targets, states and pace (chi-tieu.md) against values worked out by hand.

tests/fixtures/progress_small.csv, plan 000 (Đắk Lắk), three xã:

             Q1 cb_tong/qt   Q2 cb_tong/qt   Q2 ks/hiểu rõ  chuyên đề Q1+Q2  mô hình Q1+Q2
  Ea Kar     100 / 40        100 / 70        50 / 48        1 + 1            0 + 0
  Ea Ô       300 / 60        300 / 120       50 / 40        0 + 0            1 + 0
  Cư Yang    –               50 / 60 (!)     10 / 9         – + 2            – + 1

CT01 at Q2 = (70 + 120) / (100 + 300) = 47,5% (Cư Yang's pair is above its total:
flagged, counts toward nothing). Pace line from the first reported value
(Q1: 100/400 = 25% on 31/03) to 100% on 31/12, read on 30/06:
25 + 75 × 91/275 = 49,82% → Chậm.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import queries
from core.db import connect_read
from data_sources.load.ingest import ingest_paths
from queries import PeriodSel, Scope
from tests.conftest import FIXTURES, run_cli

EA_KAR, EA_O, CU_YANG = "24373", "24403", "24406"
EVERY = Scope.everything()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    db = tmp_path_factory.mktemp("small") / "small.duckdb"
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
    return db


def _progress(db, period, units=(EA_KAR, EA_O, CU_YANG)):
    con = connect_read(db)
    try:
        df = queries.progress(con, "000", PeriodSel(period), EVERY, level="xa", units=units)
    finally:
        con.close()
    return {(r.unit_code, r.indicator): r for r in df.itertuples()}


def test_ratio_of_sums_and_pace_line(small):
    p = _progress(small, "2026-Q2")
    ct01 = p[("*", "CT01")]
    assert ct01.value == pytest.approx(47.5)
    assert ct01.pace_line == pytest.approx(25 + 75 * 91 / 275)
    assert ct01.status == "cham"
    assert p[(EA_KAR, "CT01")].status == "dung_tien_do"  # 70 ≥ 40 + 60 × 91/275 = 59,85
    assert p[(EA_O, "CT01")].status == "cham"  # 40 < 20 + 80 × 91/275 = 46,47
    assert pd.isna(p[(CU_YANG, "CT01")].value) and p[(CU_YANG, "CT01")].status == "chua_co_so_lieu"


def test_trend_is_each_quarters_overall_value(small, monkeypatch):
    """The overview's trend through the dashboard's own code path (ui.data.overview)."""
    monkeypatch.setenv("NQ71_DB", str(small))
    from ui import data
    from ui.filters import Filters

    def trend(period, units=()):
        return data.overview(Filters("000", "", PeriodSel(period), "xa", units, "", len(units), EVERY)).trend

    t = trend("2026-Q2", units=(EA_KAR, EA_O, CU_YANG))
    none = trend("2025-Q4")
    ct01 = t[t.indicator == "Tỷ lệ CBQL, GV, NV được quán triệt"].set_index("quarter").value
    assert ct01.to_dict() == {"2026-Q1": pytest.approx(25.0), "2026-Q2": pytest.approx(47.5)}
    ct02 = t[t.indicator == "Tỷ lệ hiểu rõ vai trò, trách nhiệm"].set_index("quarter").value  # hiểu rõ / khảo sát
    assert ct02.to_dict() == {"2026-Q1": pytest.approx(100 * 175 / 200), "2026-Q2": pytest.approx(100 * 97 / 110)}
    assert not (t.indicator == "Số chuyên đề tuyên truyền trong năm").any()  # a count (chuyên đề), not a percentage
    assert none.empty and list(none.columns) == ["quarter", "indicator", "value"]


def test_reporting_counts_days_overdue_to_the_day_it_is_read(small, monkeypatch):
    """Tình hình báo cáo's rows are cached per published version: the day they are counted to is
    part of the key, so a server running past midnight counts one day more, not yesterday's figure.
    Q2's deadline is 15/07/2026 (the default day of the month after); of the province's 102 xã, the
    99 without a row in the sheet have not reported Q2; the overview says 3/102 reported."""
    monkeypatch.setenv("NQ71_DB", str(small))
    from ui import data
    from ui.filters import Filters

    f = Filters("000", "", PeriodSel("2026-Q2"), "xa", (), "", 0, EVERY)

    def overdue(day):  # days overdue of the units that have not reported
        rep = data.reporting_view(f, day)[0]
        assert rep[rep.reported].days_overdue.isna().all()
        return rep[~rep.reported].days_overdue.astype(int).value_counts().to_dict()

    assert overdue(dt.date(2026, 8, 1)) == {17: 99}
    assert overdue(dt.date(2026, 8, 2)) == {18: 99}  # the next day: not the cached 17
    s = queries.overview_summary(data.overview(f).progress, data.overview(f).reported)
    assert (s["quarter"], s["reported"], s["expected"]) == ("2026-Q2", 3, 102)


def test_first_quarter_is_on_its_own_line(small):
    p = _progress(small, "2026-Q1")
    assert p[("*", "CT01")].value == pytest.approx(25.0)
    assert p[("*", "CT01")].status == "dung_tien_do"
    assert p[(CU_YANG, "CT01")].status == "chua_co_so_lieu"  # never 0, never met
    # a share of units with a deadline follows the same line: 1 of 2 xã has a plan in Q1
    assert p[("*", "CT03")].value == pytest.approx(50.0) and p[("*", "CT03")].status == "dung_tien_do"


def test_target_without_deadline_is_met_or_behind(small):
    p = _progress(small, "2026-Q2")
    assert p[("*", "CT02")].value == pytest.approx(100 * 97 / 110)
    assert p[("*", "CT02")].status == "cham"
    assert p[(EA_KAR, "CT02")].status == "dat" and p[(CU_YANG, "CT02")].status == "dat"


def test_yearly_counts_use_year_to_date_and_q_over_4(small):
    p = _progress(small, "2026-Q2")
    assert p[("*", "CT04")].value == 4 and p[("*", "CT04")].status == "dat"
    assert p[(EA_KAR, "CT04")].value == 2 and p[(EA_KAR, "CT04")].status == "dat"
    assert p[(EA_O, "CT04")].value == 0 and p[(EA_O, "CT04")].status == "cham"  # 0 < 2 × 2/4
    # each-unit target: the scope row is the share of units meeting it
    assert p[(EA_KAR, "CT08")].status == "cham" and p[(EA_O, "CT08")].status == "dat"
    assert p[("*", "CT08")].value == pytest.approx(200 / 3) and p[("*", "CT08")].measure == "%"


def test_share_of_units_and_no_number_target(small):
    p = _progress(small, "2026-Q2")
    assert p[("*", "CT03")].value == pytest.approx(100.0) and p[("*", "CT03")].status == "dat"
    assert p[("*", "CT06")].status == "chua_co_so_lieu"  # co_chuyen_muc never reported


def test_half_year_takes_last_stock_and_summed_flows(small):
    p = _progress(small, "2026-H1")
    assert p[("*", "CT01")].value == pytest.approx(47.5)
    assert p[(EA_KAR, "CT04")].value == 2


def test_reporting_against_default_deadline(small):
    con = connect_read(small)
    rep = queries.reporting(con, "000", PeriodSel("2026-H1"), EVERY, level="xa", today=dt.date(2026, 11, 21))
    con.close()
    q1, q2 = rep[rep.quarter == "2026-Q1"], rep[rep.quarter == "2026-Q2"]
    assert len(q1) == len(q2) == 102  # every xã/phường of Đắk Lắk is expected
    assert q1.reported.sum() == 2 and q2.reported.sum() == 3
    assert (q2[q2.reported].on_time).all()  # seen 10/07 ≤ 15/07
    assert not q1[q1.reported].on_time.any() and set(q1[q1.reported].days_late) == {86}  # 10/07 − 15/04
    assert q2.deadline.iloc[0].date() == dt.date(2026, 7, 15) and not q2.from_plan.iloc[0]
    assert q2[~q2.reported].days_overdue.iloc[0] == (dt.date(2026, 11, 21) - dt.date(2026, 7, 15)).days


def test_progress_export_cli_golden(small, tmp_path):
    out = tmp_path / "progress.csv"
    run_cli("queries", "export", "--db", str(small), "--kind", "progress", "--out", str(out),
            "--period", "2026-Q2", "--unit", EA_KAR, "--plan", "000")  # fmt: skip
    text = out.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    assert text.decode("utf-8-sig").splitlines() == EXPECTED_EA_KAR_Q2


EXPECTED_EA_KAR_Q2 = [
    "unit_code,unit_name,period,indicator,value,target,status",
    "24373,Xã Ea Kar,2026-Q2,CT01,70.0,100.0,Đúng tiến độ",
    "24373,Xã Ea Kar,2026-Q2,CT02,96.0,90.0,Đạt",
    "24373,Xã Ea Kar,2026-Q2,CT03,100.0,100.0,Đạt",
    "24373,Xã Ea Kar,2026-Q2,CT04,2.0,2.0,Đạt",
    "24373,Xã Ea Kar,2026-Q2,CT06,,,Chưa có số liệu",
    "24373,Xã Ea Kar,2026-Q2,CT08,0.0,1.0,Chậm",
]


def test_roster_is_editable_in_the_catalog(tmp_path, monkeypatch):
    """A unit taken off the roster (merged, dissolved) is no longer expected to report."""
    import shutil

    from core import catalog

    cat = tmp_path / "catalog"
    shutil.copytree(catalog.CATALOG_DIR, cat)
    (cat / "roster.csv").write_text("ma_don_vi,phai_bao_cao,ghi_chu\n24406,0,sáp nhập\n", encoding="utf-8")
    monkeypatch.setattr(catalog, "CATALOG_DIR", cat)
    catalog.fields.cache_clear()
    catalog.settings.cache_clear()
    db = tmp_path / "r.duckdb"
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
    con = connect_read(db)
    rep = queries.reporting(con, "000", PeriodSel("2026-Q2"), EVERY, level="xa", today=dt.date(2026, 11, 21))
    con.close()
    assert len(rep) == 101 and CU_YANG not in set(rep.unit_code)


def test_months_roll_up_into_their_quarter(tmp_path):
    """tabs_per_month.xlsx: April and May of Xã Ea Kly. Stocks take the last month, flows add up."""
    db = tmp_path / "m.duckdb"
    ingest_paths([FIXTURES / "tabs_per_month.xlsx"], db, province=66)
    con = connect_read(db)
    got = dict(
        con.execute(
            "SELECT field, value FROM mart.quarterly WHERE unit_code = '24496' AND quarter = '2026-Q2'"
        ).fetchall()
    )
    con.close()
    assert got == {"cb_tong": 500, "cb_quan_triet": 260, "so_hoi_nghi": 4}  # 260 is May's; 4 + "-" (0)


def test_scope_limits_every_read(small):
    """A viewer whose scope is Ea Kar sees Ea Kar only, whatever units the filter names."""
    mine = Scope.of([EA_KAR])
    con = connect_read(small)
    try:
        prog = queries.progress(con, "000", PeriodSel("2026-Q2"), mine, level="xa")
        forged = queries.progress(con, "000", PeriodSel("2026-Q2"), mine, level="xa", units=(EA_O,))
        rep = queries.reporting(con, "000", PeriodSel("2026-Q2"), mine, level="xa", today=dt.date(2026, 11, 21))
        obs = queries.observations(con, mine)
        others = queries.unit_history(con, mine, EA_O)
        own = queries.unit_history(con, mine, EA_KAR)
        units = queries.units(con, mine)
        unmatched = queries.unmatched(con, mine)
        dq_all, dq_mine = queries.data_quality(con, EVERY), queries.data_quality(con, mine)
    finally:
        con.close()
    assert set(prog.unit_code) == {EA_KAR, "*"}
    # the scope row is Ea Kar's own: 70 of 100 staff briefed in Q2 (not 47,5% of the three xã)
    assert prog[(prog.unit_code == "*") & (prog.indicator == "CT01")].value.iloc[0] == pytest.approx(70.0)
    assert set(forged.unit_code) <= {"*"} and forged[forged.unit_code == "*"].value.isna().all()
    assert list(rep.unit_code) == [EA_KAR]
    assert set(obs.unit_code) == {EA_KAR} and len(obs) > 0
    assert others.empty and len(own) > 0
    assert list(units.code) == [EA_KAR]
    assert unmatched.empty
    # Cư Yang's flagged pair is in the office's list, not in Ea Kar's
    assert "kiem_tra" in set(dq_all.kind) and "kiem_tra" not in set(dq_mine.kind)


def test_every_status_is_in_the_vocabulary(demo_db):
    """Every status the progress query writes, for every plan and period of the demo, is a code of
    catalog/statuses.csv, and its label and order come from there."""
    from core import catalog

    vocabulary = catalog.statuses()
    assert list(vocabulary) == ["cham", "dung_tien_do", "dat", "theo_doi", "chua_co_so_lieu"]
    con = connect_read(demo_db)
    try:
        plans = list(queries.settings(con).plan)
        seen = set()
        for plan in plans:
            for period in queries.periods_with_data(con):
                df = queries.progress(con, plan, PeriodSel(period), EVERY)
                seen |= set(df.status)
                for r in df.drop_duplicates("status").itertuples():
                    assert r.status_label == vocabulary[r.status].label
                    assert r.status_order == vocabulary[r.status].order
    finally:
        con.close()
    assert seen <= set(vocabulary) and {"dat", "cham"} <= seen


def test_changes_since_the_previous_quarter(small):
    """Q1 -> Q2 on progress_small.csv: CT01 for the scope 25% -> 47,5% (up, still on track? no:
    at Q2 it is below its pace line: Đúng tiến độ -> Chậm, a status change); Cư Yang reports for the
    first time (CT02 9/10 = 90%, new); Ea Kar's CT01 40% -> 70% (up, on track both times)."""
    con = connect_read(small)
    try:
        q1 = queries.progress(con, "000", PeriodSel("2026-Q1"), EVERY, level="xa", units=(EA_KAR, EA_O, CU_YANG))
        q2 = queries.progress(con, "000", PeriodSel("2026-Q2"), EVERY, level="xa", units=(EA_KAR, EA_O, CU_YANG))
    finally:
        con.close()
    ch = queries.changes(q1, q2).set_index(["unit_code", "indicator"])
    assert ch.loc[("*", "CT01")].change == "trang_thai"
    assert (ch.loc[("*", "CT01")].status_before, ch.loc[("*", "CT01")].status) == ("dung_tien_do", "cham")
    assert ch.loc[(CU_YANG, "CT02")].change == "moi" and ch.loc[(CU_YANG, "CT02")].value == pytest.approx(90.0)
    assert ch.loc[(EA_KAR, "CT01")].change == "tang" and ch.loc[(EA_KAR, "CT01")].value_before == pytest.approx(40)
    assert (CU_YANG, "CT01") not in ch.index  # its Q2 pair is flagged: no value, nothing to report
    assert set(queries.changes(q2, q2).columns) == set(ch.reset_index().columns) and queries.changes(q2, q2).empty
    assert ch.reset_index().unit_code.iloc[0] == "*"  # the scope's rows first


def test_reporting_summary_and_the_plans_reporting_target(small):
    """progress_small.csv, seen 10/07/2026: Q1 (due 15/04) 2 of 102 reported, both late: on time 0%;
    Q2 (due 15/07) 3 reported on time: 3/102 = 2,94%. Plan 000's CT10 target is 100%: both behind."""
    con = connect_read(small)
    try:
        rep = queries.reporting(con, "000", PeriodSel("2026-H1"), EVERY, level="xa", today=dt.date(2026, 11, 21))
        target = queries.reporting_target(con, "000")
    finally:
        con.close()
    assert target == 100.0
    s = queries.reporting_summary(rep, target).set_index("quarter")
    assert list(s.index) == ["2026-Q1", "2026-Q2"]
    assert (s.loc["2026-Q1", "expected"], s.loc["2026-Q1", "reported"], s.loc["2026-Q1", "on_time"]) == (102, 2, 0)
    assert s.loc["2026-Q1", "late"] == 2 and s.loc["2026-Q1", "on_time_rate"] == 0.0
    assert s.loc["2026-Q2", "on_time_rate"] == pytest.approx(300 / 102) and s.loc["2026-Q2", "missing"] == 99
    assert set(s.status) == {"cham"}
    assert queries.reporting_summary(rep.iloc[0:0], target).empty


def test_exports_neutralize_formula_text_only():
    """OWASP CSV injection: a text cell a spreadsheet would run (=, +, -, @, tab, CR, LF first) gets a
    leading ', in text columns and in mixed ones; numbers (a negative one too), empty cells and other
    texts are left as they are, and the CSV is UTF-8 with a BOM."""
    import pandas as pd

    from queries.export import csv_bytes, safe

    df = pd.DataFrame(
        {
            "ten": ['=HYPERLINK("x")', "Xã Ea Kar", "+84 912", None, "@SUM(A1)", "-giảm"],
            "tron": [-5, "=1+1", 3.5, None, "\tabc", "bình thường"],
            "so": [-1.5, 2.0, 0.0, None, 7.0, -3.0],
        }
    )
    out = safe(df)
    assert out["ten"].tolist()[:3] == ['\'=HYPERLINK("x")', "Xã Ea Kar", "'+84 912"]
    assert pd.isna(out["ten"].iloc[3]) and out["ten"].tolist()[4:] == ["'@SUM(A1)", "'-giảm"]
    assert out["tron"].tolist()[:3] == [-5, "'=1+1", 3.5] and out["tron"].tolist()[4:] == ["'\tabc", "bình thường"]
    assert out["so"].tolist()[:3] == [-1.5, 2.0, 0.0]
    assert df["ten"].iloc[0] == '=HYPERLINK("x")'  # the page's own table is not changed
    raw = csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf") and b"'=HYPERLINK" in raw
