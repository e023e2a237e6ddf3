"""Reporting periods written the ways people write them.

Native periods are kept as they were reported:

==========================================  ===========
written                                     native
==========================================  ===========
``Quý I/2026`` ``Quý 1/2026`` ``Q1-2026``    ``2026-Q1``
``quý II năm 2026`` ``Quý I.2026``           ``2026-Q2``
``Tháng 4/2026`` ``04/2026`` ``T4/2026``     ``2026-04``
``6 tháng đầu năm 2026``                     ``2026-H1``
``6 tháng cuối năm 2026``                    ``2026-H2``
``Năm 2026`` ``cả năm 2026``                 ``2026``
==========================================  ===========

A cell that holds a date names the month of that date (Excel and Google Sheets turn ``04/2026``
typed in a cell into the date 01/04/2026): ``01/04/2026`` and ``15/4/2026`` (day/month/year, the
Vietnamese order; month/day/year only for a sheet whose locale writes dates that way), an Excel
date cell (``2026-04-01 00:00:00`` as the reader writes it) and ``2026-04-01`` are ``2026-04``, and
the result carries a ``note`` saying how it was read. A month written alone (``4/2026``,
``2026-04``) needs no note.

A text that names a quarter or month but no year (a tab called ``Tháng 4``)
gets its year from the caller's ``default_year`` (the title rows, then the
deployment's reporting year) and the result says so; nothing else is guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .text import clean, strip_marks

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR = r"(20\d\d)"
_SEP = r"\s*(?:[/.\-]\s*)?(?:nam\s*)?"

_PATTERNS: list[tuple[re.Pattern, str]] = [
    # 3 tháng đầu năm 2026 (the usual title of the first-quarter report) / 3 tháng cuối năm (the fourth)
    (re.compile(r"\b(?:3|ba) thang (dau|cuoi)(?: nam)?" + r"(?:\s*" + _YEAR + r")?"), "three"),
    # 6 tháng đầu năm 2026 / 6 thang cuoi nam 2026 / sáu tháng đầu năm / "6 tháng năm 2026" (the first half)
    (re.compile(r"\b(?:6|sau) thang(?: (dau|cuoi))?(?: nam)?" + r"(?:\s*" + _YEAR + r")?"), "half"),
    # 2026-Q1, 2026 Q1
    (re.compile(_YEAR + r"\s*(?:-|/)?\s*q\s*([1-4])\b"), "year_quarter"),
    # Quý I/2026, quý 2 năm 2026, Q1-2026, Q1 2026, quý I.2026
    (re.compile(r"\b(?:quy|q)\s*(iv|iii|ii|i|[1-4])\b" + r"(?:" + _SEP + _YEAR + r")?"), "quarter"),
    # Tháng 4/2026, tháng 04 năm 2026, T4/2026, Tháng 4
    (re.compile(r"\b(?:thang|t)\s*(1[0-2]|0?[1-9])\b" + r"(?:" + _SEP + _YEAR + r")?"), "month"),
    # 2026-04
    (re.compile(r"^" + _YEAR + r"\s*-\s*(1[0-2]|0[1-9])$"), "year_month"),
    # 04/2026
    (re.compile(r"^(1[0-2]|0?[1-9])\s*/\s*" + _YEAR + r"$"), "month_year"),
    # năm 2026, cả năm 2026, 2026
    (re.compile(r"^(?:ca )?(?:nam )?" + _YEAR + r"$"), "year"),
    (re.compile(r"\bnam " + _YEAR + r"$"), "year"),
]


def _prep(text: object) -> str:
    """Lower case, no dấu, punctuation to spaces except ``/ - .`` that periods use."""
    s = strip_marks(clean(text).lower())
    s = re.sub(r"[^\w/.\-]+", " ", s)
    s = re.sub(r"\s*([/.\-])\s*", r"\1", s)
    return re.sub(r"\s+", " ", s).strip()


@dataclass(frozen=True)
class Period:
    code: str  # 2026-Q1 | 2026-04 | 2026-H1 | 2026
    year_assumed: bool = False
    note: str = ""  # how a date was read as a month (Vietnamese), "" otherwise


_ISO_DATE = re.compile(r"^(20\d\d)-(\d\d)-(\d\d)(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(20\d\d)(?: \d{1,2}:\d\d(?::\d\d)?)?$")


def _date_period(s: str, date_order: str) -> Period | None:
    """A whole cell that is one date: the month it names, with the reason. None: not a date."""
    m = _ISO_DATE.match(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        how = "ô kiểu ngày tháng"
    else:
        m = _SLASH_DATE.match(s)
        if not m:
            return None
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        d, mo = (b, a) if date_order == "mdy" else (a, b)
        how = "tháng/ngày/năm theo ngôn ngữ của bảng" if date_order == "mdy" else "ngày/tháng/năm"
    try:
        dt.date(y, mo, d)
    except ValueError:
        return None
    return Period(
        f"{y}-{mo:02d}",
        note=f"«{s}» là một ngày ({how}): đọc là tháng {mo}/{y}",
    )


def parse_period(text: object, default_year: int | None = None, date_order: str = "dmy") -> Period | None:
    """The native period a text names, or None when it names none. ``date_order``: ``dmy`` (Vietnamese)
    or ``mdy`` (a Google sheet whose locale writes the month first), for a cell holding a full date."""
    if text is None:
        return None
    if isinstance(text, (dt.date, dt.datetime)):
        return Period(f"{text.year}-{text.month:02d}", note=f"ô kiểu ngày tháng: đọc là tháng {text.month}/{text.year}")
    date = _date_period(clean(text), date_order)
    if date is not None:
        return date
    raw = _prep(text)
    if not raw:
        return None
    # "9 tháng năm 2026", "3 tháng" alone: spans the form has no period for; never guessed
    # (period_refusal says why)
    if _OTHER_SPAN.search(raw):
        return None
    for pattern, kind in _PATTERNS:
        m = pattern.search(raw)
        if not m:
            continue
        if kind == "three":
            return _with_year("Q4" if m.group(1) == "cuoi" else "Q1", m.group(2), default_year)
        if kind == "half":
            which, year = m.group(1), m.group(2)
            half = "H2" if which == "cuoi" else "H1"
            return _with_year(half, year, default_year)
        if kind == "quarter":
            q = m.group(1)
            q = _ROMAN.get(q, None) or int(q)
            return _with_year(f"Q{q}", m.group(2), default_year)
        if kind == "year_quarter":
            return Period(f"{m.group(1)}-Q{m.group(2)}")
        if kind == "month":
            return _with_year(f"{int(m.group(1)):02d}", m.group(2), default_year)
        if kind == "year_month":
            return Period(f"{m.group(1)}-{m.group(2)}")
        if kind == "month_year":
            return Period(f"{m.group(2)}-{int(m.group(1)):02d}")
        if kind == "year":
            return Period(m.group(1))
    return None


_OTHER_SPAN = re.compile(
    r"\b(?:(?!6\b|3 thang (?:dau|cuoi)\b)\d+|(?!ba thang (?:dau|cuoi)\b)ba|chin|muoi hai|bon|tam) thang\b"
)
# the days Excel and Google Sheets count from (a date cell shown without its date format): 1/1/2000 – 31/12/2099
_SERIAL = re.compile(r"^\d{5}(?:[.,]0+)?$")


def period_refusal(text: object) -> str | None:
    """Why a period text that :func:`parse_period` does not read is not one, when that can be said
    better than «không đọc được»: a span the form has no period for, or a date stored as its number."""
    raw = _prep(text)
    if _OTHER_SPAN.search(raw):
        return (
            f"«{clean(text)}» không phải kỳ của biểu mẫu (quý, tháng, 6 tháng, năm): số liệu cộng dồn nhiều tháng "
            "không tách được theo quý; hãy báo cáo từng quý (3 tháng đầu năm là quý I)"
        )
    s = clean(text)
    if _SERIAL.match(s):
        day = dt.date(1899, 12, 30) + dt.timedelta(days=int(float(s.replace(",", "."))))
        if 2000 <= day.year <= 2099:
            return (
                f"«{s}» là một con số, có lẽ là ngày {day:%d/%m/%Y} mà ô mất định dạng ngày: chọn cả cột «Kỳ báo cáo», "
                "định dạng lại kiểu Ngày (hoặc ghi «Tháng 4/2026», «Quý II/2026») rồi nhập lại"
            )
    return None


def _with_year(tail: str, year: str | None, default_year: int | None) -> Period | None:
    if year:
        return Period(f"{year}-{tail}")
    if default_year is None:
        return None
    return Period(f"{default_year}-{tail}", year_assumed=True)


def find_year(text: object) -> int | None:
    m = re.search(r"\b(20\d\d)\b", str(text or ""))
    return int(m.group(1)) if m else None
