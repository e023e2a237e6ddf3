"""The printable «phiếu» of a unit's personal link: one A4 page per unit, to hand or send to each unit.

    python -m outputs phieu --plan 000 --period 2026-Q3 [--unit CODE ...] [--level xa|truong|chi_bo] --out phieu.pdf

Each page: the office (the plan's body, in full), «PHIẾU BÁO CÁO TRỰC TUYẾN», the unit, the plan, the period, the
deadline (catalog.deadline_of) and the last day the link works (core.links.expires), the QR code (large), the
link as text, three steps, and whom to call (deployment.toml ``lien_he_quan_tri``). Written as a .docx with
python-docx (the report's page, fonts and heading helpers), turned into one PDF by LibreOffice (the report's
converter). The link is the unit's current one: after «Cấp lại đường dẫn» (core.links.revoke) print again.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from core import catalog, fmt, links
from core.periods import label

from . import report
from .kit.form import plan_row, qr_png, roster_units

TITLE = "PHIẾU BÁO CÁO TRỰC TUYẾN"
QR_MM = 95


def units_for(plan: str, period: str, codes=None, level: str | None = None, province: int | None = None):
    """The units a phiếu is made for: ``codes`` (each must be one of the level's roster), else the whole roster
    of ``level`` (default: the plan's first kind of unit)."""
    prow = plan_row(plan)
    province = province or int(prow.get("tinh") or 0) or int(catalog.settings()["province"])
    levels = catalog.plan_levels(plan)
    level = level or levels[0]
    if level not in levels:
        raise ValueError(f"Kế hoạch {plan} không theo dõi {catalog.unit_kinds()[level].word}.")
    roster = roster_units(province, levels, level)
    if not codes:
        if not roster:
            raise ValueError(f"Kế hoạch {plan}: danh mục chưa có {catalog.unit_kinds()[level].word} nào phải báo cáo.")
        return roster
    by_code = {u.code: u for u in roster}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise ValueError(
            f"Mã đơn vị {', '.join(unknown)} không có trong danh sách {catalog.unit_kinds()[level].word} phải báo cáo "
            f"của kế hoạch {plan}."
        )
    return [by_code[c] for c in dict.fromkeys(codes)]


def build_docx(db_path: str | Path, plan: str, period: str, units, out: str | Path) -> Path:
    """One page per unit (a page break between), in the order of ``units``."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    prow = plan_row(plan)
    office = report.committee(plan, prow.get("co_quan") or "").heading
    deadline, ends = catalog.deadline_of(plan, period), links.expires(plan, period)
    contact = catalog.settings().get("lien_he_quan_tri", "cơ quan chủ trì")
    c, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    doc = Document()
    report._styles(doc)
    report._page(doc)
    section = doc.sections[0]
    section.different_first_page_header_footer = False  # a phiếu has no page number
    section.header.paragraphs[0].text = ""
    section.header.paragraphs[0].clear()
    doc.core_properties.title = f"Phiếu báo cáo trực tuyến – {label(period)}"
    doc.core_properties.language = "vi-VN"
    P = report._para
    for n, u in enumerate(units):
        url = links.url(db_path, u.code, plan, period)
        first = P(doc, office, bold=True, size=13, align=c, indent=0, after=0)
        if n:
            first.paragraph_format.page_break_before = True
        report._rule(doc, 40, report.TEXT_W)
        P(doc, TITLE, bold=True, size=18, align=c, indent=0, after=6)
        P(doc, u.name, bold=True, size=16, align=c, indent=0, after=8)
        for name, value in (
            ("Kế hoạch", prow.get("ten") or plan),
            ("Kỳ báo cáo", label(period)),
            ("Hạn báo cáo", fmt.document_date(deadline)),
            ("Đường dẫn dùng được đến hết ngày", fmt.document_date(ends)),
        ):
            p = P(doc, align=left, indent=0, after=2)
            p.add_run(f"{name}: ").font.size = Pt(13)
            run = p.add_run(value)
            run.bold, run.font.size = True, Pt(13)
        p = P(doc, align=c, indent=0, after=2)
        p.paragraph_format.space_before = Pt(6)
        p.add_run().add_picture(io.BytesIO(qr_png(url)), width=Mm(QR_MM), height=Mm(QR_MM))
        # the address, then the token on a line of its own: a token broken at its «-» would print a hyphen that
        # is not there (and a PDF reader drops it); 8 pt monospace fits a 95-character token in the text width
        p = P(doc, align=c, indent=0, after=8)
        head, _, tail = url.partition("?t=")
        for i, part in enumerate((f"{head}?t=", tail) if tail else (url,)):
            run = p.add_run(part)
            run.font.size, run.font.name = Pt(8), "Liberation Mono"
            if i == 0 and tail:
                run.add_break()
        P(doc, "Cách báo cáo", bold=True, size=13, align=left, indent=0, after=2)
        for i, step in enumerate(
            (
                "Quét mã QR bằng camera điện thoại (hoặc Zalo), hoặc gõ đường dẫn trên vào trình duyệt.",
                "Điền số liệu của đơn vị vào biểu mẫu «Nộp báo cáo», kiểm tra lại rồi bấm gửi.",
                f"Cần sửa thì mở lại đường dẫn trước hết ngày {fmt.document_date(ends)}. Không chuyển phiếu này "
                "cho đơn vị khác: đường dẫn chỉ dùng cho đơn vị mình.",
            ),
            start=1,
        ):
            P(doc, f"{i}. {step}", size=13, align=left, indent=0, after=2)
        p = P(doc, align=left, indent=0, after=0)
        p.paragraph_format.space_before = Pt(8)
        p.add_run("Cần hỗ trợ: ").italic = True
        p.add_run(str(contact)).italic = True
        for r in p.runs:
            r.font.size = Pt(12)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


def make(
    db_path: str | Path,
    plan: str,
    period: str,
    out: str | Path,
    codes=None,
    level: str | None = None,
    province: int | None = None,
) -> tuple[Path, int]:
    """The phiếu of the units asked as one PDF at ``out`` (one page each); returns (pdf, number of units)."""
    units = units_for(plan, period, codes, level, province)
    with tempfile.TemporaryDirectory(prefix="nq71-phieu-") as tmp:
        docx = build_docx(db_path, plan, period, units, Path(tmp) / "phieu.docx")
        pdf = report.to_pdf(docx, Path(out))
    return pdf, len(units)
