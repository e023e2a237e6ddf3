"""Server-side rerun time of each page after a filter change, p50/p95, against the pandas baseline.

Every rerun changes the filters to a combination not seen before (another
province, then the other quarter), and the cache of read results is emptied before
each page (one process runs them all), so no result comes from the cache:
this is the cost of a real filter change, measured under AppTest (the script
run on the server, without the browser).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from core.db import connect_read

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "tong_quan": "pages/tong_quan.py",
    "theo_xa_phuong": "pages/theo_xa_phuong.py",
    "theo_chi_tieu": "pages/theo_chi_tieu.py",
    "bao_cao": "pages/bao_cao.py",
}


def _filter_sets(db: Path, n: int) -> list[tuple[str, int, list[str]]]:
    """n distinct (quarter, province, its xã/phường) filter combinations."""
    con = connect_read(db)
    try:
        rows = con.execute(
            "SELECT province, list(code ORDER BY code) FROM ref.units WHERE level = 'xa' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    return [(["2026-Q1", "2026-Q2"][(i // len(rows)) % 2], *rows[i % len(rows)]) for i in range(n)]


def _time_runs(at: AppTest, filters, baseline: bool = False, warmup: int = 2) -> list[float]:
    times = []
    for i, (period, province, wards) in enumerate(filters):
        at.sidebar.selectbox(key="f_period").set_value(period)
        if baseline:  # the baseline has no province picker: it filters on the province's xã/phường
            at.sidebar.multiselect(key="f_units").set_value(wards)
        elif len(at.sidebar.selectbox) and any(s.key == "f_province" for s in at.sidebar.selectbox):
            at.sidebar.selectbox(key="f_province").set_value(province)
        t = time.perf_counter()
        at.run()
        dt = time.perf_counter() - t
        if at.exception:
            raise RuntimeError(f"page failed: {at.exception}")
        if i >= warmup:
            times.append(dt)
    return times


def _stats(times: list[float]) -> dict:
    s = sorted(times)
    return {
        "n": len(s),
        "p50_ms": 1000 * statistics.median(s),
        "p95_ms": 1000 * s[min(len(s) - 1, round(0.95 * (len(s) - 1)))],
    }


def run(db: Path, reruns: int = 22) -> dict:
    os.environ["NQ71_DB"] = str(db)
    filters = _filter_sets(db, reruns + 2)
    results = {}
    for name, path in PAGES.items():
        # one process runs every page: without this, a page would be served the results the pages
        # before it read for the same filters (Theo chỉ tiêu reads Theo xã/phường's progress). The
        # database connection stays open, as in a running server.
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page(path)
        at.run()
        results[name] = _stats(_time_runs(at, filters))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "bench" / "pandas_app.py"), default_timeout=300)
    at.run()  # loads the whole table into the cache once, as such dashboards do
    results["pandas_baseline"] = _stats(_time_runs(at, filters, baseline=True))
    return results
