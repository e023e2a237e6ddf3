"""Ingest of a national quarter vs a bare DuckDB bulk load of the same cells as strings."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import pandas as pd

from bench.generate import api_answers, provinces, school_registry, tabs_from_answers, write_province_xlsx
from data_sources.ingest import ingest_tabs
from data_sources.readers import read_xlsx


def _fresh(db: Path) -> None:
    for p in db.parent.glob(db.name + "*"):
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()


def bare_load(answers: list[dict], db: Path) -> float:
    """Flatten the API answers to (sheet, row, col, value as string) and bulk-load one table."""
    _fresh(db)
    t = time.perf_counter()
    sheet, row, col, val = [], [], [], []
    for a in answers:
        sid = a["id"]
        for r, cells in enumerate(a["batch"]["valueRanges"][0]["values"], 1):
            for c, v in enumerate(cells, 1):
                if v != "":
                    sheet.append(sid)
                    row.append(r)
                    col.append(c)
                    val.append(str(v))
    con = duckdb.connect(str(db))
    con.execute("SET enable_progress_bar = false")
    con.register("df", pd.DataFrame({"sheet": sheet, "row": row, "col": col, "value": val}))
    con.execute("CREATE TABLE cells AS SELECT * FROM df")
    con.execute("CHECKPOINT")
    con.close()
    return time.perf_counter() - t


def run(out: Path, n_provinces: int | None) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    codes = provinces(n_provinces)
    registry = out / "truong_quoc_gia.csv"
    n_schools = school_registry(registry, codes)
    answers = api_answers(codes, registry)
    cells = sum(1 for a in answers for r in a["batch"]["valueRanges"][0]["values"] for v in r if v != "")
    bare = bare_load(answers, out / "bare.duckdb")
    # reading the API answers into tabs is part of the product's cost
    db = out / "national.duckdb"
    _fresh(db)
    t = time.perf_counter()
    summary = ingest_tabs(tabs_from_answers(answers), db, province=codes, schools=str(registry))
    ingest = time.perf_counter() - t
    # a second quarter on top of the first: the realistic steady state
    answers2 = api_answers(codes, registry, quarter=2)
    t = time.perf_counter()
    summary2 = ingest_tabs(tabs_from_answers(answers2), db, province=codes, schools=str(registry))
    ingest2 = time.perf_counter() - t
    # the xlsx of one province, as the office downloads it
    xlsx = out / "tinh.xlsx"
    write_province_xlsx(xlsx, codes[-1], registry)
    t = time.perf_counter()
    read_xlsx(xlsx)
    xlsx_read = time.perf_counter() - t
    return {
        "provinces": len(codes),
        "schools": n_schools,
        "cells": cells,
        "cells_read": summary.totals["cells_read"],
        "rejected": summary.totals["rejected"],
        "bare_s": bare,
        "ingest_s": ingest,
        "ratio": ingest / bare,
        "ingest_q2_s": ingest2,
        "q2_cells_read": summary2.totals["cells_read"],
        "xlsx_read_s": xlsx_read,
        "xlsx_mb": xlsx.stat().st_size / 1e6,
        "db": db,
    }
