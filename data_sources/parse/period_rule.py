"""Which period a tab reports: every clue gathered, ranked, and checked against the others.

Ranks (README, «Nhập số liệu»; the first clue that names a period wins, a lower one only fills a
missing year):

1. ``cot``          the ``Kỳ báo cáo`` column of a row (per row);
2. ``ky_bao_cao``   a title row that says ``Kỳ báo cáo: …``;
3. ``ten_trang``    the tab name (``Quý I.2026``, ``Tháng 4``);
4. ``tieu_de``      any other title row (``BÁO CÁO … NĂM 2026``);
5. ``ten_tep``      the file name (``phu_luc_quy_1_2026.xlsx``);
6. ``nam_cau_hinh`` the deployment's reporting year (only a year, only for a period written without one).

A date that names a document, a resolution, a decision or a signing day is never a period: in title
rows and names, ``ngày 22/8/2025``, ``ngày 10 tháng 12 năm 2025``, ``số 71-NQ/TW``,
``Kế hoạch 125/KH-SGDĐT``, any full date ``dd/mm/yyyy`` and ``năm học 2025-2026`` are set aside (and
the notes say so) before a period is looked for.

The strong clues (1–3) must agree: two of them that name periods with no day in common (tab
``Q2-2025`` and ``Kỳ báo cáo: Quý II/2026``, or a ``Kỳ báo cáo`` column saying ``Quý II/2026`` under
a title saying ``Quý I/2026``) make the tab a conflict: nothing of it is imported and the summary and
the data-quality list name the clues. A weak clue (4, 5) that disagrees is outranked and noted.
Everything here runs once per tab (and once per distinct period text of a column), never per cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from core.periods import bounds, phrase

from ..read.readers import Cell
from .periods import Period, _prep, parse_period, period_refusal
from .text import clean, fold

LABELS = {
    "cot": "cột «Kỳ báo cáo»",
    "ky_bao_cao": "dòng «Kỳ báo cáo:»",
    "ten_trang": "tên trang tính",
    "tieu_de": "dòng tiêu đề",
    "ten_tep": "tên tệp",
    "nam_cau_hinh": "năm báo cáo đã cấu hình",
}
STRONG = ("cot", "ky_bao_cao", "ten_trang")
_NO_YEAR = 9999  # stands for "no year written" while a clue is parsed

_D = r"\d{1,2}"
_Y = r"(?:19|20)\d\d"
# on text prepared by periods._prep: lower case, no dấu, "/.-" kept, other punctuation spaces
_SET_ASIDE = [
    re.compile(rf"\bngay\s?{_D}\s?(?:[/.\-]|thang)\s?{_D}\s?(?:[/.\-]|nam)\s?{_Y}\b"),  # ngày 22/8/2025
    re.compile(rf"\b{_D}[/.\-]{_D}[/.\-]{_Y}\b"),  # a bare full date
    re.compile(rf"\bnam hoc\s?{_Y}\s?[/\-]\s?{_Y}\b"),  # năm học 2025-2026
    re.compile(r"\b(?:so|ky hieu)\s[\w./\-]*\d[\w./\-]*"),  # số 71-NQ/TW, số 125/KH-SGDĐT
    re.compile(
        r"\b(?:nghi quyet|ke hoach|quyet dinh|chi thi|cong van|thong tu|nghi dinh|thong bao|ket luan|"
        r"huong dan|luat|van ban|to trinh)\s[\w./\-]*\d[\w./\-]*"
    ),  # Nghị quyết 71-NQ/TW, Quyết định 1234/QĐ-UBND
]


def set_aside(text: str) -> tuple[str, list[str]]:
    """Prepared text without the dates of documents and signing days, and what was removed (as written)."""
    s = _prep(text)
    removed: list[str] = []
    for pat in _SET_ASIDE:
        removed += [_as_written(m.group(0), text) for m in pat.finditer(s)]
        s = pat.sub(" ", s)
    return re.sub(r"\s+", " ", s).strip(), removed


def _as_written(fragment: str, text: str) -> str:
    """The part of the original text a prepared fragment came from (same words and digits)."""
    parts = re.findall(r"\d+|[^\W\d_]+", fragment)
    pat = r"[\W_]*".join(re.escape(t) if t.isdigit() else r"[^\W\d_]+" for t in parts)
    m = re.search(pat, clean(text), flags=re.IGNORECASE)
    return m.group(0) if m else fragment


@dataclass(frozen=True)
class Clue:
    rank: str
    text: str  # as written
    tail: str | None  # "Q2", "04", "H1", "" for a year; None: names no period (a year only, maybe)
    year: int | None
    row: int = 1  # 1-based row of the sheet it was read from (1 for the tab or file name)

    @property
    def code(self) -> str | None:
        if self.tail is None or self.year is None:
            return None
        return f"{self.year}-{self.tail}" if self.tail else str(self.year)

    def describe(self) -> str:
        return f"{LABELS[self.rank]} «{self.text}»"


def clue(rank: str, text: str, prepared: str | None = None, row: int = 1) -> Clue | None:
    """The clue a text gives: a period (with or without year) or only a year; None for nothing."""
    s = prepared if prepared is not None else set_aside(text)[0]
    if not s:
        return None
    p = parse_period(s, default_year=_NO_YEAR)
    if p is not None:
        y, tail = p.code[:4], p.code[5:]
        year = None if p.year_assumed else int(y)
        return Clue(rank, text, tail, year, row)
    m = re.search(r"\b(20\d\d)\b", s)
    return Clue(rank, text, None, int(m.group(1)), row) if m else None


def _overlap(a: str, b: str) -> bool:
    a1, a2 = bounds(a)
    b1, b2 = bounds(b)
    return a1 <= b2 and b1 <= a2


@dataclass
class Resolution:
    period: Period | None = None
    source: str = ""  # rank of the clue that named it
    year_from: str = ""  # rank that gave the year, when the naming clue had none
    clues: list[Clue] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)  # dates of documents, as found
    outranked: list[Clue] = field(default_factory=list)  # weak clues that disagree
    conflict: str = ""  # Vietnamese: which strong clues disagree
    conflict_row: int = 1  # the row of the sheet to look at first

    def notes(self) -> list[str]:
        out = []
        if self.period:
            n = f"Kỳ báo cáo ({phrase(self.period.code)}) lấy từ {LABELS[self.source]}"
            named = next(c for c in self.clues if c.rank == self.source and c.tail is not None)
            n += f" («{named.text}»)"
            if self.year_from == "nam_cau_hinh":
                n += f"; không ghi năm: dùng năm báo cáo đã cấu hình ({self.period.code[:4]})"
            elif self.year_from:
                n += f"; năm lấy từ {LABELS[self.year_from]}"
            out.append(n)
        dated = list(dict.fromkeys(s for s in self.set_aside if re.search(r"(?:19|20)\d\d", s)))
        if dated:
            out.append(
                "Không coi là kỳ báo cáo (ngày của văn bản, nghị quyết, ngày ký, năm học): "
                + ", ".join(f"«{s}»" for s in dated)
            )
        for c in self.outranked:
            named = phrase(c.code) if c.code else f"năm {c.year}"
            out.append(f"{c.describe()} nêu {named}, khác kỳ đã chọn: không dùng (thứ hạng thấp hơn).")
        return out

    def check_column(self, codes: dict[str, tuple[str, int]]) -> None:
        """``codes``: period text of the column -> (the code it was read as, first row). Any that
        shares no day with a strong tab-level clue makes the tab a conflict."""
        for text, (code, row) in codes.items():
            for c in self._strong_codes():
                if not _overlap(code, c[1]):
                    self._conflict(Clue("cot", text, None, None, row), code, c[0], c[1])
                    return

    def _strong_codes(self) -> list[tuple[Clue, str]]:
        year = int(self.period.code[:4]) if self.period else None
        out = []
        for c in self.clues:
            if c.rank not in STRONG or c.tail is None:
                continue
            y = c.year if c.year is not None else year
            if y is not None:
                out.append((c, f"{y}-{c.tail}" if c.tail else str(y)))
        return out

    def _conflict(self, a: Clue, a_code: str, b: Clue, b_code: str) -> None:
        self.conflict_row = max(a.row, b.row)
        self.conflict = (
            f"các dấu hiệu về kỳ báo cáo mâu thuẫn: {a.describe()} là {phrase(a_code)}, còn {b.describe()} là "
            f"{phrase(b_code)}"
        )


def resolve(
    tab_sheet: str, source: str, titles: list[tuple[int, str]], default_year: int | None, is_file_tab: bool
) -> Resolution:
    """The tab-level period and its evidence. ``titles``: (1-based row, text) of each non-empty title
    row above the header; ``is_file_tab``: the tab is the whole file (a CSV), so its name is the file's."""
    res = Resolution()
    clues: list[Clue] = []
    for row, t in titles:
        s, removed = set_aside(t)
        res.set_aside += removed
        if "ky bao cao" in s:
            c = clue("ky_bao_cao", t, s.split("ky bao cao", 1)[1], row)
            if c:
                clues.append(c)
    if tab_sheet and not is_file_tab:
        c = clue("ten_trang", tab_sheet)
        if c:
            clues.append(c)
    for row, t in titles:
        s = set_aside(t)[0]
        if "ky bao cao" not in s:
            c = clue("tieu_de", t, s, row)
            if c:
                clues.append(c)
    if source:
        stem = Path(source).stem
        c = clue("ten_tep", stem, set_aside(stem.replace("_", " "))[0])
        if c:
            clues.append(c)
    res.clues = clues
    named = next((c for c in clues if c.tail is not None), None)
    if named is None:
        return res
    year, year_from = named.year, ""
    if year is None:
        donor = next((c for c in clues if c.year is not None), None)
        if donor is not None:
            year, year_from = donor.year, donor.rank
        elif default_year is not None:
            year, year_from = default_year, "nam_cau_hinh"
        else:
            return res
    code = f"{year}-{named.tail}" if named.tail else str(year)
    res.period = Period(code, year_assumed=year_from == "nam_cau_hinh")
    res.source, res.year_from = named.rank, year_from
    strong = res._strong_codes()
    for i, (a, ac) in enumerate(strong):
        for b, bc in strong[i + 1 :]:
            if not _overlap(ac, bc):
                res._conflict(b, bc, a, ac)
                return res
    for c in clues:
        if c.rank in STRONG:
            continue
        other = c.code or (str(c.year) if c.year else None)
        if other and not _overlap(other, code):
            res.outranked.append(c)
    return res


def conflict_message(sheet: str, res: Resolution) -> str:
    """What the summary and the data-quality list say for a tab whose strong clues disagree."""
    others = [c.describe() for c in res.clues if c.rank not in STRONG]
    tail = f" Các dấu hiệu khác: {', '.join(others)}." if others else ""
    return (
        f"Trang «{sheet}»: {res.conflict}. Không nhập số liệu nào của trang này (số liệu nhập trước đó, nếu có, "
        f"giữ nguyên).{tail} Hãy sửa tên trang hoặc dòng «Kỳ báo cáo» (hoặc cột «Kỳ báo cáo») cho cùng một kỳ "
        "rồi nhập lại."
    )


def tab_resolution(
    tab_sheet: str, source: str, title_rows: list[list[Cell]], default_year: int | None, is_file_tab: bool
) -> Resolution:
    """The tab's period from its title rows (the rows above the header, as read) and names: ``resolve`` over
    each title row's text (see :func:`title_text`)."""
    titles = [title_text(row) for row in title_rows]
    numbered = [(i, t) for i, t in enumerate(titles, start=1) if t]
    return resolve(tab_sheet, source, numbered, default_year, is_file_tab=is_file_tab)


def title_text(row: list[Cell]) -> str:
    """A title row as one text. A date cell right after a «Kỳ báo cáo:» label is written as its day
    (``2026-04-30``, without the time a date cell carries), which is read as that day's month, as the same
    date in the period column is; any other date cell stays as read (a signing day, set aside)."""
    out, after_label = [], False
    for v, t in row:
        text = clean(v)
        if not text:
            continue
        if after_label and t == "d" and re.fullmatch(r"\d{4}-\d\d-\d\d( 00:00:00)?", text):
            text = text[:10]
        after_label = fold(text).rstrip(" :") == "ky bao cao"
        out.append(text)
    return " ".join(out)


def row_period(tab_period: Period | None, text: str, date_order: str) -> tuple[str | None, str, str]:
    """Rank 1, the period column: (period code or None, why none, a note for the summary) for one text of the
    column; an empty cell takes the tab's period (ranks 2–6), a cell that cannot be read never does."""
    if clean(text):
        p = parse_period(text, date_order=date_order)
        if p:
            return p.code, "", (f"Cột «Kỳ báo cáo»: {p.note}." if p.note else "")
        if why := period_refusal(text):
            return None, f"kỳ báo cáo {why}", ""
        if tab_period:
            return None, f"kỳ báo cáo «{text}» không đọc được (trang ghi {phrase(tab_period.code)}: không tự thay)", ""
        return None, f"kỳ báo cáo «{text}» không đọc được; hãy ghi dạng «Quý I/2026» hoặc «Tháng 4/2026»", ""
    if tab_period:
        return tab_period.code, "", ""
    return None, "không xác định được kỳ báo cáo (không có cột «Kỳ báo cáo», tên trang hay dòng tiêu đề ghi kỳ)", ""
