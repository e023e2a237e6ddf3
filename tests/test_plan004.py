"""Plan 004 end to end: a ward Party committee (Đảng ủy phường) follows its chi bộ.

The chi bộ come from the unit registry (``catalog/don_vi.csv``; the demo's is
``catalog/demo/don_vi.csv``: eight chi bộ of Phường Buôn Ma Thuột, code 24133), are matched by
name with the xã/phường rules, and every page works at level ``chi_bo``.

Expected values are worked by hand from the demo sheets (``data_sources/load/demo.py``
PARTY_ROWS, PARTY_LATE), Q1 2026, due 15/4/2026:

| chi bộ (as written)                      | dv_tong | dv_hoc_tap | CT09    | received           |
|------------------------------------------|---------|------------|---------|--------------------|
| Chi bộ Văn phòng HĐND và UBND phường     | 18      | 18         | 100%    | 14/04/2026 16:30   |
| Chi bộ Phòng Kinh tế, Hạ tầng và Đô thị  | 12      | 12         | 100%    | 14/04/2026 16:30   |
| Chi bộ Phòng Văn hóa - Xã hội            | 15      | 14         | 93,3%   | 14/04/2026 16:30   |
| Chi bộ Công an phường                    | 25      | 25         | 100%    | 14/04/2026 16:30   |
| Chi bộ KP 1 (= Chi bộ Khu phố 1)         | 42      | 38         | 90,5%   | 14/04/2026 16:30   |
| Chi bộ Khu phố 2                         | 37      | 30         | 81,1%   | 14/04/2026 16:30   |
| CB Quân sự phường (= Chi bộ Quân sự phường) | 9    | 9          | 100%    | 21/04/2026 08:00 (6 days late) |
| Chi bộ Khu phố 3                         | —       | —          | no data | never              |

All: Σ dv_hoc_tap / Σ dv_tong = (18+12+14+25+38+30+9) / (18+12+15+25+42+37+9) = 146 / 158 = 92,4%:
below 100% with no deadline, so «Chậm»; 4 of 7 chi bộ with data meet 100%.
Reporting: 8 expected, 7 reported, 6 on time (75% < 100%), 1 late, 1 missing (Chi bộ Khu phố 3).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import queries
from core import catalog
from core.db import connect_read
from core.periods import PeriodSel
from tests.conftest import FIXTURES, ROOT

DEMO_REGISTRY = ROOT / "catalog" / "demo" / "don_vi.csv"
CHI_BO = {
    "24133-CB01": "Chi bộ Văn phòng HĐND và UBND phường",
    "24133-CB02": "Chi bộ Phòng Kinh tế, Hạ tầng và Đô thị",
    "24133-CB03": "Chi bộ Phòng Văn hóa - Xã hội",
    "24133-CB04": "Chi bộ Công an phường",
    "24133-CB05": "Chi bộ Quân sự phường",
    "24133-CB06": "Chi bộ Khu phố 1",
    "24133-CB07": "Chi bộ Khu phố 2",
    "24133-CB08": "Chi bộ Khu phố 3",
}


# ---------------------------------------------------------------- the catalog


def test_demo_registry_loads():
    units = catalog.unit_registry(DEMO_REGISTRY)
    assert {u.code: u.name for u in units} == CHI_BO
    assert {(u.kind, u.parent) for u in units} == {("chi_bo", "24133")}


def test_registry_of_a_so_with_every_kind():
    units = {u.code: u for u in catalog.unit_registry(FIXTURES / "don_vi_so.csv")}
    assert {u.kind for u in units.values()} == {"phong", "co_quan", "chi_bo"}
    assert units["SGD-TCCB"].name == "Phòng Tổ chức cán bộ" and units["SGD-TCCB"].parent == ""


def test_registry_is_empty_safe(tmp_path):
    """Most deployments have no registry: the shipped file holds only its header, and a missing file
    is an empty registry too."""
    assert catalog.unit_registry(ROOT / "catalog" / "don_vi.csv") == []
    assert catalog.unit_registry(FIXTURES / "don_vi_empty.csv") == []
    assert catalog.unit_registry(tmp_path / "khong_co.csv") == []
    empty = tmp_path / "rong.csv"
    empty.write_bytes(b"")
    assert catalog.unit_registry(empty) == []


def test_registry_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="to_cong_tac"):
        catalog.unit_registry(FIXTURES / "don_vi_bad_kind.csv")


def test_kinds_and_the_plans_they_report_to():
    kinds = catalog.unit_kinds()
    assert (kinds["chi_bo"].label, kinds["co_quan"].label, kinds["phong"].label) == ("Chi bộ", "Cơ quan", "Phòng, ban")
    assert kinds["xa"].word == "xã, phường, đặc khu" and kinds["chi_bo"].word == "chi bộ"
    assert catalog.plan_levels("004") == ("chi_bo",)
    for plan in ("000", "001", "002", "003"):
        assert catalog.plan_levels(plan) == ("xa", "truong")


def test_every_plan_names_known_kinds_of_unit():
    kinds = catalog.unit_kinds()
    for p in catalog.read_csv("plans.csv"):
        assert p["don_vi_bao_cao"].split(), p["plan"]
        assert all(k in kinds for k in catalog.plan_levels(p["plan"])), p["plan"]


def test_plan_004_targets_and_deadline_in_the_catalog():
    targets = {(t["plan"], t["indicator"]): t for t in catalog.read_csv("targets.csv")}
    assert targets[("004", "CT09")]["target"] == "100" and targets[("004", "CT10")]["target"] == "100"
    assert {t["seed"] for (plan, _), t in targets.items() if plan == "004"} == {"004_39d88c240cc2a771.txt"}
    deadlines = {(d["plan"], d["period"]): d["deadline"] for d in catalog.read_csv("deadlines.csv")}
    assert deadlines[("004", "2026-Q1")] == "2026-04-15"


# ---------------------------------------------------------------- matching names


@pytest.fixture(scope="module")
def matcher():
    from data_sources.parse.units import Unit, UnitMatcher, official_wards

    reg = [Unit(u.code, u.name, u.kind, u.kind, u.parent) for u in catalog.unit_registry(DEMO_REGISTRY)]
    reg += [Unit(u.code, u.name, u.kind, u.kind, u.parent) for u in catalog.unit_registry(FIXTURES / "don_vi_so.csv")]
    prefixes = {k.code: k.prefixes for k in catalog.unit_kinds().values()}
    return UnitMatcher(official_wards(66), registry=reg, prefixes=prefixes)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Chi bộ Khu phố 1", "24133-CB06"),
        ("Chi bộ KP 1", "24133-CB06"),
        ("Chi bộ KP1", "24133-CB06"),
        ("chi bo khu pho 01", "24133-CB06"),
        ("CHI BỘ KHU PHỐ SỐ 1", "24133-CB06"),
        ("CB Khu phố 2", "24133-CB07"),
        ("CB Quân sự phường", "24133-CB05"),
        ("Chi bộ VP HĐND - UBND phường", "24133-CB01"),
        ("Chi bộ Văn phòng Hội đồng nhân dân và Ủy ban nhân dân phường", "24133-CB01"),
        ("Chi bo Phong Van hoa - Xa hoi", "24133-CB03"),
        ("Phòng Giáo dục phổ thông", "SGD-GDPT"),
        ("Chi bộ Phòng Giáo dục phổ thông", "SGD-CB2"),
        ("Trung tâm GDTX tỉnh", None),  # «GDTX» is not an abbreviation the matcher knows: not guessed
        ("Phường Buôn Ma Thuột", "24133"),  # xã/phường still match first
    ],
)
def test_chi_bo_written_many_ways(matcher, written, code):
    m = matcher.match(written)
    assert m.code == code, (written, m)


def test_unknown_chi_bo_is_listed_with_chi_bo_candidates_never_guessed(matcher):
    m = matcher.match("Chi bộ Khu phố 9")
    assert m.status == "unmatched"
    assert m.candidates and all(c.startswith("Chi bộ") for c in m.candidates)
    assert "Chi bộ Khu phố 1" in m.candidates


def test_written_kind_is_kept(matcher):
    """«Phòng Giáo dục phổ thông» (a phòng) and its chi bộ are two units; a kind the writer gave is
    never swapped for another."""
    assert matcher.match("Cơ quan Giáo dục phổ thông").status == "unmatched"


# ---------------------------------------------------------------- the demo database


@pytest.fixture(scope="module")
def con(demo_db):
    c = connect_read(demo_db)
    yield c
    c.close()


def test_demo_db_has_the_chi_bo(con):
    rows = con.execute(
        "SELECT code, name, level, parent_code, province FROM ref.units WHERE level = 'chi_bo' ORDER BY code"
    ).fetchall()
    assert {r[0]: r[1] for r in rows} == CHI_BO
    assert {(r[2], r[3], r[4]) for r in rows} == {("chi_bo", "24133", 66)}
    assert con.execute("SELECT label FROM ref.unit_kinds WHERE code = 'chi_bo'").fetchone()[0] == "Chi bộ"


def test_differently_written_names_landed_on_their_chi_bo(con):
    rows = dict(
        con.execute(
            "SELECT unit_text, unit_code FROM stg.rows WHERE unit_text IN ('Chi bộ KP 1', 'CB Quân sự phường')"
        ).fetchall()
    )
    assert rows == {"Chi bộ KP 1": "24133-CB06", "CB Quân sự phường": "24133-CB05"}
    unmatched = [r[0] for r in con.execute("SELECT unit_text FROM mart.unmatched").fetchall()]
    assert not [u for u in unmatched if "chi bộ" in u.lower()]


def test_progress_and_reporting_of_plan_004(con):
    import queries as q

    prog = q.progress(con, "004", q.PeriodSel("2026-Q1"), q.Scope.everything(), level="chi_bo")
    ct09 = prog[prog.indicator == "CT09"].set_index("unit_code")
    assert set(prog.indicator) == {"CT09"}
    assert (ct09.loc["*", "num"], ct09.loc["*", "den"]) == (146, 158)
    assert round(ct09.loc["*", "value"], 1) == 92.4 and ct09.loc["*", "status"] == "cham"
    assert ct09.loc["24133-CB06", "value"] == pytest.approx(100 * 38 / 42)
    assert ct09.loc["24133-CB05", "status"] == "dat" and ct09.loc["24133-CB08", "status"] == "chua_co_so_lieu"
    assert sorted(ct09[ct09.status == "dat"].index) == ["24133-CB01", "24133-CB02", "24133-CB04", "24133-CB05"]

    rep = q.reporting(
        con, "004", q.PeriodSel("2026-Q1"), q.Scope.everything(), level="chi_bo", today=dt.date(2026, 5, 1)
    )
    s = q.reporting_summary(rep, q.reporting_target(con, "004")).iloc[0]
    assert (s.expected, s.reported, s.on_time, s.late, s.missing) == (8, 7, 6, 1, 1)
    assert s.deadline.date() == dt.date(2026, 4, 15) and s.from_plan and s.on_time_rate == 75.0
    missing = rep[~rep.reported]
    assert list(missing.unit_name) == ["Chi bộ Khu phố 3"] and list(missing.days_overdue) == [16]
    late = rep[rep.reported & ~rep.on_time]
    assert list(late.unit_name) == ["Chi bộ Quân sự phường"] and list(late.days_late) == [6]


def test_plan_000_never_sees_the_chi_bo(con):
    import queries as q

    rep = q.reporting(con, "000", q.PeriodSel("2026-Q1"), q.Scope.everything(), level="xa")
    assert not rep.unit_code.str.contains("-CB").any()


# ---------------------------------------------------------------- the dashboard


@pytest.fixture
def app004(app):
    at = app
    at.sidebar.selectbox(key="f_plan").set_value("004").run()
    at.sidebar.selectbox(key="f_period").set_value("2026-Q1").run()
    assert not at.exception, at.exception
    return at


def test_sidebar_offers_the_plans_kinds(app004):
    level = app004.sidebar.radio(key="f_level")
    assert list(level.options) == ["Chi bộ"] and level.value == "chi_bo"
    picker = app004.sidebar.multiselect(key="f_units")
    assert len(picker.options) == 8
    assert "Chi bộ Khu phố 3 – Phường Buôn Ma Thuột" in picker.options
    assert "Chi bộ" in app004.caption[0].value
    # back to a Sở's plan: xã/phường and schools again
    app004.sidebar.selectbox(key="f_plan").set_value("000").run()
    assert not app004.exception, app004.exception
    assert app004.sidebar.radio(key="f_level").value == "xa"


def test_overview_counts_chi_bo(app004):
    tiles = {m.label: m.value for m in app004.metric}
    assert tiles["Đơn vị đã báo cáo"] == "7/8"
    assert any("7/8 chi bộ" in m.value for m in app004.markdown)


def test_indicator_page_shows_ct09(app004):
    app004.switch_page("pages/theo_chi_tieu.py")
    app004.run()
    assert not app004.exception, app004.exception
    tiles = {m.label: (m.value, m.delta) for m in app004.metric}
    assert tiles["Tất cả đơn vị"][0] == "92,4%" and "Chậm" in tiles["Tất cả đơn vị"][1]
    assert tiles["Đơn vị đạt chỉ tiêu"][0] == "4/7"


def test_reporting_page_shows_the_004_deadline_and_who_is_missing(app004):
    app004.switch_page("pages/bao_cao.py")
    app004.run()
    assert not app004.exception, app004.exception
    assert any("15/04/2026" in h.value for h in app004.subheader)
    tiles = {m.label: m.value for m in app004.metric}
    assert (tiles["Phải báo cáo"], tiles["Đã báo cáo"], tiles["Đúng hạn"], tiles["Chưa báo cáo"]) == (
        "8",
        "7",
        "6",
        "1",
    )
    missing = app004.dataframe[0].value
    assert list(missing["Đơn vị"]) == ["Chi bộ Khu phố 3"]
    assert list(missing["Hạn"]) == [pd.Timestamp(2026, 4, 15)]  # a date, drawn 15/04/2026


@pytest.mark.parametrize(
    "page",
    ["pages/tong_quan.py", "pages/theo_xa_phuong.py", "pages/theo_chi_tieu.py", "pages/bao_cao.py",
     "pages/bao_cao_dinh_ky.py", "pages/chat_luong.py"],
)  # fmt: skip
def test_every_page_works_at_chi_bo_level(app004, page):
    app004.switch_page(page)
    app004.run()
    assert not app004.exception, app004.exception


# ---------------------------------------------------------------- the registry at import


def test_import_matches_chi_bo_and_lists_an_unknown_one(db, monkeypatch):
    """tests/fixtures/chi_bo_q1.csv, two rows: «CB KP 2» is Chi bộ Khu phố 2 (24133-CB07, 31 of 37);
    «Chi bộ Khu phố 9» is in no registry: unmatched, listed with chi bộ names, its values not counted."""
    from data_sources.load.ingest import ingest_paths

    monkeypatch.setenv("NQ71_UNITS", str(DEMO_REGISTRY))
    ingest_paths([FIXTURES / "chi_bo_q1.csv"], db, province=66, seen_at=dt.datetime(2026, 4, 10, 9, 0))
    c = connect_read(db)
    try:
        values = c.execute(
            "SELECT unit_code, field, value FROM mart.current_cells WHERE kind = 'count' ORDER BY field"
        ).fetchall()
        unmatched = c.execute("SELECT unit_text, candidates FROM mart.unmatched").fetchall()
    finally:
        c.close()
    assert values == [("24133-CB07", "dv_hoc_tap", 31.0), ("24133-CB07", "dv_tong", 37.0)]
    assert [u for u, _ in unmatched] == ["Chi bộ Khu phố 9"]
    assert all(n.strip().startswith("Chi bộ") for n in unmatched[0][1].split("|"))


def test_registry_units_take_their_wards_province():
    """cap_tren names a xã/phường: the unit belongs to its province; under a xã/phường of a province
    not followed it is left out; without one, a one-province deployment owns it and a several-province
    deployment cannot tell (an error that names the unit)."""
    from data_sources.load.ingest import _registry_units
    from data_sources.parse.units import official_wards

    wards = {66: official_wards(66), 24: official_wards(24)}
    ward_province = {w.code: p for p, ws in wards.items() for w in ws}
    got = _registry_units(DEMO_REGISTRY, [66, 24], ward_province, [])
    assert sorted(got) == [66] and len(got[66]) == 8 and got[66][0].level == "chi_bo"
    only_24 = {c: p for c, p in ward_province.items() if p == 24}
    assert _registry_units(DEMO_REGISTRY, [24], only_24, []) == {}
    so = _registry_units(FIXTURES / "don_vi_so.csv", [66], {c: p for c, p in ward_province.items() if p == 66}, [])
    assert len(so[66]) == 6
    with pytest.raises(ValueError, match="Văn phòng Sở"):
        _registry_units(FIXTURES / "don_vi_so.csv", [66, 24], ward_province, [])


def test_on_time_trend_leaves_out_quarters_the_plan_does_not_ask_for(demo_db):
    """Plan 004 asks for Q1 only (phụ lục due 15/4/2026); the demo has Q2 data for other plans: its
    chi bộ did not «report 0 % on time» in Q2, the trend has Q1 only (6 of 8 on time = 75 %)."""
    con = connect_read(demo_db)
    try:
        frames = [
            queries.reporting_summary(
                queries.reporting(
                    con, "004", PeriodSel(q), queries.Scope.everything(), level="chi_bo", today=dt.date(2026, 11, 23)
                )
            )
            for q in ("2026-Q1", "2026-Q2")
        ]
    finally:
        con.close()
    trend = queries.trend_quarters(pd.concat(frames, ignore_index=True))
    assert trend[["quarter", "on_time", "expected"]].values.tolist() == [["2026-Q1", 6, 8]]
