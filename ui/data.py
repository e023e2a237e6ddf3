"""The one place the dashboard opens the database and caches query results.

The cache key includes the published file's version (inode, mtime), so a new
import is seen on the next rerun and an old result is never shown after it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

import queries
from core import catalog, db


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
    return Path(db_path()).name.startswith("demo")


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
    return db.connect_read(path)


@st.cache_data(max_entries=256, show_spinner=False)
def _cached(path: str, ver, fn_name: str, args: tuple, kwargs: tuple) -> pd.DataFrame:
    """``queries.<fn_name>(con, *args, **kwargs)``; every argument (the viewer's Scope among them)
    is part of the cache key, so one viewer never gets an answer computed for another."""
    con = _connection(path, ver).cursor()
    try:
        return getattr(queries, fn_name)(con, *args, **dict(kwargs))
    finally:
        con.close()


def _read(fn_name: str, args: tuple, kwargs: dict):
    ver = version()
    if ver is None:
        return None
    key = tuple(sorted(kwargs.items()))
    if not os.environ.get("NQ71_TIMING"):
        return _cached(db_path(), ver, fn_name, args, key)
    import sys
    import time

    t = time.perf_counter()
    out = _cached(db_path(), ver, fn_name, args, key)
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
provinces = _cached_read(queries.provinces)
periods_with_data = _cached_read(queries.periods_with_data)
imports = _cached_read(queries.imports)
sources = _cached_read(queries.sources)
units = _cached_read(queries.units)
progress = _cached_read(queries.progress)
reporting = _cached_read(queries.reporting)
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


def overview(f) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The overview page's results for filters ``f``: progress, reporting, trend.

    One function for the page and for ``ui.serve``, which computes the default
    view while the server starts so the first visitor is served from the cache.
    The trend is assembled from each quarter's cached progress (the chosen
    quarter's is the one just read), not queried again.
    """
    args = {"level": f.level, "units": f.units}
    quarters = queries.quarters_of_year(periods_with_data(), f.period.year)
    by_quarter = {c: progress(f.plan, queries.PeriodSel(c), f.scope, **args) for c in quarters}
    return (
        progress(f.plan, f.period, f.scope, **args),
        reporting(f.plan, f.period, f.scope, **args),
        queries.trend(by_quarter),
    )


def on_time_trend(f, today) -> pd.DataFrame:
    """``queries.reporting_summary`` of every quarter with data (oldest first), for the on-time trend."""
    quarters = sorted(q for q in periods_with_data() or [] if queries.quarter_of(q) == q)
    target = reporting_target(f.plan)
    frames = [
        queries.reporting_summary(
            reporting(f.plan, queries.PeriodSel(q), f.scope, level=f.level, units=f.units, today=today), target
        )
        for q in quarters
    ]
    if not frames:
        return queries.reporting_summary(pd.DataFrame(), target)
    return queries.trend_quarters(pd.concat(frames, ignore_index=True))


def changes(f) -> tuple[str | None, pd.DataFrame | None]:
    """The previous quarter and what changed since then (``queries.changes``), from cached progress;
    (None, None) when the period is not a quarter or the quarter before has no data."""
    prev = queries.previous_quarter(f.period.code)
    if prev is None or prev not in (periods_with_data() or []):
        return None, None
    args = {"level": f.level, "units": f.units}
    before = progress(f.plan, queries.PeriodSel(prev), f.scope, **args)
    return prev, queries.changes(before, progress(f.plan, f.period, f.scope, **args))


@st.cache_resource(max_entries=2, show_spinner=False)
def _lookups(path: str, ver) -> dict:
    everyone = _cached(path, ver, "units", (queries.Scope.everything(),), ())
    codes, parents = everyone.code.tolist(), everyone.parent_code.tolist()
    return {
        "names": dict(zip(codes, everyone.name.tolist(), strict=True)),
        "ward_of": {c: p for c, p in zip(codes, parents, strict=True) if isinstance(p, str) and p},
        "provinces": sorted({int(p) for p in everyone.province.tolist()}),
    }


def lookups() -> dict:
    """Unit names, each school's xã/phường and the provinces, built once per published version
    (at national scale a dict of 53.000 names costs more than the page's queries)."""
    ver = version()
    return _lookups(db_path(), ver) if ver else {}
