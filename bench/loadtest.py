"""`make loadtest`: N people at once on the real server, one process or a cluster behind haproxy.

    python -m bench.loadtest [--sessions 30] [--probes 2] [--browsers] [--quick] [--cluster N] [--url URL]
                             [--rounds 2] [--think 10] [--ramp 90] [--curve [--curve-sizes 1,10,…]]

The people are protocol users (Streamlit's own websocket protocol, run by Locust, a few ms of CPU per
action) and beside them ``--probes`` real headless Chromium users who time the drawn page under that
load; ``--browsers``: every person in Chromium (as before the protocol users). Each opens the overview
(one after another over ``--ramp`` seconds), then, once all have, does ``--rounds`` rounds of
bench/load/scenario.py: change the province (national database) and a xã/phường, change the quarter,
open «Theo xã/phường» and «Theo chỉ tiêu», download its CSV, back to the overview, reading ``--think``
seconds (±50 %, seeded) between actions (10 s: the brief's ten seconds in which leadership understands
a page; ``--think 2`` is a stress run).

Prints p50/p95 per action for each kind of user, the errors, the server's peak RSS, the CPU each kind
of process used and ``budget NAME: VALUE (limit LIMIT) ok|OVER`` lines; without ``--url``/``--quick``/
``--db`` it stores the figures in bench/out/loadtest/ and rewrites bench/LOADTEST.md. ``--curve``: the
capacity curve, ``--curve-sizes`` people on 1 process and on 2 behind haproxy (``--curve-workers``),
each point a run of its own; the knee (the first size where a p95 passes 1,5 s) goes to LOADTEST.md.
``--cluster N`` also checks that an import published while the cluster runs is seen by every worker.

The modules: bench/load/ (scenario, users, protocol, locustfile, driver, report).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("NQ71_ALLOW_NO_LOGIN", "1")  # a generated database: demo mode, no sign-in (bench/run.py)

from bench.common import machine
from bench.load import OUT, RAMP_S, ROOT, THINK_S, driver, report


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description="Đo tải: người dùng giao thức (Locust) và trình duyệt thật (make loadtest)"
    )
    ap.add_argument("--sessions", type=int, default=30, help="số người dùng (giao thức; với --browsers: Chromium)")
    ap.add_argument(
        "--probes", type=int, default=2, help="số trình duyệt Chromium đo trang vẽ xong bên cạnh (mặc định 2)"
    )
    ap.add_argument("--browsers", action="store_true", help="mọi người dùng đều là Chromium (không có Locust)")
    ap.add_argument("--quick", action="store_true", help="cơ sở dữ liệu 3 tỉnh")
    ap.add_argument("--db", type=Path, help="cơ sở dữ liệu khác (mặc định: bản quốc gia của bench)")
    ap.add_argument("--url", help="đo một máy chủ hay cụm đang chạy (không khởi động gì)")
    ap.add_argument("--cluster", type=int, default=0, metavar="N", help="N tiến trình sau haproxy")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument(
        "--think", type=float, default=THINK_S, help="giây đọc trang giữa hai thao tác (±50 %%; mặc định 10 s)"
    )
    ap.add_argument(
        "--ramp", type=float, default=RAMP_S, help="giây từ người đầu tiên đến người cuối cùng mở trang (mặc định 90)"
    )
    ap.add_argument("--curve", action="store_true", help="đường năng lực: --curve-sizes người trên 1 và 2 tiến trình")
    ap.add_argument("--curve-sizes", default=",".join(map(str, report.CURVE_SIZES)), help="số người mỗi điểm")
    ap.add_argument("--curve-workers", default="1,2", help="số tiến trình của đường năng lực (mặc định 1,2)")
    ap.add_argument("--rebuild", action="store_true", help="dựng lại cơ sở dữ liệu đo tải bằng mã hiện tại")
    ap.add_argument("--app-root", type=Path, help="chạy máy chủ bằng mã của thư mục này (mặc định: thư mục này)")
    ap.add_argument(
        "--at-commit", metavar="REV", help="chạy máy chủ bằng mã của commit REV (git archive, không đổi git)"
    )
    ap.add_argument("--no-warmup", dest="warmup", action="store_false")
    ap.add_argument("--no-write", dest="write", action="store_false", help="không ghi bench/LOADTEST.md")
    args = ap.parse_args(argv)  # fmt: skip
    if args.browsers:
        args.probes = 0
    return args


def code_text(args) -> str:
    if driver.APP != ROOT:
        return f"{driver.APP.name}" + (f" (git archive of {args.at_commit})" if args.at_commit else "")
    with contextlib.suppress(Exception):
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()  # fmt: skip
        return f"working tree at {sha.stdout.strip()}" + (" with uncommitted changes" if dirty else "")
    return "this checkout"


def one_run(args, work_db: Path | None, facts: dict, command: str, what: str) -> dict:
    """One load test: the server(s) started (or ``--url``), the people, the figures printed."""
    workers = args.cluster or 1
    people = f"{args.sessions} {'person' if args.sessions == 1 else 'people'}"
    title = f"{workers} processes (haproxy), {people}" if args.cluster else f"1 process, {people}"
    if args.url:
        title = f"server at {args.url}"
    res = {"title": title, "workers": workers if not args.url else 0, "sessions": args.sessions,
           "probes": args.probes, "mode": "browsers" if args.browsers else "protocol", "curve": args.curve,
           "rounds": args.rounds, "think": args.think, "ramp": args.ramp, "db": what,
           "tag": (f"_{args.cluster}_processes" if args.cluster else "") + report.think_tag(args.think),
           "command": command, "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
           "machine": machine(), "code": code_text(args)}  # fmt: skip
    # each script run of the server(s) writes its own time to their log, tagged with this run (ui.data.timed_run)
    tag = f"lt{os.getpid()}-{int(time.time())}"
    os.environ["NQ71_RUN_TIMES"] = tag
    res["load_before"] = os.getloadavg()[0]
    before = driver.speed_ms()
    res["other_python"] = driver.foreign_processes()
    if args.url:
        out = asyncio.run(driver.drive(args.url.rstrip("/"), facts, args))
    elif args.cluster:
        from deploy.cluster import cluster

        with cluster(work_db, args.cluster, run_dir=OUT / "cluster", timeout=180, root=driver.APP) as c:
            sampler = driver.RssSampler(c.worker_pids())
            sampler.start()
            out = asyncio.run(driver.drive(c.url, facts, args, sampler))
            res["memory"] = sampler.stop()
            res["worker_restarts"] = c.restarts
    else:
        with driver.server(work_db) as (url, pid):
            sampler = driver.RssSampler([pid])
            sampler.start()
            out = asyncio.run(driver.drive(url, facts, args, sampler))
            res["memory"] = sampler.stop()
    res["wall_s"] = out["wall_s"]
    res["speed_ms"] = (before, driver.speed_ms())
    res["summary"] = report.summarize(out["browser"])
    if "protocol" in out:
        pr = out["protocol"]
        res["protocol"] = {k: v for k, v in pr.items() if k != "results"}
        res["protocol"]["summary"] = report.summarize(pr["results"])
    if not args.url:
        res["server_runs"] = driver.server_runs(tag)
    res["budget_lines"] = report.print_report(res)
    return res


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.at_commit:
        driver.APP = driver.export_commit(args.at_commit)
    elif args.app_root:
        driver.APP = args.app_root.resolve()
    src = args.db if args.url else (args.db or driver.national_db(args.quick, args.rebuild))
    work_db = None
    if src is not None:
        # a private copy: a `make bench` rebuilding bench/out/national meanwhile does not disturb the run
        name = src.name if src.name.startswith("demo") else "loadtest.duckdb"
        work_db = driver.copy_published(src, OUT / f"db-{os.getpid()}", name) if not args.url else src
    facts = driver.db_facts(work_db) if work_db else {"provinces": [], "quarters": []}
    if args.url and not facts["quarters"]:
        print("--url: cho biết thêm --db (cơ sở dữ liệu máy chủ đang đọc) để biết tên tỉnh và quý.", file=sys.stderr)
        return 2
    what = "3 tỉnh" if args.quick else ("quốc gia" if args.db is None else str(args.db))
    command = ("python -m bench.loadtest " + " ".join(argv if argv is not None else sys.argv[1:])).strip()
    write = args.write and not args.url and not args.quick and args.db is None
    failed = 0
    try:
        if args.curve:
            for workers in (int(w) for w in args.curve_workers.split(",")):
                for n in (int(x) for x in args.curve_sizes.split(",")):
                    point = copy.copy(args)
                    point.sessions, point.cluster = n, (workers if workers > 1 else 0)
                    cmd = f"{command} (point: --sessions {n}{f' --cluster {workers}' if workers > 1 else ''})"
                    res = one_run(point, work_db, facts, cmd, what)
                    failed += report.errors(res) > 0
                    if write:
                        report.store(res)
                        report.write_markdown()
        else:
            res = one_run(args, work_db, facts, command, what)
            if args.cluster and not args.url:
                check = driver.publish_check(workers=args.cluster, run_dir=OUT / "publish-check")
                print(f"publish check: {check['text']}")
                res["publish_check"] = check["text"]
                if not check["ok"]:
                    res["summary"]["errors"] += 1
            failed = report.errors(res) > 0
            if write:
                report.store(res)
                report.write_markdown()
    finally:
        if work_db is not None and not args.url:
            shutil.rmtree(OUT / f"db-{os.getpid()}", ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
