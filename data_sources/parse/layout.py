"""Find the table inside a tab: header rows, field columns, data rows, period.

The office form as it really comes::

    row  A    B             C ........ D          ...  X
     1   SỞ GIÁO DỤC ...                                CỘNG HÒA ...      <- title rows
     2   PHỤ LỤC
     4   Kỳ báo cáo: Quý I/2026                                           <- period in a title
     6   TT | Tên đơn vị | Quán triệt Nghị quyết (merged C6:D6) | ...       <- group header
     7   .. | ..         | Tổng số CBQL, GV, NV | Số ... quán triệt | ...  <- leaf header
     8   (1)  (2)          (3)                    (4)                      <- numbering row
     9   1    Xã Dang Kang  386                   178                      <- one row per unit
    39   Tổng cộng          22322                 5196                     <- not a unit

Google Forms responses have the header in row 1 (``Dấu thời gian``, the
questions). A CSV download of either loses the merges, so an empty header
cell takes the text above it, and an empty group cell the group to its left.

Columns map to field codes through ``catalog/aliases.csv`` by folded text
(case, dấu, Unicode form, spacing, line breaks, punctuation, a leading
``1.``/``a)`` and a trailing ``(x)``/``(người)`` ignored). A header row is the
row within the first 40 that maps the most fields and has a unit column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core import catalog

from ..read.readers import Cell, Tab, col_letter
from .period_rule import Resolution, tab_resolution
from .periods import Period
from .text import clean, fold

HEADER_SCAN_ROWS = 40
_NUMBERING = re.compile(r"^\(?\s*(\d{1,2}|[a-zA-Z])\s*\)?$")
_LEAD_ENUM = re.compile(r"^\s*(?:câu\s*)?(?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})\s*[.):]\s+")
_TRAIL_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


class LayoutError(Exception):
    """A tab whose table cannot be found (message in Vietnamese, for a person)."""


@dataclass
class Column:
    index: int
    field: str
    header: str


@dataclass
class Layout:
    header_row: int  # 0-based index of the leaf header row
    first_data_row: int
    columns: list[Column]
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (col, header text)
    duplicates: list[tuple[int, str, str]] = field(default_factory=list)  # (col, header, field)
    derived: list[tuple[int, str, str, str]] = field(default_factory=list)  # (col, header, numerator, denominator)
    period: Period | None = None  # the tab's period (period_rule.resolve), unless its clues disagree
    period_from: str = ""  # rank of the clue that named it (period_rule.LABELS)
    resolution: Resolution = field(default_factory=Resolution)  # every clue, the evidence, any conflict

    def col(self, field_code: str) -> int | None:
        for c in self.columns:
            if c.field == field_code:
                return c.index
        return None


def _header_key(text: str) -> str:
    return fold(text)


class HeaderMatcher:
    def __init__(self):
        self._memo: dict[tuple[str, bool], str | None] = {}
        self.exact: dict[str, str] = {}
        multi: dict[str, set[str]] = {}
        for code, alias in catalog.aliases():
            for variant in {alias, _decorations_off(alias)}:
                k = _header_key(variant)
                multi.setdefault(k, set()).add(code)
        clash = {k: v for k, v in multi.items() if len(v) > 1}
        if clash:
            raise ValueError(f"catalog/aliases.csv: một tên cột trỏ tới nhiều trường: {clash}")
        self.exact = {k: next(iter(v)) for k, v in multi.items()}
        # Partial matches only for aliases of three words or more: "Đơn vị" must not
        # claim "Đơn vị tính".
        # (alias, field, its words, the set of its words): the set rules most headers out in one step
        self.long = [
            (k, c, k.split(), frozenset(k.split()))
            for k, c in sorted(self.exact.items(), key=lambda kc: -len(kc[0]))
            if len(k.split()) >= 3
        ]

    def match(self, text: str, exact_only: bool = False) -> str | None:
        """The field a header text names, or None. Memoized: every tab repeats its titles."""
        key = (text, exact_only)
        if key not in self._memo:
            self._memo[key] = self._match(text, exact_only)
        return self._memo[key]

    def _match(self, text: str, exact_only: bool) -> str | None:
        if not clean(text) or text.isdigit():  # a count or a column number is never a title
            return None
        if _is_derived(text):
            return catalog.field_of_kind("derived")
        for variant in (text, _decorations_off(text)):
            k = _header_key(variant)
            if k in self.exact:
                return self.exact[k]
        if exact_only:
            return None
        # a long question that contains an alias, even with words added inside it ("Số CBQL, GV, NV
        # đã được quán triệt"): every word of the alias, in order, among the header's words; the
        # alias with the most words wins, a tie between two fields is no match
        words = _header_key(_decorations_off(text)).split()
        have = set(words)
        hits = [(aw, c) for _, c, aw, aset in self.long if aset <= have and _subsequence(aw, words)]
        if hits:
            best = max(len(aw) for aw, _ in hits)
            codes = {c for aw, c in hits if len(aw) == best}
            if len(codes) == 1:
                return codes.pop()
        return None


def _subsequence(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(w in it for w in needle)


def _decorations_off(text: str) -> str:
    s = clean(text)
    s = _LEAD_ENUM.sub("", s)
    prev = None
    while prev != s:
        prev = s
        s = _TRAIL_PAREN.sub("", s)
    return s.rstrip("?:* ").strip()


def _is_derived(text: str) -> bool:
    f = fold(text)
    return f.startswith("ty le") or " ty le " in f"{f} " or "%" in text


_MATCHER: HeaderMatcher | None = None


def header_matcher() -> HeaderMatcher:
    global _MATCHER
    if _MATCHER is None:
        _MATCHER = HeaderMatcher()
    return _MATCHER


def _text(row: list[Cell], c: int) -> str:
    return clean(row[c][0]) if c < len(row) else ""


def _group_row(above: list[Cell], leaf: list[Cell], width: int) -> list[str]:
    """The row above a leaf header, each empty cell over a non-empty leaf taking
    the group to its left (a merge lost in a CSV download)."""
    out, last = [], ""
    for c in range(width):
        t = _text(above, c)
        if t:
            last = t
        elif _text(leaf, c):
            t = last
        else:
            last = ""
        out.append(t)
    return out


def _map_row(
    rows: list[list[Cell]], r: int, m: HeaderMatcher, merges_known: bool
) -> tuple[list[Column], list[tuple[int, str]]]:
    leaf = rows[r]
    above = rows[r - 1] if r > 0 else []
    width = max(len(leaf), len(above))
    if r == 0:
        group = [""] * width
    elif merges_known:  # merged group cells are already filled across their columns
        group = [_text(above, c) for c in range(width)]
    else:
        group = _group_row(above, leaf, width)
    cols, unknown = [], []
    for c in range(width):
        lt, gt = _text(leaf, c), group[c]
        found, header = None, lt or gt
        tries = []  # (text, exact only): a group + leaf pair must be an alias as a whole
        if lt and gt and fold(gt) != fold(lt):
            tries.append((f"{gt} {lt}", True))
        if lt:
            tries.append((lt, False))
        elif gt:
            tries.append((gt, False))
        for t, exact in tries:
            found = m.match(t, exact_only=exact)
            if found:
                header = t
                break
        if found:
            cols.append(Column(c, found, header))
        elif header:
            unknown.append((c, header))
    return cols, unknown


def find_layout(tab: Tab, rows: list[list[Cell]] | None = None, default_year: int | None = None) -> Layout:
    rows = tab.filled() if rows is None else rows
    m = header_matcher()
    best = None
    unit_field = catalog.field_of_kind("unit")
    for r in range(min(len(rows), HEADER_SCAN_ROWS)):
        cols, unknown = _map_row(rows, r, m, merges_known=bool(tab.merges))
        fields_found = {c.field for c in cols}
        if unit_field not in fields_found:
            continue
        valued = {f for f in fields_found if catalog.fields()[f].kind in catalog.VALUE_KINDS}
        score = len(valued)
        if score and (best is None or score > best[0]):
            best = (score, r, cols, unknown)
    if best is None:
        raise LayoutError(
            f"Trang «{tab.sheet or tab.source}»: không tìm thấy dòng tiêu đề có cột tên đơn vị "
            f"(«Tên đơn vị», «Tên xã, phường», «Tên cơ sở giáo dục»...) và ít nhất một cột số liệu "
            f"trong {HEADER_SCAN_ROWS} dòng đầu. Trang này được bỏ qua; các trang khác vẫn được nhập. "
            "Hãy kiểm tra tiêu đề cột theo biểu mẫu."
        )
    _, r, cols, unknown = best
    lay = Layout(header_row=r, first_data_row=r + 1, columns=[], unknown=unknown)
    seen: dict[str, int] = {}
    derived = catalog.field_of_kind("derived")
    for c in cols:
        if c.field == derived:
            continue
        if c.field in seen:
            lay.duplicates.append((c.index, c.header, c.field))
            continue
        seen[c.field] = c.index
        lay.columns.append(c)
    _attach_derived(lay, cols)
    # Skip numbering rows "(1) (2) (3)" right under the header.
    while lay.first_data_row < len(rows) and _is_numbering(rows[lay.first_data_row]):
        lay.first_data_row += 1
    _find_period(lay, tab, rows, default_year)
    return lay


def _attach_derived(lay: Layout, cols: list[Column]) -> None:
    """A "Tỷ lệ (%)" column checks the ≤ pair whose numerator stands nearest to its left."""
    by_index = {c.index: c.field for c in lay.columns}
    pairs = dict(catalog.pairs())
    derived = catalog.field_of_kind("derived")
    for c in cols:
        if c.field != derived:
            continue
        for i in range(c.index - 1, -1, -1):
            f = by_index.get(i)
            if f in pairs and pairs[f] in by_index.values():
                lay.derived.append((c.index, c.header, f, pairs[f]))
                break
        else:
            lay.unknown.append((c.index, c.header))


def _is_numbering(row: list[Cell]) -> bool:
    texts = [clean(v) for v, _ in row if clean(v)]
    if len(texts) < 3:
        return False
    hits = sum(1 for t in texts if _NUMBERING.match(t))
    return hits >= 0.8 * len(texts) and not any(len(t) > 5 for t in texts)


def _find_period(lay: Layout, tab: Tab, rows: list[list[Cell]], default_year: int | None) -> None:
    """The period rule (``period_rule``): every clue of the tab, ranked; see its docstring and the README."""
    source = "" if (tab.gid or tab.url) else tab.source  # a Google id is no file name
    res = tab_resolution(tab.sheet, source, rows[: lay.header_row], default_year, is_file_tab=tab.is_file)
    lay.resolution = res
    if res.period and not res.conflict:
        lay.period, lay.period_from = res.period, res.source


def cell_ref(row: int, col: int) -> str:
    """0-based row/col -> ``C12``."""
    return f"{col_letter(col)}{row + 1}"
