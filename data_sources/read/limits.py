"""What one import may read: file size, the uncompressed size of a zipped spreadsheet, cells per tab,
characters per cell. Each is a setting (``catalog/deployment.toml``, the province's own file) with a
default that holds a province's real data many times over; beyond one the file is refused before it
costs memory, with a Vietnamese message naming the limit and what to do (exit code 2 on the CLI, the
same words on the upload page).

A zipped spreadsheet (.xlsx, .ods) is judged from its zip directory before anything is inflated: a
5 MB file whose sheet inflates to 1.2 GB is refused in milliseconds. Reading then stays within the
sizes the directory declares (Python's ``zipfile`` never returns more than a member's declared size,
and a member that inflates to more fails its CRC), so a lying directory cannot bypass the check.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter

from core import catalog
from core.fmt import number

from .errors import ReadError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    file_mb: int = 100  # one file, and the upload widget's limit
    member_mb: int = 300  # one member of an .xlsx/.ods, uncompressed
    total_mb: int = 600  # all members of an .xlsx/.ods, uncompressed
    cells_per_tab: int = 12_000_000  # non-empty or not: every cell a reader gives (a 50 MB CSV: ~9 million)
    chars_per_cell: int = 32_767  # Excel's own limit for a cell
    suggestions: int = 2_000  # distinct unknown names given closest-name suggestions per import

    @classmethod
    def current(cls) -> Limits:
        s = catalog.settings().get("gioi_han", {})
        keys = {
            "tep_toi_da_mb": "file_mb",
            "giai_nen_moi_phan_toi_da_mb": "member_mb",
            "giai_nen_toi_da_mb": "total_mb",
            "o_toi_da_moi_trang": "cells_per_tab",
            "ky_tu_toi_da_moi_o": "chars_per_cell",
            "goi_y_toi_da": "suggestions",
        }
        given = {}
        for key, attr in keys.items():
            if key in s:
                v = s[key]
                if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                    raise ReadError(
                        f"Cấu hình sai: [gioi_han] {key} phải là một số nguyên dương (đang là «{v}»). Quản trị viên "
                        "sửa tệp cấu hình rồi chạy lại."
                    )
                given[attr] = v
        return cls(**given)


def check_size(name: str, size: int, limits: Limits) -> None:
    if size > limits.file_mb * MB:
        raise ReadError(
            f"Tệp «{name}» nặng {_mb(size)}, vượt giới hạn {number(limits.file_mb)} MB cho một tệp. Chưa nhập gì từ "
            "tệp này. Hãy xóa các trang, dòng không thuộc biểu mẫu, hoặc chia thành nhiều tệp nhỏ hơn (ví dụ mỗi "
            "huyện, mỗi quý một tệp) rồi nhập lại. Quản trị viên có thể nâng giới hạn (tep_toi_da_mb)."
        )


def check_zip(name: str, source, limits: Limits) -> None:
    """Refuse a zipped spreadsheet whose directory declares more than the limits (before inflating anything).
    ``source``: a path or a binary file object. Not a zip: nothing to check here (the reader says what it is)."""
    try:
        with zipfile.ZipFile(source) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.member_mb * MB:
            raise ReadError(
                f"Tệp «{name}» chứa phần «{info.filename}» khi giải nén nặng {_mb(info.file_size)}, vượt giới hạn "
                f"{number(limits.member_mb)} MB. Chưa nhập gì từ tệp này. Một biểu mẫu báo cáo không cần lớn như "
                "vậy: hãy xóa các trang không thuộc biểu mẫu (hoặc vùng ô thừa đã tô định dạng đến cuối trang), lưu "
                "lại rồi nhập lại."
            )
    if total > limits.total_mb * MB:
        raise ReadError(
            f"Tệp «{name}» khi giải nén nặng {_mb(total)}, vượt giới hạn {number(limits.total_mb)} MB. Chưa nhập gì "
            "từ tệp này. Hãy xóa các trang không thuộc biểu mẫu, hoặc chia thành nhiều tệp, rồi nhập lại."
        )


class CellCounter:
    """Counts a tab's cells as they are read and refuses the file at the first one beyond a limit."""

    __slots__ = ("cells", "limits", "name", "sheet", "whole")

    def __init__(self, name: str, sheet: str, limits: Limits, whole: list[int] | None = None):
        """``whole``: a one-item list shared by every tab of one file, so the file as a whole is held to the
        same number of cells as one tab (a workbook of many big tabs is not let through tab by tab)."""
        self.name, self.sheet, self.limits, self.cells = name, sheet, limits, 0
        self.whole = whole if whole is not None else [0]

    def row(self, values: list, r: int) -> None:
        """``values``: the row's cells as texts (the reader's own), ``r`` 0-based. An empty row counts as one
        cell: a sheet of a million empty rows costs memory too."""
        n = len(values) or 1
        self.cells += n
        self.whole[0] += n
        if self.whole[0] > self.limits.cells_per_tab and self.cells <= self.limits.cells_per_tab:
            raise ReadError(
                f"Tệp «{self.name}» có hơn {number(self.limits.cells_per_tab)} ô tính trên mọi trang (đến dòng "
                f"{number(r + 1)} của trang «{self.sheet}»), vượt giới hạn số ô. Chưa nhập gì từ tệp này. Hãy xóa "
                "các trang, dòng, cột không thuộc biểu mẫu hoặc chia thành nhiều tệp rồi nhập lại."
            )
        if self.cells > self.limits.cells_per_tab:
            where = f"trang «{self.sheet}» của tệp «{self.name}»" if self.sheet else f"tệp «{self.name}»"
            raise ReadError(
                f"{where[0].upper()}{where[1:]} có hơn {number(self.limits.cells_per_tab)} ô (đến dòng "
                f"{number(r + 1)}), vượt giới hạn số ô của một trang. Chưa nhập gì từ tệp này. Hãy xóa các dòng, cột "
                "không thuộc biểu mẫu hoặc chia trang thành nhiều tệp rồi nhập lại."
            )
        limit = self.limits.chars_per_cell
        for c, v in enumerate(values):
            if len(v) > limit:
                where = f"trang «{self.sheet}» của tệp «{self.name}»" if self.sheet else f"tệp «{self.name}»"
                raise ReadError(
                    f"Ô {get_column_letter(c + 1)}{r + 1} ({where}) có {number(len(v))} ký tự, vượt giới hạn "
                    f"{number(limit)} ký tự của một ô. Chưa nhập gì từ tệp này. Hãy sửa ô đó (có thể đã dán nhầm cả "
                    "một văn bản vào ô) rồi nhập lại."
                )


def _mb(size: int) -> str:
    return f"{number(size / MB, 1)} MB" if size < 10 * MB else f"{number(size / MB)} MB"


def size_of(path: str | Path) -> int:
    return Path(path).stat().st_size
