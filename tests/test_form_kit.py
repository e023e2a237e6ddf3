"""The form kit (outputs/kit): the office layout the importer reads, validation that agrees
with the importer, a round trip through ingestion with nothing rejected, a QR code that decodes.

The validation formulas are evaluated by a real spreadsheet engine (LibreOffice Calc headless),
not re-implemented here; the importer is the real ``ingest_paths``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.formula.translate import Translator

import queries
from core import catalog
from core.db import connect_read
from data_sources.load.ingest import ingest_paths
from data_sources.parse.units import official_wards
from outputs.kit import build_form, roster_units
from queries import Scope
from tests.conftest import ROOT, run_cli

LINK = "https://docs.google.com/spreadsheets/d/1zs-broCdXvzc0iV7yXE0iO8fQc1wp_9j/edit?gid=737321077#gid=737321077"
SEEN = dt.datetime(2026, 10, 5, 9, 0)
FIRST = 9  # the first unit row
# What a person may type and what it means (bieu-mau.md, «Cell values»): worked out by hand.
COUNT_MEANS = {"-": 0, "—": 0, "...": None, "…": None, "x": None, None: None}
YESNO_MEANS = {"Có": 1, "Không": 0, "x": 1, "Đã ban hành": 1, "Chưa có": 0, None: None}
# catalog/co_khong.csv as written, worked out from the reader's words (bieu-mau.md and README)
ANSWERS = [("Có", "có"), ("Không", "không"), ("x", "có"), ("Đã ban hành", "có"), ("Chưa ban hành", "không"),
           ("Đã có", "có"), ("Chưa có", "không"), ("Không có", "không"), ("Đã", "có"), ("Chưa", "không"),
           ("Có x", "có"), (1, "có"), (0, "không"), ("Yes", "có"), ("No", "không"), ("TRUE", "có"), ("FALSE", "không")]  # fmt: skip
TEXTS = {"kho_khan": "Thiếu kinh phí in pano", "de_xuat": "Đề nghị tập huấn", "ghi_chu": "Đã gửi bản giấy"}


def _need(*tools: str) -> None:
    missing = [t for t in tools if not shutil.which(t)]
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{missing} missing in CI: make test installs them (make report-deps)")
    pytest.skip(f"{missing} not installed: make report-deps")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    out = tmp_path_factory.mktemp("kit") / "phu_luc.xlsx"
    return build_form("000", "2026-Q3", out, link=LINK)


def _soffice(src: Path, fmt: str, outdir: Path) -> Path:
    """Open ``src`` in LibreOffice Calc and save it as ``fmt`` (what a person's spreadsheet does:
    formulas computed and stored with the file)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{tmp}/p", "--headless", "--convert-to", fmt,
             "--outdir", str(outdir), str(src)],
            capture_output=True, check=True, timeout=180, env={**os.environ, "HOME": tmp},
        )  # fmt: skip
    return outdir / f"{src.stem}.{fmt.split(':')[0]}"


def test_office_layout_the_importer_reads(kit):
    wb = openpyxl.load_workbook(kit.path)
    ws = wb.worksheets[0]
    assert ws.title == "Quý III.2026" and wb.sheetnames == ["Quý III.2026", "Hướng dẫn"]
    assert [ws[f"A{r}"].value for r in (2, 4)] == ["PHỤ LỤC", "Kỳ báo cáo: Quý III/2026"]
    assert ws["A1"].value == "SỞ GIÁO DỤC VÀ ĐÀO TẠO ĐẮK LẮK"  # the full name in a document
    # two header rows, groups merged over their fields, TT and the unit name merged down
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A6:A7", "B6:B7", "C6:D6"} <= merged
    assert (ws["B6"].value, ws["C6"].value, ws["C7"].value, ws["D7"].value) == (
        "Tên đơn vị", "Quán triệt Nghị quyết 71-NQ/TW", "Tổng số CBQL, GV, NV", "Số CBQL, GV, NV được quán triệt",
    )  # fmt: skip
    width = 2 + len(catalog.form_fields()) + 3  # TT, unit, the form's fields, khó khăn, đề xuất, ghi chú
    assert [ws.cell(8, c).value for c in range(1, width + 1)] == [f"({c})" for c in range(1, width + 1)]
    # one row per unit of the roster: the 102 official xã/phường of Đắk Lắk
    names = [ws.cell(r, 2).value for r in range(FIRST, FIRST + kit.units)]
    assert kit.units == 102 and sorted(names) == sorted(u.name for u in official_wards(66))
    total = FIRST + kit.units
    assert ws.cell(total, 2).value == "Tổng cộng"
    assert ws[f"C{total}"].value == f"=SUM(C{FIRST}:C{total - 1})"
    yes = kit.columns["co_ke_hoach"]
    g = wb["Hướng dẫn"]
    first = next(r for r in range(1, g.max_row + 1) if g.cell(r, 1).value == "Trả lời có/không") + 1
    assert [(g.cell(r, 1).value, g.cell(r, 2).value) for r in range(first, g.max_row + 1)] == ANSWERS
    yes_words = [w for w, m in ANSWERS if m == "có"]
    assert [g.cell(first + i, 4).value for i in range(len(yes_words))] == yes_words
    assert ws[f"{yes}{total}"].value == (
        f"=SUMPRODUCT(--ISNUMBER(MATCH({yes}{FIRST}:{yes}{total - 1},'Hướng dẫn'!$D${first}:$D${first + 8},0)))"
    )  # nine ways to write «có»
    guide = "\n".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value)
    for words in ("bằng 0", "... (ba dấu chấm)", "để trống", "không bao giờ tính là 0", "15/10/2026", LINK):
        assert words in guide, words


def test_units_and_headers_locked_values_open_and_validated(kit):
    ws = openpyxl.load_workbook(kit.path).worksheets[0]
    assert ws.protection.sheet
    total = FIRST + kit.units
    for r in (1, 4, 6, 7, 8, FIRST, total):
        assert ws.cell(r, 2).protection.locked, r  # titles, headers, unit names, the total row
    dvs = ws.data_validations.dataValidation
    fields = catalog.fields()
    for code, letter in kit.columns.items():
        cells = [f"{letter}{r}" for r in (FIRST, FIRST + 50, total - 1)]
        assert all(not ws[c].protection.locked for c in cells), code
        dv = [d for d in dvs if all(c in d.sqref for c in cells)]
        assert len(dv) == 1, code
        dv = dv[0]
        assert dv.allow_blank and dv.showInputMessage and dv.showErrorMessage and dv.errorStyle == "stop"
        assert dv.prompt and dv.promptTitle and len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32
        assert f"{letter}{total}" not in dv.sqref  # the total row is formulas, not typed
        kind = fields[code].kind
        assert dv.type == {"count": "custom", "yesno": "list", "text": "textLength"}[kind]
        if kind == "count":
            assert "Số nguyên ≥ 0" in dv.prompt and "..." in dv.prompt
        if kind == "yesno":
            assert (
                dv.formula1.startswith("'Hướng dẫn'!$A$")
                and dv.prompt == "Chọn Có hoặc Không; để trống nếu chưa trả lời."
            )


def _fill(ws, kit) -> dict[tuple[int, str], object]:
    """Fill every unit row the way people do, with every kind of value the validation lets through
    (numbers, -, —, ..., …, x, empty; Có, Không, x), numerators never above their totals.
    Returns what was typed, by (row, field)."""
    fields = catalog.fields()
    pairs = dict(catalog.pairs())  # numerator -> denominator
    words = [None, "-", "...", "…", "x", "—"]
    typed = {}
    for i in range(kit.units):
        r, mode = FIRST + i, i % 8  # modes 0 and 7: numbers; 1..6: one convention word each
        for code, letter in kit.columns.items():
            kind = fields[code].kind
            if kind == "text":
                v = None if mode else TEXTS[code]
            elif kind == "yesno":
                v = ["Có", "Không", "x", None, "Đã ban hành", "Chưa có", 1, 0][i % 8]
            elif mode in (0, 7):
                v = i % 40 if code in pairs else (50 + i if code in pairs.values() else i % 13)
            else:
                v = "..." if code in pairs else words[mode - 1]
            ws[f"{letter}{r}"] = v
            typed[(r, code)] = v
    return typed


def test_round_trip_through_ingestion_rejects_nothing(kit, tmp_path):
    _need("soffice")
    wb = openpyxl.load_workbook(kit.path)
    ws = wb.worksheets[0]
    typed = _fill(ws, kit)
    filled = tmp_path / "da_dien.xlsx"
    wb.save(filled)
    # saved by a spreadsheet, as a person's Excel would: the total row now holds computed numbers
    saved = _soffice(filled, "xlsx", tmp_path / "saved")
    total = FIRST + kit.units
    computed = openpyxl.load_workbook(saved, data_only=True).worksheets[0]
    assert isinstance(computed[f"C{total}"].value, int | float)
    # the yes answers of the 102 rows: Có, x, Đã ban hành, 1 at i % 8 = 0, 2, 4, 6 (the even rows): 51
    assert computed[f"{kit.columns['co_ke_hoach']}{total}"].value == 51
    for path in (filled, saved):
        db = tmp_path / f"{path.parent.name}.duckdb"
        s = ingest_paths([path], db, province=66, seen_at=SEEN)
        tab = next(t for t in s.tabs if t["sheet"] == "Quý III.2026")
        assert tab["rejected"] == 0 and s.totals["rejected"] == 0, s.text()
        assert "quý III/2026" in " ".join(tab["notes"])
        # the kit's «Hướng dẫn» sheet has no table: skipped quietly (a «·» line, no «✗», nothing rejected)
        guide = next(t for t in s.tabs if t["sheet"] == "Hướng dẫn")
        assert not guide["error"] and "✗" not in s.text(), s.text()
        assert f"  · {path.name} / Hướng dẫn: trang hướng dẫn, không có bảng số liệu" in s.text()
        con = connect_read(db)
        try:
            rejects = queries.rejects(con, Scope.everything())
            obs = queries.observations(con, Scope.everything(), period="2026-Q3")
            code_of = {u.name: u.code for u in roster_units(66)}
            unit_rows = {FIRST + i: code_of[ws.cell(FIRST + i, 2).value] for i in range(kit.units)}
            texts = queries.unit_texts(con, Scope.everything(), unit_rows[FIRST])
        finally:
            con.close()
        assert rejects[rejects.sheet == "Quý III.2026"].empty, rejects.to_string()
        got = {(r.unit_code, r.field): r.value for r in obs.itertuples()}
        want = {}
        for (row, code), v in typed.items():
            kind = catalog.fields()[code].kind
            if kind == "text":
                continue
            means = (YESNO_MEANS if kind == "yesno" else COUNT_MEANS).get(v, v) if not isinstance(v, int) else v
            if means is not None:
                want[(unit_rows[row], code)] = means
        assert got == want
        assert dict(zip(texts.field_name, texts.text, strict=True)) == {
            catalog.fields()[code].name: text for code, text in TEXTS.items()
        }
    assert tab["total_rows"] == 1  # the saved file's Tổng cộng row, with its numbers, is not a unit


# a cell of «Số CBQL, GV, NV được quán triệt» with «Tổng số» = 10 beside it
CANDIDATES = [0, 7, 10, "-", "–", "—", "...", "…", "x", "X", -1, -3, 2.5, 0.5, "năm", "abc", "2,5", "1.5", 11, 250]
REFUSED = {-1, -3, 2.5, 0.5, "năm", "abc", "2,5", "1.5", 11, 250}


def test_what_the_validation_refuses_is_what_the_importer_rejects(kit, tmp_path):
    _need("soffice")
    num, den = kit.columns["cb_quan_triet"], kit.columns["cb_tong"]
    wb = openpyxl.load_workbook(kit.path)
    ws = wb.worksheets[0]
    dv = next(d for d in ws.data_validations.dataValidation if f"{num}{FIRST}" in d.sqref)
    for i, v in enumerate(CANDIDATES):
        ws[f"{den}{FIRST + i}"] = 10
        ws[f"{num}{FIRST + i}"] = v
    data = tmp_path / "thu.xlsx"
    wb.save(data)
    # the validation rule the file carries, evaluated for each candidate's cell by LibreOffice Calc
    check = openpyxl.load_workbook(data)
    cws = check.worksheets[0]
    cws.protection.sheet = False
    rule = "=" + dv.formula1
    for i in range(len(CANDIDATES)):
        cws[f"AZ{FIRST + i}"] = Translator(rule, origin=f"{num}{FIRST}").translate_formula(f"{num}{FIRST + i}")
    check.save(tmp_path / "kiem_tra.xlsx")
    csv = _soffice(tmp_path / "kiem_tra.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "csv")
    lines = csv.read_text(encoding="utf-8").splitlines()
    allowed = {i: lines[FIRST - 1 + i].rsplit(",", 1)[1] == "TRUE" for i in range(len(CANDIDATES))}
    assert {CANDIDATES[i] for i, ok in allowed.items() if not ok} == REFUSED

    db = tmp_path / "thu.duckdb"
    ingest_paths([data], db, province=66, seen_at=SEEN)
    con = connect_read(db)
    try:
        rejects = queries.rejects(con, Scope.everything())
    finally:
        con.close()
    bad_rows = set(rejects[(rejects.field == "cb_quan_triet") & (rejects["column"] == num)]["row"])
    for i, v in enumerate(CANDIDATES):
        assert (FIRST + i in bad_rows) == (not allowed[i]), (v, rejects[rejects["row"] == FIRST + i].to_string())


def test_yes_no_list_is_what_the_importer_accepts():
    """One list (catalog/co_khong.csv): the kit offers it as written, the reader accepts it folded, with its value."""
    from data_sources.parse.values import OK, parse_yesno

    assert catalog.yes_no_words() == tuple((str(w), 1 if m == "có" else 0) for w, m in ANSWERS)
    for w, m in ANSWERS:
        read = parse_yesno(str(w), is_number=isinstance(w, int))
        assert read.status == OK and read.value == (1 if m == "có" else 0), w
    for other in ("co", "KHÔNG", "đã ban hành", "Có (đã ban hành)"):  # folded, as the reader always did
        assert parse_yesno(other).status == OK, other
    assert parse_yesno("Có lẽ").status != OK


def test_cli_writes_the_kit_and_a_qr_that_decodes(tmp_path):
    _need("zbarimg", "rsvg-convert")
    out, qr = tmp_path / "phu_luc.xlsx", tmp_path / "qr.png"
    proc = run_cli("outputs", "form-kit", "--plan", "000", "--period", "2026-Q3", "--out", str(out),
                   "--link", LINK, "--qr", str(qr))  # fmt: skip
    assert "102 đơn vị" in proc.stdout and out.exists()
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(qr)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == LINK
    svg_png = tmp_path / "qr_svg.png"
    subprocess.run(["rsvg-convert", "-o", str(svg_png), str(qr.with_suffix(".svg"))], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(svg_png)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == LINK


def test_cli_refuses_qr_without_link_and_bad_period(tmp_path):
    """Through ``python -m data_sources form-kit``, the documented front door to ``python -m outputs form-kit``."""
    proc = run_cli("data_sources", "form-kit", "--period", "2026-Q3", "--out", str(tmp_path / "a.xlsx"),
                   "--qr", str(tmp_path / "q.png"), check=False)  # fmt: skip
    assert proc.returncode == 2 and "--link" in proc.stderr and not (tmp_path / "a.xlsx").exists()
    proc = run_cli("data_sources", "form-kit", "--period", "Q3", "--out", str(tmp_path / "a.xlsx"), check=False)
    assert proc.returncode == 2


def test_roster_leaves_out_units_taken_off(tmp_path, monkeypatch):
    """catalog/roster.csv «ma_don_vi,0» takes a unit off the form (a merged unit, say)."""
    import shutil as sh

    cat = tmp_path / "catalog"
    sh.copytree(catalog.CATALOG_DIR, cat, ignore=sh.ignore_patterns("demo"))
    first = official_wards(66)[0]
    (cat / "roster.csv").write_text(f"ma_don_vi,phai_bao_cao,ghi_chu\n{first.code},0,sáp nhập\n", encoding="utf-8")
    monkeypatch.setattr(catalog, "CATALOG_DIR", cat)
    codes = {u.code for u in roster_units(66)}
    assert len(codes) == 101 and first.code not in codes


def test_party_plan_form_lists_its_chi_bo(tmp_path, monkeypatch):
    """Plan 004 is followed through chi bộ (plans.csv don_vi_bao_cao): its form lists the chi bộ of the
    unit registry (here the demo's, catalog/demo/don_vi.csv: eight chi bộ of Phường Buôn Ma Thuột), not
    the province's 102 xã/phường; a plan whose kind has no unit in the registry is refused with a reason."""
    monkeypatch.setenv("NQ71_UNITS", str(ROOT / "catalog" / "demo" / "don_vi.csv"))
    out = tmp_path / "bieu_mau_004.xlsx"
    kit = build_form("004", "2026-Q1", out, province=66)
    ws = openpyxl.load_workbook(out).worksheets[0]
    names = [ws.cell(FIRST + i, 2).value for i in range(kit.units)]
    assert names == [
        "Chi bộ Công an phường",
        "Chi bộ Khu phố 1",
        "Chi bộ Khu phố 2",
        "Chi bộ Khu phố 3",
        "Chi bộ Phòng Kinh tế, Hạ tầng và Đô thị",
        "Chi bộ Phòng Văn hóa - Xã hội",
        "Chi bộ Quân sự phường",
        "Chi bộ Văn phòng HĐND và UBND phường",
    ]
    assert ws.cell(FIRST + kit.units, 2).value == "Tổng cộng" and kit.deadline == dt.date(2026, 4, 15)
    monkeypatch.setenv("NQ71_UNITS", str(tmp_path / "khong_co.csv"))
    with pytest.raises(ValueError, match=r"catalog/don_vi\.csv"):
        build_form("004", "2026-Q1", tmp_path / "x.xlsx", province=66)


def test_kit_for_schools_lists_the_school_registry_and_reads_back(tmp_path):
    """``--level truong``: one row per school of the registry (the demo's 270 schools of Đắk Lắk, read here with
    the csv module), and a value typed on a school's row is read as that school's."""
    import csv
    import sys

    schools = ROOT / "catalog" / "demo" / "truong_hoc.csv"
    with open(schools, encoding="utf-8") as f:
        code_of = {r["ten_truong"]: r["ma_truong"] for r in csv.DictReader(f)}
    out = tmp_path / "truong.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "outputs", "form-kit", "--plan", "000", "--period", "2026-Q3", "--level", "truong",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NQ71_SCHOOLS": str(schools)},
    )  # fmt: skip
    assert proc.returncode == 0 and "270 đơn vị" in proc.stdout, proc.stderr
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    names = [ws.cell(FIRST + i, 2).value for i in range(270)]
    assert sorted(names) == sorted(code_of) and ws.cell(FIRST + 270, 2).value == "Tổng cộng"
    ws[f"C{FIRST}"] = 7
    wb.save(out)
    db = tmp_path / "truong.duckdb"
    s = ingest_paths([out], db, province=66, schools=str(schools), seen_at=SEEN)
    assert s.totals["rejected"] == 0, s.text()
    con = connect_read(db)
    try:
        obs = queries.observations(con, Scope.everything(), period="2026-Q3")
    finally:
        con.close()
    assert [(r.unit_code, r.field, r.value) for r in obs.itertuples()] == [(code_of[names[0]], "cb_tong", 7)]


def test_kit_level_must_be_one_the_plan_follows(tmp_path):
    proc = run_cli("outputs", "form-kit", "--plan", "000", "--period", "2026-Q3", "--level", "chi_bo",
                   "--out", str(tmp_path / "a.xlsx"), check=False)  # fmt: skip
    assert proc.returncode == 2 and "không lập biểu mẫu cho chi bộ" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "a.xlsx").exists()


def test_input_message_is_the_fields_own_help(kit):
    ws = openpyxl.load_workbook(kit.path).worksheets[0]
    col = kit.columns["cb_quan_triet"]
    dv = next(d for d in ws.data_validations.dataValidation if f"{col}{FIRST}" in d.sqref)
    assert dv.prompt == (
        "Số nguyên ≥ 0 (người). Không được lớn hơn «Tổng số CBQL, GV, NV». Tối đa 100.000. "
        "Ghi - nếu bằng 0; ... nếu chưa thu thập; x nếu không áp dụng; để trống nếu chưa có số liệu."
    )
    assert f"{col}{FIRST}<=100000" in dv.formula1


def test_links_sheet_lists_each_units_own_link_and_leaves_the_form_alone(kit, tmp_path):
    """``links_db``: a third sheet «Đường dẫn riêng» (unit, its personal link, a QR image per unit); the form sheet
    is cell for cell the kit's without it, and the reader skips the new sheet quietly."""
    from core import links

    db = tmp_path / "nq71.duckdb"
    with_links = build_form("000", "2026-Q3", tmp_path / "kem.xlsx", link=LINK, links_db=db)
    wb, plain = openpyxl.load_workbook(with_links.path), openpyxl.load_workbook(kit.path)
    assert wb.sheetnames == ["Quý III.2026", "Hướng dẫn", "Đường dẫn riêng"]
    values = lambda ws: [[c.value for c in row] for row in ws.iter_rows()]  # noqa: E731
    assert values(wb.worksheets[0]) == values(plain.worksheets[0])
    ls = wb["Đường dẫn riêng"]
    assert [ls.cell(4, c).value for c in (1, 2, 3, 4)] == ["TT", "Đơn vị nhận", "Đường dẫn riêng", "Mã QR"]
    code_of = {u.name: u.code for u in roster_units(66)}
    rows = [(ls.cell(r, 2).value, ls.cell(r, 3).value) for r in range(5, 5 + 102)]
    assert len(ls._images) == 102 and ls.cell(5 + 102, 2).value is None
    for name, url in rows:
        grant = links.open_link(db, url.split("?t=", 1)[1], address="kit", today=dt.date(2026, 10, 1))
        assert grant.unit == code_of[name]
    s = ingest_paths([with_links.path], tmp_path / "doc.duckdb", province=66, seen_at=SEEN)
    assert "✗" not in s.text() and s.totals["rejected"] == 0, s.text()
