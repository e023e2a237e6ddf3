"""Deadline day, one unit at a time: what a unit waits for after «Gửi báo cáo» on the «Nộp báo cáo» form.

A send is a publish (data_sources/load/web.py → ingest → a new version of the whole database, marts rebuilt),
so its cost grows with the database, not with the one row sent. Timed on a copy of the bench's database
(national in `make bench`), three units of different provinces sending in turn; then the office approves
each one's first quarter (a cycle action)."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import time
from pathlib import Path

from core.db import connect_read
from data_sources.load import cycle, web

from .ingest_bench import _fresh


def run(db_src: Path, out: Path, codes: list[int], registry: Path, sends: int = 3) -> dict:
    db = out / "web.duckdb"
    _fresh(db)
    shutil.copyfile(Path(db_src).resolve(), db)
    con = connect_read(db)
    try:
        # xã/phường of different provinces (the first ward of each of the first provinces)
        units = con.execute(
            "SELECT arg_min(code, code), arg_min(name, code) FROM ref.units WHERE level = 'xa' GROUP BY province "
            "ORDER BY min(province) LIMIT ?",
            [sends],
        ).fetchall()
    finally:
        con.close()
    runs = []
    for i, (code, name) in enumerate(units):
        answers = {"cb_tong": "120", "cb_quan_triet": "118", "so_hoi_nghi": str(i + 1), "co_ke_hoach": "Có"}
        t = time.perf_counter()
        web.submit(db, code, name, "000", "2026-Q4", answers, web.Sender("lien_ket", "bench"),
                   at=dt.datetime(2026, 12, 4, 9, i), province=codes, schools=str(registry))  # fmt: skip
        runs.append(time.perf_counter() - t)
    # an approval of the office (a cycle action: a publish of its own, no mart rebuilt) of each unit's 2026-Q1
    approvals = []
    for code, _ in units:
        t = time.perf_counter()
        cycle.approve(db, "2026-Q1", [code], by="bench")
        approvals.append(time.perf_counter() - t)
    _fresh(db)
    return {
        "send_s": statistics.median(runs),
        "runs_s": runs,
        "approve_s": statistics.median(approvals),
        "approve_runs_s": approvals,
        "db_mb": Path(db_src).resolve().stat().st_size / 2**20,
    }
