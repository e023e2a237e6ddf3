"""`make loadtest` in miniature on the demo (bench/loadtest.py, bench/load/): two people in real browsers;
three protocol users (Locust) beside a Chromium probe."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT, require_browser

pytestmark = pytest.mark.browser


def test_two_sessions_on_the_demo(demo_db):
    require_browser()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.loadtest", "--db", str(demo_db), "--browsers", "--sessions", "2", "--rounds", "1",
         "--think", "0.3", "--ramp", "0.5", "--no-write"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr[-3000:]
    assert re.search(r"^errors: 0 ", out, re.M), out
    for action in ("open_overview", "filter_unit", "filter_quarter", "page_theo_xa_phuong", "page_theo_chi_tieu",
                   "download_csv", "page_tong_quan"):  # fmt: skip
        assert re.search(rf"^action {action}: p50 \d+\.\d\d s, p95 \d+\.\d\d s, max .* n [12], errors 0$", out, re.M), (
            out
        )
    # a reading time other than the default (10 s) names its budget lines: never mixed with the default's
    assert re.search(
        r"^budget filter_change_p95_2_sessions_think0\.3: \d+\.\d\d s \(limit 1\.50 s\) (ok|OVER)$", out, re.M
    ), out
    assert re.search(r"^budget errors_2_sessions_think0\.3: 0 \(limit 0\) ok$", out, re.M), out
    # the server's own time of its script runs, read from its log (the open, 2 filter changes, 3 pages
    # per person at least)
    runs = re.search(
        r"^the server's own time per script run \(p50 / p95\): (\d+) / (\d+) ms \((\d+) runs\)$", out, re.M
    )
    assert runs and int(runs[3]) >= 12 and 0 < int(runs[1]) <= int(runs[2]), out
    assert re.search(r"^server RSS: peak \d+ MB", out, re.M), out
    # how fast the machine ran a fixed loop before and after: runs on a drifting machine are compared with it
    assert re.search(r"^machine speed: a fixed Python loop took \d+ / \d+ ms before / after the run", out, re.M), out


def test_protocol_users_beside_a_probe(demo_db):
    """The default load: people over Streamlit's protocol (a Locust process) and a Chromium probe beside them."""
    require_browser()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.loadtest", "--db", str(demo_db), "--sessions", "3", "--probes", "1",
         "--rounds", "1", "--think", "0.3", "--ramp", "1", "--no-write"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr[-3000:]
    assert re.search(r"^errors: 0 ", out, re.M), out
    for action in ("open_overview", "filter_unit", "filter_quarter", "page_theo_xa_phuong", "page_theo_chi_tieu",
                   "download_csv", "page_tong_quan"):  # fmt: skip
        # the probe did each action once, the three protocol users once each
        assert re.search(rf"^action {action}: .* n 1, errors 0$", out, re.M), out
        assert re.search(rf"^protocol {action}: .* n 3, errors 0$", out, re.M), out
    # the load generator costs milliseconds per action, not a browser's ~0,8 s
    cpu = re.search(r"^protocol users' CPU: (\d+\.\d) ms per action \((\d+) actions", out, re.M)
    assert cpu and int(cpu[2]) == 21 and float(cpu[1]) < 100, out
    for name in ("probe_p95", "protocol_p95"):
        assert re.search(
            rf"^budget {name}_3_people_think0\.3: \d+\.\d\d s \(limit 1\.[05]0 s\) (ok|OVER)$", out, re.M
        ), out
    assert re.search(r"^budget errors_3_people_think0\.3: 0 \(limit 0\) ok$", out, re.M), out
    assert re.search(r"^budget server_rss_3_people_think0\.3: \d+ MB \(limit 1024 MB\) (ok|OVER)$", out, re.M), out
    # the server ran every person's actions: 4 people × 7 runs (the opening, 2 filters, 3 pages, and no
    # rerun for the download)
    runs = re.search(r"^the server's own time per script run \(p50 / p95\): \d+ / \d+ ms \((\d+) runs", out, re.M)
    assert runs and int(runs[1]) >= 24, out
