"""The one place the dashboard opens the database and caches query results.

The cache key includes the published file's version (inode, mtime), so a new
import is seen on the next rerun and an old result is never shown after it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, Concatenate, NamedTuple, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

import queries
from core import catalog, db, source_reads


def db_path() -> str:
    env = os.environ.get("NQ71_DB")
    if env:
        return env
    try:
        if "database" in st.secrets:
            return str(st.secrets["database"])
    except Exception:  # no secrets.toml: the demo needs none
        pass
    return str(catalog.resolve(catalog.settings()["database"]))


def is_demo() -> bool:
    """The bundled demo, as the database itself says (``ref.demo_marker``, written by build-demo only):
    a real database renamed demo_….duckdb is not one."""
    marker = _demo_marker()
    return marker is not None and not marker.empty and int(marker.n.iloc[0]) > 0


def fallback_note() -> str | None:
    """Why the dashboard shows an older version than the published one (damaged or missing file)."""
    ver = version()
    return _fallback_note(db_path(), ver) if ver else None


@st.cache_data(max_entries=4, show_spinner=False)
def _fallback_note(path: str, ver) -> str | None:
    try:
        return db.readable(path, check=True)[1]
    except FileNotFoundError:
        return None


def version() -> tuple[int, int] | None:
    try:
        return db.version(db_path())
    except FileNotFoundError:
        return None


@st.cache_resource(max_entries=2)
def _connection(path: str, ver: tuple[int, int]):
    """Once per published version: the newest version that checks out (size, SHA-256, opens), the same
    one the sidebar's note names when it is not the current one."""
    import duckdb

    good, _ = db.readable(path, check=True)
    return duckdb.connect(str(good), read_only=True)


@st.cache_resource(max_entries=256, show_spinner=False)
def _shared(path: str, ver, fn_name: str, call: str, _args: tuple, _kwargs: tuple):
    """``queries.<fn_name>(con, *args, **kwargs)``, computed once per published version and call and
    shared by every session and rerun, not copied: a version never changes, so its answers are
    immutable. Keyed by ``call`` (``_call_key``): every argument, the viewer's Scope among them, is part
    of it, so one viewer never gets an answer computed for another. (Streamlit does not hash the
    underscored arguments: a province's hundred unit codes would cost a millisecond per read.) Once
    ``st.cache_data``: that unpickled a copy of every frame on every rerun."""
    con = _connection(path, ver).cursor()
    try:
        return getattr(queries, fn_name)(con, *_args, **dict(_kwargs))
    finally:
        con.close()


def _cached(path: str, ver, fn_name: str, call: str, _args: tuple, _kwargs: tuple):
    """The shared answer (``_shared``) as the caller's own object: a frame is a shallow copy (pandas
    copies on write, so a caller that adds a column or sets a cell changes its copy, never the shared
    frame), a list or dict a new one."""
    out = _shared(path, ver, fn_name, call, _args, _kwargs)
    if isinstance(out, pd.DataFrame):
        return out.copy(deep=False)
    if isinstance(out, list | dict):
        return type(out)(out)
    return out


def clear_reads() -> None:
    """Forget every cached answer (the benchmarks empty it between pages)."""
    _shared.clear()
    st.cache_data.clear()


def _call_key(args: tuple, kwargs: tuple) -> str:
    """The arguments as one text that differs whenever they differ: they are strings, numbers,
    dates, tuples and lists of them, and frozen dataclasses (PeriodSel, Scope) whose repr names
    every field. (Two equal sets may print in different orders: a cache miss, never a wrong hit.)"""
    return repr((args, kwargs))


@contextlib.contextmanager
def timed_run(page: str):
    """With ``NQ71_RUN_TIMES=<tag>`` set, one stderr line per script run of a page:
    ``[lượt chạy <tag>] 84 ms theo-xa-phuong xong ?ke_hoach=000&cap=xa&ky=2026-Q1&don_vi=24305 cpu 61 ms``:
    the run's time, its page, how it ended, the filters it drew with (as the address carries them) and the
    CPU the script's own thread used (the run's work whoever else shares the machine's cores; not DuckDB's
    worker threads, nor what the server does meanwhile for the client outside the script: sending the
    messages, serving files). ``xong``: the run ended, at its last line or by
    StopException, which is both st.stop() (a page that said all it had to) and how Streamlit cuts a
    run short for a newer rerun when ``runner.fastReruns`` is on (the default): the two cannot be told
    apart here. ``dừng``: a RerunException (st.rerun, switch_page); ``lỗi``: an error. The load test
    reads them from the server's log: the server's own time per run, and which page and filters each
    person's action ran (bench/load/driver.py, tests/test_protocol_user.py)."""
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    tag = os.environ.get("NQ71_RUN_TIMES")
    if not tag:
        yield
        return
    t, cpu, ended = time.perf_counter(), time.thread_time(), "xong"
    try:
        yield
    except StopException:  # st.stop(), or a run cut short by a newer one (fast reruns): see above
        raise
    except BaseException as e:  # a rerun asked mid-run (Streamlit's RerunException), or an error
        ended = "dừng" if type(e).__name__ == "RerunException" else "lỗi"
        raise
    finally:
        ms, cpu_ms = 1000 * (time.perf_counter() - t), 1000 * (time.thread_time() - cpu)
        try:  # the filters the run drew with: the sidebar writes them to the address (ui/filters.py)
            shown = "?" + urllib.parse.urlencode(st.query_params.to_dict())
        except BaseException:  # a log line never fails a run (after st.stop() Streamlit answers any call with
            shown = "?"  # StopException again: the run's own exception goes on, the line is still written)
        print(
            f"[lượt chạy {tag}] {ms:.0f} ms {page or '/'} {ended} {shown} cpu {cpu_ms:.0f} ms",
            file=sys.stderr,
            flush=True,
        )


def _read(fn_name: str, args: tuple, kwargs: dict):
    ver = version()
    if ver is None:
        return None
    key = tuple(sorted(kwargs.items()))
    call = _call_key(args, key)
    if not os.environ.get("NQ71_TIMING"):
        return _cached(db_path(), ver, fn_name, call, args, key)
    t = time.perf_counter()
    out = _cached(db_path(), ver, fn_name, call, args, key)
    print(f"[thời gian] {fn_name} {args[:1]}: {1000 * (time.perf_counter() - t):.0f} ms", file=sys.stderr)
    return out


P = ParamSpec("P")
R = TypeVar("R")


def _cached_read(fn: Callable[Concatenate[Any, P], R]) -> Callable[P, R | None]:
    """``fn(con, *args)`` of the read API as ``fn(*args)``: the same parameters and result, read
    from the published version and cached per version (None when nothing is published yet)."""

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R | None:
        return _read(fn.__name__, args, kwargs)

    return call


settings = _cached_read(queries.settings)
_demo_marker = _cached_read(queries.demo_marker)
provinces = _cached_read(queries.provinces)
periods_with_data = _cached_read(queries.periods_with_data)
imports = _cached_read(queries.imports)
_sources = _cached_read(queries.sources)


def sources() -> pd.DataFrame | None:
    """The Google sources as published, with each one's latest try (core/source_reads.py: a refresh
    that read nothing new publishes no version, so the cached read alone would show the try before)."""
    df = _sources()
    if df is None or df.empty:
        return df
    rows = source_reads.merge(df.to_dict("records"), source_reads.read(db_path()))
    return pd.DataFrame(rows, columns=df.columns)


units = _cached_read(queries.units)
progress = _cached_read(queries.progress)
progress_periods = _cached_read(queries.progress_periods)
reporting = _cached_read(queries.reporting)
reporting_counted = _cached_read(queries.reporting_counted)
reporting_target = _cached_read(queries.reporting_target)
observations = _cached_read(queries.observations)
unit_history = _cached_read(queries.unit_history)
unit_texts = _cached_read(queries.unit_texts)
rejects = _cached_read(queries.rejects)
data_quality = _cached_read(queries.data_quality)
unmatched = _cached_read(queries.unmatched)
cycle_states = _cached_read(queries.cycle_states)
contacts = _cached_read(queries.contacts)
pending_changes = _cached_read(queries.pending_changes)
history = _cached_read(queries.history)
carried_values = _cached_read(queries.carried_values)
current_answers = _cached_read(queries.current_answers)
web_submissions = _cached_read(queries.web_submissions)


def _year_progress(f) -> dict[str, pd.DataFrame]:
    """``queries.progress`` of the chosen period, of every quarter of its year with data (the trend)
    and of the quarter before it (the changes), read in one query and cached as one result."""
    with_data = periods_with_data() or []
    wanted = [queries.PeriodSel(c) for c in queries.quarters_of_year(with_data, f.period.year)] + [f.period]
    prev = queries.previous_quarter(f.period.code)
    if prev is not None and prev in with_data:
        wanted.append(queries.PeriodSel(prev))
    rows = progress_periods(f.plan, tuple(dict.fromkeys(wanted)), f.scope, level=f.level, units=f.units)
    return {p.code: rows[rows.period == p.code].drop(columns="period").reset_index(drop=True) for p in wanted}


class Overview(NamedTuple):
    """What the overview page shows, read once per rerun (``overview``)."""

    progress: pd.DataFrame  # queries.progress of the chosen period
    reported: pd.DataFrame  # queries.reporting_counted of the chosen period's quarters
    trend: pd.DataFrame  # queries.trend of the period's year
    prev: str | None  # the quarter before, when it has data
    changes: pd.DataFrame | None  # queries.changes since ``prev``


def overview(f) -> Overview:
    """The overview page's results for filters ``f``: progress, how many units reported each quarter of the
    period (counted at publish for every unit and for a province: ``queries.reporting_counted``), trend, and
    what changed since the quarter before (None when the period is not a quarter or the quarter before has
    no data).

    One function for the page and for ``ui.serve``, which computes the default
    view while the server starts so the first visitor is served from the cache.
    The chosen period, every quarter of its year (the trend) and the quarter before come from one
    query, read from the cache once per rerun.
    """
    year = _year_progress(f)
    quarters = queries.quarters_of_year(periods_with_data(), f.period.year)
    prev = queries.previous_quarter(f.period.code)
    if prev not in year:
        prev = None
    return Overview(
        year[f.period.code],
        reporting_counted(
            f.plan, tuple(f.period.quarter_codes), f.scope, level=f.level, units=f.units, province=f.province
        ),
        queries.trend({c: year[c] for c in quarters}),
        prev,
        queries.changes(year[prev], year[f.period.code]) if prev else None,
    )


def reporting_view(f, today) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reporting rows of the chosen period (``queries.reporting``) and the on-time trend: the
    ``queries.reporting_summary`` of every quarter with data, oldest first, counted at publish
    (``queries.reporting_counted``: one row per quarter, so the page does not grow with years of history)."""
    quarters = tuple(sorted(q for q in periods_with_data() or [] if queries.quarter_of(q) == q))
    rep = reporting(f.plan, f.period, f.scope, level=f.level, units=f.units, today=today)
    target = reporting_target(f.plan)
    every = reporting_counted(
        f.plan, quarters, f.scope, level=f.level, units=f.units, target=target, province=f.province
    )
    return rep, queries.trend_quarters(every)


@st.cache_resource(max_entries=2, show_spinner=False)
def _lookups(path: str, ver) -> dict:
    args = (queries.Scope.everything(),)
    everyone = _cached(path, ver, "units", _call_key(args, ()), args, ())
    codes, parents = everyone.code.tolist(), everyone.parent_code.tolist()
    return {
        "names": dict(zip(codes, everyone.name.tolist(), strict=True)),
        "ward_of": {c: p for c, p in zip(codes, parents, strict=True) if isinstance(p, str) and p},
        "level": dict(zip(codes, everyone.level.tolist(), strict=True)),
        "provinces": sorted({int(p) for p in everyone.province.tolist()}),
    }


@st.cache_resource(max_entries=64, show_spinner=False)
def _units_by_province(path: str, ver, call: str, _scope) -> dict[int, pd.DataFrame]:
    frame = _cached(path, ver, "units", call, (_scope,), ())
    return {0: frame, **{int(p): g for p, g in frame.groupby("province", sort=False)}}


def units_in(scope, province: int) -> pd.DataFrame:
    """``queries.units(scope)`` of one province (0: every province), split once per published
    version and scope and shared by every rerun, not copied: callers filter it, never change it."""
    ver = version()
    if ver is None:
        return pd.DataFrame(columns=["code", "name", "level", "province", "parent_code"])
    split = _units_by_province(db_path(), ver, _call_key((scope,), ()), scope)
    return split.get(province, split[0].iloc[0:0])


def lookups() -> dict:
    """Unit names, each school's xã/phường and the provinces, built once per published version
    (at national scale a dict of 53.000 names costs more than the page's queries)."""
    ver = version()
    return _lookups(db_path(), ver) if ver else {}


def visitor_address() -> str:
    """The visitor's address, for counting wrong personal links: the connection's, or, behind the local
    proxy (haproxy, deploy/haproxy.cfg.tmpl, overwrites it with the address it saw), X-Forwarded-For. "" when
    unknown: an unknown address is never counted (core/links.py)."""
    try:
        ip = st.context.ip_address or ""
        if ip in ("127.0.0.1", "::1", "") and (fwd := st.context.headers.get("X-Forwarded-For")):
            return fwd.split(",")[0].strip()[:64]
        return ip
    except Exception:  # no browser connection (AppTest)
        return ""
