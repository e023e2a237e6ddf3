"""Every page under AppTest on the demo database: no exception, its main elements present,
and shown numbers checked against an independent computation from the observations."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core import fmt
from tests.conftest import ROOT

PAGES = {
    "pages/tong_quan.py": "Tổng quan",
    "pages/theo_xa_phuong.py": "Theo xã/phường",
    "pages/theo_chi_tieu.py": "Theo chỉ tiêu",
    "pages/bao_cao.py": "Tình hình báo cáo",
    "pages/chat_luong.py": "Chất lượng dữ liệu",
    "pages/nguon_du_lieu.py": "Nguồn dữ liệu",
}


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setenv("NQ71_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("path", "title"), PAGES.items())
def test_page_renders(app, path, title):
    app.switch_page(path)
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value == title
    assert any("demo" in w.value for w in app.sidebar.warning)  # labelled as demo data


def test_overview_tiles_match_independent_count(app, demo_db):
    from core.db import connect_read

    con = connect_read(demo_db)
    latest = con.execute("SELECT max(quarter) FROM mart.quarterly").fetchall()[0][0]
    reported = con.execute(
        "SELECT count(DISTINCT unit_code) FROM mart.observations o JOIN ref.units u ON u.code = o.unit_code "
        "WHERE u.level = 'xa' AND o.quarter = $q",
        {"q": latest},
    ).fetchall()[0][0]
    wards = con.execute("SELECT count(*) FROM ref.units WHERE level = 'xa'").fetchall()[0][0]
    # CT01 from raw sums: ratio of sums over unflagged pairs
    num, den = con.execute(
        "SELECT sum(n.value), sum(d.value) FROM mart.observations n JOIN mart.observations d "
        "ON d.unit_code = n.unit_code AND d.period = n.period AND d.field = 'cb_tong' "
        "WHERE n.field = 'cb_quan_triet' AND n.period = $q AND NOT n.flagged AND n.level = 'xa'",
        {"q": latest},
    ).fetchall()[0]
    con.close()
    tiles = {m.label: m.value for m in app.metric}
    assert tiles["Đơn vị đã báo cáo"] == f"{fmt.number(reported)}/{fmt.number(wards)}"
    table = app.dataframe[0].value
    ct01 = table[table["Mã chỉ tiêu"] == "CT01"].iloc[0]
    assert ct01["Giá trị"] == fmt.percent(100 * num / den)


def test_filters_change_the_view(app):
    app.sidebar.selectbox(key="f_period").set_value("2026-Q1").run()
    assert not app.exception
    assert "Quý I/2026" in app.caption[0].value
    before = {m.label: m.value for m in app.metric}["Đơn vị đã báo cáo"]
    app.sidebar.multiselect(key="f_units").set_value(["24133", "24121"]).run()
    assert "2 đơn vị đã chọn" in app.caption[0].value
    after = {m.label: m.value for m in app.metric}["Đơn vị đã báo cáo"]
    assert after.endswith("/2") and after != before
    assert app.query_params["ky"] == ["2026-Q1"] or app.query_params["ky"] == "2026-Q1"


def test_empty_database_explains_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("NQ71_DB", str(tmp_path / "chua_co.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("Chưa có dữ liệu" in i.value for i in at.info)


def test_confirming_a_unit_mapping_from_the_page(demo_db, monkeypatch, tmp_path):
    """The office picks the unit for an unmatched name; its rows count from then on."""
    import shutil

    from core.db import connect_read

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)  # a plain file: the first publish turns it into a versioned link
    monkeypatch.setenv("NQ71_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/chat_luong.py")
    at.run()
    assert at.selectbox(key="map_name").value is not None
    first_choice = at.selectbox(key=f"map_to_{at.selectbox(key='map_name').value}").value
    assert first_choice == "24373"  # Xã Ea Kar, the closest name, offered first
    at.button(key="confirm_mapping").click().run()
    assert not at.exception, at.exception
    con = connect_read(db)
    mapped = con.execute("SELECT unit_code FROM ref.unit_mappings").fetchall()
    con.close()
    assert mapped == [("24373",)]
    assert any("khớp danh mục" in s.value for s in at.success)


def test_sources_page_adds_a_link_and_refreshes(demo_db, monkeypatch, tmp_path):
    """Paste a link, press refresh: the real refresh runs over replayed Google answers."""
    import json
    import shutil

    import responses

    from tests.conftest import FIXTURES
    from tests.google_replay import load, register, service_account_info, token_endpoint

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    info = service_account_info()
    key = tmp_path / "sa.json"
    key.write_text(json.dumps(info))
    monkeypatch.setenv("NQ71_DB", str(db))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/nguon_du_lieu.py")
    at.run()
    assert any(info["client_email"] in m.value for m in at.markdown)
    assert not any(info["private_key"][40:80] in m.value for m in at.markdown)
    sid = "1NQ71phuLucDakLakQuy2026aBcDeFgHiJkLmNoPqRs"
    at.text_input[0].set_value(f"https://docs.google.com/spreadsheets/d/{sid}/edit?usp=sharing")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, at.exception
    assert any(sid in s.value for s in at.success)
    with responses.RequestsMock() as rsps:
        token_endpoint(rsps)
        register(rsps, load(FIXTURES / "google" / "form_office_quarter.json"))
        at.button(key="refresh_now").click().run()
    assert not at.exception, at.exception
    assert any("Đọc 1 bảng" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert table.iloc[0]["Bảng"] == "Phụ lục NQ71 - Đắk Lắk" and table.iloc[0]["Lỗi lần thử cuối"] == ""


def test_indicator_and_reporting_pages_show_hand_computed_values(monkeypatch, tmp_path):
    """tests/fixtures/progress_small.csv (see test_queries.py for the arithmetic): CT01 at Q2 is
    (70 + 120) / (100 + 300) = 47,5%, behind its pace line; 3 of 102 xã/phường reported Q2, on time."""
    import datetime as dt

    from data_sources.load.ingest import ingest_paths
    from tests.conftest import FIXTURES

    db = tmp_path / "small.duckdb"
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
    monkeypatch.setenv("NQ71_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.sidebar.selectbox(key="f_period").set_value("2026-Q2").run()
    at.switch_page("pages/theo_chi_tieu.py")
    at.run()
    assert not at.exception, at.exception
    tiles = {m.label: (m.value, m.delta) for m in at.metric}
    assert tiles["Toàn bộ"][0] == "47,5%" and "Chậm" in tiles["Toàn bộ"][1]
    assert tiles["Đơn vị đạt chỉ tiêu"][0] == "0/2"  # Cư Yang's pair is flagged: no data, not counted
    at.selectbox(key="indicator").set_value("CT04").run()
    assert {m.label: m.value for m in at.metric}["Toàn bộ"] == "4 chuyên đề"
    at.switch_page("pages/bao_cao.py")
    at.run()
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["Phải báo cáo"], tiles["Đã báo cáo"], tiles["Đúng hạn"]) == ("102", "3", "3")
    # a narrower unit filter changes the counts: two of the three xã
    at.sidebar.multiselect(key="f_units").set_value(["24373", "24403"]).run()
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["Phải báo cáo"], tiles["Đã báo cáo"]) == ("2", "2")
