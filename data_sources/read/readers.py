"""Files and API answers into :class:`Tab`: cells exactly as read, plus merges.

Every source ends here, so the rest of ingestion has one code path:

* xlsx (openpyxl; merged ranges kept, cached formula values read);
* CSV downloaded by a person (UTF-8 with or without BOM, else Windows-1258;
  comma, semicolon or tab), every cell a string as displayed;
* Google Sheets ``values:batchGet`` with ``UNFORMATTED_VALUE`` plus the
  spreadsheet's merges (see ``google.py``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
from dataclasses import dataclass, field
from pathlib import Path

# A cell as read: its text and a type letter (s string, n number, b boolean, d date).
Cell = tuple[str, str]
EMPTY: Cell = ("", "s")


class ReadError(Exception):
    """A file that cannot be read at all (the message is for a person, in Vietnamese)."""


@dataclass
class Tab:
    source: str  # file path or Google spreadsheet id
    sheet: str  # tab name ("" for a CSV)
    rows: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2, 0-based inclusive
    gid: str = ""  # Google tab id, for links back to the cell
    url: str = ""
    province: int | None = None  # official province code, when a deployment follows several

    def filled(self) -> list[list[Cell]]:
        """Rows with each merged range's top-left value copied into the whole range."""
        rows = [list(r) for r in self.rows]
        for r1, c1, r2, c2 in self.merges:
            if r1 >= len(rows):
                continue
            top = rows[r1]
            v = top[c1] if c1 < len(top) else EMPTY
            for r in range(r1, min(r2, len(rows) - 1) + 1):
                row = rows[r]
                if len(row) <= c2:
                    row.extend([EMPTY] * (c2 + 1 - len(row)))
                for c in range(c1, c2 + 1):
                    if row[c][0] == "":
                        row[c] = v
        return rows


@contextlib.contextmanager
def gc_paused():
    """Python's cycle collector off while a sheet's cells are turned into millions of small
    tuples and lists: each pass would walk every one of them again, for no cycle to find
    (memory is still freed as usual). Nested uses are fine."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def cell(value: object) -> Cell:
    """A Python value from a reader or the API as (text, type). Hot: one call per cell."""
    tv = type(value)
    if tv is str:
        return (value, "s")
    if tv is int:
        return (str(value), "n")
    if tv is float:
        return (str(int(value)) if value.is_integer() else repr(value), "n")
    if value is None:
        return EMPTY
    if tv is bool:
        return ("TRUE" if value else "FALSE", "b")
    if isinstance(value, dt.datetime):
        return (value.strftime("%Y-%m-%d %H:%M:%S"), "d")
    if isinstance(value, dt.date):
        return (value.strftime("%Y-%m-%d"), "d")
    if isinstance(value, dt.time):
        return (value.strftime("%H:%M:%S"), "d")
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE", "b")
    if isinstance(value, int):
        return (str(value), "n")
    if isinstance(value, float):
        return (str(int(value)) if value.is_integer() else repr(value), "n")
    return (str(value), "s")


def read_xlsx(path: str | Path, data: bytes | None = None, source: str | None = None) -> list[Tab]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data) if data is not None else path, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise ReadError(f"Không đọc được tệp Excel «{path}»: {e}. Hãy mở tệp và lưu lại dạng .xlsx.") from e
    tabs = []
    for ws in wb.worksheets:
        rows = [[cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        tabs.append(Tab(source or str(path), ws.title, _trim(rows), merges))
    return tabs


def _decode(raw: bytes, path: str) -> str:
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1258")
    except UnicodeDecodeError as e:
        raise ReadError(
            f"Không đọc được tệp CSV «{path}»: không phải UTF-8 hay Windows-1258. "
            "Hãy tải lại bằng Tệp > Tải xuống > CSV trong Google Sheets."
        ) from e


def read_csv(path: str | Path, data: bytes | None = None, source: str | None = None) -> list[Tab]:
    raw = data if data is not None else Path(path).read_bytes()
    text = _decode(raw, str(path))
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = [[(v, "s") for v in r] for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    name = Path(str(path)).stem
    return [Tab(source or str(path), name, _trim(rows))]


def read_path(path: str | Path) -> list[Tab]:
    p = Path(path)
    if not p.exists():
        raise ReadError(f"Không tìm thấy tệp «{path}». Kiểm tra lại đường dẫn.")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(p)
    if suffix in (".csv", ".tsv", ".txt"):
        return read_csv(p)
    if suffix == ".xls":
        raise ReadError(f"Tệp «{path}» là Excel 97-2003 (.xls). Hãy mở và lưu lại dạng .xlsx rồi nhập lại.")
    raise ReadError(f"Không nhận dạng được tệp «{path}»: chỉ nhập .xlsx hoặc .csv.")


def _trim(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Drop trailing empty cells and rows (openpyxl reports styled empty cells)."""
    out = []
    for r in rows:
        n = len(r)
        while n and r[n - 1][0] == "":
            n -= 1
        out.append(list(r[:n]))
    while out and not out[-1]:
        out.pop()
    return out


def col_letter(c: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 26 -> AA): openpyxl's ``get_column_letter``,
    the one definition (SQL joins ``ref.columns``, written at publish from this function)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(c + 1)
