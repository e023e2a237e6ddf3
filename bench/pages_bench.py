"""Server-side rerun time of each page after a filter change, p50/p95, against the pandas baseline
measured alternately with it in the same run (page, baseline, page, baseline…: both see the same
machine at the same moment; the ratio is the median of the pairs' ratios).

The baseline runs in a process of its own, as a server of its own would run it: it keeps the whole
national table in memory, and in the page's process every collection of Python's cycle collector walked
that table too (05/12: the same page's p95 was 88–296 ms beside it, 67–99 ms without it).

Every rerun changes the filters to a combination not seen before (another
province, then the other quarter), and the cache of read results is emptied before
each page (one process runs them all), so no result comes from the cache:
this is the cost of a real filter change, measured under AppTest (the script
run on the server, without the browser).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.db import connect_read
from ui import data

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


def _set_filters(at: AppTest, period: str, province: int, wards: list[str], baseline: bool) -> None:
    at.sidebar.selectbox(key="f_period").set_value(period)
    if baseline:  # the baseline has no province picker: it filters on the province's xã/phường
        at.sidebar.multiselect(key="f_units").set_value(wards)
    elif len(at.sidebar.selectbox) and any(s.key == "f_province" for s in at.sidebar.selectbox):
        at.sidebar.selectbox(key="f_province").set_value(province)


def _one_run(at: AppTest, filt, baseline: bool = False) -> float:
    _set_filters(at, *filt, baseline=baseline)
    t = time.perf_counter()
    at.run()
    dt = time.perf_counter() - t
    if at.exception:
        raise RuntimeError(f"page failed: {at.exception}")
    return dt


class _Baseline:
    """The pandas baseline under AppTest in a child process (``python -m bench.pages_bench --baseline DB``):
    one rerun per filter combination sent, its seconds read back."""

    MARK = "@@pages_bench "  # the child's answers, told apart from anything a library prints

    def __init__(self, db: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.pages_bench", "--baseline", str(db)],
            cwd=ROOT,
            env={**os.environ, "NQ71_DB": str(db)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._answer()  # ready: its first run (the whole table loaded) done

    def _answer(self) -> dict:
        for line in self.proc.stdout:
            if line.startswith(self.MARK):
                out = json.loads(line[len(self.MARK) :])
                if "error" in out:
                    raise RuntimeError(f"baseline failed: {out['error']}")
                return out
        raise RuntimeError(f"baseline process ended (exit {self.proc.wait()})")

    def run(self, filt) -> float:
        self.proc.stdin.write(json.dumps(filt) + "\n")
        self.proc.stdin.flush()
        return self._answer()["seconds"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(60)


def _baseline_main(db: str) -> None:
    os.environ["NQ71_DB"] = db
    mark = _Baseline.MARK
    try:
        base = _app(ROOT / "bench" / "pandas_app.py")
    except Exception as e:  # reported to the parent, which raises it
        print(mark + json.dumps({"error": repr(e)}), flush=True)
        return
    print(mark + json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        period, province, wards = json.loads(line)
        try:
            seconds = _one_run(base, (period, province, wards), baseline=True)
        except Exception as e:  # reported to the parent
            print(mark + json.dumps({"error": repr(e)}), flush=True)
            return
        print(mark + json.dumps({"seconds": seconds}), flush=True)


def _pairs(page: AppTest, base: _Baseline, filters, warmup: int = 2) -> list[tuple[float, float]]:
    """(page, baseline) seconds for each filter combination, the two run one after the other."""
    out = []
    for i, filt in enumerate(filters):
        pair = (_one_run(page, filt), base.run(filt))
        if i >= warmup:
            out.append(pair)
    return out


def _stats(times: list[float]) -> dict:
    s = sorted(times)
    return {
        "n": len(s),
        "p50_ms": 1000 * statistics.median(s),
        "p95_ms": 1000 * s[min(len(s) - 1, round(0.95 * (len(s) - 1)))],
    }


def _app(path: Path, switch: str | None = None) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=300)
    at.run()
    if switch:
        at.switch_page(switch)
        at.run()
    return at


def run(db: Path, reruns: int = 22) -> dict:
    """Per page: p50/p95 of its reruns, the baseline's p50/p95 over the same filter changes run
    alternately with it, and ``ratio``: the median over the pairs of baseline time / page time."""
    os.environ["NQ71_DB"] = str(db)
    filters = _filter_sets(db, reruns + 2)
    results = {}
    for name, path in PAGES.items():
        # one process runs every page: without this, a page would be served the results the pages
        # before it read for the same filters (Theo chỉ tiêu reads Theo xã/phường's progress). The
        # database connection stays open, as in a running server. The baseline then loads the whole
        # table into its cache again, as such dashboards do (in its warm-up runs, not timed).
        data.clear_reads()
        page = _app(ROOT / "app.py", path)
        base = _Baseline(db)
        try:
            pairs = _pairs(page, base, filters)
        finally:
            base.close()
        ratios = sorted(b / p for p, b in pairs)
        results[name] = {
            **_stats([p for p, _ in pairs]),
            "baseline": _stats([b for _, b in pairs]),
            "ratio": statistics.median(ratios),
        }
    return results


def growth(one: Path, many: Path, reruns: int = 22) -> dict:
    """Every page on one database with one quarter (``one``) and on one with years of history
    (``many``), alternately with the same filter changes (each a combination not seen before, the
    same quarters of 2026 on both): per page p50/p95 on each and ``growth``, p95(many) / p95(one)."""
    filters = _filter_sets(one, reruns + 2)
    results = {}
    for name, path in PAGES.items():
        data.clear_reads()
        times: dict[str, list[float]] = {"one": [], "many": []}
        apps = {}
        for which, db in (("one", one), ("many", many)):
            os.environ["NQ71_DB"] = str(db)
            apps[which] = _app(ROOT / "app.py", path)
        for i, filt in enumerate(filters):
            for which, db in (("one", one), ("many", many)):
                os.environ["NQ71_DB"] = str(db)
                dt = _one_run(apps[which], filt)
                if i >= 2:
                    times[which].append(dt)
        one_s, many_s = _stats(times["one"]), _stats(times["many"])
        results[name] = {"one": one_s, "many": many_s, "growth": many_s["p95_ms"] / one_s["p95_ms"]}
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--baseline"]:
        _baseline_main(sys.argv[2])
