"""The periodic report (báo cáo định kỳ) as a Word document, and as a PDF through LibreOffice.

    python -m outputs report --db DB --plan 000 --period 2026-Q2 [--unit CODE] --out bao_cao.docx [--pdf]

Layout of Decree 30/2020/NĐ-CP (administrative documents; Appendix I): A4, margins top and
bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 14 pt (13 pt in tables and the heading's
left column); the national heading «CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh
phúc» with its rule on the right, the issuing body on the left; number and symbol, place and
date; the title; a justified body with a first-line indent; page numbers at the top centre from
page 2; «Nơi nhận» and the signature block. A Party committee (the plan's body starts with
«Đảng») uses the Party heading «ĐẢNG CỘNG SẢN VIỆT NAM» and a «*» under its name.

The number, the date and the signer's name are left blank: the office fills them in and signs.
Every number comes from the read API (``queries/report_data.py``) for the plan, period and
scope asked; a section without data says so; nothing is invented. Real Word structures (styles
Normal / Heading 1 / Heading 2 / List, tables with a repeated header row), so the office edits
the text before signing.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core import catalog, fmt
from core.periods import label as period_label
from core.periods import phrase as period_phrase
from data_sources.parse.units import official_ward
from queries.report_data import ReportData, gather, grouped_texts

FONT = "Times New Roman"  # Debian has none: LibreOffice renders it with Liberation Serif (same metrics)
BODY_PT = 14
TABLE_PT = 12
PAGE_W, PAGE_H = 210, 297  # A4, mm
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # mm (Decree 30: 20–25, 20–25, 30–35, 15–20)
TEXT_W = PAGE_W - MARGINS["left"] - MARGINS["right"]  # 165 mm
FIRST_LINE_INDENT_MM = 10  # Decree 30: 1 cm – 1,27 cm
NOT_SEEN = "chưa có số liệu"


class ReportError(RuntimeError):
    """The report or its PDF could not be made (the message is Vietnamese, for the person)."""


@dataclass(frozen=True)
class Issuer:
    """Who signs: the heading's left column, the symbol after the number, the signature block."""

    party: bool
    lines: tuple[str, ...]  # the left column: superior body (regular), the body itself (bold), "*" for the Party
    symbol: str  # "/BC-SGDĐT", "-BC/ĐU"
    place: str
    signer: tuple[str, ...]  # "T/M ĐẢNG ỦY", "BÍ THƯ"
    recipients: tuple[str, ...]


PLACE_WORDS = ("phường", "xã", "đặc khu")  # a body named by its kind of place only: «Đảng ủy phường»
BLANK = "……………"  # a part of the heading the catalog does not know: the office writes it in


@dataclass(frozen=True)
class Committee:
    """The plan's body named in full: «Đảng ủy phường Buôn Ma Thuột» under «Đảng bộ tỉnh Đắk Lắk»."""

    name: str  # for the text («Đảng ủy phường Buôn Ma Thuột»; as the catalog writes it when the place is unknown)
    heading: str  # the heading's bold line, upper case; the place left blank when it is not known
    superior: str  # «Đảng bộ tỉnh Đắk Lắk» (Hướng dẫn 36-HD/VPTW: the committee directly above), «» if unknown
    place: str  # «Buôn Ma Thuột» (before «, ngày … tháng … năm»), «» if unknown
    note: str  # what the heading leaves blank and where the catalog would carry it; «» when nothing is


def committee(plan: str, body: str) -> Committee:
    """The body of ``plan`` in full. A body the catalog names by its kind of place only (plans.csv co_quan
    «Đảng ủy phường») gets its xã/phường from plans.csv ``dia_ban`` (an official code), else from the unit
    registry when every unit that reports to the plan sits under one official xã/phường (the chi bộ of a
    Đảng ủy phường are that ward's); its superior is that ward's province. Neither known: the heading
    leaves the name blank and ``note`` says so — a name is never guessed."""
    name = catalog.body_name(body)
    low = name.casefold()
    word = next((w for w in PLACE_WORDS if low.endswith(" " + w)), None)
    if word is None:
        return Committee(name, name.upper(), "", "", "")
    code, where = catalog.plan_document(plan).place, "catalog/plans.csv (cột dia_ban)"
    if not code:
        levels = catalog.plan_levels(plan)
        parents = {u.parent for u in catalog.unit_registry() if u.kind in levels}
        if len(parents) == 1 and re.fullmatch(r"\d{5}", next(iter(parents))):
            code, where = parents.pop(), f"{catalog.registry_path().name} (cột cap_tren của các đơn vị)"
    found = official_ward(code) if code else None
    if found is None:
        why = (
            f"mã «{code}» ở {where} không phải mã xã/phường chính thức"
            if code
            else "ghi mã xã/phường chính thức vào catalog/plans.csv, cột dia_ban"
        )
        return Committee(
            name,
            f"{name.upper()} {BLANK}",
            "",
            "",
            f"Danh mục chưa cho biết tên {word} của «{name}»: đầu văn bản để trống tên {word} và cấp ủy cấp trên "
            f"để văn phòng ghi trước khi trình ký (quản trị viên bổ sung: {why}).",
        )
    ward, province = found
    stem = name[: -len(word)].strip()  # «Đảng ủy»
    full = f"{stem} {ward.name[0].lower()}{ward.name[1:]}"  # «Đảng ủy phường Buôn Ma Thuột»
    place = ward.name.split(" ", 1)[1] if ward.name.casefold().startswith(("phường ", "xã ")) else ward.name
    if ward.name.casefold().startswith("đặc khu "):
        place = ward.name[len("đặc khu ") :]
    superior = f"Đảng bộ {province}" if stem.casefold().startswith("đảng") else f"Ủy ban nhân dân {province}"
    return Committee(full, full.upper(), superior, place, "")


def issuer_of(body: str, province: str, plan: str | None = None) -> Issuer:
    """The heading and signature of the plan's body (catalog/plans.csv, co_quan): a Sở GDĐT, a
    People's Committee (UBND) or a Party committee (Đảng ủy). Anything else keeps its own name. A Party
    committee's left column (Hướng dẫn 36-HD/VPTW): the committee directly above, the committee in bold,
    «*» (see :func:`committee`)."""
    name = " ".join(body.split())
    short = name.split("(")[0].strip()
    where = name[name.find("(") + 1 : name.find(")")].strip() if "(" in name and ")" in name else province
    low = short.casefold()
    if low.startswith(("đảng", "dang")):
        c = committee(plan, body) if plan else Committee(short, short.upper(), "", "", "")
        return Issuer(
            True,
            (*([c.superior.upper()] if c.superior else []), c.heading, "*"),
            "-BC/ĐU",
            c.place or where or province,
            ("T/M ĐẢNG ỦY", "BÍ THƯ"),
            ("- Cấp ủy cấp trên (để báo cáo);", "- Các chi bộ trực thuộc;", "- Lưu Văn phòng Đảng ủy."),
        )
    if low.startswith(("sở gdđt", "sở giáo dục")):
        tail = short[len("Sở GDĐT") :].strip() if low.startswith("sở gdđt") else province
        tinh = tail or province
        return Issuer(
            False,
            (f"UBND TỈNH {tinh.upper()}", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"),
            "/BC-SGDĐT",
            tinh,
            ("GIÁM ĐỐC",),
            ("- UBND tỉnh (để báo cáo);", "- Bộ Giáo dục và Đào tạo (để báo cáo);", "- Lãnh đạo Sở;", "- Lưu: VT, VP."),
        )
    if low.startswith(("ubnd", "ủy ban nhân dân", "uỷ ban nhân dân")):
        rest = short.split(" ", 1)[1] if low.startswith("ubnd") else short[len("Ủy ban nhân dân") :]
        return Issuer(
            False,
            ("ỦY BAN NHÂN DÂN", rest.strip().upper()),
            "/BC-UBND",
            where or province,
            ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
            ("- UBND tỉnh (để báo cáo);", "- Thường trực Đảng ủy;", "- Lưu: VT, VHXH."),
        )
    return Issuer(False, (short.upper(),), "/BC", province, ("THỦ TRƯỞNG CƠ QUAN",), ("- Như trên;", "- Lưu: VT."))


# ---------------------------------------------------------------------------------------------- numbers


def _is_num(x) -> bool:
    """A value to print as a number: not None, NaN, pandas' NA or NaT (each would print as a code)."""
    try:
        return not bool(pd.isna(x))
    except (TypeError, ValueError):  # a list or an array is not one number
        return False


RESOLUTION = f"Nghị quyết số 71-NQ/TW ngày {fmt.document_date(dt.date(2025, 8, 22))} của Bộ Chính trị"


def plan_reference(doc: catalog.PlanDocument) -> str:
    """The plan as the opening sentence names it: number and date from the catalog; a plan the
    catalog has neither for says so in words, never a blank or a code."""
    about = f" về {doc.subject}" if doc.subject else ""
    if doc.number and doc.issued:
        return f"Kế hoạch số {doc.number} ngày {fmt.document_date(doc.issued)}{about}"
    if doc.number:
        return f"Kế hoạch số {doc.number} (danh mục kế hoạch chưa ghi ngày ban hành){about}"
    if doc.issued:
        return f"Kế hoạch ngày {fmt.document_date(doc.issued)} (danh mục kế hoạch chưa ghi số hiệu){about}"
    return f"Kế hoạch (danh mục kế hoạch chưa ghi số và ngày ban hành){about}"


def value_text(value, measure: str) -> str:
    """A target's value as the dashboard shows it: 47,5% ; 4 chuyên đề."""
    if not _is_num(value):
        return NOT_SEEN.capitalize()
    if measure == "%":
        return fmt.percent(value)
    return f"{fmt.number(value, 0 if float(value).is_integer() else 1)} {measure}"


def target_text(target, measure: str) -> str:
    if not _is_num(target):
        return "Không nêu số (theo dõi)"
    return f"≥ {fmt.percent(target, 0) if measure == '%' else fmt.number(target) + ' ' + measure}"


def status_word(code: str) -> str:
    return catalog.statuses()[code].label


def target_rows(d: ReportData) -> list[dict]:
    """One row per target of the plan: the progress rows of the scope, then the reporting target
    (CT10) judged on the period's last quarter, as the Tình hình báo cáo page judges it."""
    rows = [
        {
            "code": r.indicator,
            "name": r.indicator_name,
            "value": value_text(r.value, r.measure),
            "target": target_text(r.target, r.measure),
            "status": r.status_label,
            "status_code": r.status,
            "deadline": fmt.document_date(r.deadline) if _is_num(r.deadline) else "Không quy định",
            "raw": r.value,
            "raw_target": r.target,
            "measure": r.measure,
        }
        for r in d.overall.itertuples()
    ]
    s = d.reporting_summary
    rep = next((i for i in catalog.indicators().values() if i.kind == "reporting"), None)
    if len(s) and rep is not None and d.reporting_target is not None:
        last = s.iloc[-1]
        rows.append(
            {
                "code": rep.code,
                "name": f"{rep.name} ({period_label(last.quarter)})",
                "value": value_text(last.on_time_rate, "%"),
                "target": target_text(d.reporting_target, "%"),
                "status": status_word(last.status),
                "status_code": last.status,
                "deadline": fmt.document_date(last.deadline),
                "raw": last.on_time_rate,
                "raw_target": d.reporting_target,
                "measure": "%",
            }
        )
    return rows


def field_line(r) -> str:
    """One field of the form over the period, in words."""
    name = r.field_name
    if not r.units:
        return f"{name}: {NOT_SEEN}."
    flagged = f"; {fmt.number(r.flagged)} đơn vị ghi số vượt tổng số, không tính" if r.flagged else ""
    if r.kind == "yesno":  # «78/93 đơn vị có số liệu đã ban hành kế hoạch tuyên truyền»
        what = name[0].lower() + name[1:]
        return f"{fmt.number(r.value)}/{fmt.number(r.units)} đơn vị có số liệu {what}{flagged}."
    return f"{name}: {fmt.number(r.value)} {r.measure} ({fmt.number(r.units)} đơn vị có số liệu{flagged})."


def pair_line(num, den) -> str:
    """A numerator with its total: «Số CBQL, GV, NV được quán triệt: 190/400 người (47,5%)»."""
    name = num.field_name
    if not num.units or not den.units or not _is_num(den.value) or not den.value:
        return f"{name}: {NOT_SEEN}."
    pct = fmt.percent(100.0 * num.value / den.value)
    flagged = f"; {fmt.number(num.flagged)} đơn vị ghi số vượt tổng số, không tính" if num.flagged else ""
    return (
        f"{name}: {fmt.number(num.value)}/{fmt.number(den.value)} {num.measure} ({pct}; "
        f"{fmt.number(num.units)} đơn vị có số liệu{flagged})."
    )


def sections() -> list[tuple[str, list[str]]]:
    """The report's «what was done» sections and the form's fields in each (catalog/bao_cao_muc.csv)."""
    return [(r["ten"], r["truong"].split()) for r in catalog.read_csv("bao_cao_muc.csv")]


# ---------------------------------------------------------------------------------------------- charts


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 9})  # DejaVu (shipped) has every Vietnamese letter
    return plt


def chart_targets(rows: list[dict]) -> bytes | None:
    """Percentage targets: the scope's value (a bar coloured by status) and the target (a tick)."""
    pct = [r for r in rows if r["measure"] == "%" and _is_num(r["raw"])]
    if not pct:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.3, 0.55 * len(pct) + 0.9), dpi=200)
    labels = [textwrap.fill(r["name"], 34) for r in pct][::-1]
    vals = [float(r["raw"]) for r in pct][::-1]
    colours = [catalog.statuses()[r["status_code"]].colour for r in pct][::-1]
    ax.barh(labels, vals, color=colours, height=0.55)
    for i, r in enumerate(pct[::-1]):
        ax.text(min(float(r["raw"]), 100) + 1, i, f"{fmt.percent(r['raw'])} · {r['status']}", va="center", fontsize=8)
        if _is_num(r["raw_target"]):
            ax.plot([r["raw_target"]] * 2, [i - 0.38, i + 0.38], color="black", linewidth=1.6)
    ax.set_xlim(0, 155)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xticklabels(["0%", "25%", "50%", "75%", "100%"])
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title("Vạch đen: chỉ tiêu của kế hoạch", fontsize=8, loc="left")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def chart_reporting(summary: pd.DataFrame) -> bytes | None:
    """Per quarter: units on time, late, not reported (stacked)."""
    if summary.empty or not summary.expected.sum():
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.3, 0.55 * len(summary) + 1.1), dpi=200)
    names = [period_label(q) for q in summary.quarter][::-1]
    parts = [
        ("Đúng hạn", summary.on_time, "#1a7f37"),
        ("Muộn", summary.late, "#bf8700"),
        ("Chưa báo cáo", summary.missing, "#8c959f"),
    ]
    left = [0] * len(summary)
    for label, values, colour in parts:
        v = list(values)[::-1]
        ax.barh(names, v, left=left, color=colour, label=label, height=0.5)
        for i, (x0, n) in enumerate(zip(left, v, strict=True)):
            if n:
                ax.text(x0 + n / 2, i, fmt.number(n), va="center", ha="center", fontsize=8, color="white")
        left = [a + b for a, b in zip(left, v, strict=True)]
    ax.legend(ncol=3, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    ax.set_title("Số đơn vị", fontsize=8, loc="right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------- Word


def _rfonts(rpr, name: str = FONT) -> None:
    """Every script slot of a run or style set to ``name`` (theme fonts removed: they would win)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rf = rpr.find(qn("w:rFonts"))
    if rf is None:
        rf = OxmlElement("w:rFonts")
        rpr.insert(0, rf)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rf.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rf.set(qn(f"w:{attr}"), name)


def _styles(doc) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _rfonts(normal.element.get_or_add_rPr())
    pf = normal.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.first_line_indent = Mm(FIRST_LINE_INDENT_MM)
    pf.space_before = Pt(0)
    pf.space_after = Pt(6)  # Decree 30: at least 6 pt between paragraphs
    pf.line_spacing = 1.15  # between single and 1,5 lines
    for name, size, italic in (("Heading 1", BODY_PT, False), ("Heading 2", BODY_PT, False), ("Caption", 13, True)):
        st = doc.styles[name]
        st.font.name = FONT
        st.font.size = Pt(size)
        st.font.bold = name != "Caption"
        st.font.italic = italic
        st.font.color.rgb = RGBColor(0, 0, 0)
        _rfonts(st.element.get_or_add_rPr())
        st.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER if name == "Caption" else WD_ALIGN_PARAGRAPH.JUSTIFY
        st.paragraph_format.first_line_indent = Mm(0 if name == "Caption" else FIRST_LINE_INDENT_MM)
        st.paragraph_format.space_before = Pt(6)
        st.paragraph_format.space_after = Pt(6)
        st.paragraph_format.keep_with_next = name != "Caption"
    table = doc.styles["Table Grid"]
    table.font.name = FONT
    table.font.size = Pt(TABLE_PT)


def _page(doc) -> None:
    """A4, the margins of Decree 30, page number at the top centre from page 2."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    s = doc.sections[0]
    s.page_width, s.page_height = Mm(PAGE_W), Mm(PAGE_H)
    s.top_margin, s.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
    s.left_margin, s.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
    s.header_distance, s.footer_distance = Mm(10), Mm(10)
    s.different_first_page_header_footer = True  # no number on page 1
    p = s.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Mm(0)
    _field(p, "PAGE", Pt(BODY_PT))
    s.first_page_header.paragraphs[0].text = ""


def _field(paragraph, instr: str, size) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(tag: str, **attrs):
        run = paragraph.add_run()
        run.font.size = size
        el = OxmlElement(tag)
        for k, v in attrs.items():
            el.set(qn(k), v)
        if tag == "w:instrText":
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
        run._r.append(el)
        return run

    run_with("w:fldChar", **{"w:fldCharType": "begin"})
    run_with("w:instrText")
    run_with("w:fldChar", **{"w:fldCharType": "separate"})
    paragraph.add_run("2").font.size = size  # shown until the viewer updates fields (Word and LibreOffice do)
    run_with("w:fldChar", **{"w:fldCharType": "end"})


def _para(container, text: str = "", *, bold=False, italic=False, size=None, align=None, indent=None, after=None):
    from docx.shared import Mm, Pt

    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if indent is not None:
        p.paragraph_format.first_line_indent = Mm(indent)
    if after is not None:
        p.paragraph_format.space_after = Pt(after)
    return p


def _rule(container, width_mm: float, box_mm: float) -> None:
    """A thin horizontal line ``width_mm`` long, centred in a box ``box_mm`` wide (the rule under
    the motto, the body's name and the title): a paragraph border between indents."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    p = container.add_paragraph()
    pf = p.paragraph_format
    side = max(0.0, (box_mm - width_mm) / 2)
    pf.left_indent, pf.right_indent, pf.first_line_indent = Mm(side), Mm(side), Mm(0)
    pf.space_before, pf.space_after, pf.line_spacing = Pt(3), Pt(4), Pt(2)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(k), v)
    borders.append(top)
    ppr.append(borders)


def _no_borders(table) -> None:
    """A layout table: no borders, no inner cell margins (the heading's lines need the full width)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tblpr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:w"), "0")
        e.set(qn("w:type"), "dxa")
        mar.append(e)
    tblpr.append(mar)
    b = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        b.append(e)
    tblpr.append(b)


def _widths(table, mm: list[float]) -> None:
    """Fixed column widths (Word reads the cells', LibreOffice the grid's: set both)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for col, w in zip(table.columns, mm, strict=True):
        col.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, mm, strict=True):
            cell.width = Mm(w)


def _heading(doc, issuer: Issuer, today: dt.date) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    c = WD_ALIGN_PARAGRAPH.CENTER
    left_w, right_w = 68, TEXT_W - 68
    t = doc.add_table(rows=2, cols=2)
    _no_borders(t)
    _widths(t, [left_w, right_w])
    lc, rc = t.cell(0, 0), t.cell(0, 1)
    lc.paragraphs[0]._p.getparent().remove(lc.paragraphs[0]._p)
    rc.paragraphs[0]._p.getparent().remove(rc.paragraphs[0]._p)
    *above, body = issuer.lines if not issuer.party else issuer.lines[:-1]  # the Party's «*» is drawn below
    for line in above:
        _para(lc, line, size=13, align=c, indent=0, after=0)
    _para(lc, body, bold=True, size=13, align=c, indent=0, after=0)
    if issuer.party:
        _para(lc, "*", size=13, align=c, indent=0, after=0)
    else:
        _rule(lc, 25, left_w)
    if issuer.party:
        _para(rc, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, size=15, align=c, indent=0, after=0)
        _rule(rc, 66, right_w)
    else:
        _para(rc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13, align=c, indent=0, after=0)
        _para(rc, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14, align=c, indent=0, after=0)
        _rule(rc, 62, right_w)
    number = f"Số       {issuer.symbol}" if issuer.party else f"Số:       {issuer.symbol}"
    t.cell(1, 0).paragraphs[0].text = ""
    p = t.cell(1, 0).paragraphs[0]
    p.add_run(number).font.size = Pt(13)
    p.alignment, p.paragraph_format.first_line_indent = c, 0
    p = t.cell(1, 1).paragraphs[0]
    p.add_run(f"{issuer.place}, ngày      tháng      năm {today.year}").italic = True
    p.alignment, p.paragraph_format.first_line_indent = c, 0


def _table(doc, header: list[str], rows: list[list[str]], widths: list[float], center: set[int] = frozenset()):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    t = doc.add_table(rows=1 + len(rows), cols=len(header))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(t, widths)
    trpr = t.rows[0]._tr.get_or_add_trPr()
    rep = OxmlElement("w:tblHeader")  # the header row repeats on every page
    rep.set(qn("w:val"), "true")
    trpr.append(rep)
    for i, row in enumerate([header, *rows]):
        for j, text in enumerate(row):
            p = t.cell(i, j).paragraphs[0]
            run = p.add_run(str(text))
            run.font.size = Pt(TABLE_PT)
            run.bold = i == 0 or None
            pf = p.paragraph_format
            pf.first_line_indent, pf.space_after, pf.line_spacing = Mm(0), Pt(2), 1.0
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if i == 0 or j in center else WD_ALIGN_PARAGRAPH.LEFT
    doc.add_paragraph().paragraph_format.space_after = Pt(0)
    return t


def _picture(doc, png: bytes, caption: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Mm(0)
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(png), width=Mm(150))
    doc.add_paragraph(caption, style="Caption")


def _scope_words(d: ReportData) -> str:
    level = catalog.unit_kinds()[d.level].word if d.level in catalog.unit_kinds() else "đơn vị"
    if d.unit_names:
        return ", ".join(d.unit_names)
    return f"các {level} thuộc phạm vi báo cáo"


def opening(d: ReportData, today: dt.date) -> str:
    """The first sentence: which plan (number and date from the catalog), who reports, on what, for
    which period and units; then where the numbers come from."""
    rep = d.reporting_summary
    last = rep.iloc[-1] if len(rep) else None
    reach = (
        f"{fmt.number(last.reported)}/{fmt.number(last.expected)} đơn vị đã báo cáo {period_phrase(last.quarter)}"
        if last is not None
        else "chưa có đơn vị nào phải báo cáo trong phạm vi này"
    )
    return (
        f"Thực hiện {plan_reference(catalog.plan_document(d.plan))}, {committee(d.plan, d.issuer).name} báo cáo kết "
        f"quả công tác truyền thông về {RESOLUTION} về đột phá phát triển giáo dục và đào tạo trong "
        f"{d.period.phrase} của {_scope_words(d)}. Số liệu tổng hợp từ biểu mẫu thống kê của các đơn vị "
        f"({reach}), cập nhật đến ngày {fmt.document_date(today)}, như sau:"
    )


def pace_rule(quarter: int) -> str:
    """How «Đúng tiến độ» is judged, said with the period's own last quarter (quý II: 2/4)."""
    roman = ["I", "II", "III", "IV"][quarter - 1]
    return (
        "Cách đánh giá tiến độ (kế hoạch không quy định, hệ thống áp dụng): chỉ tiêu đếm theo năm đúng tiến độ "
        f"khi số cộng dồn từ đầu năm đến hết quý {roman} đạt ít nhất {quarter}/4 chỉ tiêu năm; chỉ tiêu tỷ lệ có "
        "thời hạn đúng tiến độ khi không thấp hơn đường thẳng nối giá trị báo cáo đầu tiên với chỉ tiêu tại ngày "
        "hết hạn. Tỷ lệ là tổng số thành phần chia cho tổng số; «Chưa có số liệu» không bao giờ được tính là 0."
    )


def _signature(doc, issuer: Issuer) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    c, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    from docx.oxml import OxmlElement

    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    _widths(t, [85, TEXT_W - 85])
    # the row cannot break across pages: title, «Ký…», the space to sign and the name line stay together
    t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    lc, rc = t.cell(0, 0), t.cell(0, 1)
    p = lc.paragraphs[0]
    run = p.add_run("Nơi nhận:")
    run.bold, run.italic, run.font.size = True, True, Pt(12)
    p.alignment, p.paragraph_format.first_line_indent, p.paragraph_format.space_after = left, 0, 0
    for line in issuer.recipients:
        _para(lc, line, size=11, align=left, indent=0, after=0)
    first = rc.paragraphs[0]
    first.add_run(issuer.signer[0]).bold = True
    first.alignment, first.paragraph_format.first_line_indent, first.paragraph_format.space_after = c, 0, 0
    for line in issuer.signer[1:]:
        _para(rc, line, bold=True, align=c, indent=0, after=0)
    _para(rc, "(Ký, ghi rõ họ tên và đóng dấu)", italic=True, size=13, align=c, indent=0, after=0)
    for _ in range(4):
        _para(rc, "", align=c, indent=0, after=0)
    _para(rc, "……………………………", bold=True, align=c, indent=0, after=0)


def build_docx(d: ReportData, out: str | Path, today: dt.date | None = None) -> Path:
    """Write the report for ``d`` to ``out`` (.docx)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    today = today or d.today
    issuer = issuer_of(d.issuer, d.province_name, d.plan)
    doc = Document()
    _styles(doc)
    _page(doc)
    props = doc.core_properties
    props.title = f"Báo cáo kết quả công tác truyền thông thực hiện Nghị quyết số 71-NQ/TW – {d.period.label}"
    props.author = committee(d.plan, d.issuer).name
    props.language = "vi-VN"
    _heading(doc, issuer, today)

    c = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "BÁO CÁO", bold=True, align=c, indent=0, after=0).paragraph_format.space_before = Pt(12)
    _para(doc, "Kết quả công tác truyền thông thực hiện Nghị quyết số 71-NQ/TW", bold=True, align=c, indent=0, after=0)
    _para(doc, f"{d.period.label}", bold=True, align=c, indent=0, after=0)
    _rule(doc, 40, TEXT_W)

    rep = d.reporting_summary
    last = rep.iloc[-1] if len(rep) else None
    doc.add_paragraph(opening(d, today))

    doc.add_heading("I. KẾT QUẢ TRIỂN KHAI CÔNG TÁC TRUYỀN THÔNG", level=1)
    have = {r.field: r for r in d.fields.itertuples()}
    for n, (title, codes) in enumerate(sections(), start=1):
        doc.add_heading(f"{n}. {title}", level=2)
        lines = []
        for code in codes:
            r = have.get(code)
            if r is None:
                continue
            den = have.get(r.denominator) if r.denominator else None
            lines.append(pair_line(r, den) if den is not None else field_line(r))
        if all(line.endswith(f"{NOT_SEEN}.") for line in lines):
            doc.add_paragraph("Chưa có đơn vị nào báo cáo số liệu của mục này trong kỳ.")
        else:
            for line in lines:
                doc.add_paragraph(f"- {line}")

    doc.add_heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA KẾ HOẠCH", level=1)
    rows = target_rows(d)
    if not rows:
        doc.add_paragraph("Kế hoạch không có chỉ tiêu nào tính được từ biểu mẫu.")
    else:
        doc.add_paragraph(
            f"Kết quả của toàn bộ phạm vi báo cáo so với chỉ tiêu của kế hoạch, đánh giá tại ngày "
            f"{fmt.document_date(d.period.as_of)} (ngày cuối của kỳ báo cáo):"
        )
        _table(
            doc,
            ["TT", "Chỉ tiêu", "Kết quả", "Chỉ tiêu kế hoạch", "Đánh giá", "Thời hạn"],
            [
                [str(i), r["name"], r["value"], r["target"], r["status"], r["deadline"]]
                for i, r in enumerate(rows, start=1)
            ],
            [11, 53, 24, 25, 26, 26],
            center={0, 2, 3, 4, 5},
        )
        behind = d.per_unit[d.per_unit.status == "cham"]
        if len(d.per_unit):
            doc.add_paragraph(
                f"Số đơn vị có ít nhất một chỉ tiêu chậm: {fmt.number(behind.unit_code.nunique())}/"
                f"{fmt.number(d.per_unit.unit_code.nunique())}."
            )
        doc.add_paragraph(pace_rule(d.period.quarters[1]))
        png = chart_targets(rows)
        if png:
            _picture(doc, png, "Biểu đồ 1. Kết quả các chỉ tiêu tỷ lệ so với chỉ tiêu kế hoạch")

    doc.add_heading("III. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ", level=1)
    if rep.empty:
        doc.add_paragraph("Không có đơn vị nào phải báo cáo trong phạm vi này.")
    else:
        for s in rep.itertuples():
            doc.add_paragraph(
                f"- {period_label(s.quarter)} (hạn {fmt.document_date(s.deadline)}): {fmt.number(s.reported)}/"
                f"{fmt.number(s.expected)} đơn vị đã báo cáo ({fmt.percent(s.reported_rate)}), trong đó "
                f"{fmt.number(s.on_time)} đúng hạn, {fmt.number(s.late)} muộn"
                + (f", {fmt.number(s.time_unknown)} không rõ thời điểm báo cáo" if s.time_unknown else "")
                + f"; {fmt.number(s.missing)} đơn vị chưa báo cáo."
            )
        png = chart_reporting(rep)
        if png:
            _picture(doc, png, "Biểu đồ 2. Số đơn vị báo cáo đúng hạn, muộn và chưa báo cáo")
        missing = d.missing
        if missing.empty:
            doc.add_paragraph(f"Tất cả đơn vị đã báo cáo {period_phrase(last.quarter)}.")
        else:
            doc.add_paragraph(
                f"Các đơn vị chưa báo cáo {period_phrase(last.quarter)} ({fmt.number(len(missing))} đơn vị):"
            )
            _table(
                doc,
                ["TT", "Đơn vị", "Hạn báo cáo", "Số ngày quá hạn"],
                [
                    [
                        str(i),
                        r.unit_name,
                        fmt.document_date(r.deadline),
                        fmt.number(r.days_overdue) if _is_num(r.days_overdue) else "Chưa đến hạn",
                    ]
                    for i, r in enumerate(missing.itertuples(), start=1)
                ],
                [12, 88, 32, 33],
                center={0, 2, 3},
            )

    fields = catalog.fields()
    for roman, code in (("IV", "kho_khan"), ("V", "de_xuat")):
        doc.add_heading(f"{roman}. {fields[code].name.upper()}", level=1)
        groups = grouped_texts(d.texts, code)
        if not groups:
            doc.add_paragraph(f"Trong kỳ, không đơn vị nào ghi nội dung «{fields[code].name}» trong biểu mẫu.")
            continue
        writers = d.texts[d.texts.field == code].unit_code.nunique()
        doc.add_paragraph(
            f"Tổng hợp ý kiến của {fmt.number(writers)} đơn vị (nguyên văn; ý kiến giống nhau được gộp, "
            "kèm tên đơn vị nêu ý kiến):"
        )
        for text, names in groups:
            who = ", ".join(names)
            doc.add_paragraph(f"- {text} ({fmt.number(len(names))} đơn vị: {who}).")

    closing = doc.add_paragraph(
        f"Trên đây là báo cáo kết quả công tác truyền thông thực hiện Nghị quyết số 71-NQ/TW trong "
        f"{d.period.phrase} của {committee(d.plan, d.issuer).name}./."
    )
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_after = Pt(0)
    for p in (closing, spacer):  # the closing sentence goes to the next page with the signature, never apart
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.keep_together = True
    _signature(doc, issuer)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


# ---------------------------------------------------------------------------------------------- PDF


def soffice() -> str | None:
    """LibreOffice's command (Debian package libreoffice-writer-nogui), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: str | Path, pdf: str | Path | None = None, timeout: float = 180) -> Path:
    """Convert ``docx`` to PDF with LibreOffice headless (its own profile directory each time, so two
    conversions at once never share one)."""
    docx = Path(docx)
    pdf = Path(pdf) if pdf else docx.with_suffix(".pdf")
    exe = soffice()
    if exe is None:
        raise ReportError(
            "Chưa cài LibreOffice để xuất PDF: chạy với quyền root "
            "«apt-get install libreoffice-writer-nogui fonts-liberation» (hoặc make report-deps)."
        )
    with tempfile.TemporaryDirectory(prefix="nq71-pdf-") as tmp:
        env = {**os.environ, "HOME": tmp}
        cmd = [
            exe,
            f"-env:UserInstallation=file://{tmp}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            tmp,
            str(docx.resolve()),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as e:
            raise ReportError(f"LibreOffice không xuất xong PDF sau {timeout:.0f} giây.") from e
        made = Path(tmp) / f"{docx.stem}.pdf"
        if proc.returncode != 0 or not made.exists():
            raise ReportError(f"LibreOffice không xuất được PDF: {(proc.stderr or proc.stdout).strip()[:300]}")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), pdf)
    return pdf


def heading_note(d: ReportData) -> str:
    """What the report's heading leaves blank for the office, in words («» when nothing)."""
    return committee(d.plan, d.issuer).note


def make(
    con,
    plan: str,
    period,
    scope,
    out: str | Path,
    level: str = "xa",
    units=None,
    pdf: bool = False,
    today: dt.date | None = None,
) -> tuple[Path, Path | None]:
    """Read, write the .docx and, when asked, its PDF beside it. Returns (docx, pdf or None)."""
    d = gather(con, plan, period, scope, level=level, units=units, today=today)
    docx = build_docx(d, out)
    return docx, (to_pdf(docx) if pdf else None)
