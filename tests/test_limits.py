"""Limits on what one import reads (issue 25, finding 4): a file beyond the file size, a zipped
spreadsheet whose directory declares more than the uncompressed limits, a tab with more cells or a cell
with more characters than allowed: each refused with exit code 2 and a Vietnamese message naming the
limit, where, and what to do; nothing is published. Limits are settings (``[gioi_han]``), set small
here through the province's own configuration file (NQ71_CONFIG) so the files stay small."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from tests.conftest import FIXTURES, run_cli

HEADER = (FIXTURES / "progress_small.csv").read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture
def limits(tmp_path, monkeypatch):
    def set_(**values):
        cfg = tmp_path / "tinh.toml"
        cfg.write_text("[gioi_han]\n" + "".join(f"{k} = {v}\n" for k, v in values.items()), encoding="utf-8")
        monkeypatch.setenv("NQ71_CONFIG", str(cfg))

    return set_


def _versions(tmp_path):
    return sorted((tmp_path / "nq71.duckdb.versions").glob("*.duckdb"))


def _refused(tmp_path, bad, *words):
    db = tmp_path / "nq71.duckdb"
    run_cli("data_sources", "ingest", str(FIXTURES / "progress_small.csv"), "--db", str(db), "--province", "66")
    before = _versions(tmp_path)
    proc = run_cli("data_sources", "ingest", str(bad), "--db", str(db), "--province", "66", check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    for w in (bad.name, "Chưa nhập gì", *words):
        assert w in proc.stderr, (w, proc.stderr)
    assert "Traceback" not in proc.stderr and str(tmp_path) not in proc.stderr
    assert _versions(tmp_path) == before  # nothing published
    return proc.stderr


def _rows(n: int) -> str:
    return "".join(f"Xã Ea Kar,Quý I/2026,100,{i % 100},100,95,Có,1,0\n" for i in range(n))


def test_a_file_beyond_the_size_limit_is_refused_before_it_is_read(tmp_path, limits):
    limits(tep_toi_da_mb=1)
    big = tmp_path / "ca_tinh.csv"
    big.write_text(HEADER + "\n" + _rows(40_000), encoding="utf-8")  # about 1.4 MB
    assert big.stat().st_size > 1024 * 1024
    err = _refused(tmp_path, big, "vượt giới hạn 1 MB cho một tệp", "chia thành nhiều tệp")
    assert "tep_toi_da_mb" in err  # the administrator's setting is named


def _form_xlsx(tmp_path, name: str, extra: dict[str, bytes] | None = None, sheet_xml: bytes | None = None):
    """A real form (openpyxl), then rewritten as a zip with a member replaced or added."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Quý I"
    for line in (FIXTURES / "progress_small.csv").read_text(encoding="utf-8").splitlines():
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    out = tmp_path / name
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if sheet_xml is not None and info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml
            dst.writestr(info.filename, data)
        for member, data in (extra or {}).items():
            dst.writestr(member, data)
    return out


def test_a_sheet_that_inflates_beyond_the_limit_is_refused_from_the_zip_directory(tmp_path, limits):
    limits(giai_nen_moi_phan_toi_da_mb=8)
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + row * 200_000 + b"</sheetData></worksheet>"
    )  # 12 MB of XML that deflates to a few kB
    bomb = _form_xlsx(tmp_path, "bom.xlsx", sheet_xml=sheet)
    assert bomb.stat().st_size < 200_000
    _refused(tmp_path, bomb, "xl/worksheets/sheet1.xml", "vượt giới hạn 8 MB", "xóa các trang không thuộc biểu mẫu")


def test_an_unused_member_that_inflates_beyond_the_whole_limit_is_refused(tmp_path, limits):
    limits(giai_nen_moi_phan_toi_da_mb=20, giai_nen_toi_da_mb=10)
    bomb = _form_xlsx(tmp_path, "kem_tep.xlsx", extra={"xl/media/rac.bin": b"\0" * (12 * 1024 * 1024)})
    _refused(tmp_path, bomb, "khi giải nén nặng", "vượt giới hạn 10 MB")


def test_a_tab_with_more_cells_than_the_limit_is_refused_naming_the_row(tmp_path, limits):
    limits(o_toi_da_moi_trang=1_000)
    many = tmp_path / "nhieu_o.csv"
    many.write_text(HEADER + "\n" + _rows(200), encoding="utf-8")  # 9 columns: row 112 passes 1.000 cells
    _refused(tmp_path, many, "hơn 1.000 ô", "đến dòng 112", "chia trang")


def test_a_cell_longer_than_the_limit_is_refused_naming_the_cell(tmp_path, limits):
    limits(ky_tu_toi_da_moi_o=100)
    long = tmp_path / "o_dai.csv"
    long.write_text(HEADER + "\n" + "Xã Ea Kar " + "a" * 200 + ",Quý I/2026,1,1,1,1,Có,1,0\n", encoding="utf-8")
    _refused(tmp_path, long, "Ô A2", "210 ký tự", "vượt giới hạn 100 ký tự")


def test_a_name_of_a_million_characters_is_refused_under_the_default_limits(tmp_path):
    long = tmp_path / "ten_dai.csv"
    long.write_text(HEADER + "\n" + "Xã " + "Ea Kar " * 150_000 + ",Quý I/2026,1,1,1,1,Có,1,0\n", encoding="utf-8")
    _refused(tmp_path, long, "Ô A2", "1.050.003 ký tự", "vượt giới hạn 32.767 ký tự")


def test_a_long_cell_in_an_xlsx_is_refused_naming_its_sheet_and_cell(tmp_path, limits):
    limits(ky_tu_toi_da_moi_o=1_000)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Quý I"
    ws.append(HEADER.split(","))
    ws.append(["Xã Ea Kar", "Quý I/2026", 100, 40, 100, 95, "Có", 1, 0, "ghi chú " * 200])
    path = tmp_path / "o_dai.xlsx"
    wb.save(path)
    _refused(tmp_path, path, "Ô J2", "trang «Quý I»", "1.600 ký tự", "vượt giới hạn 1.000 ký tự")


def test_a_limit_that_is_not_a_positive_whole_number_is_refused(tmp_path, limits):
    limits(tep_toi_da_mb='"nhiều"')
    proc = run_cli(
        "data_sources", "ingest", str(FIXTURES / "progress_small.csv"), "--db", str(tmp_path / "x.duckdb"), check=False
    )
    assert proc.returncode == 2 and "tep_toi_da_mb" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_the_upload_widget_and_the_server_refuse_what_the_import_would(tmp_path, limits, monkeypatch, demo_db):
    """The page's file picker carries the same limit (Streamlit checks it before the file is sent), and the
    server started by ui.serve is given it as server.maxUploadSize."""
    import shutil

    from streamlit.testing.v1 import AppTest

    from core import catalog
    from tests.conftest import ROOT

    limits(tep_toi_da_mb=7)
    catalog.settings.cache_clear()
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("NQ71_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/nguon_du_lieu.py").run()
    assert not at.exception, at.exception
    (uploader,) = at.get("file_uploader")
    assert uploader.proto.max_upload_size_mb == 7
    catalog.settings.cache_clear()
    probe = (
        "import sys; from ui import serve; from streamlit.web import cli; serve.refuse_broken_configuration = lambda: None; "
        "cli.main = lambda: print([a for a in sys.argv if 'maxUpload' in a or a.isdigit()]); serve.main()"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "'--server.maxUploadSize', '7'" in out, out


def test_closest_name_suggestions_are_bounded_per_import_and_the_summary_says_so(tmp_path, limits):
    limits(goi_y_toi_da=10)
    made_up = tmp_path / "ten_bia.csv"
    made_up.write_text(
        HEADER + "\n" + "".join(f"Xã Không Có Thật {i},Quý I/2026,100,40,100,95,Có,1,0\n" for i in range(50)),
        encoding="utf-8",
    )
    proc = run_cli("data_sources", "ingest", str(made_up), "--db", str(tmp_path / "x.duckdb"), "--province", "66")
    assert "chỉ gợi ý tên gần nhất cho 10 tên đầu tiên, 40 tên còn lại không kèm gợi ý" in proc.stdout, proc.stdout
    import duckdb

    with duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True) as con:
        given = con.execute(
            "select count(*) filter (where candidates <> ''), count(*) from stg.rows where unit_status = 'unmatched'"
        ).fetchall()[0]
    assert given == (10, 50)


@pytest.mark.parametrize("sheet", ["Rác", "Hướng dẫn"])
def test_a_tab_where_no_form_is_found_keeps_a_bounded_sample_of_its_cells_and_says_so(tmp_path, sheet):
    """A tab with no form (a junk tab, or a guide: review of issue 25, F8) keeps its first 2.000 cells."""
    import duckdb

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Quý I"
    for line in (FIXTURES / "progress_small.csv").read_text(encoding="utf-8").splitlines()[:3]:
        ws.append(line.split(","))
    junk = wb.create_sheet(sheet)
    for r in range(100):
        junk.append([f"chữ {r}-{c}" for c in range(50)])  # 5.000 cells, no header of the form
    path = tmp_path / "co_trang_rac.xlsx"
    wb.save(path)
    db = tmp_path / "x.duckdb"
    proc = run_cli("data_sources", "ingest", str(path), "--db", str(db), "--province", "66")
    assert "chỉ lưu 2.000 ô đầu tiên làm mẫu (trang có 5.000 ô có nội dung)" in proc.stdout, proc.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        kept = dict(con.execute("select sheet, count(*) from raw.cells group by sheet").fetchall())
        first = con.execute(
            f"select value from raw.cells where sheet = '{sheet}' order by \"row\", col limit 1"
        ).fetchall()
        last = con.execute(f"select max(\"row\") from raw.cells where sheet = '{sheet}'").fetchall()[0][0]
    assert kept[sheet] == 2_000 and kept["Quý I"] == 27  # the form's tab keeps every cell
    assert first == [("chữ 0-0",)] and last == 40  # the first 40 rows of 50 cells, in reading order


def test_a_quote_never_closed_refuses_the_csv_instead_of_swallowing_its_rows(tmp_path):
    """Review of issue 25 (F3): Python's csv reader, not strict, read the rest of the file into one cell and
    three rows were gone with exit 0. Strict: refused, naming the row."""
    bad = tmp_path / "ngoac_kep.csv"
    bad.write_text(
        HEADER + '\nXã Ea Kar,Quý I/2026,100,40,100,95,Có,1,0\n"Xã Ea Ô,Quý I/2026,300,60,100,80,Không,0,1\n'
        "Xã Ea Kar,Quý II/2026,100,70,50,48,Có,1,0\n",
        encoding="utf-8",
    )
    _refused(tmp_path, bad, "dấu ngoặc kép", "không được đóng")


def test_merges_are_read_whatever_valid_form_the_workbook_writes_them_in(tmp_path):
    """Review of issue 25 (F7): merges read from the XML (the streaming reader has none) were lost when a
    relationship's target is written «./worksheets/…», the relationships use another prefix, or attributes use
    single quotes. The unit name merged over its two quarters is read for both."""
    import duckdb

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tiến độ"
    ws.append(["Tên đơn vị", "Kỳ báo cáo", "Tổng số CBQL GV NV", "Số CBQL GV NV được quán triệt"])
    ws.append(["Xã Ea Kar", "Quý I/2026", 100, 40])
    ws.append([None, "Quý II/2026", 100, 70])
    ws.merge_cells("A2:A3")
    plain = tmp_path / "gop.xlsx"
    wb.save(plain)
    odd = tmp_path / "gop_khac.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(odd, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b'Target="/xl/worksheets/', b'Target="./worksheets/')
                data = data.replace(b'Target="worksheets/', b'Target="./worksheets/')
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"xmlns:r=", b"xmlns:ns9=").replace(b" r:id=", b" ns9:id=")
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<mergeCell ref="A2:A3"', b"<mergeCell ref='A2:A3'")
            dst.writestr(info, data)
    assert b"./worksheets/" in zipfile.ZipFile(odd).read("xl/_rels/workbook.xml.rels")
    db = tmp_path / "gop.duckdb"
    run_cli("data_sources", "ingest", str(odd), "--db", str(db), "--province", "66")
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute(
            "select period, value from mart.observations where field = 'cb_quan_triet' order by 1"
        ).fetchall()
    assert got == [("2026-Q1", 40.0), ("2026-Q2", 70.0)]


def test_a_workbook_is_held_to_the_cell_limit_as_a_whole_not_tab_by_tab(tmp_path, limits):
    limits(o_toi_da_moi_trang=1_000)
    wb = openpyxl.Workbook()
    for t in range(3):
        ws = wb.active if t == 0 else wb.create_sheet()
        ws.title = f"Quý {t + 1}"
        ws.append(HEADER.split(","))
        for i in range(50):  # 51 rows × 9 cells = 459 cells a tab, under the limit; 1.377 in all
            ws.append(["Xã Ea Kar", f"Quý {'I' * (t + 1)}/2026", 100, i, 100, 95, "Có", 1, 0])
    path = tmp_path / "ba_trang.xlsx"
    wb.save(path)
    _refused(tmp_path, path, "tính trên mọi trang", "trang «Quý 3»")


def test_a_tiny_ods_declaring_twenty_million_cells_is_refused_before_it_is_expanded(tmp_path):
    """Review of issue 25 (F4): an .ods writes equal rows and cells once with a repeat count; 800 bytes declared
    20.000 × 1.000 cells, which the reader (calamine) made real (2,45 GB) before any was counted."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="Quý I"><table:table-row table:number-rows-repeated="20000">'
        '<table:table-cell office:value-type="string" table:number-columns-repeated="1000"><text:p>x</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    bomb = tmp_path / "lap_lai.ods"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
    assert bomb.stat().st_size < 2_000
    _refused(tmp_path, bomb, "khai báo khoảng 20.000.000 ô", "trang «Quý I»", "vượt giới hạn 12.000.000 ô")


def test_formulas_saved_without_values_are_found_by_streaming_not_by_loading_the_workbook(tmp_path, monkeypatch):
    """Review of issue 25 (F5): one such formula made the reader load the whole workbook twice in openpyxl's
    full mode (1,74 GB for 2 million cells). Now the sheet's XML is scanned; the full load is kept only for a
    shared formula's cells, which hold no text of their own."""
    from data_sources.read import readers

    def never(data):
        raise AssertionError("the workbook was loaded in full")

    monkeypatch.setattr(readers, "_uncached_formulas_loaded", never)
    found = readers._uncached_formulas((FIXTURES / "formula_no_cache.xlsx").read_bytes())
    assert found["Quý II.2026"][(5, 3)] == "=1/0" and found["Quý II.2026"][(5, 4)] == "=NA()"
