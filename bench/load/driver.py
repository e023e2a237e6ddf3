"""The load test's machinery: the database, one server or the haproxy cluster, N people at once,
and what the servers logged.

The people: N protocol users (bench/load/protocol.py, run by Locust in a process of their own:
bench/load/locustfile.py) and beside them ``--probes`` real Chromium users (bench/load/users.py) who
measure the drawn page under that load; or, with ``--browsers``, every person in Chromium (the load
test before the protocol users). The people open the overview one after another over ``--ramp``
seconds; the rounds start once all have (ramp-up, then steady state).

The database is a copy of the published national snapshot (bench/out/national, built by
bench.generate if missing; ``--quick``: the 3-province one), so a `make bench` rebuilding it meanwhile
does not disturb the run. The server's RSS (all its processes) is sampled every 0.5 s, and the CPU
each kind of process used (the servers, the browsers, the protocol users, the rest).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import pct
from bench.load import BENCH, OUT, ROOT, users
from bench.load.users import CAPTION, CHROMIUM, CHROMIUM_ARGS, INIT_JS, READY_JS

# ---------------------------------------------------------------- the database and the server


APP = ROOT  # the checkout whose code the server runs and builds the database with (--app-root, --at-commit)

# Run in APP (``python -c``, so APP's own modules are imported), never in this process: the load test
# may drive a server running other code than the checkout it is started from.
BUILD_PY = """
import sys, time
from pathlib import Path
from bench.generate import api_answers, provinces, school_registry, tabs_from_answers
from data_sources.load.ingest import ingest_tabs
out, quick = Path(sys.argv[1]), sys.argv[2] == "1"
db = out / "national.duckdb"
codes = provinces(3 if quick else None)
registry = out / "truong_quoc_gia.csv"
school_registry(registry, codes)
t = time.perf_counter()
for quarter in (1, 2):
    ingest_tabs(tabs_from_answers(api_answers(codes, registry, quarter=quarter)), db, province=codes, schools=str(registry))
print(f"  xong sau {time.perf_counter() - t:.0f} s", flush=True)
"""
FACTS_PY = """
import json, sys
import queries
from core import db as core_db
from core.periods import label
con = core_db.connect_read(sys.argv[1])
prov = queries.provinces(con)
quarters = [p for p in queries.periods_with_data(con) if "-Q" in p]
print(json.dumps({"provinces": list(prov.name), "quarters": [label(q) for q in quarters]}, ensure_ascii=False))
"""


def in_app(code: str, *args: str, quiet: bool = False) -> str:
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=APP, text=True, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if quiet else None)  # fmt: skip
    return proc.stdout


def _stale(db: Path) -> bool:
    """Missing, or published before the schema or the marts last changed (pages would query tables
    the old file lacks)."""
    if not db.exists():
        return True
    schema = [APP / "data_sources" / "sql" / "schema.sql", APP / "data_sources" / "sql" / "build_marts.sql"]
    newest = max(p.stat().st_mtime for p in schema if p.exists())
    return os.stat(db).st_mtime < newest  # the published version's own time (the link is followed)


def national_db(quick: bool, rebuild: bool = False) -> Path:
    """The published benchmark database: bench/run.py's (bench/out/national or quick) when it is
    there and not older than the schema, else one built here (bench/out/loadtest/national) by
    bench.generate through the real ingest, quarters 1 and 2, as bench/ingest_bench.py does."""
    kind = "quick" if quick else "national"
    shared = BENCH / "out" / kind / "national.duckdb"
    if not rebuild and not _stale(shared):
        return shared
    out = OUT / kind
    db = out / "national.duckdb"
    if not rebuild and not _stale(db):
        return db
    print(f"Dựng cơ sở dữ liệu đo tải ({'3 tỉnh' if quick else '34 tỉnh'}) ở {out}…", flush=True)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    print(in_app(BUILD_PY, str(out), "1" if quick else "0"), end="", flush=True)
    return db


@contextlib.contextmanager
def server(db: Path, timeout: float = 180.0, log_dir: Path = OUT):
    """One ``python -m ui.serve`` (as ``make run``) of APP on a free loopback port: (url, pid). Its
    log: ``log_dir/streamlit-PORT.log`` (the ``[lượt chạy]`` lines of its script runs among them)."""
    from deploy.cluster import free_port, healthy

    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NQ71_DB": str(db)}
    with open(log_dir / f"streamlit-{port}.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true"],
            cwd=APP, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + timeout
            while not healthy(port, 1):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log.name}")
                time.sleep(0.3)
            yield f"http://127.0.0.1:{port}", proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def export_commit(rev: str) -> Path:
    """The files of commit ``rev`` (``git archive``: git's state untouched) under bench/out/loadtest/."""
    sha = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()  # fmt: skip
    dest = OUT / f"app-{sha[:10]}"
    if not (dest / "app.py").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.Popen(["git", "archive", sha], cwd=ROOT, stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, check=True)
        archive.wait()
    return dest


def copy_published(src: Path, dest_dir: Path, name: str) -> Path:
    """A private copy of the published version of ``src`` as a published database of its own
    (``dest_dir/name`` → ``name.versions/000001.duckdb``), so imports into it touch nothing else."""
    if dest_dir.exists():
        shutil.rmtree(dest_dir)
    versions = dest_dir / f"{name}.versions"
    versions.mkdir(parents=True)
    target = versions / "000001.duckdb"
    shutil.copyfile(os.path.realpath(src), target)
    Path(f"{target}.published").touch()
    link = dest_dir / name
    os.symlink(os.path.relpath(target, dest_dir), link)
    return link


def db_facts(db: Path) -> dict:
    """Province names and the quarters with data (labels as the sidebar shows them)."""
    return json.loads(in_app(FACTS_PY, str(db)))


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    from bench.server_bench import _rss_kb

    return _rss_kb(pid, field)


def _cpu_ticks() -> dict[int, tuple[str, int]]:
    """Every process's kind ('chromium' or its command name) and CPU time so far (clock ticks)."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        comm, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        out[int(d)] = ("chromium" if "chrom" in comm or "headless" in comm else comm, int(fields[11]) + int(fields[12]))
    return out


class RssSampler(threading.Thread):
    """Every 0.5 s, the summed RSS of the server's processes (the peak kept), and the CPU time each
    kind of process used meanwhile: the server(s), the browsers, the rest (this driver, other jobs),
    to tell whether a slow page waited for the server or for the browser on the same cores."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.peak_kb, self.samples, self._halt = pids, 0, [], threading.Event()
        self.named: dict[int, str] = {}  # other processes to count apart (the Locust process)
        self.load: list[float] = []  # the machine's 1-minute load average: other work shares the cores
        self.cpu: dict[str, int] = {}  # kind -> clock ticks used during the run
        self._t0 = time.monotonic()

    def _kind(self, pid: int, name: str) -> str:
        if pid in self.named:
            return self.named[pid]
        if pid in self.pids:
            return "server"
        return "chromium" if name == "chromium" else "other"

    def run(self) -> None:
        before = _cpu_ticks()
        while not self._halt.is_set():
            kb = sum(rss_kb(p) for p in self.pids)
            self.samples.append(kb)
            self.load.append(os.getloadavg()[0])
            self.peak_kb = max(self.peak_kb, kb)
            now = _cpu_ticks()
            for pid, (name, ticks) in now.items():
                used = ticks - before[pid][1] if pid in before else 0
                kind = self._kind(pid, name)
                self.cpu[kind] = self.cpu.get(kind, 0) + max(used, 0)
            before = now
            self._halt.wait(0.5)

    def cpu_shares(self) -> dict[str, float]:
        """CPU seconds per kind of process during the run."""
        hz = os.sysconf("SC_CLK_TCK")
        return {k: v / hz for k, v in sorted(self.cpu.items())}

    def stop(self) -> dict:
        self._halt.set()
        self.join(5)
        hwm = sum(rss_kb(p, "VmHWM") for p in self.pids)  # the kernel's own peak, between samples too
        return {
            "peak_mb": max(self.peak_kb, hwm) / 1024,
            "sampled_peak_mb": self.peak_kb / 1024,
            "end_mb": (self.samples[-1] if self.samples else 0) / 1024,
            "per_process_peak_mb": [rss_kb(p, "VmHWM") / 1024 for p in self.pids],
            "load_avg_max": max(self.load, default=0.0),
            "load_avg_mean": statistics.fmean(self.load) if self.load else 0.0,
            "cpu_s": self.cpu_shares(),
            "cpu_wall_s": time.monotonic() - self._t0,
        }


# ---------------------------------------------------------------- what the servers logged


_LOG_START: dict[str, int] = {}  # where each server log stood when the people started (bytes)


def _run_logs() -> list[Path]:
    return [*OUT.glob("streamlit-*.log"), *(OUT / "cluster").glob("worker-*.log")]


def mark_logs() -> None:
    _LOG_START.clear()
    _LOG_START.update({str(p): p.stat().st_size for p in _run_logs()})


def run_lines(text: str, tag: str) -> list[tuple[float, str, str, str, float | None]]:
    """The ``[lượt chạy <tag>] 84 ms theo-xa-phuong xong ?ky=2026-Q1&don_vi=24305 cpu 61 ms`` lines of a
    server log (ui.data.timed_run, NQ71_RUN_TIMES=<tag>): (ms, page, how it ended, the filters' query
    string, the process's CPU ms meanwhile); "" and None from a server whose code does not write them."""
    pattern = re.compile(
        rf"\[lượt chạy {re.escape(tag)}\] (\d+) ms (\S+) (xong|dừng|lỗi)(?: \?(\S*))?(?: cpu (\d+) ms)?"
    )
    return [
        (float(ms), page, ended, query or "", float(cpu) if cpu else None)
        for ms, page, ended, query, cpu in pattern.findall(text)
    ]


def server_runs(tag: str) -> dict | None:
    """The server's own time of each script run during this run (``[lượt chạy <tag>] N ms <page> xong``
    lines of the servers' logs, written when NQ71_RUN_TIMES is set: ui.data.timed_run): p50/p95 ms.
    None for a server whose code does not write them (an older commit)."""
    done: list[float] = []
    other = {"dừng": 0, "lỗi": 0}
    for log in _run_logs():
        with open(log, "rb") as f:  # from where it stood when the people started (after the warm-up)
            f.seek(_LOG_START.get(str(log), 0))
            text = f.read().decode("utf-8", errors="replace")
        for ms, _page, ended, _query, _cpu in run_lines(text, tag):
            if ended == "xong":
                done.append(ms)
            else:
                other[ended] += 1
    if not done:
        return None
    return {"n": len(done), "p50_ms": pct(done, 50), "p95_ms": pct(done, 95), "max_ms": max(done),
            "reruns": other["dừng"], "errors": other["lỗi"]}  # fmt: skip


def speed_ms() -> float:
    """How fast this machine runs Python at this moment: the best of three runs of a fixed loop, in ms
    (lower is faster). Taken before and after a run: the same work has cost this virtual machine up to
    40 % more CPU time from one hour to the next, so runs are compared with this beside them."""
    best = float("inf")
    for _ in range(3):
        t, x = time.perf_counter(), 0
        for i in range(2_000_000):
            x += i * i % 7
        best = min(best, time.perf_counter() - t)
    return best * 1000


def foreign_processes() -> list[str]:
    """Other test runs and servers on the machine at the start (they share the two cores)."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines()
    mine = {os.getpid(), os.getppid()}
    return [
        line.strip()[:120]
        for line in out
        if ("pytest" in line or "ui.serve" in line or "bench." in line) and int(line.split()[0]) not in mine
    ]


# ---------------------------------------------------------------- an import seen by every worker

NEW_QUARTER = "Quý III/2026"


def _caption(page) -> str:
    return page.locator(CAPTION).first.inner_text()


def _sync_drawn(page, n: int, timeout: float = 60000) -> None:
    page.wait_for_function(READY_JS, arg=n, timeout=timeout, polling=100)


def publish_check(workers: int = 2, run_dir: Path = OUT / "publish-check", src: Path | None = None) -> dict:
    """A cluster on a private copy of the demo; one browser session open on each worker (straight to
    its port, so which process answers is certain); an import for a new quarter published by another
    process (``python -m data_sources ingest``, as cron runs it); then each open session, after one
    click, offers the new quarter and a new session on each worker opens on it."""
    from playwright.sync_api import sync_playwright

    from deploy.cluster import cluster

    if src is not None:
        db = copy_published(src, run_dir / "db", "demo-cum.duckdb")
    else:  # the demo built by the code as it is now (data/demo.duckdb may predate a schema change)
        if (run_dir / "db").exists():
            shutil.rmtree(run_dir / "db")
        (run_dir / "db").mkdir(parents=True)
        db = run_dir / "db" / "demo-cum.duckdb"
        subprocess.run([sys.executable, "-m", "data_sources", "build-demo", "--db", str(db)], cwd=APP, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    csv = run_dir / "nhap_trong_khi_chay.csv"
    csv.write_text("Tên đơn vị,Kỳ báo cáo,Số hội nghị\nXã Ea Kar,Quý III/2026,7\n", encoding="utf-8")
    problems, before, timing = [], [], {}
    with cluster(db, workers, run_dir=run_dir, env={"NQ71_ALLOW_NO_LOGIN": "1"}, timeout=120, root=APP) as c, \
            sync_playwright() as p:  # fmt: skip
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        pages = []
        for port in c.worker_ports:
            ctx = browser.new_context(viewport={"width": 1366, "height": 900})
            ctx.add_init_script(INIT_JS)
            page = ctx.new_page()
            page.goto(f"http://127.0.0.1:{port}/", timeout=60000)
            _sync_drawn(page, 0)
            before.append(_caption(page))
            pages.append(page)
        t = time.perf_counter()
        ing = subprocess.run([sys.executable, "-m", "data_sources", "ingest", str(csv), "--db", str(db)],
                             cwd=APP, capture_output=True, text=True, env={**os.environ, "NQ71_ALLOW_NO_LOGIN": "1"})  # fmt: skip
        timing["ingest_s"] = time.perf_counter() - t
        if ing.returncode != 0:
            problems.append(f"ingest exited {ing.returncode}: {ing.stderr[-300:]}")
        version = os.path.basename(os.path.realpath(db))
        for w, (port, page) in enumerate(zip(c.worker_ports, pages, strict=True), 1):
            # the open session: one rerun (back to the overview), then the quarter list
            n = page.evaluate("window.__nqDone")
            page.locator("[data-testid='stSidebarNav'] a", has_text="Tổng quan").first.click()
            _sync_drawn(page, n)
            box = page.get_by_label("Kỳ báo cáo", exact=True)
            box.click()
            page.get_by_role("option").first.wait_for(timeout=10000)
            offered = page.get_by_role("option").all_inner_texts()
            page.keyboard.press("Escape")
            if NEW_QUARTER not in offered:
                problems.append(f"process {w} (port {port}): open session offers {offered}")
            fresh = browser.new_page(viewport={"width": 1366, "height": 900})
            fresh.add_init_script(INIT_JS)
            fresh.goto(f"http://127.0.0.1:{port}/", timeout=60000)
            _sync_drawn(fresh, 0)
            if NEW_QUARTER not in _caption(fresh):
                problems.append(f"process {w} (port {port}): a new session shows «{_caption(fresh)}»")
            fresh.close()
        browser.close()
    ok = not problems and all(NEW_QUARTER not in b for b in before)
    text = (
        f"{workers} processes on one published copy of the demo: before the import every process showed "
        f"«{before[0] if before else '?'}»; `python -m data_sources ingest` (a separate process, "
        f"{timing.get('ingest_s', 0):.1f} s) published {version} with data for {NEW_QUARTER}; then on every process "
        f"an open session offered {NEW_QUARTER} after one click and a new session opened on {NEW_QUARTER}: "
        + ("**ok**" if ok else "**FAILED**: " + "; ".join(problems or ["the new quarter was there before the import"]))
    )
    return {"ok": ok, "text": text, "problems": problems}


# ---------------------------------------------------------------- the people


def _results_from_records(records: list[dict]) -> dict:
    results: dict = {}
    for r in records:
        x = results.setdefault(r["action"], {"times": [], "errors": []})
        if r["s"] is not None:
            x["times"].append(r["s"])
        if r["error"]:
            x["errors"].append(f"người {r['person'] + 1}: {r['error']}")
    return results


async def _protocol_people(url: str, facts: dict, args, first: int, rounds_at: float, sampler) -> dict:
    """``args.sessions`` protocol users in a Locust process of their own: their results and the CPU
    that process used."""
    OUT.mkdir(parents=True, exist_ok=True)
    cfg_path, out_path = OUT / f"locust-{os.getpid()}.json", OUT / f"locust-{os.getpid()}-out.json"
    cfg = {"url": url, "users": args.sessions, "first": first, "spacing": args.ramp / max(args.sessions, 1),
           "rounds_at": rounds_at, "rounds": args.rounds, "think": args.think, "facts": facts,
           "out": str(out_path), "timeout": 3600}  # fmt: skip
    cfg_path.write_text(json.dumps(cfg, ensure_ascii=False))
    with open(OUT / "locust.log", "w") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.load.locustfile", str(cfg_path), cwd=ROOT, stdout=log, stderr=log
        )
        if sampler is not None:
            sampler.named[proc.pid] = "protocol users"
        await proc.wait()
    if not out_path.exists():
        return {"results": {"session": {"times": [], "errors": [f"Locust dừng với mã {proc.returncode}"]}}}
    out = json.loads(out_path.read_text())
    cfg_path.unlink(missing_ok=True)
    out_path.unlink(missing_ok=True)
    n = sum(1 for r in out["records"] if r["s"] is not None)
    return {"results": _results_from_records(out["records"]), "cpu_s": out["cpu_s"], "actions": n,
            "cpu_ms_per_action": 1000 * out["cpu_s"] / max(n, 1), "people_done": out["people_done"]}  # fmt: skip


async def drive(url: str, facts: dict, args, sampler=None) -> dict:
    """Warm the server up (one visit of each page, not measured), then the people: {"browser":
    results, "protocol": {results, cpu}, "wall_s"}. Results: {action: {"times": [s], "errors": [...]}}."""
    out: dict = {"browser": {}}
    async with users.chromium() as browser:
        if args.warmup:
            await users.warm_up(browser, url)
        mark_logs()  # the server's times count from here: the warm-up's runs are not the people's
        t = time.perf_counter()
        if args.browsers:
            await users.people(browser, url, facts, args, out["browser"], 0, args.sessions,
                               args.ramp / max(args.sessions, 1))  # fmt: skip
        else:
            # the probes open among the protocol people; every round starts after the ramp
            rounds_at = time.monotonic() + args.ramp + 3.0
            tasks = [_protocol_people(url, facts, args, args.probes, rounds_at, sampler)]
            if args.probes:
                spacing = args.ramp / args.probes
                tasks.append(
                    users.people(browser, url, facts, args, out["browser"], 0, args.probes, spacing, rounds_at)
                )
            out["protocol"] = (await asyncio.gather(*tasks))[0]
        out["wall_s"] = time.perf_counter() - t
    return out
