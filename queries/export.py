"""CSV and Excel that are safe to open: UTF-8 with BOM, injection neutralized (OWASP)."""

from __future__ import annotations

import io

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


def csv_bytes(df: pd.DataFrame) -> bytes:
    return safe(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def write_csv(df: pd.DataFrame, path) -> None:
    with open(path, "wb") as f:
        f.write(csv_bytes(df))


def xlsx_bytes(df: pd.DataFrame, sheet: str = "Du lieu") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        safe(df).to_excel(xw, index=False, sheet_name=sheet[:31])
    return buf.getvalue()
