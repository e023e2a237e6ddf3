"""Cell values of the statistics form, exactly as ``bieu-mau.md`` defines them.

=====================  =========================================
written in the cell    meaning
=====================  =========================================
number cell            that number
``1.234`` / ``1 234``  1234 (Vietnamese thousands separator)
``12,5`` / ``12,5%``   12.5 (decimal comma; only for ratios)
``-`` ``–`` ``—``      0 (nothing happened)
``...`` ``…`` empty    missing, never 0
``x`` in a count       not applicable: missing
yes/no words           1 / 0 (catalog/co_khong.csv, folded: ``yes_no``)
anything else          rejected with a reason, never guessed
=====================  =========================================

Every function here takes the cell as read (its text and whether the source
said it was a number) and returns a :class:`Parsed`. Ingestion parses each
distinct (kind, text, type) of an import once and joins the results to the
cells in SQL (``ingest._load``), so there is no per-cell Python on the hot path.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from core import catalog

from .text import clean, fold

OK = "ok"
MISSING = "missing"
REJECTED = "rejected"


@dataclass(frozen=True)
class Parsed:
    status: str  # ok | missing | rejected
    value: float | None = None
    reason: str = ""


_DASHES = {"-", "–", "—", "−", "--"}
_ELLIPSIS = {"...", "…", "..", "....", ". . ."}


@functools.cache
def yes_no() -> tuple[frozenset[str], frozenset[str]]:
    """The yes and the no words, folded: catalog/co_khong.csv (the form kit offers the same words as written)."""
    words = catalog.yes_no_words()
    return frozenset(fold(w) for w, v in words if v == 1), frozenset(fold(w) for w, v in words if v == 0)


# 1234 | 1.234 | 1 234 | 1.234.567 (a dot or space before exactly three digits). ASCII digits only
# (re.ASCII): "١٢" or a full-width "１２" is not a number the spec lists, so it is never read as one.
_INT = re.compile(r"^\d+$", re.ASCII)
_THOUSANDS = re.compile(r"^\d{1,3}(?:([.\s])\d{3})(?:\1\d{3})*$", re.ASCII)
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$", re.ASCII)
_DECIMAL_DOT = re.compile(r"^\d+\.\d+$", re.ASCII)
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(?:,\d{3})+$", re.ASCII)


# No count or percentage of the form comes near this; past it a value cannot be stored or summed
# safely (INT64, float exactness), and Python's int() of thousands of digits is slow or refused.
NUMBER_MAX = 10**12
_DIGITS_MAX = 13  # digits of NUMBER_MAX: a longer run of digits is refused before any conversion


def _cut(s: str, n: int = 40) -> str:
    """A cell's text inside a message: its first ``n`` characters (a pasted page is not repeated back)."""
    return f"{s[:n]}…" if len(s) > n else s


def _too_big(s: str) -> str:
    return (
        f"«{_cut(s)}» quá lớn (hơn {NUMBER_MAX:,}".replace(",", ".")
        + "): không có số liệu nào của biểu mẫu lớn như vậy; kiểm tra lại ô"
    )


def _number_text(s: str) -> tuple[float | None, str]:
    """Parse a non-negative number written the Vietnamese way. (value, reason)."""
    t = s.replace("\u00a0", " ").replace("\u202f", " ").strip()
    if sum(ch.isdigit() for ch in t) > _DIGITS_MAX:
        return None, _too_big(s)
    if _INT.match(t):
        return float(int(t)), ""
    if _THOUSANDS.match(t):
        return float(int(re.sub(r"[.\s]", "", t))), ""
    if _DECIMAL_COMMA.match(t):
        return float(t.replace(",", ".")), ""
    if _THOUSANDS_COMMA.match(t):
        return None, (
            f"«{_cut(s)}» dùng dấu phẩy phân cách hàng nghìn kiểu tiếng Anh; "
            "số Việt Nam viết 1.234 (nghìn) và 12,5 (thập phân). Hãy sửa lại ô"
        )
    if _DECIMAL_DOT.match(t):
        return None, (
            f"«{_cut(s)}» không rõ là số thập phân hay hàng nghìn "
            "(số Việt Nam: 1.234 là một nghìn hai trăm ba mươi tư, 12,5 là mười hai phẩy năm)"
        )
    return None, f"«{_cut(s)}» không phải là số"


def _from_number_cell(text: str) -> float | None:
    if len(text) > 40:  # a number cell's text is a float's repr: never this long
        return None
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def parse_count(text: str | None, is_number: bool = False) -> Parsed:
    """A count: a non-negative whole number."""
    s = clean(text)
    if s == "":
        return Parsed(MISSING, reason="ô trống")
    if is_number:
        v = _from_number_cell(s)
        if v is None:
            return Parsed(REJECTED, reason=f"«{_cut(s)}» không phải là số")
    else:
        if s in _DASHES:
            return Parsed(OK, 0.0)
        if s in _ELLIPSIS:
            return Parsed(MISSING, reason="«...»: có nhưng chưa thu thập")
        if s in {"x", "X"}:
            return Parsed(MISSING, reason="«x»: không áp dụng")
        neg = s[0] in "-−–" and len(s) > 1
        body = s[1:].strip() if neg else s
        v, why = _number_text(body)
        if v is None:
            return Parsed(REJECTED, reason=why + "; cần một số nguyên không âm")
        if neg and v != 0:
            return Parsed(REJECTED, reason=f"«{_cut(s)}» là số âm; số lượng phải ≥ 0")
    if v < 0:
        return Parsed(REJECTED, reason=f"«{_cut(s)}» là số âm; số lượng phải ≥ 0")
    if v > NUMBER_MAX:
        return Parsed(REJECTED, reason=_too_big(s))
    if v != int(v):
        hint = ""
        if not is_number and "," in s:
            hint = f" (dấu phẩy là dấu thập phân; nếu muốn ghi hàng nghìn hãy viết {s.replace(',', '.')})"
        return Parsed(REJECTED, reason=f"«{_cut(s)}» là số thập phân{hint}; số lượng phải là số nguyên")
    return Parsed(OK, float(int(v)))


def parse_yesno(text: str | None, is_number: bool = False) -> Parsed:
    s = clean(text)
    if s == "":
        return Parsed(MISSING, reason="ô trống")
    if s in _ELLIPSIS:
        return Parsed(MISSING, reason="«...»: có nhưng chưa thu thập")
    if s in _DASHES:
        return Parsed(OK, 0.0)
    if is_number:
        v = _from_number_cell(s)
        if v in (0.0, 1.0):
            return Parsed(OK, v)
        return Parsed(REJECTED, reason=f"«{_cut(s)}»: câu hỏi có/không chỉ nhận 1 hoặc 0")
    f = fold(re.sub(r"\([^()]*\)", " ", s)) or fold(s)  # "Có (đã ban hành)"
    yes, no = yes_no()
    if f in yes:
        return Parsed(OK, 1.0)
    if f in no:
        return Parsed(OK, 0.0)
    return Parsed(
        REJECTED,
        reason=f"«{_cut(s)}» không phải câu trả lời có/không (dùng: x, Có, Đã ban hành, 1 hoặc Không, Chưa, 0)",
    )


def parse_ratio(text: str | None, is_number: bool = False) -> Parsed:
    """A derived percentage such as ``Tỷ lệ (%)``: ``12,5``, ``12,5%`` or a number cell."""
    s = clean(text)
    if s == "" or s in _ELLIPSIS:
        return Parsed(MISSING)
    if is_number:
        v = _from_number_cell(s)
        if v is None:
            return Parsed(REJECTED, reason=f"«{_cut(s)}» không phải là số")
        # A percent-formatted cell is read unformatted as a fraction (0.5 = 50%).
        if abs(v) > NUMBER_MAX:
            return Parsed(REJECTED, reason=_too_big(s))
        return Parsed(OK, v * 100 if v <= 1 else v)
    t = s.rstrip("%").strip()
    v, why = _number_text(t)
    if v is None:
        return Parsed(REJECTED, reason=why)
    if v > NUMBER_MAX:
        return Parsed(REJECTED, reason=_too_big(s))
    return Parsed(OK, v)


PARSERS = {"count": parse_count, "yesno": parse_yesno, "derived": parse_ratio}

# what a spreadsheet shows for a formula that failed (Excel, LibreOffice, Google Sheets)
FORMULA_ERRORS = {"#REF!", "#DIV/0!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#ERROR!"}


def parse(kind: str, text: str | None, is_number: bool = False, is_formula: bool = False) -> Parsed:
    """``is_formula``: the cell holds a formula saved without its value (reader type ``f``)."""
    s = clean(text)
    if is_formula:
        return Parsed(
            REJECTED,
            reason=f"ô có công thức «{_cut(s)}» nhưng tệp không lưu kết quả (tệp do chương trình tạo, chưa được tính lại): "
            "hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi nhập lại",
        )
    if s.upper() in FORMULA_ERRORS or s.startswith("Err:"):
        return Parsed(REJECTED, reason=f"ô công thức báo lỗi «{_cut(s)}»: hãy sửa công thức trong bảng rồi nhập lại")
    if kind in PARSERS:
        return PARSERS[kind](text, is_number)
    return Parsed(MISSING) if s == "" else Parsed(OK)
