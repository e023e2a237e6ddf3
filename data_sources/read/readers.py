"""Files and API answers into :class:`Tab`: cells exactly as read, plus merges.

Every source ends here, so the rest of ingestion has one code path:

* xlsx (openpyxl; merged ranges kept, cached formula values read; a cached error such as
  ``#DIV/0!`` stays as its text and is rejected by ``parse.values``; a formula saved without a
  cached value, as scripts write them, becomes a cell of type ``f`` holding its formula, rejected
  with that reason);
* legacy xls (Excel 97-2003) and ods (LibreOffice) through python-calamine: cached formula values;
  merged ranges for xls (calamine gives none for ods: an ods two-row header is read as a CSV's is,
  an empty group cell taking the group to its left). Limit: calamine's Python binding gives a
  formula's error value as an empty cell, so in xls/ods an error cell is "missing" (never 0), and for
  ods the tab notes say how many error cells the file holds;
* CSV downloaded by a person: UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode text",
  tab-separated), Windows-1258 only when the bytes are Vietnamese in it, UTF-8 damaged by a
  Windows-1252 round trip (repaired only when the whole file round-trips, and the notes say so);
  any other file is refused, never read as mojibake. Comma, semicolon or tab. Every cell a string;
* Google Sheets ``values:batchGet`` with ``UNFORMATTED_VALUE`` plus the
  spreadsheet's merges (see ``google.py``).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import gc
import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from core.fmt import number

from .errors import ReadError  # re-exported: callers import it from here
from .limits import CellCounter, Limits, check_size, check_zip

# A cell as read: its text and a type letter (s string, n number, b boolean, d date).
Cell = tuple[str, str]
SHARED_MAX = 1_000_000  # distinct cell texts shared by a CSV's cells (beyond: each cell its own tuple)
EMPTY: Cell = ("", "s")


@dataclass
class Tab:
    source: str  # file path or Google spreadsheet id
    sheet: str  # tab name ("" for a CSV)
    rows: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2, 0-based inclusive
    gid: str = ""  # Google tab id, for links back to the cell
    url: str = ""
    province: int | None = None  # official province code, when a deployment follows several
    is_file: bool = False  # the tab is the whole file (a CSV): its name is the file's, not a tab's
    date_order: str = "dmy"  # how a date written as text is ordered: "mdy" for a Google sheet in en_US
    notes: list[str] = field(default_factory=list)  # what the reader had to say (encoding repaired, ...)

    def filled(self) -> list[list[Cell]]:
        """Rows with each merged range's top-left value copied into the whole range (the rows themselves when
        there is no merge: a CSV's million rows are not copied; callers only read them)."""
        if not self.merges:
            return self.rows
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
    """Streams each sheet (openpyxl's read-only mode: rows as they are parsed, never the whole workbook's
    cell objects); merged ranges from the sheet's XML. Refused before reading when the zip directory declares
    more than the limits, and at the first row beyond a tab's cell or a cell's character limit."""
    import openpyxl

    name = Path(str(path)).name
    limits = Limits.current()
    check_zip(name, io.BytesIO(data) if data is not None else path, limits)
    try:
        wb = openpyxl.load_workbook(
            io.BytesIO(data) if data is not None else path, data_only=True, read_only=True, keep_links=False
        )
    except Exception as e:  # openpyxl raises many kinds for a broken file: said in Vietnamese, by what the bytes are
        raise ReadError(f"Không đọc được tệp «{name}»: {_xlsx_problem(path, data, e)}.") from None
    raw = data if data is not None else Path(path).read_bytes()
    formulas = _uncached_formulas(raw)
    merged = _xlsx_merges(raw)
    tabs, whole = [], [0]
    try:
        for ws in wb.worksheets:
            counter = CellCounter(name, ws.title, limits, whole)
            rows = []
            shared: dict[Cell, Cell] = {}  # one tuple per distinct cell (see read_csv)
            for r, row in enumerate(ws.iter_rows(values_only=True)):
                cells = [cell(v) for v in row]
                if len(shared) < SHARED_MAX:
                    cells = [shared.setdefault(c, c) for c in cells]
                counter.row([t for t, _ in cells], r)
                rows.append(cells)
            for (r, c), f in formulas.get(ws.title, {}).items():  # rare: only files whose formulas have no value
                while len(rows) <= r:
                    rows.append([])
                row = rows[r]
                if len(row) <= c:
                    row.extend([EMPTY] * (c + 1 - len(row)))
                row[c] = (f, "f")
            tabs.append(Tab(source or str(path), ws.title, _trim(rows), merged.get(ws.title, [])))
    except ReadError:
        raise
    except Exception as e:  # a sheet that breaks while streaming (cut inside the XML): the same Vietnamese words
        raise ReadError(f"Không đọc được tệp «{name}»: {_xlsx_problem(path, data, e)}.") from None
    finally:
        wb.close()
    return tabs


_MERGE = re.compile(rb"""<(?:\w+:)?mergeCell\s+ref=["']([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?["']""")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _sheet_members(z) -> list[tuple[str, str]]:
    """(title, zip member) of each worksheet: the workbook and its relationships (small parts) parsed by
    namespace, a target's path normalised as openpyxl does."""
    import posixpath
    import xml.etree.ElementTree as ET

    names = set(z.namelist())
    book = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{_NS_PKG}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(path)
    out = []
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        title, member = sheet.get("name"), targets.get(sheet.get(f"{_NS_REL}id"))
        if title is not None and member in names:
            out.append((title, member))
    return out


def _xlsx_merges(data: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """Per sheet title, its merged ranges (0-based r1, c1, r2, c2), read from the XML: openpyxl's read-only
    mode, which streams the cells, does not give them. Each sheet's ``<mergeCells>`` (after its cells) is
    found by scanning the part in 1 MB pieces, never holding it whole."""
    import xml.etree.ElementTree as ET
    import zipfile

    from openpyxl.utils import column_index_from_string

    out: dict[str, list[tuple[int, int, int, int]]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for title, member in _sheet_members(z):
                if title in out:
                    continue
                found = [m for part in _pieces(z, member, b"<") for m in _MERGE.findall(part)]
                out[title] = [
                    (
                        int(r1) - 1,
                        column_index_from_string(c1.decode()) - 1,
                        int(r2 or r1) - 1,
                        column_index_from_string((c2 or c1).decode()) - 1,
                    )
                    for c1, r1, c2, r2 in found
                ]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ET.ParseError):
        return out
    return out


# a cell whose formula has no cached value: <c r="D6"><f>C6/4</f></c> or <f>…</f><v></v> (scripts write these)
_NO_CACHE = re.compile(rb"<c [^>]*>\s*<f[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>")


def _pieces(z, member: str, start: bytes):
    """A zip member's bytes in pieces of about 1 MB, each cut just before the last ``start`` (an element's
    opening) so no element is split between two pieces; never the whole member at once. An element longer
    than a piece is cut (nothing searched here is that long)."""
    with z.open(member) as f:
        tail = b""
        while chunk := f.read(1 << 20):
            buf = tail + chunk
            cut = buf.rfind(start)
            part, tail = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
            if len(tail) > 1 << 20:
                part, tail = buf, b""
            yield part
        yield tail


def _scan(z, member: str, pattern: re.Pattern) -> bool:
    """Whether ``pattern`` (one element, no nested tag) occurs in a zip member, read in pieces."""
    return any(pattern.search(part) for part in _pieces(z, member, b"<c "))


_NO_CACHE_AT = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f([^>]*)(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>')


def _uncached_formulas(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet title, the cells whose formula was saved without a value, with the formula text. Each
    sheet's XML is scanned in pieces (never loaded whole, never the workbook in openpyxl's full mode, which
    for a big sheet costs gigabytes): the cell's place and its formula as written. A shared formula's other
    cells hold no text of their own; only then is the workbook loaded (openpyxl writes each cell's formula)."""
    import xml.etree.ElementTree as ET
    import zipfile

    out: dict[str, dict[tuple[int, int], str]] = {}
    shared = False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for title, member in _sheet_members(z):
                if not _scan(z, member, _NO_CACHE):
                    continue
                for part in _pieces(z, member, b"<c "):
                    shared |= _note_uncached(_NO_CACHE_AT.findall(part), out.setdefault(title, {}))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ET.ParseError):
        return {}
    out = {title: cells for title, cells in out.items() if cells}
    return _uncached_formulas_loaded(data) if shared else out


def _note_uncached(found: list, into: dict) -> bool:
    """Record each (column, row, attributes, formula) found; True when one is a shared formula's cell."""
    from openpyxl.utils import column_index_from_string

    shared = False
    for col, row, attrs, text in found:
        shared |= not text and b"si=" in attrs
        into[(int(row) - 1, column_index_from_string(col.decode()) - 1)] = "=" + html.unescape(text.decode("utf-8"))
    return shared


def _uncached_formulas_loaded(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """The same, through openpyxl's full mode: only for a shared formula saved without values."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    out: dict[str, dict[tuple[int, int], str]] = {}
    for ws in wb.worksheets:
        values = cached[ws.title]
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if isinstance(v, str) and v.startswith("=") and values.cell(c.row, c.column).value is None:
                    out.setdefault(ws.title, {})[(c.row - 1, c.column - 1)] = v
                elif type(v).__name__ == "ArrayFormula" and values.cell(c.row, c.column).value is None:
                    out.setdefault(ws.title, {})[(c.row - 1, c.column - 1)] = str(v.text)
    return out


def read_calamine(path: str | Path, data: bytes | None = None, source: str | None = None) -> list[Tab]:
    """xls / ods (and xlsb) through python-calamine: cached values; merges where calamine has them (xls)."""
    from python_calamine import CalamineWorkbook

    kind = "Excel 97-2003 (.xls)" if str(path).lower().endswith(".xls") else "bảng tính"
    limits = Limits.current()
    if not str(path).lower().endswith(".xls"):  # .ods, .xlsb: zipped, judged from the directory first
        check_zip(Path(str(path)).name, io.BytesIO(data) if data is not None else path, limits)
    if str(path).lower().endswith(".ods"):
        _check_ods_grid(Path(str(path)).name, io.BytesIO(data) if data is not None else path, limits)
    try:
        wb = CalamineWorkbook.from_object(io.BytesIO(data) if data is not None else str(path))
        sheets = [(name, wb.get_sheet_by_name(name)) for name in wb.sheet_names]
        grids = [(name, sh.to_python(skip_empty_area=False), sh.merged_cell_ranges) for name, sh in sheets]
    except MemoryError:  # a tiny .ods can declare millions of repeated cells, which calamine makes real
        raise ReadError(
            f"Tệp {kind} «{Path(str(path)).name}» khai báo quá nhiều ô (hàng triệu ô lặp lại), không đủ bộ nhớ để đọc. "
            "Chưa nhập gì từ tệp này. Hãy xóa các dòng, cột thừa đến cuối trang rồi lưu lại dạng .xlsx."
        ) from None
    except Exception:  # calamine raises its own kinds and ValueError for a broken file (its English stays out)
        raise ReadError(
            f"Không đọc được tệp {kind} «{Path(str(path)).name}»: tệp hỏng, bị cắt khi tải về, được đặt mật khẩu hoặc "
            "không phải loại tệp này. Hãy mở tệp bằng Excel hoặc LibreOffice và lưu lại dạng .xlsx."
        ) from None
    errors = _ods_error_cells(path, data) if str(path).lower().endswith(".ods") else {}
    tabs, whole = [], [0]
    for name, grid, merged in grids:
        counter = CellCounter(Path(str(path)).name, name, limits, whole)
        rows = []
        for n, row in enumerate(grid):
            cells = [_calamine_cell(v) for v in row]
            counter.row([t for t, _ in cells], n)
            rows.append(cells)
        merges = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in (merged or [])]
        tab = Tab(source or str(path), name, _trim(rows), merges)
        if errors.get(name):
            tab.notes.append(
                f"Trang có {errors[name]} ô công thức báo lỗi (#DIV/0!, #REF!…): tệp .ods được đọc như ô trống "
                "(thiếu số liệu, không bao giờ là 0). Hãy sửa công thức, hoặc lưu lại dạng .xlsx để thấy từng ô bị từ chối."
            )
        tabs.append(tab)
    return tabs


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _check_ods_grid(name: str, source, limits: Limits) -> None:
    """An .ods writes a run of equal rows or cells once with a repeat count: 800 bytes can declare 20 million
    cells, which calamine makes real before any is counted. The grid calamine would build (rows up to the last
    one with content × columns up to the last cell with content, per sheet) is computed from content.xml,
    streamed, and refused beyond the cells limit before calamine runs. The trailing empty runs every .ods ends
    with (a million empty rows, a thousand empty columns) hold no content and do not count."""
    import xml.etree.ElementTree as ET
    import zipfile

    t = _ODS_TABLE
    whole = 0
    try:
        with zipfile.ZipFile(source) as z, z.open("content.xml") as f:
            sheet, rows, last_row, width = "", 0, 0, 0
            for event, el in ET.iterparse(f, events=("start", "end")):
                if event == "start":
                    if el.tag == f"{t}table":
                        sheet, rows, last_row, width = el.get(f"{t}name", ""), 0, 0, 0
                    continue
                if el.tag == f"{t}table-row":
                    repeat = int(el.get(f"{t}number-rows-repeated", "1"))
                    col, last_col = 0, 0
                    for c in el:
                        n = int(c.get(f"{t}number-columns-repeated", "1"))
                        col += n
                        if len(c) or c.get(f"{_ODS_OFFICE}value-type"):  # a cell with content
                            last_col = col
                    rows += repeat
                    if last_col:
                        last_row, width = rows, max(width, last_col)
                        if last_row * width + whole > limits.cells_per_tab:
                            raise ReadError(
                                f"Tệp «{name}» (trang «{sheet}») khai báo khoảng {number(last_row * width + whole)} ô "
                                f"(dòng, cột lặp lại), vượt giới hạn {number(limits.cells_per_tab)} ô. Chưa nhập gì từ "
                                "tệp này. Hãy xóa các dòng, cột thừa (đến cuối trang) rồi lưu lại, hoặc lưu dạng .xlsx."
                            )
                    el.clear()
                elif el.tag == f"{t}table":
                    whole += last_row * width
                    el.clear()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ET.ParseError):
        return  # calamine says what is wrong with the file


def _calamine_cell(v: object) -> Cell:
    # calamine gives every number of an ods, and of xls formulas, as float: 3.0 is the count 3
    if type(v) is float and v.is_integer():
        return (str(int(v)), "n")
    if isinstance(v, dt.timedelta):
        return (str(v), "s")
    return cell(v)


def _ods_error_cells(path: str | Path, data: bytes | None) -> dict[str, int]:
    """Per sheet of an .ods, how many cells show a formula error (one regex over content.xml)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as z:
            xml = z.read("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}
    out: dict[str, int] = {}
    for part in re.split(rb"<table:table ", xml)[1:]:
        m = re.match(rb'[^>]*table:name="([^"]*)"', part)
        n = part.count(b'calcext:value-type="error"')
        if m and n:
            out[html.unescape(m.group(1).decode("utf-8"))] = n
    return out


# CSV: how the bytes were written, told from the bytes, never guessed
_CP1252_HIGH = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_MOJIBAKE = re.compile(f"[ÃÄÅÆ][{_CP1252_HIGH}]|á[º»]")
# UTF-8 bytes read as Windows-1258 (a file pasted together from a UTF-8 and a Windows-1258 one)
_MOJIBAKE_1258 = re.compile(f"[ĂÃÄÅÆ][{_CP1252_HIGH}]|á[º»]")
_VIET = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")
_LOST_MARKS = re.compile(r"[^\W\d_]\?+[^\W\d_]|\?{2,}[^\W\d_]")


def _c1_to_byte(err: UnicodeEncodeError) -> tuple[bytes, int]:
    """Windows keeps the five bytes cp1252 leaves undefined as C1 controls: give them back."""
    ch = err.object[err.start]
    if 0x80 <= ord(ch) <= 0x9F:
        return bytes([ord(ch)]), err.start + 1
    raise err


codecs.register_error("nq71_c1", _c1_to_byte)


def _refuse(path: str, why: str) -> ReadError:
    return ReadError(
        f"Không đọc được tệp CSV «{path}»: {why}. Chưa nhập gì từ tệp này. Hãy mở bảng gốc và tải lại: "
        "Google Sheets: Tệp > Tải xuống > CSV; Excel: Lưu thành > «CSV UTF-8 (Comma delimited)»."
    )


def decode_csv(raw: bytes, path: str) -> tuple[str, str]:
    """(text, note) of a CSV's bytes; ReadError when the encoding cannot be told."""
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), ""
        except UnicodeDecodeError as e:
            raise _refuse(path, "tệp ghi dấu UTF-16 nhưng nội dung hỏng") from e
    head = raw[:4000]
    if head and head.count(b"\x00") > len(head) // 4:  # UTF-16 without its BOM: half the bytes are 0
        raise _refuse(path, "tệp có vẻ là UTF-16 nhưng thiếu dấu BOM nên không biết thứ tự byte")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _legacy(raw, path)
    if _MOJIBAKE.search(text):
        try:
            fixed = text.encode("cp1252", errors="nq71_c1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError) as e:
            raise _refuse(path, "chữ tiếng Việt đã bị hỏng mã (kiểu «TÃªn Ä‘Æ¡n vá»‹») và không khôi phục được") from e
        return fixed, (
            "Tệp là UTF-8 đã bị đọc nhầm thành Windows-1252 rồi lưu lại (chữ dạng «TÃªn Ä‘Æ¡n vá»‹»): "
            "đã khôi phục đúng chữ tiếng Việt vì toàn bộ tệp chuyển ngược được. Lần sau hãy lưu dạng CSV UTF-8."
        )
    if len(_LOST_MARKS.findall(text)) >= 3:
        raise _refuse(path, "chữ có dấu đã bị thay bằng «?» khi lưu (tệp lưu bằng bảng mã không có tiếng Việt)")
    return text, ""


def _legacy(raw: bytes, path: str) -> tuple[str, str]:
    """Not UTF-8: Windows-1258 only when the bytes read as Vietnamese in it (every tone mark on a
    vowel, Vietnamese letters present); anything else is refused."""
    try:
        text = unicodedata.normalize("NFC", raw.decode("cp1258"))
    except UnicodeDecodeError as e:
        raise _refuse(path, "không phải UTF-8, UTF-16 hay Windows-1258") from e
    stray = any(unicodedata.category(ch) == "Mn" for ch in text)  # a tone mark on no vowel
    if stray or not _VIET.search(text) or _MOJIBAKE_1258.search(text):
        raise _refuse(
            path, "không phải UTF-8 hay UTF-16, và không đọc ra tiếng Việt theo Windows-1258 (bảng mã không xác định)"
        )
    return text, "Tệp ghi bằng bảng mã Windows-1258 (tiếng Việt): đã đọc theo bảng mã đó."


def read_csv(path: str | Path, data: bytes | None = None, source: str | None = None) -> list[Tab]:
    raw = data if data is not None else Path(path).read_bytes()
    text, note = decode_csv(raw, Path(str(path)).name)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    counter = CellCounter(Path(str(path)).name, "", Limits.current())
    # raised, never lowered (process-wide): a long cell gets the limit's own message (cell, length), not csv's
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    del raw, data
    rows = []
    # one (text, "s") per distinct text, shared by every cell that holds it: a 50 MB CSV's 10 million cells are
    # mostly a few thousand distinct texts (counts, names, periods), 8 bytes a cell instead of about 120
    shared: dict[str, Cell] = {}
    try:
        # strict: a quote never closed is an error, not the rest of the file swallowed into one cell
        for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)):
            counter.row(row, n)
            if len(shared) < SHARED_MAX:
                rows.append([shared.get(v) or shared.setdefault(v, (v, "s")) for v in row])
            else:
                rows.append([shared.get(v) or (v, "s") for v in row])
    except csv.Error:
        raise _refuse(
            Path(str(path)).name,
            f'dấu ngoặc kép (") ở dòng {len(rows) + 1} hoặc sau đó không được đóng, hoặc đặt sai chỗ trong một ô, nên '
            "không biết ô nào kết thúc ở đâu",
        ) from None
    del text, shared
    name = Path(str(path)).stem
    return [Tab(source or str(path), name, _trim(rows), is_file=True, notes=[note] if note else [])]


READERS = {
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".xls": read_calamine,
    ".ods": read_calamine,
    ".xlsb": read_calamine,
    ".csv": read_csv,
    ".tsv": read_csv,
    ".txt": read_csv,
}


def _xlsx_problem(path, data: bytes | None, error: Exception) -> str:
    """What a file that openpyxl cannot open is, from its first bytes: never the library's English."""
    import zipfile

    try:
        head = data[:8] if data is not None else Path(path).read_bytes()[:8]
    except OSError:
        head = b""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return (
            "tệp được đặt mật khẩu, hoặc là tệp Excel 97-2003 (.xls) bị đổi đuôi thành .xlsx. Hãy bỏ mật khẩu (Tệp > "
            "Thông tin > Bảo vệ sổ làm việc) hoặc lưu lại dạng .xlsx rồi nhập lại"
        )
    if isinstance(error, zipfile.BadZipFile) or not head.startswith(b"PK"):
        return (
            "đây không phải tệp Excel .xlsx (tệp hỏng, bị cắt khi tải về, hoặc là loại tệp khác bị đổi đuôi). "
            "Hãy mở tệp gốc bằng Excel hoặc LibreOffice và lưu lại dạng .xlsx"
        )
    if isinstance(error, KeyError):
        return (
            "tệp nén này không phải bảng tính Excel (thiếu các phần của một tệp .xlsx). Hãy lưu lại từ Excel dạng .xlsx"
        )
    return "tệp .xlsx bị hỏng. Hãy mở bằng Excel hoặc LibreOffice và lưu lại dạng .xlsx"


def read_path(path: str | Path) -> list[Tab]:
    p = Path(path)
    if p.is_dir():
        raise ReadError(f"«{p.name}» là một thư mục, không phải tệp. Hãy chọn các tệp bên trong thư mục.")
    if not p.exists():
        raise ReadError(f"Không tìm thấy tệp «{path}». Kiểm tra lại đường dẫn.")
    if p.stat().st_size == 0:
        raise ReadError(f"Tệp «{p.name}» rỗng (0 byte): tệp chưa được lưu, hoặc tải về chưa xong. Hãy tải lại tệp.")
    check_size(p.name, p.stat().st_size, Limits.current())
    reader = READERS.get(p.suffix.lower())
    if reader is None:
        raise ReadError(f"Không nhận dạng được tệp «{path}»: chỉ nhập .xlsx, .xls, .ods hoặc .csv (.txt, .tsv).")
    return reader(p)


def _trim(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Drop trailing empty cells and rows (openpyxl reports styled empty cells), in place: no second copy of
    a big sheet's rows."""
    for r in rows:
        n = len(r)
        while n and r[n - 1][0] == "":
            n -= 1
        if n < len(r):
            del r[n:]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def col_letter(c: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A, 26 -> AA): openpyxl's ``get_column_letter``,
    the one definition (SQL joins ``ref.columns``, written at publish from this function)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(c + 1)
