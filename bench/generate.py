"""Seeded national-scale data in the form layout, as it would really arrive.

One spreadsheet per province, one tab per quarter, values shaped as the Sheets
API returns them with UNFORMATTED_VALUE (ints, booleans, strings, a few
"1.234" typed as text, "-" and "..."), merges as the API reports them. Every
xã/phường of the official list (3,321) and about 15 schools per xã/phường
(~50,000), 26 columns: about 1.4 million cells a quarter.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from core import catalog
from data_sources.parse.units import official_wards
from data_sources.read.readers import Tab, cell, gc_paused

SEED = 2026
FIELDS = catalog.form_fields()
LEVELS = ["Mầm non", "Tiểu học", "THCS", "THPT"]


def provinces(limit: int | None = None) -> list[int]:
    from vietnam_provinces import Province

    codes = sorted(int(p.code) for p in Province.iter_all())
    return codes[:limit] if limit else codes


def school_registry(path: Path, province_codes: list[int], per_ward: int = 15) -> int:
    """ma_truong,ten_truong,cap_hoc,ma_xa for ~per_ward schools in every xã/phường."""
    rng = random.Random(SEED)
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ma_truong", "ten_truong", "cap_hoc", "ma_xa"])
        for p in province_codes:
            for ward in official_wards(p):
                bare = ward.name.split(" ", 1)[1]
                for k in range(rng.randint(per_ward - 5, per_ward + 5)):
                    level = LEVELS[k % 4]
                    w.writerow([f"{ward.code}-{k:02d}", f"Trường {level} {bare} số {k + 1}", level, ward.code])
                    n += 1
    return n


def _values(rng: random.Random, school: bool) -> list:
    cb = rng.randint(15, 120) if school else rng.randint(150, 1500)
    qt = int(cb * rng.uniform(0.2, 1.0))
    dv = max(3, cb // 4)
    ks = rng.randint(20, 2500)
    v = [cb, qt, dv, int(dv * rng.uniform(0.3, 1.0)), ks, int(ks * rng.uniform(0.7, 1.0)),
         rng.random() < 0.8, "Có" if rng.random() < 0.6 else "Không",
         rng.randint(0, 3), rng.randint(0, 8), rng.randint(0, 2500), rng.randint(0, 12), rng.randint(0, 20),
         rng.randint(0, 4), rng.randint(0, 15), rng.randint(0, 2), rng.randint(1, 12), 0,
         rng.randint(0, 2), rng.randint(0, 3), rng.randint(0, 8)]  # fmt: skip
    v[17] = rng.randint(0, v[16])
    r = rng.random()
    if r < 0.02:
        v[10] = f"{v[10]:,}".replace(",", ".")  # "1.234" typed as text
    elif r < 0.03:
        v[9] = "-"
    elif r < 0.035:
        v[12] = "..."
    return v


def province_values(
    province: int, schools: dict[str, list[str]], quarter: int = 1, year: int = 2026
) -> tuple[str, list[list], list]:
    """(tab title, values as the API returns them, merges as the API reports them). Another ``year``
    relabels the same kind of sheet (its values drawn afresh): years of history."""
    rng = random.Random(SEED * 100 + province * 10 + quarter + 1000 * (year - 2026))
    fields = catalog.fields()
    roman = ["I", "II", "III", "IV"][quarter - 1]
    rows: list[list] = [
        ["SỞ GIÁO DỤC VÀ ĐÀO TẠO", "", "", "", "", "", "", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["PHỤ LỤC"],
        ["Thống kê kết quả tổ chức học tập, quán triệt, tuyên truyền thực hiện Nghị quyết số 71-NQ/TW"],
        [f"Kỳ báo cáo: Quý {roman}/{year}"],
        [],
        ["TT", "Tên đơn vị", "Thuộc xã/phường", "Quán triệt Nghị quyết 71-NQ/TW", ""]
        + [""] * (len(FIELDS) - 2)
        + ["Khó khăn, vướng mắc", "Ghi chú"],
        ["", "", "", *(fields[f].name for f in FIELDS)],
        [f"({i})" for i in range(1, len(FIELDS) + 6)],
    ]
    merges = [
        {"startRowIndex": 5, "endRowIndex": 7, "startColumnIndex": 0, "endColumnIndex": 1},
        {"startRowIndex": 5, "endRowIndex": 7, "startColumnIndex": 1, "endColumnIndex": 2},
        {"startRowIndex": 5, "endRowIndex": 7, "startColumnIndex": 2, "endColumnIndex": 3},
        {"startRowIndex": 5, "endRowIndex": 6, "startColumnIndex": 3, "endColumnIndex": 5},
    ]
    n = 0
    for ward in official_wards(province):
        n += 1
        rows.append([n, ward.name, "", *_values(rng, False), "", ""])
        for school in schools.get(ward.code, []):
            n += 1
            rows.append([n, school, ward.name, *_values(rng, True), "", ""])
    rows.append(["", "Tổng cộng", ""])
    return f"Quý {roman}.{year}", rows, merges


def _schools_by_ward(registry: Path) -> dict[str, list[str]]:
    schools: dict[str, list[str]] = {}
    with open(registry, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            schools.setdefault(r["ma_xa"], []).append(r["ten_truong"])
    return schools


def api_answers(province_codes: list[int], registry: Path, quarter: int = 1, year: int = 2026) -> list[dict]:
    """What the Sheets API answers for each province's spreadsheet: metadata and batchGet."""
    schools = _schools_by_ward(registry)
    out = []
    for p in province_codes:
        title, values, merges = province_values(p, schools, quarter, year)
        out.append(
            {
                "province": p,
                "id": f"national-{p:02d}",
                "meta": {"sheets": [{"properties": {"sheetId": p, "title": title}, "merges": merges}]},
                "batch": {"valueRanges": [{"range": f"'{title}'!A1:AZ60000", "values": values}]},
            }
        )
    return out


def tabs_from_answers(answers: list[dict]) -> list[Tab]:
    """The tabs exactly as data_sources.read.google builds them from the API answers."""
    from data_sources.read.google import _tabs_from_values

    tabs = []
    for a in answers:
        (tab,) = _tabs_from_values(a["id"], a["meta"], set(), a["batch"])
        tab.province = a["province"]
        tabs.append(tab)
    return tabs


def import_answers(answers: list[dict], db: Path, codes: list[int], registry: Path, refresh: bool = False):
    """The API answers read into tabs and imported under one pause of the cycle collector
    (readers.gc_paused), as ``ingest_paths`` reads files and imports them. A Google refresh holds no
    pause across its reads (the server's other sessions run meanwhile): there a collection that walks
    the tabs already read runs while the next sheet is awaited from Google. ``refresh``: imported as a
    refresh imports what it read (always published, the time of receipt known), not as a file that may
    change nothing."""
    from data_sources.load.ingest import ingest_tabs

    with gc_paused():
        return ingest_tabs(
            tabs_from_answers(answers),
            db,
            province=codes,
            schools=str(registry),
            on_publish=(lambda con: None) if refresh else None,
        )


def api_tabs(province_codes: list[int], registry: Path, quarter: int = 1) -> list[Tab]:
    return tabs_from_answers(api_answers(province_codes, registry, quarter))


def write_province_xlsx(path: Path, province: int, registry: Path) -> None:
    """The xlsx of one province, as the office would download it."""
    import openpyxl

    title, values, merges = province_values(province, _schools_by_ward(registry))
    wb = openpyxl.Workbook(write_only=False)
    ws = wb.active
    ws.title = title
    for row in values:
        ws.append([cell(v)[0] if isinstance(v, bool) else v for v in row])
    for m in merges:
        ws.merge_cells(
            start_row=m["startRowIndex"] + 1,
            end_row=m["endRowIndex"],
            start_column=m["startColumnIndex"] + 1,
            end_column=m["endColumnIndex"],
        )
    wb.save(path)
