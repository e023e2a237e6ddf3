"""The real server: peak memory with national data and 10 sessions; seconds to the first chart.

Both drive Debian's Chromium through Playwright (tests/browser.py), on loopback.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.browser import chromium, free_port, streamlit_server, wait_app

OUT_DIR = Path(__file__).resolve().parent / "out"  # the server logs of a run (never tests/artifacts)

ROOT = Path(__file__).resolve().parent.parent
# a drawn line of the overview's trend chart (Vega-Lite, SVG), or of any plotly chart
CHART = "[data-testid=stVegaLiteChart] .mark-line path, .js-plotly-plot .scatterlayer .trace, .js-plotly-plot .bars"


def _rss_kb(pid: int, field: str) -> int:
    """VmHWM (peak) or VmRSS of a process and its children, from /proc, in kB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            m = re.search(rf"{field}:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text())
            total += int(m.group(1)) if m else 0
        except OSError:
            pass
    return total


def _server_pid(url_port: int) -> int | None:
    """The streamlit process listening on the port (ui.serve runs in the child we started)."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "ui.serve" in line and f"--server.port {url_port}" in line:
            return int(line.split()[0])
    return None


def peak_memory(db: Path, sessions: int = 10) -> dict:
    with streamlit_server(db, timeout=120, log_dir=OUT_DIR) as url, chromium() as browser:
        port = int(url.rsplit(":", 1)[1])
        pid = _server_pid(port)
        idle = _rss_kb(pid, "VmRSS")
        pages = []
        for i in range(sessions):
            ctx = browser.new_context(viewport={"width": 1366, "height": 768})
            page = ctx.new_page()
            # each session a different province view, so each fills the cache with its own results
            page.goto(f"{url}/?tinh={[1, 4, 8, 11, 12, 14, 15, 19, 20, 22][i % 10]}")
            pages.append(page)
        for page in pages:
            wait_app(page, timeout=120000)
        for page in pages:  # every page of the app once per session
            for path in ("theo-xa-phuong", "theo-chi-tieu", "tinh-hinh-bao-cao"):
                page.goto(f"{url}/{path}")
                wait_app(page, timeout=120000)
        peak = _rss_kb(pid, "VmHWM")
        now = _rss_kb(pid, "VmRSS")
    return {"sessions": sessions, "idle_mb": idle / 1024, "peak_mb": peak / 1024, "end_mb": now / 1024}


def _wait_answering(port: int, t0: float) -> None:
    """Until the server answers HTTP, as a person opens the link once `make run` prints it.

    Polled with a plain HTTP request every 20 ms: letting Chromium retry a refused
    page renders an error page each time, and on two cores that slows the very
    server start being measured.
    """
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/_stcore/health")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        if time.perf_counter() - t0 > 120:
            raise TimeoutError("the server did not answer within 120 s")
        time.sleep(0.02)


def first_chart_from_make_run(runs: int = 1) -> dict:
    """Seconds from `make run` (installed, demo built) to the first chart visible in Chromium:
    the median of ``runs`` starts, each a new server and a new browser page (nothing cached)."""
    times = [_first_chart_once() for _ in range(runs)]
    return {"first_chart_s": statistics.median(times), "runs_s": times}


def _first_chart_once() -> float:
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto("about:blank")
        time.sleep(2)  # a person's browser is already open: let Chromium finish its own start-up work first
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            ["make", "-s", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            _wait_answering(port, t0)
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector(CHART, timeout=60000, state="visible")
            seconds = time.perf_counter() - t0
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
    return seconds


if __name__ == "__main__":
    print(peak_memory(Path(sys.argv[1])) if len(sys.argv) > 1 else first_chart_from_make_run())
