"""Vietnamese number and date formats: 1.234 ; 12,5% ; 31/12/2026."""

from __future__ import annotations

import datetime as dt
import math


def number(x: float | int | None, decimals: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(x: float | None, decimals: int = 1) -> str:
    """``x`` in percent units: 12.5 -> ``12,5%``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    s = number(x, decimals)
    if decimals and "," in s:
        s = s.rstrip("0").rstrip(",")
    return f"{s}%"


def date(d: dt.date | dt.datetime | None) -> str:
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return "—"
    return d.strftime("%d/%m/%Y")


def document_date(d: dt.date | dt.datetime | None) -> str:
    """A date in a document that leaves the office, as Decree 30/2020/NĐ-CP writes it: a day below 10
    and the months 1 and 2 take a leading 0, other months do not (04/12/2026, 22/8/2025, 20/01/2026)."""
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return "—"
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"{d.day:02d}/{month}/{d.year}"


def datetime(d: dt.datetime | None) -> str:
    if d is None:
        return "—"
    return d.strftime("%d/%m/%Y %H:%M")
