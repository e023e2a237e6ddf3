"""Big and hostile files (issue 25): what one import of each costs, each in a fresh process whose peak
RSS (VmHWM) is its own.

* a 50 MB CSV of valid rows: every xã, phường, đặc khu of Đắk Lắk for each quarter and month of 2021–2026,
  over and over (later rows are resubmissions), the nine columns of the form's first block; it must import;
* a 4–5 MB .xlsx whose sheet inflates to 1.2 GB (the same row a million times): it must be refused, from
  its zip directory, quickly.

``python -m bench.limits_bench`` prints both; ``bench/run.py`` turns them into budget lines.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HEADER = (
    "Tên đơn vị,Kỳ báo cáo,Tổng số CBQL GV NV,Số CBQL GV NV được quán triệt,Số người được khảo sát,"
    "Số người hiểu rõ vai trò trách nhiệm,Đã ban hành kế hoạch tuyên truyền,Số chuyên đề tuyên truyền,"
    "Số mô hình sáng kiến cách làm hiệu quả\n"
)


def write_csv(path: Path, mb: int = 50) -> int:
    """Rows until the file holds ``mb`` MB; returns the number of rows (seeded: the same file every time)."""
    from data_sources.parse.units import official_wards

    wards = [w.name for w in official_wards(66)]
    periods = [f"Quý {q}/{y}" for y in range(2021, 2027) for q in ("I", "II", "III", "IV")]
    periods += [f"Tháng {m}/{y}" for y in range(2021, 2027) for m in range(1, 13)]
    rnd = random.Random(71)
    target, n = mb * 1024 * 1024, 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER)
        while f.tell() < target:
            ward, period = wards[n % len(wards)], periods[(n // len(wards)) % len(periods)]
            total, asked = rnd.randint(20, 400), rnd.randint(10, 200)
            f.write(
                f"{ward},{period},{total},{rnd.randint(0, total)},{asked},{rnd.randint(0, asked)},"
                f"{rnd.choice(('Có', 'Không'))},{rnd.randint(0, 9)},{rnd.randint(0, 5)}\n"
            )
            n += 1
    return n


def write_bomb(path: Path, inflated_mb: int = 1200) -> None:
    """A real workbook (openpyxl) whose sheet XML is replaced by ``inflated_mb`` MB of one repeated row."""
    import io

    import openpyxl

    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(["Tên đơn vị", "Số chuyên đề tuyên truyền"])
    wb.save(buf)
    row = b'<row><c t="inlineStr"><is><t>Xa Ea Kar</t></is></c><c><v>1</v></c></row>'
    head = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    block = row * (1024 * 1024 // len(row))
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, src.read(info.filename))
        with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(head)
            for _ in range(inflated_mb):
                f.write(block)
            f.write(b"</sheetData></worksheet>")


def _child(path: str, db: str) -> None:
    """One import in this process; prints seconds, peak RSS and the outcome as JSON."""
    from data_sources.load.ingest import ingest_paths
    from data_sources.read.readers import ReadError

    t = time.perf_counter()
    try:
        s = ingest_paths([path], db, province=66)
        outcome = {"imported": True, "cells": s.totals["cells_read"]}
    except ReadError as e:
        outcome = {"imported": False, "message": str(e)}
    seconds = time.perf_counter() - t
    status = Path("/proc/self/status").read_text()
    hwm = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": hwm, **outcome}, ensure_ascii=False))


def measure(path: Path, db: Path) -> dict:
    for p in db.parent.glob(f"{db.name}*"):
        if p.is_dir():
            import shutil

            shutil.rmtree(p)
        else:
            p.unlink()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.limits_bench", "child", str(path), str(db)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    csv_path, bomb = out / "ca_tinh_50mb.csv", out / "bom_1200mb.xlsx"
    if not csv_path.exists():
        write_csv(csv_path)
    if not bomb.exists():
        write_bomb(bomb)
    big = measure(csv_path, out / "limits.duckdb")
    refused = measure(bomb, out / "limits.duckdb")
    return {
        "csv_mb": csv_path.stat().st_size / 2**20,
        "csv": big,
        "bomb_mb": bomb.stat().st_size / 2**20,
        "bomb": refused,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        _child(sys.argv[2], sys.argv[3])
    else:
        print(json.dumps(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench/out/limits")), indent=1))
