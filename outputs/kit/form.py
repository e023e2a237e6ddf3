"""The office form (bieu-mau.md, layout 1) written exactly as the importer reads it.

Sheet 1, named after the period (``Quý III.2026``)::

    1  <the plan's body>
    2  PHỤ LỤC
    3  Thống kê kết quả tổ chức học tập, quán triệt, tuyên truyền thực hiện Nghị quyết số 71-NQ/TW
    4  Kỳ báo cáo: Quý III/2026
    6  TT | Tên đơn vị | <group, merged over its fields> ...  | Khó khăn, vướng mắc | Đề xuất, kiến nghị | Ghi chú
    7           |            | <the field's name from catalog/fields.csv> ...
    8  (1) (2) (3) ...                                        <- column numbering
    9… one row per unit of the roster (official xã/phường of the province, or the plan's kinds of unit
       from the unit registry, less catalog/roster.csv's 0s)
       Tổng cộng                                               <- formulas (SUM; COUNTIF of the yes answers)

Every value cell has data validation with a Vietnamese input message: a count takes a whole
number ≥ 0 or the conventions ``-`` (0), ``...`` (not collected), ``x`` (not applicable), or
nothing; a numerator may not exceed its denominator (catalog/fields.csv ``mau_so``), checked on
both cells of the pair; a yes/no question a list (Có, Không, x); text up to 1.000 characters.
Unit and header cells are locked (sheet protection, no password: the office can lift it to add
a row); value cells are not. Sheet 2 (``Hướng dẫn``) explains the conventions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from core import catalog, fmt, form
from core.periods import label
from data_sources.parse.units import Unit, official_wards
from data_sources.parse.values import OK, parse_yesno

TITLE = "Thống kê kết quả tổ chức học tập, quán triệt, tuyên truyền thực hiện Nghị quyết số 71-NQ/TW"
HEADER_ROW, LEAF_ROW, NUMBER_ROW, FIRST_ROW = 6, 7, 8, 9
# what a count cell may hold besides a whole number ≥ 0 (the importer's conventions, values.py)
COUNT_WORDS = ("-", "–", "—", "...", "…", "x")
YESNO_LIST = ("Có", "Không", "x")
TEXT_MAX = form.TEXT_MAX


@dataclass(frozen=True)
class FormKit:
    path: Path
    sheet: str
    units: int
    columns: dict[str, str]  # field code -> column letter
    deadline: dt.date


def roster_units(province: int, levels: tuple[str, ...] = catalog.BUILT_IN_LEVELS) -> list[Unit]:
    """Who must report, in order of names, less the units catalog/roster.csv takes off
    (``phai_bao_cao`` = 0): every official xã/phường of the province for a plan followed through
    xã/phường and schools; for a plan followed through other kinds (plan 004: chi bộ), the units of
    those kinds in the unit registry (catalog/don_vi.csv) under a xã/phường of the province or under
    no xã/phường."""
    off = set()
    for i, r in enumerate(catalog.read_csv(catalog.roster_path().name, catalog.roster_path().parent), start=2):
        read = parse_yesno(r.get("phai_bao_cao"))
        if read.status != OK:
            raise ValueError(f"catalog/roster.csv, dòng {i}: «{r.get('phai_bao_cao')}» không phải có/không")
        if read.value == 0:
            off.add((r.get("ma_don_vi") or "").strip())
    wards = official_wards(province)
    if "xa" in levels:
        units = wards
    else:
        codes = {u.code for u in wards}
        units = [
            Unit(r.code, r.name, r.kind, r.kind, r.parent)
            for r in catalog.unit_registry()
            if r.kind in levels and (r.parent in codes or not (r.parent.isdigit() and len(r.parent) == 5))
        ]
    return sorted((u for u in units if u.code not in off), key=lambda u: u.name)


def plan_row(plan: str) -> dict[str, str]:
    row = next((r for r in catalog.read_csv("plans.csv") if r["plan"] == plan), None)
    if row is None:
        raise ValueError(f"Kế hoạch «{plan}» không có trong danh mục (catalog/plans.csv).")
    return row


def _layout(plan: str) -> list[tuple[str, list[str]]]:
    """The header groups over the form's fields (core/form.py: catalog/fields.csv, column nhom)."""
    return [(title, [f.code for f in group]) for title, group in form.groups(plan)]


def count_rule(col: str, row: int, pair: tuple[str, str] | None = None) -> str:
    """The validation formula of a count cell (relative to ``col``/``row``): a whole number ≥ 0 or a
    convention word; with ``pair`` = (numerator column, denominator column): numerator ≤ denominator.
    IF guards INT() from text (Excel's AND/OR evaluate every argument: an error would refuse ``-``)."""
    c = f"{col}{row}"
    words = ",".join(f'{c}="{w}"' for w in COUNT_WORDS)
    rule = f"IF(ISNUMBER({c}),AND({c}>=0,{c}=INT({c})),OR({words}))"
    if pair:
        n, d = (f"{x}{row}" for x in pair)
        rule = f"AND({rule},IF(AND(ISNUMBER({n}),ISNUMBER({d})),{n}<={d},TRUE))"
    return rule


def build_form(plan: str, period: str, out: str | Path, province: int | None = None, link: str = "") -> FormKit:
    """Write the form for ``plan`` and ``period`` (native code: 2026-Q3, 2026-04, 2026-H1, 2026) to ``out``."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    prow = plan_row(plan)
    province = province or int(prow.get("tinh") or 0) or int(catalog.settings()["province"])
    units = roster_units(province, catalog.plan_levels(plan))
    if not units:
        raise ValueError(
            f"Kế hoạch {plan}: danh mục chưa có {', '.join(catalog.unit_kinds()[k].word for k in catalog.plan_levels(plan))} "
            "nào phải báo cáo. Với chi bộ, cơ quan, phòng ban: thêm đơn vị vào catalog/don_vi.csv (hoặc NQ71_UNITS)."
        )
    fields = catalog.fields()
    text_fields = [c for c, f in fields.items() if f.kind == "text"]
    unit_field = fields[catalog.field_of_kind("unit")].name
    period_text = label(period)
    deadline = catalog.deadline_of(plan, period)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = period_text.replace("/", ".")[:31]  # «Quý III.2026»: a sheet name has no «/»
    bold = Font(bold=True)
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    input_fill = PatternFill("solid", fgColor="FFFFF0")
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws["A1"] = catalog.body_name(prow.get("co_quan") or "").upper()  # the full name: «SỞ GIÁO DỤC VÀ ĐÀO TẠO …»
    ws["A1"].font = bold
    ws["A2"] = "PHỤ LỤC"
    ws["A2"].font = Font(bold=True, size=13)
    ws["A3"] = TITLE
    ws["A3"].font = bold
    ws["A4"] = f"Kỳ báo cáo: {period_text}"
    ws["A4"].font = Font(bold=True, italic=True)

    ws.cell(HEADER_ROW, 1, "TT")
    ws.cell(HEADER_ROW, 2, unit_field)
    col = 3
    columns: dict[str, str] = {}
    for title, codes in _layout(plan):
        if len(codes) == 1 and title == fields[codes[0]].name:
            ws.cell(HEADER_ROW, col, title)
            ws.merge_cells(start_row=HEADER_ROW, start_column=col, end_row=LEAF_ROW, end_column=col)
        else:
            ws.cell(HEADER_ROW, col, title)
            ws.merge_cells(start_row=HEADER_ROW, start_column=col, end_row=HEADER_ROW, end_column=col + len(codes) - 1)
            for i, code in enumerate(codes):
                ws.cell(LEAF_ROW, col + i, fields[code].name)
        for i, code in enumerate(codes):
            columns[code] = get_column_letter(col + i)
        col += len(codes)
    for code in text_fields:
        ws.cell(HEADER_ROW, col, fields[code].name)
        ws.merge_cells(start_row=HEADER_ROW, start_column=col, end_row=LEAF_ROW, end_column=col)
        columns[code] = get_column_letter(col)
        col += 1
    last_col = col - 1
    for c in (1, 2):
        ws.merge_cells(start_row=HEADER_ROW, start_column=c, end_row=LEAF_ROW, end_column=c)
    for c in range(1, last_col + 1):
        ws.cell(NUMBER_ROW, c, f"({c})")
        for r in (HEADER_ROW, LEAF_ROW, NUMBER_ROW):
            cell = ws.cell(r, c)
            cell.font, cell.alignment, cell.border, cell.fill = bold, wrap, box, head_fill
        ws.column_dimensions[get_column_letter(c)].width = 14 if c > 2 else (5 if c == 1 else 30)
    for code in text_fields:
        ws.column_dimensions[columns[code]].width = 36
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.row_dimensions[LEAF_ROW].height = 75

    last_row = FIRST_ROW + len(units) - 1
    for i, u in enumerate(units):
        r = FIRST_ROW + i
        ws.cell(r, 1, i + 1).alignment = Alignment(horizontal="center")
        ws.cell(r, 2, u.name)
        for c in range(1, last_col + 1):
            cell = ws.cell(r, c)
            cell.border = box
            if c > 2:  # a value cell: the person types here
                cell.protection = Protection(locked=False)
                cell.fill = input_fill
                if columns_by_letter(columns).get(get_column_letter(c)) in text_fields:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    total = last_row + 1
    ws.cell(total, 2, "Tổng cộng").font = bold
    for code, letter in columns.items():
        kind = fields[code].kind
        rng = f"{letter}{FIRST_ROW}:{letter}{last_row}"
        if kind == "count":
            ws[f"{letter}{total}"] = f"=SUM({rng})"
        elif kind == "yesno":
            ws[f"{letter}{total}"] = f'=COUNTIF({rng},"Có")+COUNTIF({rng},"x")'
    for c in range(1, last_col + 1):
        ws.cell(total, c).border, ws.cell(total, c).font = box, bold

    _validations(ws, DataValidation, columns, fields, text_fields, last_row)
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    ws.print_title_rows = f"{HEADER_ROW}:{NUMBER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True  # unit names and headers locked; no password (the office may lift it)
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    _guide(wb.create_sheet("Hướng dẫn"), period_text, deadline, link, fields, columns)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return FormKit(out, ws.title, len(units), columns, deadline)


def columns_by_letter(columns: dict[str, str]) -> dict[str, str]:
    return {v: k for k, v in columns.items()}


def _validations(ws, DataValidation, columns, fields, text_fields, last_row) -> None:
    pair_of = {}
    for num, den in catalog.pairs():
        if num in columns and den in columns:
            pair_of[num] = pair_of[den] = (columns[num], columns[den])
    for code, letter in columns.items():
        f = fields[code]
        rng = f"{letter}{FIRST_ROW}:{letter}{last_row}"
        name = prompt_title(f.name)
        if f.kind == "count":
            dv = DataValidation(type="custom", formula1=count_rule(letter, FIRST_ROW, pair_of.get(code)))
            extra = ""
            if code in pair_of:
                other = fields[f.denominator].name if f.denominator else fields[_numerator_of(code)].name
                extra = f" Không được lớn hơn «{other}»." if f.denominator else f" Không được nhỏ hơn «{other}»."
            dv.prompt = (
                f"Số nguyên ≥ 0 ({f.measure or 'số'}).{extra} Ghi - nếu bằng 0; ... nếu có nhưng chưa "
                "thu thập; x nếu không áp dụng; để trống nếu chưa có số liệu."
            )[:255]
            pair_error = ""
            if code in pair_of:
                pair_error = (
                    f" Số này không được lớn hơn «{fields[f.denominator].name}»."
                    if f.denominator
                    else f" Tổng số này không được nhỏ hơn «{fields[_numerator_of(code)].name}»."
                )
            dv.error = (
                "Chỉ nhận số nguyên không âm (không ghi số thập phân, số âm hay chữ), hoặc -, ..., x." + pair_error
            )[:255]
        elif f.kind == "yesno":
            dv = DataValidation(type="list", formula1='"' + ",".join(YESNO_LIST) + '"')
            dv.prompt = "Chọn Có hoặc Không (x cũng là có); để trống nếu chưa trả lời."
            dv.error = "Chỉ chọn Có, Không hoặc x."
        else:
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(TEXT_MAX))
            dv.prompt = f"Ghi nội dung ngắn gọn (tối đa {fmt.number(TEXT_MAX)} ký tự); để trống nếu không có."
            dv.error = f"Tối đa {fmt.number(TEXT_MAX)} ký tự."
        dv.allow_blank = True
        dv.showInputMessage = dv.showErrorMessage = True
        dv.errorStyle = "stop"
        dv.promptTitle = name
        dv.errorTitle = "Giá trị không hợp lệ"
        dv.add(rng)
        ws.add_data_validation(dv)


TITLE_MAX = 32  # Excel refuses a longer input-message title


def prompt_title(name: str, limit: int = TITLE_MAX) -> str:
    """A cell prompt's title of at most ``limit`` characters, cut after a whole word with «…»,
    never inside one («Số pano, áp phích, băng rôn, khẩ» was what a plain cut gave)."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    words, out = name.split(" "), ""
    for w in words:
        if len(f"{out} {w}".strip()) + 1 > limit:
            break
        out = f"{out} {w}".strip()
    return (out.rstrip(",;:") or name[: limit - 1]) + "…"


def _numerator_of(den: str) -> str:
    return next(n for n, d in catalog.pairs() if d == den)


def _guide(ws, period_text, deadline, link, fields, columns) -> None:
    from openpyxl.styles import Alignment, Font

    rows = [
        ("HƯỚNG DẪN ĐIỀN BIỂU MẪU", ""),
        ("Kỳ báo cáo", period_text),
        ("Hạn báo cáo", fmt.document_date(deadline)),
        ("Đường dẫn bảng chung", link or "(đơn vị nhận tệp qua thư điện tử)"),
        ("", ""),
        ("Cách ghi", "Ý nghĩa"),
        ("số nguyên (12, 1.234)", "số lượng; 1.234 là một nghìn hai trăm ba mươi tư"),
        ("-", "bằng 0: trong kỳ không có"),
        ("... (ba dấu chấm)", "có nhưng chưa thu thập được số liệu: không tính là 0"),
        ("x (ô số lượng)", "không áp dụng với đơn vị: không tính là 0"),
        ("để trống", "chưa có số liệu: không bao giờ tính là 0"),
        ("Có / x (ô có, không)", "có (đã ban hành kế hoạch, đã có chuyên mục)"),
        ("Không (ô có, không)", "không, chưa"),
        ("", ""),
        ("Lưu ý", ""),
        ("1", "Không sửa tên đơn vị, tiêu đề, dòng đánh số (1), (2)… và dòng Tổng cộng (đã khóa)."),
        ("2", "Không ghi số thập phân, số âm hoặc chữ vào ô số lượng; ô sai sẽ bị từ chối khi nhập."),
        ("3", "Số được quán triệt, học tập, hiểu rõ, tập huấn không được lớn hơn tổng số tương ứng."),
        ("4", "Khó khăn, đề xuất: ghi ngắn gọn, mỗi ý một câu."),
        ("", ""),
        ("Cột", "Nội dung cột"),
    ]
    rows += [(columns[c], fields[c].name) for c in columns]
    for r, (a, b) in enumerate(rows, start=1):
        ws.cell(r, 1, a)
        ws.cell(r, 2, b).alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1 or a in ("Cách ghi", "Lưu ý", "Cột"):
            ws.cell(r, 1).font = ws.cell(r, 2).font = Font(bold=True)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 90


def write_qr(link: str, png: str | Path) -> tuple[Path, Path]:
    """The link as a QR code: ``png`` and an SVG beside it (to print in the plan document)."""
    import segno

    if not link.strip():
        raise ValueError("Cần đường dẫn để tạo mã QR.")
    png = Path(png)
    svg = png.with_suffix(".svg")
    png.parent.mkdir(parents=True, exist_ok=True)
    qr = segno.make(link.strip(), error="m", micro=False)
    qr.save(png, scale=10, border=4, light="#fff")  # a white quiet zone: scanners need contrast
    qr.save(svg, scale=10, border=4, light="#fff")
    return png, svg
