"""Numbers stay numbers (issue 32, part 2): the tables a page shows hold numbers and dates, not their
display text (on screen «142» sorted before «5»; in Excel nothing summed); the Excel download holds
real numbers and dates with a display format (a percentage is the fraction with a % format); the CSV
holds plain numbers; and a sum taken by LibreOffice Calc over a downloaded column is the total the
page shows."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import chromium, streamlit_server, wait_app
from tests.conftest import ROOT, require_browser


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with chromium() as b:
        yield b


def _page(demo_db, monkeypatch, path: str, period: str = "2026-Q2") -> AppTest:
    monkeypatch.setenv("NQ71_DB", str(demo_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["tq_bang"] = True  # Tổng quan's «Bảng số liệu và tải xuống» open (drawn when opened)
    at.run()
    at.switch_page(path).run()
    at.sidebar.selectbox(key="f_period").set_value(period).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("path", "columns"),
    [
        ("pages/tong_quan.py", ["Giá trị", "Chỉ tiêu kế hoạch"]),
        ("pages/bao_cao.py", ["Số ngày quá hạn"]),
        ("pages/nguon_du_lieu.py", ["Ô đọc", "Mới", "Cập nhật", "Không đổi", "Trống", "Từ chối"]),
    ],
)
def test_page_tables_hold_numbers(demo_db, monkeypatch, path, columns):
    at = _page(demo_db, monkeypatch, path)
    tables = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert tables, [list(d.value.columns) for d in at.dataframe]
    for df in tables:
        for c in columns:
            assert pd.api.types.is_numeric_dtype(df[c]), (c, df[c].dtype, df[c].head(3).tolist())
            assert df[c].notna().any(), c


def test_overdue_days_sort_as_numbers(demo_db, monkeypatch):
    """«Số ngày quá hạn»: sorted, 5 comes before 142 (text sorted «142» first)."""
    at = _page(demo_db, monkeypatch, "pages/bao_cao.py", "2026-Q1")
    df = next(d.value for d in at.dataframe if "Số ngày quá hạn" in d.value.columns)
    ordered = df["Số ngày quá hạn"].dropna().sort_values().tolist()
    assert ordered == sorted(ordered) and all(isinstance(v, int | float) for v in ordered)
    assert pd.api.types.is_datetime64_any_dtype(df["Hạn"])


# ---------------------------------------------------------------------------------------------- downloads


def _calc(xlsx, formula: str, tmp) -> float:
    """``formula`` computed by LibreOffice Calc over the downloaded workbook's first sheet: the
    formula goes into a sheet of its own, Calc opens the file, recalculates and saves it as CSV."""
    wb = openpyxl.load_workbook(xlsx)
    data = wb.worksheets[0].title
    ws = wb.create_sheet("Tong", 0)  # Calc converts the first sheet to CSV
    ws["A1"] = formula.replace("DATA", f"'{data}'")
    src = tmp / "with_sum.xlsx"
    wb.save(src)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}/p", "--headless", "--convert-to", "csv",
             "--outdir", str(tmp), str(src)],
            capture_output=True, check=True, timeout=180, env={**os.environ, "HOME": profile},
        )  # fmt: skip
    return float((tmp / "with_sum.csv").read_text(encoding="utf-8").splitlines()[0].strip().strip('"'))


def _download(page, label: str, tmp, name: str):
    button = page.get_by_role("button", name=label).first
    button.wait_for(timeout=60000)
    wait_app(page)
    with page.expect_download(timeout=60000) as dl:
        button.click()
    path = tmp / name
    dl.value.save_as(path)
    return path


def test_downloads_hold_numbers_and_calc_sums_them_to_the_pages_total(demo_db, browser, tmp_path):
    """Plan 000, Quý II/2026, xã/phường: «Số chuyên đề tuyên truyền trong năm» (CT04, counted from the
    start of the year) reads N chuyên đề on Tổng quan; the Theo đơn vị download, summed by Calc over
    its CT04 rows, gives N. The Tổng quan download holds CT01 as a fraction with a % format."""
    require_browser()
    if not shutil.which("soffice"):
        if os.environ.get("CI"):
            pytest.fail("LibreOffice missing in CI: make test installs it (make report-deps)")
        pytest.skip("LibreOffice not installed: make report-deps")
    with streamlit_server(demo_db) as url:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
        page.goto(f"{url}/?ky=2026-Q2&cap=xa")
        wait_app(page)
        body = page.inner_text("[data-testid='stMain']")
        total = re.search(r"Số chuyên đề tuyên truyền trong năm\s+\S+\s+\S+\s+([\d.]+) chuyên đề", body)
        assert total, body[:2000]
        shown = int(total.group(1).replace(".", ""))
        page.get_by_text("Bảng số liệu và tải xuống").click()
        wait_app(page)
        overview = _download(page, "Tải Excel", tmp_path, "tong_quan.xlsx")
        page.goto(f"{url}/theo-xa-phuong?ky=2026-Q2&cap=xa")
        wait_app(page)
        units_xlsx = _download(page, "Tải Excel", tmp_path, "theo_don_vi.xlsx")
        units_csv = _download(page, "Tải CSV", tmp_path, "theo_don_vi.csv")
        page.close()

    wb = openpyxl.load_workbook(units_xlsx)
    ws = wb.worksheets[0]
    assert ws.title == "Dữ liệu"
    head = [c.value for c in ws[1]]
    value_col = head.index("Giá trị") + 1
    code_col = head.index("Chỉ tiêu") + 1
    ct04_name = "Số chuyên đề tuyên truyền trong năm"
    values = [ws.cell(r, value_col) for r in range(2, ws.max_row + 1)]
    filled = [c for c in values if c.value is not None]
    assert filled and all(isinstance(c.value, int | float) for c in filled)  # numbers, not «137 chuyên đề»
    ct04 = [ws.cell(r, value_col).value for r in range(2, ws.max_row + 1) if ws.cell(r, code_col).value == ct04_name]
    assert ct04 and all(isinstance(v, int | float) for v in ct04 if v is not None)
    letter_code = openpyxl.utils.get_column_letter(code_col)
    letter_value = openpyxl.utils.get_column_letter(value_col)
    summed = _calc(units_xlsx, f'=SUMIF(DATA!{letter_code}:{letter_code},"{ct04_name}",DATA!{letter_value}:{letter_value})',
                   tmp_path)  # fmt: skip
    assert summed == shown

    ws = openpyxl.load_workbook(overview).worksheets[0]
    head = [c.value for c in ws[1]]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    ct01 = ws.cell(rows["Tỷ lệ CBQL, GV, NV được quán triệt"], head.index("Giá trị") + 1)
    assert isinstance(ct01.value, float) and 0 <= ct01.value <= 1 and "%" in ct01.number_format
    deadline = ws.cell(rows["Tỷ lệ CBQL, GV, NV được quán triệt"], head.index("Hạn") + 1)
    assert deadline.is_date and deadline.number_format == "dd/mm/yyyy"

    text = units_csv.read_bytes().decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    plain = [r["Giá trị"] for r in table if r["Giá trị"]]
    assert plain and all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in plain), plain[:5]  # 67.1, never «67,1%»
    assert sum(float(r["Giá trị"]) for r in table if r["Chỉ tiêu"] == ct04_name and r["Giá trị"]) == shown


def test_small_whole_numbers_are_drawn_without_a_styler_and_larger_ones_with_vietnamese_dots():
    """A column of whole numbers below 1.000 with no empty cell reads the same in every style: printf «%d», no
    pandas Styler (it was a third of the submissions table's cost). A column with 1.234 keeps the Styler, whose
    text is «1.234»; one with an empty cell keeps it too (its empty text is the column's own)."""
    import json

    def page():
        import pandas as pd

        from ui import tables
        from ui.widgets import show

        df = pd.DataFrame({"Đơn vị": ["Xã A", "Xã B"], "Số lần": [3.0, 12.0], "Số người": [5, 1234]})
        show(tables.typed(df, {"Số lần": "so", "Số người": "so"}))
        show(tables.typed(df[["Đơn vị", "Số lần"]], {"Số lần": "so"}))
        gap = pd.DataFrame({"Đơn vị": ["Xã A", "Xã B"], "Số lần": [3.0, None]})
        show(tables.typed(gap, {"Số lần": "so"}))

    at = AppTest.from_function(page, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    mixed, small, gap = (d.proto for d in at.dataframe)
    columns = json.loads(mixed.columns)
    assert columns["Số lần"]["type_config"]["format"] == "%d"
    assert columns["Số người"]["type_config"].get("format") is None  # the Styler's text: 1.234
    styled = [p.arrow_data.HasField("styler") for p in (mixed, small, gap)]
    assert styled == [True, False, True], styled
    assert b"1.234" in mixed.arrow_data.styler.display_values
    assert json.loads(small.columns)["Số lần"]["type_config"]["format"] == "%d"


def test_a_national_table_keeps_its_numbers_and_the_pages_time():
    """Above ``STYLED_ROWS`` rows a table is drawn with Streamlit's own formats (a Styler costs about
    0,1 s per 1.000 rows on every run); its dates keep the Vietnamese order either way."""
    import json

    def page():
        import pandas as pd

        from ui import tables
        from ui.widgets import STYLED_ROWS, show

        n = STYLED_ROWS + 500
        df = pd.DataFrame({"Đơn vị": [f"Xã {i}" for i in range(n)], "Muộn (ngày)": [float(i) for i in range(n)],
                           "Hạn": pd.to_datetime(["2026-07-15"] * n)})  # fmt: skip
        show(tables.typed(df, {"Muộn (ngày)": "so", "Hạn": "ngay"}))

    at = AppTest.from_function(page, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    df = at.dataframe[0].value
    assert pd.api.types.is_numeric_dtype(df["Muộn (ngày)"]) and len(df) > 1000
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["Muộn (ngày)"]["type_config"]["format"] == "localized"
    assert columns["Hạn"]["type_config"]["format"] == "DD/MM/YYYY"
