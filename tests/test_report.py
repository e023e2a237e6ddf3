"""The periodic report (outputs/report.py): Decree 30 layout, the dashboard's numbers, the PDF.

Expected numbers are worked by hand from tests/fixtures/progress_small.csv (see the docstring of
tests/test_queries.py), plan 000, 2026-Q2, the three xã Ea Kar, Ea Ô, Cư Yang:

  CT01 (70 + 120) / (100 + 300) = 47,5% → Chậm (below the pace line 49,82%), due 31/12/2026
  CT02 (48 + 40 + 9) / (50 + 50 + 10) = 97/110 = 88,2% → Chậm (target 90%, no deadline)
  CT03 3 of 3 xã have a plan = 100% → Đạt;  CT04 Σ chuyên đề Q1+Q2 = 1+1+0+0+2 = 4 → Đạt
  CT06 nobody reported co_chuyen_muc → Chưa có số liệu;  CT08 2 of 3 xã have ≥ 1 mô hình = 66,7% → Chậm
  CT10 3 of 3 reported on 10/07, by the default deadline 15/07/2026 → 100% Đạt
  field totals Q2: quán triệt 190/400 người (Cư Yang's 60 > 50 is flagged, counted nowhere),
  chuyên đề 1 + 0 + 2 = 3, mô hình 0 + 0 + 1 = 1, kế hoạch 3/3 có.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import time

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

import queries
from core import catalog
from core.db import connect_read
from data_sources.load.ingest import ingest_paths
from outputs.report import build_docx, committee, issuer_of, to_pdf
from queries import PeriodSel, Scope
from queries.report_data import gather, grouped_texts
from tests.conftest import ARTIFACTS, FIXTURES, ROOT, run_cli

EA_KAR, EA_O, CU_YANG = "24373", "24403", "24406"
THREE = (EA_KAR, EA_O, CU_YANG)
TODAY = dt.date(2026, 7, 20)
EVERY = Scope.everything()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    db = tmp_path_factory.mktemp("report") / "small.duckdb"
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
    return db


def _report(db, out, plan="000", period="2026-Q2", scope=EVERY, units=THREE):
    con = connect_read(db)
    try:
        d = gather(con, plan, PeriodSel(period), scope, level="xa", units=units, today=TODAY)
        prog = queries.progress(con, plan, PeriodSel(period), scope, level="xa", units=units)
    finally:
        con.close()
    return Document(str(build_docx(d, out))), prog


def _texts(container) -> list[str]:
    """Every paragraph's text, tables (and tables in tables) included, in document order."""
    out = []
    if hasattr(container, "rows"):
        return [t for row in container.rows for cell in row.cells for t in _texts(cell)]
    for block in container.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                for cell in row.cells:
                    out += _texts(cell)
        else:
            out.append(block.text)
    return out


def _code(name_cell: str) -> str:
    """The indicator a row of the target table names (the document prints names, not codes)."""
    from core import catalog

    found = [c for c, i in catalog.indicators().items() if name_cell == i.name or name_cell.startswith(i.name + " (")]
    assert len(found) == 1, name_cell
    return found[0]


def _target_table(doc):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == "TT" and "Chỉ tiêu" in t.rows[0].cells[1].text)


@pytest.fixture(scope="module")
def report(small, tmp_path_factory):
    return _report(small, tmp_path_factory.mktemp("out") / "bao_cao.docx")


def test_page_and_fonts_follow_decree_30(report):
    doc, _ = report
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)  # A4 (stored in twips)
    assert 20 <= round(s.top_margin.mm, 1) <= 25 and 20 <= round(s.bottom_margin.mm, 1) <= 25
    assert 30 <= round(s.left_margin.mm, 1) <= 35 and 15 <= round(s.right_margin.mm, 1) <= 20
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and Pt(13) <= normal.font.size <= Pt(14)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Times New Roman"}
    assert normal.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert 10 <= round(normal.paragraph_format.first_line_indent.mm, 1) <= 12.7
    for name in ("Heading 1", "Heading 2"):  # real Word headings, in the document's font, not the theme's
        h = doc.styles[name]
        assert h.font.name == "Times New Roman" and h.font.bold
        assert h.element.rPr.find(qn("w:rFonts")).get(qn("w:asciiTheme")) is None
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [
        "I. KẾT QUẢ TRIỂN KHAI CÔNG TÁC TRUYỀN THÔNG",
        "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA KẾ HOẠCH",
        "III. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ",
        "IV. KHÓ KHĂN, VƯỚNG MẮC",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
    ]


def test_page_numbers_top_centre_from_page_two(report):
    doc, _ = report
    s = doc.sections[0]
    assert s.different_first_page_header_footer  # w:titlePg: page 1 has its own (empty) header
    instr = [e.text.strip() for e in s.header._element.iter(qn("w:instrText"))]
    assert instr == ["PAGE"]
    assert s.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not list(s.first_page_header._element.iter(qn("w:instrText")))


def test_heading_number_title_recipients_signature(report):
    doc, _ = report
    head = doc.tables[0]
    left, right = _texts(head.cell(0, 0)), _texts(head.cell(0, 1))
    assert left[:2] == ["UBND TỈNH ĐẮK LẮK", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"]
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    rule = head.cell(0, 1).paragraphs[2]._p.pPr.find(qn("w:pBdr"))  # the rule under the motto
    assert rule is not None and rule.find(qn("w:top")).get(qn("w:val")) == "single"
    assert re.fullmatch(r"Số:\s+/BC-SGDĐT", head.cell(1, 0).text)  # the office writes the number
    assert re.fullmatch(r"Đắk Lắk, ngày\s+tháng\s+năm 2026", head.cell(1, 1).text)
    assert head.cell(1, 1).paragraphs[0].runs[0].italic
    body = [p.text for p in doc.paragraphs]
    assert body[body.index("BÁO CÁO") + 2] == "Quý II/2026"
    sign = doc.tables[-1]
    assert sign.cell(0, 0).paragraphs[0].text == "Nơi nhận:" and "- Lưu: VT, VP." in _texts(sign.cell(0, 0))
    assert _texts(sign.cell(0, 1))[0] == "GIÁM ĐỐC"


def test_every_target_has_the_dashboards_number(report):
    doc, prog = report
    rows = {_code(r.cells[1].text): [c.text for c in r.cells] for r in _target_table(doc).rows[1:]}
    # by hand (module docstring)
    assert rows["CT01"][2:] == ["47,5%", "≥ 100%", "Chậm", "31/12/2026"]
    assert rows["CT02"][2:] == ["88,2%", "≥ 90%", "Chậm", "Không quy định"]
    assert rows["CT03"][2:5] == ["100%", "≥ 100%", "Đạt"]
    assert rows["CT04"][2:5] == ["4 chuyên đề", "≥ 2 chuyên đề", "Đạt"]
    assert rows["CT06"][2] == "Chưa có số liệu" and rows["CT06"][4] == "Chưa có số liệu"  # never 0
    assert rows["CT08"][2:5] == ["66,7%", "≥ 100%", "Chậm"]
    assert rows["CT10"][2:] == ["100%", "≥ 100%", "Đạt", "15/7/2026"]  # Decree 30: 0 before months 1, 2 only
    # and the dashboard's own read: every target of the plan, the same value and status word
    overall = prog[prog.unit_code == queries.ALL]
    assert set(rows) == {*overall.indicator, "CT10"}
    for r in overall.itertuples():
        if r.value == r.value:  # not NaN
            shown = rows[r.indicator][2].split()[0].rstrip("%").replace(".", "").replace(",", ".")
            assert float(shown) == pytest.approx(r.value, abs=0.05), r.indicator
        assert rows[r.indicator][4] == r.status_label


def test_sections_carry_the_period_totals(report):
    doc, _ = report
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "- Số CBQL, GV, NV được quán triệt: 190/400 người (47,5%; 2 đơn vị có số liệu; 1 đơn vị ghi số" in text
    assert "- Số chuyên đề tuyên truyền: 3 chuyên đề (3 đơn vị có số liệu)." in text
    assert "- Số mô hình, sáng kiến, cách làm hiệu quả: 1 mô hình (3 đơn vị có số liệu)." in text
    assert "- 3/3 đơn vị có số liệu đã ban hành kế hoạch tuyên truyền." in text
    assert "- Số hội nghị, buổi quán triệt, sinh hoạt chuyên đề: chưa có số liệu." in text  # never 0
    # a section with no data says so; texts nobody wrote are not invented
    assert "Chưa có đơn vị nào báo cáo số liệu của mục này trong kỳ." in text  # Sản phẩm truyền thông
    assert "không đơn vị nào ghi nội dung «Khó khăn, vướng mắc»" in text
    assert "Tất cả đơn vị đã báo cáo quý II/2026." in text
    assert len(doc.inline_shapes) == 2  # the two charts, as pictures


def test_scope_keeps_other_units_out(small, tmp_path):
    doc, _ = _report(small, tmp_path / "ea_kar.docx", scope=Scope.of([EA_KAR]))
    rows = {_code(r.cells[1].text): r.cells[2].text for r in _target_table(doc).rows[1:]}
    assert rows["CT01"] == "70%"  # Ea Kar alone: 70/100
    everything = "\n".join(_texts(doc))
    assert "Ea Ô" not in everything and "Cư Yang" not in everything
    assert "70/100 người" in everything


def test_missing_units_are_listed(small, tmp_path):
    """Over the province (102 xã), the 99 xã that sent nothing are listed by name."""
    doc, _ = _report(small, tmp_path / "all.docx", units=None)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "- Quý II/2026 (hạn 15/7/2026): 3/102 đơn vị đã báo cáo (2,9%), trong đó 3 đúng hạn, 0 muộn; 99" in text
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Đơn vị")
    names = [r.cells[1].text for r in table.rows[1:]]
    assert len(names) == 99 and "Xã Ea Kar" not in names and "Xã Krông Búk" in names
    assert table.rows[1].cells[3].text == "5"  # 20/07 is 5 days after 15/07


def test_difficulties_and_proposals_grouped_and_attributed(tmp_path):
    sheet = tmp_path / "y_kien.csv"
    sheet.write_text(
        'Tên đơn vị,Kỳ báo cáo,Tổng số CBQL GV NV,"Khó khăn, vướng mắc","Đề xuất, kiến nghị"\n'
        'Xã Ea Kar,Quý II/2026,100,Thiếu kinh phí in pano,"Đề nghị tập huấn video"\n'
        "Xã Ea Ô,Quý II/2026,300,thiếu kinh phí  in pano.,\n"
        "Xã Cư Yang,Quý II/2026,50,Mạng internet yếu,\n",
        encoding="utf-8",
    )
    db = tmp_path / "texts.duckdb"
    ingest_paths([sheet], db, province=66, seen_at=dt.datetime(2026, 7, 10, 9, 0))
    con = connect_read(db)
    d = gather(con, "000", PeriodSel("2026-Q2"), Scope.everything(), units=THREE, today=TODAY)
    con.close()
    assert grouped_texts(d.texts, "kho_khan") == [
        ("Thiếu kinh phí in pano", ["Xã Ea Kar", "Xã Ea Ô"]),
        ("Mạng internet yếu", ["Xã Cư Yang"]),
    ]
    doc = Document(str(build_docx(d, tmp_path / "y_kien.docx")))
    text = [p.text for p in doc.paragraphs]
    assert "- Thiếu kinh phí in pano (2 đơn vị: Xã Ea Kar, Xã Ea Ô)." in text
    assert "- Đề nghị tập huấn video (1 đơn vị: Xã Ea Kar)." in text
    assert text.index("- Đề nghị tập huấn video (1 đơn vị: Xã Ea Kar).") > text.index("V. ĐỀ XUẤT, KIẾN NGHỊ")


def test_party_committee_uses_the_party_heading(small, tmp_path):
    """The shipped catalog does not know plan 004's ward (plans.csv dia_ban empty, no unit registry): the heading
    leaves the name blank for the office to write in, and the note says so; nothing is guessed."""
    doc, _ = _report(small, tmp_path / "dang.docx", plan="004")
    head = "\n".join(_texts(doc.tables[0]))
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in head and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in head
    assert _texts(doc.tables[0].cell(0, 0)) == ["ĐẢNG ỦY PHƯỜNG ……………", "*"]
    assert re.search(r"Số\s+-BC/ĐU", head)
    assert _texts(doc.tables[-1].cell(0, 1))[:2] == ["T/M ĐẢNG ỦY", "BÍ THƯ"]
    rows = {_code(r.cells[1].text) for r in _target_table(doc).rows[1:]}
    assert rows == {"CT09", "CT10"}  # plan 004's targets only
    note = committee("004", "Đảng ủy phường").note
    assert "để trống tên phường" in note and "dia_ban" in note


def _party_heading(small, tmp_path) -> tuple[list[str], str, bool]:
    """Plan 004's report read back: the heading's left column (its bold lines marked «**»), the date line, and
    the opening paragraph."""
    doc, _ = _report(small, tmp_path / "dang.docx", plan="004")
    left = doc.tables[0].cell(0, 0)
    lines = [("**" if any(r.bold for r in p.runs) else "") + p.text for p in left.paragraphs if p.text]
    opening = next(p.text for p in doc.paragraphs if p.text.startswith("Thực hiện"))
    return lines, doc.tables[0].cell(1, 1).text, opening


def _plan_004_ward(tmp_path, monkeypatch, code: str) -> None:
    """A copy of the catalog whose plan 004 names ``code`` as its ward (plans.csv dia_ban, the last column)."""
    cat = tmp_path / "catalog"
    shutil.copytree(catalog.CATALOG_DIR, cat, ignore=shutil.ignore_patterns("demo"))
    text = (cat / "plans.csv").read_text(encoding="utf-8").splitlines()
    text = [line + code if line.startswith("004,") else line for line in text]
    (cat / "plans.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    monkeypatch.setattr(catalog, "CATALOG_DIR", cat)


def test_party_heading_names_the_ward_of_plans_csv(small, tmp_path, monkeypatch):
    """plans.csv dia_ban = 24133 (official code of Phường Buôn Ma Thuột, tỉnh Đắk Lắk): Hướng dẫn 36-HD/VPTW's
    heading: the committee directly above, the committee in bold, «*»; the place before the date."""
    _plan_004_ward(tmp_path, monkeypatch, "24133")
    lines, date, opening = _party_heading(small, tmp_path)
    assert lines == ["ĐẢNG BỘ TỈNH ĐẮK LẮK", "**ĐẢNG ỦY PHƯỜNG BUÔN MA THUỘT", "*"]
    assert date.startswith("Buôn Ma Thuột, ngày")
    assert ", Đảng ủy phường Buôn Ma Thuột báo cáo kết quả" in opening
    assert committee("004", "Đảng ủy phường").note == ""


def test_party_heading_takes_the_ward_its_chi_bo_sit_under(small, tmp_path, monkeypatch):
    """No dia_ban, but every chi bộ of the registry (the demo's) sits under 24133: that ward's committee."""
    monkeypatch.setenv("NQ71_UNITS", str(ROOT / "catalog" / "demo" / "don_vi.csv"))
    lines, _, _ = _party_heading(small, tmp_path)
    assert lines == ["ĐẢNG BỘ TỈNH ĐẮK LẮK", "**ĐẢNG ỦY PHƯỜNG BUÔN MA THUỘT", "*"]


def test_party_heading_refuses_a_code_that_is_no_ward(small, tmp_path, monkeypatch):
    _plan_004_ward(tmp_path, monkeypatch, "99999")
    lines, _, _ = _party_heading(small, tmp_path)
    assert lines == ["**ĐẢNG ỦY PHƯỜNG ……………", "*"]
    assert "mã «99999»" in committee("004", "Đảng ủy phường").note


def test_issuers():
    assert issuer_of("UBND phường Việt Yên (Bắc Ninh)", "Bắc Ninh").lines == ("ỦY BAN NHÂN DÂN", "PHƯỜNG VIỆT YÊN")
    assert issuer_of("Sở GDĐT Cao Bằng", "Đắk Lắk").place == "Cao Bằng"
    assert issuer_of("Đảng ủy phường", "Đắk Lắk").party


def test_unknown_plan_and_bad_period_are_refused(small, tmp_path):
    proc = run_cli("outputs", "report", "--db", str(small), "--plan", "999", "--period", "2026-Q2",
                   "--out", str(tmp_path / "x.docx"), check=False)  # fmt: skip
    assert proc.returncode == 2 and "Kế hoạch «999»" in proc.stderr
    proc = run_cli("outputs", "report", "--db", str(small), "--period", "2026-04",
                   "--out", str(tmp_path / "x.docx"), check=False)  # fmt: skip
    assert proc.returncode == 2 and not (tmp_path / "x.docx").exists()


def test_old_report_command_says_where_it_moved(tmp_path):
    proc = run_cli("queries", "report", "--db", "x.duckdb", "--period", "2026-Q2", "--out", str(tmp_path / "x.docx"),
                   check=False)  # fmt: skip
    assert proc.returncode == 2 and "python -m outputs report" in proc.stderr and not (tmp_path / "x.docx").exists()


def _require_libreoffice():
    import os

    if shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdftoppm"):
        return
    if os.environ.get("CI"):
        pytest.fail("LibreOffice or poppler-utils missing in CI: make test installs them (make report-deps)")
    pytest.skip("apt-get install libreoffice-writer-nogui fonts-liberation2 poppler-utils (make report-deps)")


def test_cli_writes_docx_and_pdf_with_vietnamese_intact(demo_db, tmp_path):
    """The command an office runs on the demo: a .docx and a PDF whose text keeps every diacritic,
    set in Liberation Serif (Times New Roman's metrics), pages rendered to PNG for a person to look at."""
    _require_libreoffice()
    out = tmp_path / "bao_cao.docx"
    proc = run_cli("outputs", "report", "--db", str(demo_db), "--plan", "000", "--period", "2026-Q2",
                   "--out", str(out), "--pdf")  # fmt: skip
    pdf = out.with_suffix(".pdf")
    assert pdf.exists() and str(pdf) in proc.stdout
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
                  "KẾT QUẢ TRIỂN KHAI CÔNG TÁC TRUYỀN THÔNG", "Tỷ lệ CBQL, GV, NV được quán triệt",
                  "KHÓ KHĂN, VƯỚNG MẮC", "Đề nghị hỗ trợ tài liệu song ngữ Việt - Ê Đê", "Nơi nhận:"):  # fmt: skip
        assert words in flat, words
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "LiberationSerif" in fonts and "NotoSerif" not in fonts and "DejaVu" not in fonts  # no fallback glyphs
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                              text=True).stdout).group(1))  # fmt: skip
    assert 3 <= pages <= 8
    assert "\f2" not in text.split("\f")[0]  # page 1 carries no number; page 2 starts with «2»
    assert text.split("\f")[1].strip().startswith("2")
    shots = ARTIFACTS / "report"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(shots / "trang")], check=True)
    assert len(list(shots.glob("trang-*.png"))) == pages


def test_to_pdf_reports_a_missing_libreoffice(tmp_path, monkeypatch):
    from outputs.report import ReportError

    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on this PATH
    (tmp_path / "x.docx").write_bytes(b"")
    with pytest.raises(ReportError, match="libreoffice-writer-nogui"):
        to_pdf(tmp_path / "x.docx")


# ---------------------------------------------------------------------------------------------- the page


def _page_as(db, monkeypatch, email: str | None):
    """pages/bao_cao_dinh_ky.py under AppTest on ``db``: signed in as ``email`` (tests/fixtures/users.csv),
    or in demo mode (no sign-in: the administrator) when None. Period 2026-Q2."""
    import io as _io

    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT
    from tests.test_access import AUTH

    monkeypatch.setenv("NQ71_DB", str(db))
    monkeypatch.setenv("NQ71_USERS", str(FIXTURES / "users.csv"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if email:
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, "email": email, "name": email, "iat": time.time()}
    at.run()
    at.switch_page("pages/bao_cao_dinh_ky.py").run()
    at.sidebar.selectbox(key="f_period").set_value("2026-Q2").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Báo cáo định kỳ"
    at.checkbox[0].uncheck().run()  # the .docx only (the PDF has its own test)
    at.button(key="make_report").click().run()
    assert not at.exception, at.exception
    made = at.session_state["report"]
    assert made["pdf"] is None and made["name"] == "bao_cao_000_2026-Q2"
    return at, Document(_io.BytesIO(made["docx"]))


def test_page_makes_the_report_of_the_filters(small, monkeypatch):
    at, doc = _page_as(small, monkeypatch, None)
    rows = {_code(r.cells[1].text): r.cells[2].text for r in _target_table(doc).rows[1:]}
    assert rows["CT01"] == "47,5%" and rows["CT04"] == "4 chuyên đề"  # the whole province, as the dashboard
    labels = [b.label for b in at.get("download_button")]
    assert "Tải báo cáo (.docx)" in labels


def test_page_gives_the_administrator_the_form_kit_and_qr(small, monkeypatch, tmp_path):
    import io as _io

    import openpyxl

    at, _ = _page_as(small, monkeypatch, None)
    link = "https://docs.google.com/spreadsheets/d/abc123/edit#gid=0"
    at.text_input[0].input(link)
    next(b for b in at.button if b.label == "Tạo biểu mẫu").click().run()  # the form's submit button
    assert not at.exception, at.exception
    kit = at.session_state["kit"]
    wb = openpyxl.load_workbook(_io.BytesIO(kit["xlsx"]))
    assert wb.worksheets[0]["A4"].value.startswith("Kỳ báo cáo: Quý") and kit["units"] == 102
    if shutil.which("zbarimg"):
        (tmp_path / "qr.png").write_bytes(kit["png"])
        out = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "qr.png")], capture_output=True, text=True)
        assert out.stdout.strip() == link
    assert kit["svg"].startswith(b"<?xml")


def test_a_unit_gets_its_own_report_and_no_form_kit(small, monkeypatch):
    """Xã Ea Kar's account (role don_vi): the page is there, the report holds Ea Kar only whatever the
    filters say, and the form kit (action bieu_mau) is not offered."""
    at, doc = _page_as(small, monkeypatch, "eakar@vidu.edu.vn")
    rows = {_code(r.cells[1].text): r.cells[2].text for r in _target_table(doc).rows[1:]}
    assert rows["CT01"] == "70%"
    assert "Ea Ô" not in "\n".join(_texts(doc))
    assert "kit" not in at.session_state and not [b for b in at.button if "biểu mẫu" in b.label]


def test_the_signature_block_never_leaves_its_name_line_alone_on_a_page(demo_db, tmp_path):
    """Every report of the demo (plans 000–004, 2026-Q1 and Q2, the whole scope): in the PDF, the
    signer's title and the dotted line for the name are on one page, with the closing sentence.
    Before the block was kept together, plan 001 Q1 and plan 004 Q2 ended on a page holding only
    the page number and the dotted line."""
    _require_libreoffice()
    from core import catalog
    from core.db import connect_read
    from outputs.report import make
    from queries import PeriodSel

    con = connect_read(demo_db)
    try:
        made = []
        for plan in ("000", "001", "002", "003", "004"):
            for period in ("2026-Q1", "2026-Q2"):
                out = tmp_path / f"bao_cao_{plan}_{period}.docx"
                level = catalog.plan_levels(plan)[0]
                docx, pdf = make(con, plan, PeriodSel(period), EVERY, out, level=level, pdf=True)
                made.append((plan, period, docx, pdf))
    finally:
        con.close()
    for plan, period, docx, pdf in made:
        signer = Document(str(docx)).tables[-1].cell(0, 1).paragraphs[0].text  # «GIÁM ĐỐC», «T/M ĐẢNG ỦY»…
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages = [" ".join(p.split()) for p in text.split("\f") if p.strip()]
        with_name_line = [i for i, p in enumerate(pages) if "……………………………" in p]
        assert len(with_name_line) == 1, (plan, period)
        last = pages[with_name_line[0]]
        assert signer and signer in last and "(Ký, ghi rõ họ tên và đóng dấu)" in last, (plan, period, last[-300:])
        assert "Nơi nhận:" in last, (plan, period)
        assert "Trên đây là báo cáo" in last, (plan, period)
