"""CSV that is safe to open: UTF-8 with BOM, injection neutralized (OWASP); the rules the Excel download
(``outputs/excel.py``) shares: which text to neutralize, how each column is drawn.

Numbers stay numbers. A table says how each numeric or date column is drawn in
``df.attrs["formats"]`` ({column: kind}, :data:`KINDS`); the page draws it in Vietnamese style, Excel
gets real numbers and dates with a display format (a percentage is the fraction with a % format:
67,1% is 0.671 shown as 67,1%), CSV gets plain numbers (a point before the decimals, no thousands
separator, dates as yyyy-mm-dd) for scripts and other programs (README, «Tải xuống»).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(value):
    """A text cell that a spreadsheet would run as a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def safe(df: pd.DataFrame) -> pd.DataFrame:
    """``neutralize`` on every text cell, a column at a time (the tables of a page are built on each rerun)."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            if col.dtype == object:  # mixed: a negative number is a number, not a text to neutralize
                texts = np.fromiter((isinstance(v, str) for v in col), bool, len(col))
            else:
                texts = col.notna().to_numpy()
            as_text = col.astype(str)
            risky = texts & as_text.str.startswith(_DANGEROUS).to_numpy()
            if risky.any():
                out[c] = col.where(~risky, "'" + as_text)
    return out


# How a column is drawn: an integer count, a number with up to one decimal, a percentage (in percent
# units: 67.1), a date, a date and time; or ``theo:<column>``: per row, «%» in that column (the
# measure) is a percentage and anything else a number.
KINDS = ("so", "so_le", "phan_tram", "ngay", "luc")


def formats(df: pd.DataFrame) -> dict[str, str]:
    """The table's {column: kind} (``df.attrs["formats"]``), only for columns it has."""
    return {c: k for c, k in (df.attrs.get("formats") or {}).items() if c in df.columns}


def kind_at(df: pd.DataFrame, column: str, row: int) -> str:
    """The kind of one cell: ``theo:<measure column>`` resolved for row ``row`` (positional)."""
    kind = formats(df)[column]
    if kind.startswith("theo:"):
        measure = df[kind[5:]].iloc[row]
        return "phan_tram" if measure == "%" else "so_le"
    return kind


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Dates as yyyy-mm-dd and times as yyyy-mm-dd HH:MM (no locale reads them wrongly); counts
    without «.0»."""
    out = df.copy()
    for c, kind in formats(df).items():
        col = out[c]
        if kind == "ngay":
            out[c] = [v.strftime("%Y-%m-%d") if pd.notna(v) else "" for v in col]
        elif kind == "luc":
            out[c] = [v.strftime("%Y-%m-%d %H:%M") if pd.notna(v) else "" for v in col]
        elif kind == "so":
            out[c] = pd.array(pd.to_numeric(col).round(), dtype="Int64")
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    return safe(_plain(df)).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def write_csv(df: pd.DataFrame, path) -> None:
    with open(path, "wb") as f:
        f.write(csv_bytes(df))
