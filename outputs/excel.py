"""A table as an Excel sheet that is safe to open (the dashboard's «Tải Excel»): the same neutralized text
as the CSV (``queries/export.py``), numbers and dates as real cells with a Vietnamese display format."""

from __future__ import annotations

import io

import pandas as pd

from queries.export import formats, kind_at, safe

EXCEL_FORMATS = {
    "so": "#,##0",
    "so_le": "#,##0.0",
    "phan_tram": "0.0%",
    "ngay": "dd/mm/yyyy",
    "luc": "dd/mm/yyyy hh:mm",
}


def xlsx_bytes(df: pd.DataFrame, sheet: str = "Dữ liệu") -> bytes:
    """The table as one sheet: numbers and dates as real cells with their display format; a
    percentage stored as its fraction (67,1% -> 0.671) with a % format, so it sums and averages."""
    import datetime as dt

    buf = io.BytesIO()
    kinds = formats(df)
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        safe(df).to_excel(xw, index=False, sheet_name=sheet[:31])
        ws = xw.sheets[sheet[:31]]
        for j, c in enumerate(df.columns, start=1):
            if c not in kinds:
                continue
            for i in range(len(df)):
                cell = ws.cell(i + 2, j)
                v = df[c].iloc[i]
                if v is None or (not isinstance(v, str) and pd.isna(v)):
                    cell.value = None
                    continue
                kind = kind_at(df, c, i)
                if kind == "phan_tram":
                    cell.value = float(v) / 100
                elif kind in ("ngay", "luc"):
                    v = pd.Timestamp(v).to_pydatetime()
                    cell.value = v.date() if kind == "ngay" and isinstance(v, dt.datetime) else v
                else:
                    cell.value = int(v) if kind == "so" else float(v)
                cell.number_format = EXCEL_FORMATS[kind]
    return buf.getvalue()
