"""The load test's figures: per action, the budget lines, the capacity curve and bench/LOADTEST.md.

Pure: reads what bench/load/driver.py measured (a run's dict, stored as
bench/out/loadtest/result-*.json and curve-*.json) and writes text.
"""

from __future__ import annotations

import json
import math
import os

from bench.common import budget, pct
from bench.load import OUT, RESULTS_MD, ROOT, THINK_S
from bench.load.scenario import FILTER_ACTIONS

KNEE_S = 1.5  # the capacity curve's knee: the first size where a p95 passes this
RSS_LIMIT_MB = 1024
CURVE_SIZES = (1, 10, 30, 60, 100, 150)
BUDGET_POINTS = ((1, 30), (2, 100))  # (processes, people) with a budget of their own
# what a person waits for while using the dashboard: every action but the first opening (Streamlit's
# JavaScript downloaded and started) and the download (a file, not a page)
NOT_A_PAGE = ("open_overview", "download_csv", "session")


def limits(workers: int, people: int) -> tuple[float, float]:
    """The p95 limits (Chromium probe, protocol users) in seconds: 100 people or more on a cluster
    2 s for both; otherwise a drawn page 1,5 s and the protocol's run 1,0 s."""
    return (2.0, 2.0) if workers >= 2 and people >= 100 else (1.5, 1.0)


def summarize(results: dict) -> dict:
    results = dict(results)
    js = sum(results.pop("_js_errors", {"times": []})["times"])
    actions = {}
    for name, r in results.items():
        ts = r["times"]
        actions[name] = {"n": len(ts), "p50_s": pct(ts, 50), "p95_s": pct(ts, 95), "max_s": max(ts, default=float("nan")),
                         "errors": len(r["errors"]), "error_samples": r["errors"][:5]}  # fmt: skip
    filt = [t for a in FILTER_ACTIONS for t in results.get(a, {"times": []})["times"]]
    pages = [t for a, r in results.items() if a not in NOT_A_PAGE for t in r["times"]]
    return {
        "actions": actions,
        "filter": {"n": len(filt), "p50_s": pct(filt, 50), "p95_s": pct(filt, 95)},
        "pages": {"n": len(pages), "p50_s": pct(pages, 50), "p95_s": pct(pages, 95)},
        "errors": sum(a["errors"] for a in actions.values()),
        "js_errors": js,
    }


def errors(res: dict) -> int:
    return res["summary"]["errors"] + (res.get("protocol", {}).get("summary", {}).get("errors", 0))


def _finite(x: float) -> float:
    return x if x == x else 1e9  # no figure (NaN) is over any limit


def budget_lines(res: dict) -> list[tuple[str, bool]]:
    n, tag, s = res["sessions"], res["tag"], res["summary"]
    if res.get("mode") == "browsers":  # every person in Chromium: the budgets before the protocol users
        p95 = s["filter"]["p95_s"]
        return [
            budget(f"filter_change_p95_{n}_sessions{tag}", _finite(p95), 1.5, "s"),
            (f"budget errors_{n}_sessions{tag}: {s['errors']} (limit 0) {'ok' if s['errors'] == 0 else 'OVER'}",
             s["errors"] == 0),
        ]  # fmt: skip
    probe_limit, protocol_limit = limits(res["workers"], n)
    lines = []
    if res.get("probes"):
        lines.append(budget(f"probe_p95_{n}_people{tag}", _finite(s["pages"]["p95_s"]), probe_limit, "s"))
    if res.get("protocol"):
        p = res["protocol"]["summary"]["pages"]["p95_s"]
        lines.append(budget(f"protocol_p95_{n}_people{tag}", _finite(p), protocol_limit, "s"))
    e = errors(res)
    lines.append((f"budget errors_{n}_people{tag}: {e} (limit 0) {'ok' if e == 0 else 'OVER'}", e == 0))
    mem = res.get("memory")
    if mem and res["workers"] == 1:
        lines.append(budget(f"server_rss_{n}_people{tag}", mem["peak_mb"], RSS_LIMIT_MB, "MB", "{:.0f}"))
    return lines


def server_runs_text(r: dict) -> str:
    x = r.get("server_runs")
    if not x:
        return "n/a"
    extra = "".join(f", {x[k]} {w}" for k, w in (("reruns", "cut by st.rerun"), ("errors", "errors")) if x.get(k))
    return f"{x['p50_ms']:.0f} / {x['p95_ms']:.0f} ms ({x['n']} runs{extra})"


def cpu_text(mem: dict) -> str:
    """«server 38 s (25 %), chromium 145 s (96 %), other 47 s (31 %)»: CPU seconds of each kind of
    process during the run and their share of one core."""
    wall = mem.get("cpu_wall_s") or 1.0
    return ", ".join(f"{k} {v:.0f} s ({100 * v / wall:.0f} %)" for k, v in mem.get("cpu_s", {}).items()) or "n/a"


def speed_text(r: dict) -> str:
    sp = r.get("speed_ms")
    return f"{sp[0]:.0f} / {sp[1]:.0f} ms" if sp else "n/a"


def _action_lines(prefix: str, s: dict) -> None:
    for name, a in s["actions"].items():
        print(f"{prefix} {name}: p50 {a['p50_s']:.2f} s, p95 {a['p95_s']:.2f} s, max {a['max_s']:.2f} s, "
              f"n {a['n']}, errors {a['errors']}")  # fmt: skip
        for e in a["error_samples"]:
            print(f"    {e}")


def print_report(res: dict) -> list[str]:
    s = res["summary"]
    kinds = f"{res['sessions']} người dùng giao thức + {res['probes']} Chromium đo" if res.get("protocol") else (
        f"{res['sessions']} phiên Chromium")  # fmt: skip
    print(f"== {res['title']}: {kinds}, {res['rounds']} vòng, nghĩ {res['think']} s, {res['wall_s']:.0f} s")
    _action_lines("action", s)
    f = s["filter"]
    print(f"filter changes (all kinds): p50 {f['p50_s']:.2f} s, p95 {f['p95_s']:.2f} s over {f['n']}")
    if res.get("probes") and res.get("protocol"):
        p = s["pages"]
        print(f"probe pages (Chromium, every drawn page after the opening): p50 {p['p50_s']:.2f} s, "
              f"p95 {p['p95_s']:.2f} s over {p['n']}")  # fmt: skip
    if res.get("protocol"):
        pr = res["protocol"]
        _action_lines("protocol", pr["summary"])
        p = pr["summary"]["pages"]
        print(f"protocol pages (every run after the opening): p50 {p['p50_s']:.2f} s, p95 {p['p95_s']:.2f} s "
              f"over {p['n']}")  # fmt: skip
        print(f"protocol users' CPU: {pr.get('cpu_ms_per_action', float('nan')):.1f} ms per action "
              f"({pr.get('actions', 0)} actions, {pr.get('cpu_s', 0):.1f} s in the Locust process)")  # fmt: skip
    print(f"the server's own time per script run (p50 / p95): {server_runs_text(res)}")
    print(f"errors: {errors(res)} (JavaScript errors on pages, not counted: {s['js_errors']})")
    mem = res.get("memory")
    if mem:
        per = ", ".join(f"{m:.0f}" for m in mem["per_process_peak_mb"])
        print(f"server RSS: peak {mem['peak_mb']:.0f} MB (per process {per} MB), end {mem['end_mb']:.0f} MB")
        print(f"machine load (1-min average, {os.cpu_count()} cores): mean {mem['load_avg_mean']:.1f}, "
              f"max {mem['load_avg_max']:.1f}; before the run {res.get('load_before', 0):.1f}")  # fmt: skip
        print(f"CPU time during the run ({mem.get('cpu_wall_s', 0):.0f} s, {os.cpu_count()} cores): {cpu_text(mem)}")
        print(f"machine speed: a fixed Python loop took {speed_text(res)} before / after the run (lower is faster)")
    else:
        print("server RSS: n/a (--url: the server is not ours)")
    lines = []
    for text, _ok in budget_lines(res):
        print(text)
        lines.append(text)
    return lines


# ---------------------------------------------------------------- stored runs and the markdown


def think_tag(think: float) -> str:
    """A budget's suffix for a run whose reading time is not the default (``_think2``): a stress run's
    lines are printed too, never mixed with the default's."""
    return "" if think == THINK_S else f"_think{think:g}"


def store(res: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    kind = "curve" if res.get("curve") else "result"
    mode = "" if res.get("mode") == "browsers" else "-protocol"
    name = f"{kind}-{res['workers']}w-{res['sessions']}s-think{res['think']:g}{mode}.json"
    (OUT / name).write_text(json.dumps(res, indent=1, ensure_ascii=False, default=str))


def stored_runs() -> list[dict]:
    """The latest stored run of each size, mode and reading time (bench/out/loadtest/result-*.json):
    the default reading time first, then most people first."""
    runs = [json.loads(p.read_text()) for p in OUT.glob("result-*.json")]
    return sorted(runs, key=lambda r: (r["think"] != THINK_S, r.get("mode") == "browsers", -r["sessions"],
                                       r["workers"], -r["think"]))  # fmt: skip


def curve_runs() -> list[dict]:
    runs = [json.loads(p.read_text()) for p in OUT.glob("curve-*.json")]
    return sorted(runs, key=lambda r: (r["workers"], r["sessions"]))


def label(r: dict) -> str:
    """A stored run's name with its reading time and when it ran: «1 process, 30 people, reading 10 s,
    12-04 20:33»."""
    return f"{r['title']}, reading {r['think']:g} s, {r['date'][5:16]}"


def knee(points: list[dict], key) -> str:
    """The first size whose p95 (``key(run)``) passes KNEE_S, or «not reached up to N»."""
    for r in points:
        v = key(r)
        if v is not None and (v != v or v > KNEE_S):
            return f"**{r['sessions']} people** (p95 {v:.2f} s)"
    return f"not reached up to {points[-1]['sessions']} people" if points else "n/a"


def _p95(r: dict, kind: str) -> float | None:
    if kind == "probe":
        return r["summary"]["pages"]["p95_s"] if r.get("probes") else None
    return r["protocol"]["summary"]["pages"]["p95_s"] if r.get("protocol") else None


def _s(x: float | None) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def curve_text(points: list[dict]) -> str:
    if not points:
        return "No capacity curve stored on this machine yet (`make loadtest CURVE=1`)."
    parts = []
    for workers in sorted({r["workers"] for r in points}):
        pts = [r for r in points if r["workers"] == workers]
        rows = "\n".join(
            f"| {r['sessions']} | {_s(_p95(r, 'protocol'))} | {_s(_p95(r, 'probe'))} | "
            f"{_s(r['protocol']['summary']['pages']['p50_s']) if r.get('protocol') else '–'} | {errors(r)} | "
            f"{r['memory']['peak_mb']:.0f} | {cpu_text(r['memory'])} | "
            f"{r['memory'].get('load_avg_mean', 0):.1f} | `{r['command']}` |"
            for r in pts
        )
        title = "1 process" if workers == 1 else f"{workers} processes behind haproxy"
        parts.append(
            f"### {title}\n\n"
            f"Knee (first size where a p95 passes {KNEE_S:g} s): protocol users {knee(pts, lambda r: _p95(r, 'protocol'))}; "
            f"Chromium probes {knee(pts, lambda r: _p95(r, 'probe'))}.\n\n"
            "| people (protocol) | protocol p95 s | Chromium probe p95 s | protocol p50 s | errors | server peak RSS MB "
            "| CPU: seconds (share of one core) | load avg | command |\n"
            "|---|---|---|---|---|---|---|---|---|\n" + rows
        )
    first = points[0]
    return (
        f"Each point: N protocol users plus {first.get('probes', 0)} Chromium probes beside them, "
        f"{first['rounds']} round(s), reading {first['think']:g} s, ramp {first['ramp']:g} s, database: {first['db']}; "
        "p95 over every page after the opening (filter changes and page changes; not the first opening nor the "
        "download). Measured on " + ", ".join(sorted({r["date"][:10] for r in points})) + ".\n\n" + "\n\n".join(parts)
    )


def _action_table(runs: list[dict], kind: str) -> str:
    runs = [r for r in runs if (r.get("protocol") if kind == "protocol" else r["summary"]["actions"])]
    if not runs:
        return "(none)"

    def summ(r):
        return r["protocol"]["summary"] if kind == "protocol" else r["summary"]

    actions = []
    for r in runs:
        actions += [a for a in summ(r)["actions"] if a not in actions]
    head = "| action | " + " | ".join(f"{label(r)}: p50 / p95 (n, errors)" for r in runs) + " |"
    sep = "|---|" + "---|" * len(runs)
    rows = []
    for a in actions:
        cells = []
        for r in runs:
            x = summ(r)["actions"].get(a)
            cells.append(f"{x['p50_s']:.2f} / **{x['p95_s']:.2f}** s ({x['n']}, {x['errors']})" if x else "–")
        rows.append(f"| `{a}` | " + " | ".join(cells) + " |")
    rows.append("| **every page after the opening** | " + " | ".join(
        f"{summ(r)['pages']['p50_s']:.2f} / **{summ(r)['pages']['p95_s']:.2f}** s ({summ(r)['pages']['n']})"
        for r in runs) + " |")  # fmt: skip
    return "\n".join([head, sep, *rows])


ANALYSIS_FILE = "LOADTEST_NOTES.md"  # bench/: the reading of the figures, written by a person after a run


def write_markdown() -> None:
    """bench/LOADTEST.md from the latest stored runs and the capacity curve."""
    runs, points = stored_runs(), curve_runs()
    if not runs and not points:
        return
    everything = runs + points
    runs_txt = (
        "\n".join(
            f"- **{label(r)}**{' (every person in Chromium)' if r.get('mode') == 'browsers' else ''}: `{r['command']}` "
            f"on {r['date']}, server code: {r.get('code', '?')} ({r['wall_s']:.0f} s; errors {errors(r)}, "
            f"JavaScript errors {r['summary']['js_errors']}; protocol users' CPU "
            f"{r.get('protocol', {}).get('cpu_ms_per_action', float('nan')):.1f} ms per action; machine speed, a fixed "
            f"Python loop before / after: {speed_text(r)})"
            for r in runs
        )
        or "- (no single run stored: `make loadtest`)"
    )
    mem_rows = "\n".join(
        f"| {label(r)} | {r['memory']['peak_mb']:.0f} | "
        f"{', '.join(f'{m:.0f}' for m in r['memory']['per_process_peak_mb'])} | {r['memory']['end_mb']:.0f} | "
        f"{r['memory'].get('load_avg_mean', 0):.1f} / {r['memory'].get('load_avg_max', 0):.1f} ({r.get('load_before', 0):.1f}) | "
        f"{cpu_text(r['memory'])} |"
        for r in runs
        if r.get("memory")
    )
    # the budgets: every single run's lines, and of the curve the two sizes the issue sets budgets for
    budgeted = runs + [p for p in points if (p["workers"], p["sessions"]) in BUDGET_POINTS]
    budgets = "\n".join(f"    {line}    ← `{r['command']}`" for r in budgeted for line in r["budget_lines"])
    publish = "\n".join(f"- {r['publish_check']}" for r in everything if r.get("publish_check"))
    others = "\n".join(
        f"- {label(r)}: " + ("; ".join(f"`{p}`" for p in r["other_python"][:6]) or "none")
        for r in runs
        if "other_python" in r
    )
    notes = ROOT / "bench" / ANALYSIS_FILE
    analysis = notes.read_text().strip() if notes.exists() else "(no reading written yet)"
    text = f"""# Load test: protocol users, Chromium probes, one process and a cluster

Written by `bench/loadtest.py` (`make loadtest`: 30 people on one process; `make loadtest WORKERS=2
SESSIONS=100`: 100 on two processes behind haproxy; `make loadtest CURVE=1`: the capacity curve).
Machine: {everything[-1]["machine"]}. The load generator (Locust and Chromium) runs on the same
machine as the server(s), and other work may share it (the load average and the machine speed of each
run are given).

{runs_txt}

## What each person does

The people are **protocol users** (`bench/load/protocol.py`, run by Locust: `bench/load/locustfile.py`):
each opens its own Streamlit session over the websocket (`/_stcore/stream`) as a browser does, then
changes the filters by sending the sidebar widgets' new values (`rerun_script` with `WidgetStates`,
the widgets found by their label in the deltas received), opens pages by their `page_script_hash`, and
downloads the CSV from its download button's `/media` address. An action is timed from the message sent
to the `script_finished` of the run it started: the server's share of a drawn page, without the
drawing; it costs the load generator a few milliseconds of CPU per action (line «protocol users' CPU»),
where a headless Chromium costs ≈0,8 s. Beside them, **Chromium probes** (`bench/load/users.py`,
Debian's Chromium through Playwright) do the same rounds and time the page actually drawn (the script
run finished, no skeleton or running indicator, the title and every chart drawn, stable for 250 ms).
`tests/test_protocol_user.py` shows that the two ask the server for the same work: same pages, same
filters in the server's log, server-side run times within 20 %.

A round (`bench/load/scenario.py`): change the province (34 on the national database), pick a
xã/phường, change the quarter, open «Theo xã/phường», open «Theo chỉ tiêu», download its CSV, back to
«Tổng quan»; each person's province is one most others have not seen, so most filter changes miss
the query cache. Between two actions a person reads for the run's reading time ±50 % ({THINK_S:g} s by
default: leadership understands a page in ten seconds). The people open the overview one after another
over the ramp; the rounds start once all have. The server first served each page once (a warm-up, not
measured). The p95 of a budget counts every page after the opening (filter changes and page changes),
not the first opening (a new visitor's JavaScript) nor the download (a file).

Other test runs and servers on the machine when each run started:

{others or "- (none recorded)"}

## The capacity curve

{curve_text(points)}

## Time per action: Chromium probes (a drawn page, seconds)

{_action_table(runs, "browser")}

## Time per action: protocol users (the script run, seconds)

{_action_table(runs, "protocol")}

The server's own time per script run (p50 / p95), from its log: {"; ".join(f"{label(r)}: {server_runs_text(r)}" for r in runs) or "n/a"}.

## Memory of the server (RSS, MB; sampled every 0,5 s and the kernel's VmHWM) and where the CPU went

| run | peak, all processes | peak per process | at the end | machine load: mean / max (before) | CPU: seconds (share of one core) |
|---|---|---|---|---|---|
{mem_rows}

## Budgets

{budgets}

## Reading these figures

{analysis}

## An import published while the cluster runs

{publish or "- (run `make loadtest WORKERS=2` for this check)"}
"""
    RESULTS_MD.write_text(text)
    print(f"Đã ghi {RESULTS_MD.relative_to(ROOT)}")
