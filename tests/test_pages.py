"""Every page under AppTest on the demo database: no exception, its main elements present,
and shown numbers checked against an independent computation from the observations."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

EA_KAR = "24373"  # Xã Ea Kar, Đắk Lắk (catalog/xa_phuong.csv)

PAGES = {
    "pages/tong_quan.py": "Tổng quan",
    "pages/theo_xa_phuong.py": "Theo xã, phường, đặc khu",
    "pages/theo_chi_tieu.py": "Theo chỉ tiêu",
    "pages/bao_cao.py": "Tình hình báo cáo",
    "pages/bao_cao_dinh_ky.py": "Báo cáo định kỳ",
    "pages/chat_luong.py": "Chất lượng dữ liệu",
    "pages/nguon_du_lieu.py": "Nguồn dữ liệu",
}


@pytest.fixture
def small_app(monkeypatch, tmp_path):
    """The dashboard under AppTest on tests/fixtures/progress_small.csv (the values worked by hand in
    test_queries.py), opened on a chosen period."""
    import datetime as dt

    from data_sources.load.ingest import ingest_paths
    from tests.conftest import FIXTURES

    db = tmp_path / "small.duckdb"
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
    monkeypatch.setenv("NQ71_DB", str(db))

    def start(period: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        at.sidebar.selectbox(key="f_period").set_value(period).run()
        return at

    return start


@pytest.mark.parametrize(("path", "title"), PAGES.items())
def test_page_renders(app, path, title):
    app.switch_page(path)
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value == title
    assert any("demo" in w.value for w in app.sidebar.warning)  # labelled as demo data


def test_overview_shows_hand_worked_values(small_app):
    """tests/fixtures/progress_small.csv (arithmetic in test_queries.py): in Q2 3 of Đắk Lắk's 102
    xã/phường reported; CT01 = (70 + 120) / (100 + 300) = 47,5%, behind its pace line (49,82%);
    CT02 = 97 / 110 = 88,2% < 90% (behind); CT03 100% and CT04 4 ≥ 2 met; CT08 (≥ 1 model per unit)
    is met by 2 of 3 units = 66,7% < 100% (behind); CT06 has no data: 2 of 5 judged targets met, 3 behind."""
    at = small_app("2026-Q2")
    assert not at.exception, at.exception
    tiles = {m.label: (m.value, m.delta) for m in at.metric}
    assert tiles["Đơn vị đã báo cáo"] == ("3/102", "2,9%")
    assert tiles["Chỉ tiêu đạt"] == ("2/5", "0 đúng tiến độ · 3 chậm")
    # the table and its downloads are built only once «Bảng số liệu và tải xuống» is opened (ui.widgets.opened)
    assert not at.dataframe and not at.get("download_button")
    at.session_state["tq_bang"] = True
    at.run()
    assert not at.exception, at.exception
    assert [b.proto.label for b in at.get("download_button")] == ["⬇ Tải CSV", "⬇ Tải Excel"]
    table = at.dataframe[0].value.set_index("Chỉ tiêu")  # a target by its name, never its code
    ct01, ct02 = "Tỷ lệ CBQL, GV, NV được quán triệt", "Tỷ lệ hiểu rõ vai trò, trách nhiệm"
    ct04 = "Số chuyên đề tuyên truyền trong năm"
    # numbers stay numbers (they sort and sum), their unit beside them
    assert table.loc[ct01, "Giá trị"] == pytest.approx(47.5) and table.loc[ct01, "Trạng thái"] == "▼ Chậm"
    assert table.loc[ct01, "Đơn vị tính"] == "%" and table.loc[ct02, "Giá trị"] == pytest.approx(9700 / 110)
    assert table.loc[ct04, "Giá trị"] == 4 and table.loc[ct04, "Đơn vị tính"] == "chuyên đề"
    assert table.loc[ct04, "Trạng thái"] == "✔ Đạt"


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
    from tests.google_replay import load, register, service_account_info

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
    import threading
    import time

    from tests.google_replay import TOKEN_URI
    from ui import actions

    google_answers = threading.Event()  # Google is held until the page has been looked at mid-refresh

    def token(_request):
        google_answers.wait(60)
        return 200, {}, json.dumps({"access_token": "ya29.test-token", "expires_in": 3600, "token_type": "Bearer"})

    with responses.RequestsMock() as rsps:
        rsps.add_callback("POST", TOKEN_URI, callback=token)
        register(rsps, load(FIXTURES / "google" / "form_office_quarter.json"))
        at.button(key="refresh_now").click().run()
        # the run ended while the refresh waits for Google: the whole page is drawn, with its progress
        assert not at.exception, at.exception
        assert any("Trang vẫn dùng được trong lúc đọc" in c.value for c in at.caption)
        assert at.button(key="refresh_now").disabled  # a second click cannot start a second refresh
        assert at.subheader[-1].value == "Lịch sử nhập"
        assert not any("Đọc 1 bảng" in s.value for s in at.success)
        google_answers.set()
        deadline = time.monotonic() + 60
        while actions.refresh_running():
            assert time.monotonic() < deadline, "the refresh did not end"
            time.sleep(0.05)
    at.run()
    assert not at.exception, at.exception
    assert any("Đọc 1 bảng" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert table.iloc[0]["Bảng"] == "Phụ lục NQ71 - Đắk Lắk" and table.iloc[0]["Lỗi lần thử cuối"] == ""


def test_indicator_and_reporting_pages_show_hand_computed_values(small_app):
    """tests/fixtures/progress_small.csv (see test_queries.py for the arithmetic): CT01 at Q2 is
    (70 + 120) / (100 + 300) = 47,5%, behind its pace line; 3 of 102 xã/phường reported Q2, on time."""
    at = small_app("2026-Q2")
    at.switch_page("pages/theo_chi_tieu.py")
    at.run()
    assert not at.exception, at.exception
    tiles = {m.label: (m.value, m.delta) for m in at.metric}
    assert tiles["Tất cả đơn vị"][0] == "47,5%" and "Chậm" in tiles["Tất cả đơn vị"][1]
    assert tiles["Đơn vị đạt chỉ tiêu"][0] == "0/2"  # Cư Yang's pair is flagged: no data, not counted
    at.selectbox(key="indicator").set_value("CT04").run()
    assert {m.label: m.value for m in at.metric}["Tất cả đơn vị"] == "4 chuyên đề"
    at.switch_page("pages/bao_cao.py")
    at.run()
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["Phải báo cáo"], tiles["Đã báo cáo"], tiles["Đúng hạn"]) == ("102", "3", "3")
    # a narrower unit filter changes the counts: two of the three xã
    at.sidebar.multiselect(key="f_units").set_value(["24373", "24403"]).run()
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["Phải báo cáo"], tiles["Đã báo cáo"]) == ("2", "2")


def test_an_indicator_added_to_the_catalog_is_computed_and_drawn(monkeypatch, tmp_path):
    """No code change: a copy of the catalog gains CT11 = chuyên đề + mô hình over the year (target 5
    by 31/12/2026) for plan 000. progress_small.csv, year to date at Q2: chuyên đề 1+1 (Ea Kar) + 0+0
    (Ea Ô) + 2 (Cư Yang) = 4, mô hình 0+0 + 1+0 + 1 = 2: 6 ≥ 5, met. At Q1: 1 + 1 = 2 ≥ 5 × 1/4: on track."""
    import datetime as dt
    import shutil

    from core import catalog
    from data_sources.load.ingest import ingest_paths
    from tests.conftest import FIXTURES

    cat = tmp_path / "catalog"
    shutil.copytree(catalog.CATALOG_DIR, cat)
    with open(cat / "indicators.csv", "a", encoding="utf-8") as f:
        f.write("CT11,Hoạt động và mô hình trong năm,year_sum,so_chuyen_de+mo_hinh,,hoạt động,Chuyên đề + mô hình\n")
    with open(cat / "targets.csv", "a", encoding="utf-8") as f:
        f.write("000,CT11,5,2026-12-31,all,Thử: ít nhất 5 hoạt động,000_16d44d642add031b.txt\n")
    monkeypatch.setattr(catalog, "CATALOG_DIR", cat)
    for cached in (catalog.fields, catalog.settings, catalog.indicators, catalog.statuses):
        cached.cache_clear()
    try:
        db = tmp_path / "ct11.duckdb"
        ingest_paths([FIXTURES / "progress_small.csv"], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
        monkeypatch.setenv("NQ71_DB", str(db))
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["tq_bang"] = True  # «Bảng số liệu và tải xuống» open
        at.run()
        shown = {}
        for period in ("2026-Q2", "2026-Q1"):
            at.sidebar.selectbox(key="f_period").set_value(period).run()
            assert not at.exception, at.exception
            table = at.dataframe[0].value.set_index("Chỉ tiêu")
            ct11 = "Hoạt động và mô hình trong năm"
            shown[period] = (
                table.loc[ct11, "Giá trị"],
                table.loc[ct11, "Đơn vị tính"],
                table.loc[ct11, "Trạng thái"],
            )
        assert shown == {"2026-Q2": (6, "hoạt động", "✔ Đạt"), "2026-Q1": (2, "hoạt động", "➜ Đúng tiến độ")}
        assert any(">Hoạt động và mô hình trong năm<" in h.value for h in at.get("html"))  # its name, never «CT11»
        assert not any("CT11" in h.value for h in at.get("html"))
    finally:
        for cached in (catalog.fields, catalog.settings, catalog.indicators, catalog.statuses):
            cached.cache_clear()


def test_unit_grid_puts_the_units_most_behind_first(small_app):
    """progress_small.csv at Q2, targets behind per xã (worked from test_queries.py): Ea Ô 3 (CT01 below
    its pace line, CT02 40/50 = 80% < 90%, CT04 0 < 1); Ea Kar 1 (CT08: no model); Cư Yang and the 99
    xã without data 0, then by name."""
    at = small_app("2026-Q2")
    at.switch_page("pages/theo_xa_phuong.py").run()
    assert not at.exception, at.exception
    grid = at.dataframe[0].value
    assert list(grid["Đơn vị"][:2]) == ["Xã Ea Ô", "Xã Ea Kar"]
    assert list(grid["Số chỉ tiêu chậm"][:3]) == [3, 1, 0] and len(grid) == 102
    assert grid.iloc[0]["CT01"] == "▼ 40%" and grid.iloc[1]["CT08"] == "▼ 0 mô hình"
    # each cell is a label in its status colour (catalog/statuses.csv): the column's options and colours
    config = json.loads(at.dataframe[0].proto.columns)
    ct01 = config["CT01"]["type_config"]
    assert ct01["type"] == "multiselect"
    colour_of = {o["value"]: o["color"] for o in ct01["options"]}
    assert colour_of["▼ 40%"] == "#cf222e"  # Chậm
    assert colour_of["➜ 70%"] == "#0969da"  # Ea Kar: Đúng tiến độ
    assert colour_of["? Chưa có số liệu"] == "#8c959f"
    assert set(colour_of) == {c[0] for c in grid["CT01"]}  # one option per distinct text of the column


def test_unit_detail_is_read_when_a_unit_is_chosen(small_app):
    """Theo xã/phường draws the grid first; one unit's detail (tiles, schools, values across quarters,
    changes, difficulties) is read only once someone picks that unit (a filter change does not pay
    for the detail of a unit nobody asked for). Ea Kar at Q2: briefed 40 then 70 of 100."""
    at = small_app("2026-Q2")
    at.switch_page("pages/theo_xa_phuong.py").run()
    assert not at.exception, at.exception
    assert len(at.dataframe) == 1 and not at.metric  # the grid only
    assert any("Chọn một đơn vị để xem" in c.value for c in at.caption)
    at.selectbox(key="detail_unit").set_value(EA_KAR).run()
    assert not at.exception, at.exception
    tiles = {m.label: m.value for m in at.metric}  # a target by its name, never its code
    assert tiles["Tỷ lệ CBQL, GV, NV được quán triệt"] == "70%"
    assert tiles["Mô hình, sáng kiến mỗi đơn vị trong năm"] == "0 mô hình"
    history = at.dataframe[-1].value.set_index("Mục số liệu")
    assert history.loc["Số CBQL, GV, NV được quán triệt"].tolist() == [40, 70]  # Quý I, Quý II
    assert {"**Lịch sử số liệu qua các kỳ**", "**Khó khăn, đề xuất của đơn vị**"} <= {m.value for m in at.markdown}


def test_each_run_reports_its_server_time_when_the_load_test_asks(demo_db, monkeypatch, capsys):
    """NQ71_RUN_TIMES=<tag>: one «[lượt chạy <tag>] N ms <page> xong» line per script run (the load test
    reads the server's share of each action from them); without it, none."""
    import re

    monkeypatch.setenv("NQ71_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert "[lượt chạy" not in capsys.readouterr().err
    monkeypatch.setenv("NQ71_RUN_TIMES", "t42")
    at.sidebar.selectbox(key="f_period").set_value("2026-Q1").run()
    at.switch_page("pages/theo_chi_tieu.py").run()
    at.switch_page("pages/theo_xa_phuong.py").run()  # ends with st.stop() until a unit is chosen: finished
    assert not at.exception, at.exception
    lines = re.findall(r"\[lượt chạy t42\] (\d+) ms (\S+) (\S+)", capsys.readouterr().err)
    assert [(page, ended) for _, page, ended in lines] == [
        ("/", "xong"),
        ("theo-chi-tieu", "xong"),
        ("theo-xa-phuong", "xong"),
    ]
    assert all(int(ms) > 0 for ms, _, _ in lines)


def test_indicator_chart_draws_the_first_units_and_the_table_lists_all(app):
    """The demo's 100-odd xã/phường: the chart draws the first BARS_MAX (the page says so) and the
    table under it lists every unit, with data or not (the counts of the page's own tiles)."""
    from ui.charts import BARS_MAX

    app.session_state["ct_tat_ca"] = True  # «Tất cả đơn vị» open
    app.switch_page("pages/theo_chi_tieu.py").run()
    assert not app.exception, app.exception
    tiles = {m.label: m.value for m in app.metric}
    with_data = int(tiles["Đơn vị đạt chỉ tiêu"].split("/")[1].replace(".", ""))
    no_data = int(tiles["Chưa có số liệu"].replace(".", ""))
    assert with_data > BARS_MAX
    assert any(
        f"Biểu đồ vẽ {BARS_MAX} đơn vị" in c.value and f"trong {with_data} đơn vị" in c.value for c in app.caption
    )
    [box] = [e for e in app.expander if e.label.startswith("Tất cả đơn vị")]
    assert box.label == f"Tất cả đơn vị ({with_data + no_data})"
    table = box.dataframe[0].value
    assert len(table) == with_data + no_data and table["Mã đơn vị"].is_unique
    assert (table["Trạng thái"] == "Chưa có số liệu").sum() == no_data


def test_a_damaged_key_on_the_sources_page_is_a_vietnamese_line(demo_db, monkeypatch, tmp_path):
    """Finding 5 of issue 24: a malformed private_key gave «ValueError: Could not deserialize key data»
    on the page. The background refresh ends with a Vietnamese outcome; nothing is raised."""
    import json
    import shutil
    import time

    from tests.google_replay import service_account_info
    from ui import actions

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    key = tmp_path / "sa.json"
    key.write_text(
        json.dumps(
            {**service_account_info(), "private_key": "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n"}
        )
    )
    monkeypatch.setenv("NQ71_DB", str(db))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    from data_sources.load.refresh import add_source

    add_source(db, "1NQ71phuLucDakLakQuy2026aBcDeFgHiJkLmNoPqRs")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/nguon_du_lieu.py").run()
    at.button(key="refresh_now").click().run()
    deadline = time.monotonic() + 60
    while actions.refresh_running():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    at.run()
    assert not at.exception, at.exception
    assert any("Không làm mới được" in w.value for w in at.warning)
    assert any("Khóa tài khoản dịch vụ không đọc được" in c.value for c in at.code)
    assert not any("ValueError" in c.value or "Traceback" in c.value for c in at.code)
