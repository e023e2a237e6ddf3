"""The bundled demo: Đắk Lắk (province 66), Q1 and Q2 2026, seeded.

    python -m data_sources demo          # rewrite catalog/demo/ (committed files)
    python -m data_sources build-demo    # ingest them into data/demo.duckdb

The files are sheets in the layouts of ``bieu-mau.md`` and go through the
same ingestion as real ones. The spread is deliberate: most xã/phường report,
some on target and some behind, some never report, some late, a few resubmit,
and a handful of messy cells (``1.234``, ``-``, ``...``, ``x``, ``năm``, a
negative count, names written five ways, a name that matches nothing, a count
above its total) land in data quality.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from core import catalog

from ..parse.units import official_wards
from ..publish.store import publishing
from ..sql import load

DEMO_DIR = catalog.ROOT / "catalog" / "demo"
PROVINCE = 66
SEED = 71

FORM_FIELDS = catalog.form_fields()
GROUPS = [
    ("Quán triệt Nghị quyết 71-NQ/TW", 2),
    ("Đảng viên", 2),
    ("Khảo sát nhận thức", 2),
    ("Kế hoạch, chuyên mục", 2),
    ("Hoạt động tuyên truyền trong kỳ", 3),
    ("Sản phẩm truyền thông trong kỳ", 5),
    ("Đội ngũ truyền thông", 2),
    ("Mô hình, điển hình", 3),
]
KHO_KHAN = [
    "Thiếu kinh phí in pano, áp phích",
    "Cán bộ phụ trách truyền thông kiêm nhiệm nhiều việc",
    "Đường truyền internet ở thôn buôn còn yếu",
    "",
    "",
]
DE_XUAT = [
    "Đề nghị Sở tổ chức tập huấn kỹ năng làm video ngắn",
    "Đề nghị hỗ trợ tài liệu song ngữ Việt - Ê Đê",
    "",
    "",
]


def _unit_profile(rng: random.Random) -> dict:
    """A unit's size and how fast it moves (fixed across quarters)."""
    cb = rng.randint(120, 1500)
    dv = max(10, int(cb * rng.uniform(0.15, 0.35)))
    return {
        "cb_tong": cb,
        "dv_tong": dv,
        "tt_can_bo_tong": rng.randint(2, 12),
        "pace": rng.choice([0.35, 0.5, 0.6, 0.8, 0.95, 1.0]),
        "survey": rng.uniform(0.7, 0.99),
    }


def _values(rng: random.Random, prof: dict, q: int) -> dict[str, int]:
    share = min(1.0, prof["pace"] * q / 2 + rng.uniform(-0.05, 0.05))
    ks = rng.randint(80, 2500)
    v = {
        "cb_tong": prof["cb_tong"],
        "cb_quan_triet": int(prof["cb_tong"] * max(0.05, share)),
        "dv_tong": prof["dv_tong"],
        "dv_hoc_tap": int(prof["dv_tong"] * min(1.0, max(0.1, share + 0.1))),
        "ks_so_nguoi": ks,
        "ks_hieu_ro": int(ks * min(1.0, prof["survey"] + 0.02 * q)),
        "co_ke_hoach": 1 if rng.random() < 0.55 + 0.3 * q / 2 else 0,
        "co_chuyen_muc": 1 if rng.random() < 0.6 else 0,
        "so_chuyen_de": rng.choice([0, 0, 1, 1, 2]),
        "so_hoi_nghi": rng.randint(0, 8),
        "luot_tham_du": rng.randint(0, 2500),
        "tin_bai_web": rng.randint(0, 12),
        "bai_mxh": rng.randint(0, 20),
        "video_infographic": rng.randint(0, 4),
        "pano_khau_hieu": rng.randint(0, 15),
        "cuoc_thi": rng.randint(0, 2),
        "tt_can_bo_tong": prof["tt_can_bo_tong"],
        "tt_can_bo_tap_huan": min(prof["tt_can_bo_tong"], int(prof["tt_can_bo_tong"] * share) + rng.randint(0, 1)),
        "mo_hinh": rng.choice([0, 0, 0, 1, 1, 2]),
        "khen_thuong_tap_the": rng.randint(0, 3),
        "khen_thuong_ca_nhan": rng.randint(0, 8),
    }
    return v


def _written(name: str, rng: random.Random) -> str:
    """The ways clerks write a unit name."""
    kind, _, bare = name.partition(" ")
    style = rng.random()
    if style < 0.70:
        return name
    if style < 0.78:
        return f"UBND {kind.lower()} {bare}"
    if style < 0.86:
        return (("P. " if kind == "Phường" else "X. ") + bare) if style < 0.82 else name.upper()
    if style < 0.93:
        from ..parse.text import strip_marks

        return strip_marks(name)
    return f"{kind.lower()}  {bare}"


def generate(out: Path = DEMO_DIR) -> None:
    import openpyxl
    from openpyxl.utils import get_column_letter

    rng = random.Random(SEED)
    out.mkdir(parents=True, exist_ok=True)
    wards = official_wards(PROVINCE)
    profiles = {w.code: _unit_profile(rng) for w in wards}

    # -- school registry: 2-3 schools per xã/phường
    schools = []
    levels = [("Mầm non", "MN"), ("Tiểu học", "TH"), ("THCS", "THCS")]
    for w in wards:
        bare = w.name.split(" ", 1)[1]
        for lvl, short in levels[: rng.choice([2, 3, 3])]:
            schools.append(
                {
                    "ma_truong": f"{w.code}-{short}",
                    "ten_truong": f"Trường {lvl} {bare}",
                    "cap_hoc": lvl,
                    "ma_xa": w.code,
                }
            )
    with open(out / "truong_hoc.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=["ma_truong", "ten_truong", "cap_hoc", "ma_xa"])
        wr.writeheader()
        wr.writerows(schools)

    # -- who reports how: office form (xlsx, received by e-mail) or the online form
    order = list(wards)
    rng.shuffle(order)
    never = {w.code for w in order[:9]}  # never report
    office = order[9:55]
    online = order[55:]
    q2_missing = {w.code for w in office[:4] + online[:4]}  # report Q1 only

    fields = catalog.fields()
    for q, (tab, received) in enumerate(
        [("Quý I.2026", dt.datetime(2026, 4, 10, 8, 0)), ("Quý II.2026", dt.datetime(2026, 7, 20, 8, 0))], start=1
    ):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = tab
        ws["A1"] = "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
        ws["M1"] = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        ws["A2"] = "PHỤ LỤC"
        ws["A3"] = "Thống kê kết quả tổ chức học tập, quán triệt, tuyên truyền thực hiện Nghị quyết số 71-NQ/TW"
        ws["A4"] = f"Kỳ báo cáo: Quý {'I' * q}/2026"
        ws.cell(6, 1, "TT")
        ws.merge_cells(start_row=6, start_column=1, end_row=7, end_column=1)
        ws.cell(6, 2, "Tên đơn vị")
        ws.merge_cells(start_row=6, start_column=2, end_row=7, end_column=2)
        col = 3
        for group, n in GROUPS:
            ws.cell(6, col, group)
            ws.merge_cells(start_row=6, start_column=col, end_row=6, end_column=col + n - 1)
            col += n
        for i, code in enumerate(FORM_FIELDS):
            ws.cell(7, 3 + i, fields[code].name)
        last = 3 + len(FORM_FIELDS)
        ws.cell(6, last, "Khó khăn, vướng mắc")
        ws.merge_cells(start_row=6, start_column=last, end_row=7, end_column=last)
        ws.cell(6, last + 1, "Ghi chú")
        ws.merge_cells(start_row=6, start_column=last + 1, end_row=7, end_column=last + 1)
        for c in range(1, last + 2):
            ws.cell(8, c, f"({c})")
        r = 9
        totals = [0] * len(FORM_FIELDS)
        for n, w in enumerate(office, start=1):
            if w.code in never or (q == 2 and w.code in q2_missing):
                continue
            vals = _values(rng, profiles[w.code], q)
            ws.cell(r, 1, n)
            ws.cell(r, 2, _written(w.name, rng))
            for i, code in enumerate(FORM_FIELDS):
                ws.cell(r, 3 + i, vals[code])
                totals[i] += vals[code]
            ws.cell(r, last, rng.choice(KHO_KHAN) or None)
            r += 1
        # messy cells, as clerks type them
        mess = [
            (0, "cb_tong", "1.234"),
            (1, "so_hoi_nghi", "-"),
            (2, "luot_tham_du", "..."),
            (3, "cuoc_thi", "x"),
            (4, "so_chuyen_de", "năm"),
            (5, "bai_mxh", -3),
            (6, "mo_hinh", "2,5"),
        ]
        for k, code, val in mess:
            ws.cell(9 + k + 3 * q, 3 + FORM_FIELDS.index(code), val)
        # a count above its total
        rr = 9 + 10 + q
        ws.cell(rr, 3 + FORM_FIELDS.index("cb_quan_triet"), (ws.cell(rr, 3).value or 0) + 25)
        # a name that matches nothing
        ws.cell(r, 1, r - 8)
        ws.cell(r, 2, "Xã Ea Kar Mới")
        for i, code in enumerate(FORM_FIELDS):
            ws.cell(r, 3 + i, _values(rng, profiles[office[0].code], q)[code])
        r += 1
        ws.cell(r, 1, "Tổng cộng")
        for i, t in enumerate(totals):
            ws.cell(r, 3 + i, t)
        for c in range(1, last + 2):
            ws.column_dimensions[get_column_letter(c)].width = 14
        wb.save(out / f"phu_luc_quy_{q}_2026.xlsx")
        (out / f"phu_luc_quy_{q}_2026.received").write_text(received.strftime("%d/%m/%Y %H:%M") + "\n")

    # -- online form responses (Google Forms -> CSV download)
    header = ["Dấu thời gian", "Địa chỉ email", "Tên đơn vị (xã, phường)", "Kỳ báo cáo"]
    header += [fields[c].name + ("?" if i % 4 == 3 else "") for i, c in enumerate(FORM_FIELDS)]
    header += ["Khó khăn, vướng mắc", "Đề xuất, kiến nghị"]
    rows = []
    for n, w in enumerate(online):
        for q, period in ((1, "Quý I/2026"), (2, "Quý II/2026")):
            if w.code in never or (q == 2 and w.code in q2_missing):
                continue
            end = dt.datetime(2026, 3 * q, 28, 7, 0)
            late = rng.random() < 0.2
            when = end + dt.timedelta(days=rng.randint(3, 17) + (rng.randint(8, 30) if late else 0), minutes=n * 7)
            times = [when] if rng.random() > 0.15 else [when - dt.timedelta(days=6), when]
            for t in times:
                vals = _values(rng, profiles[w.code], q)
                text_vals = [str(vals[c]) for c in FORM_FIELDS]
                for i, c in enumerate(FORM_FIELDS):
                    if c.startswith("co_"):
                        text_vals[i] = "Có" if vals[c] else "Không"
                    elif vals[c] >= 1000 and rng.random() < 0.5:
                        text_vals[i] = f"{vals[c]:,}".replace(",", ".")
                rows.append(
                    [
                        t.strftime("%d/%m/%Y %H:%M:%S"),
                        f"vanthu{n}@example.edu.vn",
                        _written(w.name, rng),
                        period,
                        *text_vals,
                        rng.choice(KHO_KHAN),
                        rng.choice(DE_XUAT),
                    ]
                )
    rows.sort(key=lambda r: dt.datetime.strptime(r[0], "%d/%m/%Y %H:%M:%S"))
    with open(out / "bieu_mau_truc_tuyen.csv", "w", encoding="utf-8-sig", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(header)
        wr.writerows(rows)

    # -- school-level sheet for Q2 (Sở GDĐT asks schools directly), "Thuộc xã/phường" column
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Q2-2026"
    ws.append(["BÁO CÁO CÁC CƠ SỞ GIÁO DỤC - Quý II/2026"])
    ws.append([])
    ws.append(["STT", "Tên cơ sở giáo dục", "Thuộc xã/phường"] + [fields[c].name for c in FORM_FIELDS])
    by_code = {w.code: w for w in wards}
    k = 0
    for s in schools:
        if rng.random() < 0.25:
            continue
        k += 1
        vals = _values(rng, _unit_profile(rng), 2)
        vals["cb_tong"] = rng.randint(15, 90)
        vals["cb_quan_triet"] = int(vals["cb_tong"] * rng.uniform(0.4, 1.0))
        ws.append([k, s["ten_truong"], by_code[s["ma_xa"]].name] + [vals[c] for c in FORM_FIELDS])
    wb.save(out / "co_so_giao_duc_quy_2_2026.xlsx")
    (out / "co_so_giao_duc_quy_2_2026.received").write_text("12/07/2026 09:00\n")
    (out / "bieu_mau_truc_tuyen.received").write_text("01/08/2026 08:00\n")
    generate_party(out)


# -- plan 004: the phụ lục of a ward Party committee (Đảng ủy phường Buôn Ma Thuột), one row per chi
# bộ, Q1 2026, due 15/4/2026. Written by hand (no random numbers): tests state the expected values.
PARTY_WARD = "24133"  # Phường Buôn Ma Thuột
PARTY_CELLS = [  # code, name in the registry
    ("24133-CB01", "Chi bộ Văn phòng HĐND và UBND phường"),
    ("24133-CB02", "Chi bộ Phòng Kinh tế, Hạ tầng và Đô thị"),
    ("24133-CB03", "Chi bộ Phòng Văn hóa - Xã hội"),
    ("24133-CB04", "Chi bộ Công an phường"),
    ("24133-CB05", "Chi bộ Quân sự phường"),
    ("24133-CB06", "Chi bộ Khu phố 1"),
    ("24133-CB07", "Chi bộ Khu phố 2"),
    ("24133-CB08", "Chi bộ Khu phố 3"),
]
PARTY_FIELDS = ["dv_tong", "dv_hoc_tap", "so_hoi_nghi", "luot_tham_du", "tin_bai_web", "bai_mxh", "pano_khau_hieu"]
# name as written in the sheet, values in PARTY_FIELDS order, khó khăn
PARTY_ROWS = [
    ("Chi bộ Văn phòng HĐND và UBND phường", [18, 18, 2, 36, 3, 5, 2], ""),
    ("Chi bộ Phòng Kinh tế, Hạ tầng và Đô thị", [12, 12, 1, 12, 0, 2, "-"], ""),
    ("Chi bộ Phòng Văn hóa - Xã hội", [15, 14, 2, 30, 4, 6, 3], "01 đảng viên đi học dài hạn, học bù trong quý II"),
    ("Chi bộ Công an phường", [25, 25, 1, 25, 1, 3, 1], ""),
    ("Chi bộ KP 1", [42, 38, 1, 40, "-", 1, "-"], "Đảng viên cao tuổi, sức khỏe yếu không dự được hội nghị"),
    ("Chi bộ Khu phố 2", [37, 30, 1, 35, "-", 2, 1], "Một số đảng viên làm ăn xa"),
]
PARTY_LATE = [("CB Quân sự phường", [9, 9, 1, 9, 0, 1, "-"], "")]  # sent on 21/4/2026, after the deadline
PARTY_FILES = [  # file, tab, rows, received
    ("phu_luc_dang_uy_quy_1_2026.xlsx", "Quý I.2026", PARTY_ROWS, dt.datetime(2026, 4, 14, 16, 30)),
    ("phu_luc_dang_uy_quy_1_2026_bo_sung.xlsx", "Quý I.2026", PARTY_LATE, dt.datetime(2026, 4, 21, 8, 0)),
]


def generate_party(out: Path = DEMO_DIR) -> None:
    """The chi bộ registry (``don_vi.csv``) and the ward Party committee's phụ lục for plan 004: six
    chi bộ on time (one written «Chi bộ KP 1»), one late in a second file, «Chi bộ Khu phố 3» never."""
    import openpyxl

    with open(out / "don_vi.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["ma", "ten", "loai", "cap_tren", "ghi_chu"])
        for code, name in PARTY_CELLS:
            wr.writerow([code, name, "chi_bo", PARTY_WARD, "Đảng bộ phường Buôn Ma Thuột (dữ liệu mẫu)"])
    fields = catalog.fields()
    for name, tab, rows, received in PARTY_FILES:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = tab
        ws["A1"] = "ĐẢNG BỘ PHƯỜNG BUÔN MA THUỘT"
        ws["A2"] = "PHỤ LỤC"
        ws["A3"] = (
            "Thống kê kết quả tổ chức học tập, quán triệt, tuyên truyền thực hiện Nghị quyết số 71-NQ/TW "
            "của Bộ Chính trị và Kế hoạch hành động số 28-KH/TU của Ban Thường vụ Tỉnh ủy"
        )
        ws["A4"] = "Kỳ báo cáo: Quý I/2026"
        header = ["TT", "Tên đơn vị"] + [fields[c].name for c in PARTY_FIELDS] + ["Khó khăn, vướng mắc"]
        for c, text in enumerate(header, start=1):
            ws.cell(6, c, text)
            ws.cell(7, c, f"({c})")
        r = 8
        totals = [0] * len(PARTY_FIELDS)
        for n, (unit, values, note) in enumerate(rows, start=1):
            ws.cell(r, 1, n)
            ws.cell(r, 2, unit)
            for i, v in enumerate(values):
                ws.cell(r, 3 + i, v)
                totals[i] += v if isinstance(v, int) else 0
            ws.cell(r, 3 + len(PARTY_FIELDS), note or None)
            r += 1
        ws.cell(r, 2, "Tổng cộng")
        for i, t in enumerate(totals):
            ws.cell(r, 3 + i, t)
        ws.column_dimensions["B"].width = 40
        wb.save(out / name)
        (out / name.replace(".xlsx", ".received")).write_text(received.strftime("%d/%m/%Y %H:%M") + "\n")


DEMO_FILES = [
    "phu_luc_quy_1_2026.xlsx",
    "phu_luc_quy_2_2026.xlsx",
    "co_so_giao_duc_quy_2_2026.xlsx",
    "bieu_mau_truc_tuyen.csv",
    *(name for name, *_ in PARTY_FILES),
]


def build(db: str | Path, src: Path = DEMO_DIR) -> list:
    """Ingest the demo files in the order the office received them, with the demo's school registry
    and unit registry (``don_vi.csv``: the chi bộ of plan 004), never a real deployment's."""
    import os

    from .demo_cycle import play
    from .ingest import ingest_paths

    out = []
    env = {"NQ71_UNITS": str(src / "don_vi.csv"), "NQ71_ROSTER": str(src / "roster.csv")}
    before = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        for name in DEMO_FILES:
            p = src / name
            received = dt.datetime.strptime((src / (p.stem + ".received")).read_text().strip(), "%d/%m/%Y %H:%M")
            out.append(ingest_paths([p], db, province=PROVINCE, schools=str(src / "truong_hoc.csv"), seen_at=received))
        play(db, PROVINCE, str(src / "truong_hoc.csv"))  # approvals, returns, a correction waiting, reminders
        with publishing(db) as con:  # the mark that opens it without sign-in (its file name does not)
            con.execute(load("demo_mark"), {"at": dt.datetime.now().replace(microsecond=0)})
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return out
