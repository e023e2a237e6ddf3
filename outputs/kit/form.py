"""The office form (bieu-mau.md, layout 1) written exactly as the importer reads it.

Sheet 1, named after the period (``Quý III.2026``)::

    1  <the plan's body>
    2  PHỤ LỤC
    3  Thống kê kết quả tổ chức học tập, quán triệt, tuyên truyền thực hiện Nghị quyết số 71-NQ/TW
    4  Kỳ báo cáo: Quý III/2026
    6  TT | Tên đơn vị | <group, merged over its fields> ...  | Khó khăn, vướng mắc | Đề xuất, kiến nghị | Ghi chú
    7           |            | <the field's name from catalog/fields.csv> ...
    8  (1) (2) (3) ...                                        <- column numbering
    9… one row per unit of the level asked (``--level``; default: the plan's first kind of unit): the
       official xã/phường of the province, the schools of the school registry, or the chi bộ (cơ quan…)
       of the unit registry; less catalog/roster.csv's 0s
       Tổng cộng                                               <- formulas (SUM; the yes answers counted)

Every value cell has data validation with a Vietnamese input message: a count takes a whole
number ≥ 0 or the conventions ``-`` (0), ``...`` (not collected), ``x`` (not applicable), or
nothing; a numerator may not exceed its denominator (catalog/fields.csv ``mau_so``), checked on
both cells of the pair; a count above the field's maximum (fields.csv ``toi_da``) is refused; a yes/no
question is a list of every answer the reader accepts, as written (catalog/co_khong.csv, kept on the
``Hướng dẫn`` sheet: no 255-character limit); text up to 1.000 characters. Each input message is the
field's own help (``core.form.FormField.help``, the web form's too) and, for a count, the cell conventions.
Unit and header cells are locked (sheet protection, no password: the office can lift it to add
a row); value cells are not. Sheet 2 (``Hướng dẫn``) explains the conventions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from core import catalog, fmt, form
from core.periods import label
from data_sources.parse.units import Unit, official_wards, read_schools
from data_sources.parse.values import OK, parse_yesno

TITLE = "Thống kê kết quả tổ chức học tập, quán triệt, tuyên truyền thực hiện Nghị quyết số 71-NQ/TW"
HEADER_ROW, LEAF_ROW, NUMBER_ROW, FIRST_ROW = 6, 7, 8, 9
# what a count cell may hold besides a whole number ≥ 0 (the importer's conventions, values.py)
COUNT_WORDS = ("-", "–", "—", "...", "…", "x")
COUNT_CONVENTIONS = "Ghi - nếu bằng 0; ... nếu chưa thu thập; x nếu không áp dụng; để trống nếu chưa có số liệu."
TEXT_MAX = form.TEXT_MAX
GUIDE = "Hướng dẫn"
LINKS = "Đường dẫn riêng"


@dataclass(frozen=True)
class FormKit:
    path: Path
    sheet: str
    units: int
    columns: dict[str, str]  # field code -> column letter
    deadline: dt.date


def roster_units(
    province: int, levels: tuple[str, ...] = catalog.BUILT_IN_LEVELS, level: str | None = None
) -> list[Unit]:
    """Who must report, in order of names, less the units catalog/roster.csv takes off
    (``phai_bao_cao`` = 0). ``level`` (else: xã/phường when ``levels`` has it, otherwise ``levels``' kinds):

    - ``xa``: every official xã/phường of the province;
    - ``truong``: the schools of the school registry (``schools`` in the configuration, NQ71_SCHOOLS) in
      the province's xã/phường;
    - any other kind (plan 004: ``chi_bo``): the units of that kind in the unit registry
      (catalog/don_vi.csv) under a xã/phường of the province or under no xã/phường."""
    off = set()
    for i, r in enumerate(catalog.read_csv(catalog.roster_path().name, catalog.roster_path().parent), start=2):
        read = parse_yesno(r.get("phai_bao_cao"))
        if read.status != OK:
            raise ValueError(f"catalog/roster.csv, dòng {i}: «{r.get('phai_bao_cao')}» không phải có/không")
        if read.value == 0:
            off.add((r.get("ma_don_vi") or "").strip())
    wards = official_wards(province)
    codes = {u.code for u in wards}
    kinds = (level,) if level else (("xa",) if "xa" in levels else levels)
    if kinds == ("xa",):
        units = wards
    elif kinds == ("truong",):
        path = catalog.settings().get("schools") or ""
        if not path:
            raise ValueError(
                "Chưa có danh mục trường để lập biểu mẫu cấp trường: khai báo schools trong cấu hình "
                "(hoặc NQ71_SCHOOLS), tệp CSV ma_truong,ten_truong,cap_hoc,ma_xa."
            )
        units = read_schools(catalog.resolve(path), codes)
    else:
        units = [
            Unit(r.code, r.name, r.kind, r.kind, r.parent)
            for r in catalog.unit_registry()
            if r.kind in kinds and (r.parent in codes or not (r.parent.isdigit() and len(r.parent) == 5))
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


def count_rule(col: str, row: int, pair: tuple[str, str] | None = None, maximum: float | None = None) -> str:
    """The validation formula of a count cell (relative to ``col``/``row``): a whole number ≥ 0 (and at most
    ``maximum``, the reader's toi_da) or a convention word; with ``pair`` = (numerator column, denominator
    column): numerator ≤ denominator. IF guards INT() from text (Excel's AND/OR evaluate every argument: an
    error would refuse ``-``)."""
    c = f"{col}{row}"
    words = ",".join(f'{c}="{w}"' for w in COUNT_WORDS)
    top = f",{c}<={maximum:.0f}" if maximum is not None else ""
    rule = f"IF(ISNUMBER({c}),AND({c}>=0,{c}=INT({c}){top}),OR({words}))"
    if pair:
        n, d = (f"{x}{row}" for x in pair)
        rule = f"AND({rule},IF(AND(ISNUMBER({n}),ISNUMBER({d})),{n}<={d},TRUE))"
    return rule


def build_form(
    plan: str,
    period: str,
    out: str | Path,
    province: int | None = None,
    link: str = "",
    level: str | None = None,
    links_db: str | Path | None = None,
) -> FormKit:
    """Write the form for ``plan`` and ``period`` (native code: 2026-Q3, 2026-04, 2026-H1, 2026) to ``out``, one
    row per unit of ``level`` (one of the plan's kinds of unit, catalog.plan_levels; default: its first). With
    ``links_db`` (the database the links are signed for): a last sheet «Đường dẫn riêng», each unit's personal
    link and its QR code (the form sheet the reader reads is unchanged)."""
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    prow = plan_row(plan)
    province = province or int(prow.get("tinh") or 0) or int(catalog.settings()["province"])
    levels = catalog.plan_levels(plan)
    level = level or levels[0]
    if level not in levels:
        words = ", ".join(catalog.unit_kinds()[k].word for k in levels)
        asked = catalog.unit_kinds()[level].word if level in catalog.unit_kinds() else level
        raise ValueError(f"Kế hoạch {plan} theo dõi {words}; không lập biểu mẫu cho {asked} với kế hoạch này.")
    units = roster_units(province, levels, level)
    if not units:
        raise ValueError(
            f"Kế hoạch {plan}: danh mục chưa có {catalog.unit_kinds()[level].word} nào phải báo cáo. Với chi bộ, "
            "cơ quan, phòng ban: thêm đơn vị vào catalog/don_vi.csv (hoặc NQ71_UNITS)."
        )
    fields = catalog.fields()
    text_fields = [f.code for f in form.fields(plan) if f.kind == "text"]
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

    guide_rows = _guide(wb.create_sheet(GUIDE), period_text, deadline, link, fields, columns)
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
        elif kind == "yesno":  # the yes answers: each word of the guide's list whose meaning is «có»
            ws[f"{letter}{total}"] = f"=SUMPRODUCT(--ISNUMBER(MATCH({rng},{answer_ranges(guide_rows)[1]},0)))"
    for c in range(1, last_col + 1):
        ws.cell(total, c).border, ws.cell(total, c).font = box, bold

    _validations(ws, DataValidation, columns, {f.code: f for f in form.fields(plan)}, last_row, guide_rows)
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    ws.print_title_rows = f"{HEADER_ROW}:{NUMBER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True  # unit names and headers locked; no password (the office may lift it)
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    if links_db is not None:
        _links_sheet(wb.create_sheet(LINKS), units, plan, period, links_db)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return FormKit(out, ws.title, len(units), columns, deadline)


def columns_by_letter(columns: dict[str, str]) -> dict[str, str]:
    return {v: k for k, v in columns.items()}


def answer_ranges(rows: tuple[int, int, int]) -> tuple[str, str]:
    """The guide sheet's yes/no answers as written (column A: the list a yes/no cell offers) and those that mean
    «có» (column D: what the total row counts; MATCH, not COUNTIF, whose «TRUE» LibreOffice takes for 1)."""
    a, b, yes_end = rows
    return f"'{GUIDE}'!$A${a}:$A${b}", f"'{GUIDE}'!$D${a}:$D${yes_end}"


def prompt_text(f: form.FormField) -> str:
    """A cell's input message (at most 255 characters): the field's own help (the web form's too) and, for a
    count, the cell conventions of a spreadsheet; cut at a sentence when both do not fit."""
    if f.kind != "count":
        return f.help[:255]
    whole = f"{f.help} {COUNT_CONVENTIONS}"
    return whole if len(whole) <= 255 else f"{f.help} Ghi -, ..., x: xem trang Hướng dẫn."[:255]


def _validations(ws, DataValidation, columns, fields: dict[str, form.FormField], last_row, guide_rows) -> None:
    pair_of = {}
    for num, den in catalog.pairs():
        if num in columns and den in columns:
            pair_of[num] = pair_of[den] = (columns[num], columns[den])
    for code, letter in columns.items():
        f = fields[code]
        rng = f"{letter}{FIRST_ROW}:{letter}{last_row}"
        if f.kind == "count":
            dv = DataValidation(type="custom", formula1=count_rule(letter, FIRST_ROW, pair_of.get(code), f.maximum))
            pair_error = ""
            if code in pair_of:
                pair_error = (
                    f" Số này không được lớn hơn «{fields[f.total].name}»."
                    if f.total
                    else f" Tổng số này không được nhỏ hơn «{fields[form.numerator_of(code)].name}»."
                )
            top = f" Tối đa {fmt.number(f.maximum)}." if f.maximum is not None else ""
            dv.error = (
                "Chỉ nhận số nguyên không âm (không ghi số thập phân, số âm hay chữ), hoặc -, ..., x."
                + top
                + pair_error
            )[:255]
        elif f.kind == "yesno":
            dv = DataValidation(type="list", formula1=answer_ranges(guide_rows)[0])
            dv.error = "Chọn một câu trả lời trong danh sách (Có, Không, x…: xem trang Hướng dẫn)."
        else:
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(TEXT_MAX))
            dv.error = f"Tối đa {fmt.number(TEXT_MAX)} ký tự."
        dv.prompt = prompt_text(f)
        dv.allow_blank = True
        dv.showInputMessage = dv.showErrorMessage = True
        dv.errorStyle = "stop"
        dv.promptTitle = prompt_title(f.name)
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


def _guide(ws, period_text, deadline, link, fields, columns) -> tuple[int, int, int]:
    """The «Hướng dẫn» sheet; returns the rows of its yes/no answers (first, last, last of the «có» ones)."""
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
        ("Có / x (ô có, không)", "có (đã ban hành kế hoạch, đã có chuyên mục); các cách ghi khác: cuối trang"),
        ("Không (ô có, không)", "không, chưa; các cách ghi khác: cuối trang"),
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
    rows += [("", ""), ("Trả lời có/không", "Nghĩa")]
    first = len(rows) + 1
    # «1» and «0» as numbers: what a person types in a cell is a number, and the list compares values
    answers = [(int(w) if w in ("0", "1") else w, v) for w, v in catalog.yes_no_words()]
    rows += [(w, "có" if v else "không") for w, v in answers]
    yes = [w for w, v in answers if v]
    ws.cell(first - 1, 4, "Tính là «có» (dòng Tổng cộng)").font = Font(bold=True)
    for i, w in enumerate(yes):
        ws.cell(first + i, 4, w)
    ws.column_dimensions["D"].width = 30
    for r, (a, b) in enumerate(rows, start=1):
        ws.cell(r, 1, a)
        ws.cell(r, 2, b).alignment = Alignment(wrap_text=True, vertical="top")
        if r == 1 or a in ("Cách ghi", "Lưu ý", "Cột", "Trả lời có/không"):
            ws.cell(r, 1).font = ws.cell(r, 2).font = Font(bold=True)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 90
    ws.protection.sheet = True  # the list of answers the form's cells offer: changed in the catalog, not here
    return first, len(rows), first + len(yes) - 1


def qr_png(link: str, scale: int = 10) -> bytes:
    """The link as a QR code (PNG bytes), a white quiet zone around it (scanners need contrast)."""
    import io

    import segno

    buf = io.BytesIO()
    segno.make(link.strip(), error="m", micro=False).save(buf, kind="png", scale=scale, border=4, light="#fff")
    return buf.getvalue()


def _links_sheet(ws, units: list[Unit], plan: str, period: str, db_path: str | Path) -> None:
    """Each unit's personal link (core.links) and its QR code, one row per unit, in the form's order. A sheet the
    reader leaves aside: its header names no field of the form («Đơn vị nhận», not «Tên đơn vị»)."""
    import io

    from openpyxl.drawing.image import Image
    from openpyxl.styles import Alignment, Font

    from core import links

    ws["A1"] = f"ĐƯỜNG DẪN RIÊNG CỦA CÁC ĐƠN VỊ – {label(period)}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (
        f"Mỗi đơn vị chỉ dùng đường dẫn của mình; dùng được đến hết ngày {fmt.date(links.expires(plan, period))}. "
        "Gửi riêng cho từng đơn vị (thư điện tử, Zalo), không gửi cả danh sách."
    )
    for c, title in enumerate(("TT", "Đơn vị nhận", "Đường dẫn riêng", "Mã QR"), start=1):
        ws.cell(4, c, title).font = Font(bold=True)
    for i, u in enumerate(units):
        r = 5 + i
        url = links.url(db_path, u.code, plan, period)
        ws.cell(r, 1, i + 1)
        ws.cell(r, 2, u.name).alignment = Alignment(vertical="center", wrap_text=True)
        ws.cell(r, 3, url).alignment = Alignment(vertical="center", wrap_text=True)
        img = Image(io.BytesIO(qr_png(url, scale=3)))
        img.width = img.height = 110
        ws.add_image(img, f"D{r}")
        ws.row_dimensions[r].height = 86
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["C"].width = 70
    ws.column_dimensions["D"].width = 18


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
