"""Period codes and their arithmetic: one definition, used by both sides.

A native period code is ``2026`` (year), ``2026-H1`` (half), ``2026-Q1``
(quarter) or ``2026-04`` (month). Parsing what people write is the write
side's job (``data_sources/parse/periods.py``); everything computed *from* a
code lives here: its kind, its quarter, its first and last day, its Vietnamese
label, the quarters a selectable period spans. SQL never recomputes these: the
publish step writes ``ref.calendar`` from :func:`calendar_rows`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def kind_of(code: str) -> str:
    if len(code) == 4:
        return "year"
    tail = code[5:]
    if tail.startswith("Q"):
        return "quarter"
    if tail.startswith("H"):
        return "half"
    return "month"


def quarter_of(code: str) -> str | None:
    """The quarter a native period falls in (months roll up), else None."""
    k = kind_of(code)
    if k == "quarter":
        return code
    if k == "month":
        m = int(code[5:])
        return f"{code[:4]}-Q{(m - 1) // 3 + 1}"
    return None


def bounds(code: str) -> tuple[dt.date, dt.date]:
    """First and last day of a native period."""
    y = int(code[:4])
    k = kind_of(code)
    if k == "year":
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    if k == "half":
        return (dt.date(y, 1, 1), dt.date(y, 6, 30)) if code.endswith("H1") else (dt.date(y, 7, 1), dt.date(y, 12, 31))
    if k == "quarter":
        q = int(code[-1])
        start = dt.date(y, 3 * q - 2, 1)
        end_month = 3 * q
    else:
        m = int(code[5:])
        start = dt.date(y, m, 1)
        end_month = m
    nxt = dt.date(y + (end_month == 12), end_month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def label(code: str) -> str:
    """Vietnamese label: ``2026-Q1`` -> ``Quý I/2026``."""
    k = kind_of(code)
    y = code[:4]
    if k == "quarter":
        return f"Quý {['I', 'II', 'III', 'IV'][int(code[-1]) - 1]}/{y}"
    if k == "month":
        return f"Tháng {int(code[5:])}/{y}"
    if k == "half":
        return f"6 tháng {'đầu' if code.endswith('H1') else 'cuối'} năm {y}"
    return f"Năm {y}"


def phrase(code: str) -> str:
    """The label inside a sentence: «báo cáo quý II/2026», «trong năm 2026» (the label itself starts
    a line or a title: «Quý II/2026»)."""
    text = label(code)
    return text[0].lower() + text[1:]


GRAIN = {"quarter": 1, "month": 2, "half": 3, "year": 3}  # finer first: a quarter's own report wins


def counts_in_quarter(code: str) -> str:
    """The quarter a report for ``code`` counts in: a quarter itself, a month its quarter, a
    half-year or a year the last quarter of its span (used when nothing finer was reported)."""
    return quarter_of(code) or f"{code[:4]}-Q{(bounds(code)[1].month - 1) // 3 + 1}"


def previous_quarter(code: str) -> str | None:
    """The quarter before a quarter code (``2026-Q1`` -> ``2025-Q4``); None for other kinds."""
    if kind_of(code) != "quarter":
        return None
    y, q = int(code[:4]), int(code[-1])
    return f"{y - 1}-Q4" if q == 1 else f"{y}-Q{q - 1}"


def native_codes(year: int) -> list[str]:
    """Every native period code of a year: the year, its halves, quarters and months."""
    y = str(year)
    return [y, f"{y}-H1", f"{y}-H2"] + [f"{y}-Q{q}" for q in range(1, 5)] + [f"{y}-{m:02d}" for m in range(1, 13)]


FIRST_YEAR, LAST_YEAR = 2000, 2099  # the years a period text may name (periods.find_year: 20\d\d)


def calendar_rows(first: int = FIRST_YEAR, last: int = LAST_YEAR) -> list[dict]:
    """``ref.periods``: one row per native period code of the years ``first``..``last`` with its kind,
    year, quarter (months roll up; halves and years have none), quarter number, the quarter it counts
    in (``counts_in_quarter``), its grain (1 quarter, 2 month, 3 half or year) and first and last day.
    SQL joins this table instead of computing dates or quarters: one definition, here."""
    rows = []
    for year in range(first, last + 1):
        for code in native_codes(year):
            start, end = bounds(code)
            q = quarter_of(code)
            rows.append(
                {
                    "period": code,
                    "kind": kind_of(code),
                    "year": year,
                    "quarter": q,
                    "qn": int(q[-1]) if q else None,
                    "counts_in": counts_in_quarter(code),
                    "grain": GRAIN[kind_of(code)],
                    "first_day": start,
                    "last_day": end,
                }
            )
    return rows


@dataclass(frozen=True)
class PeriodSel:
    """A period a person can pick: a quarter, a half-year, or a year (months roll up into quarters)."""

    code: str  # 2026-Q2 | 2026-H1 | 2026

    @property
    def year(self) -> int:
        return int(self.code[:4])

    @property
    def quarters(self) -> tuple[int, int]:
        """First and last quarter number the period spans."""
        start, end = bounds(self.code)
        return (start.month - 1) // 3 + 1, (end.month - 1) // 3 + 1

    @property
    def quarter_codes(self) -> list[str]:
        a, b = self.quarters
        return [f"{self.year}-Q{q}" for q in range(a, b + 1)]

    @property
    def as_of(self) -> dt.date:
        """The day the period is judged at: its last day."""
        return bounds(self.code)[1]

    @property
    def label(self) -> str:
        return label(self.code)

    @property
    def phrase(self) -> str:
        """The label inside a sentence (``quý II/2026``, ``năm 2026``)."""
        return phrase(self.code)
