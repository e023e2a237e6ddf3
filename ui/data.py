"""The one place the dashboard opens the database and caches query results.

The cache key includes the published file's version (inode, mtime), so a new
import is seen on the next rerun and an old result is never shown after it.
"""

from __future__ import annotations

import os
from pathlib import Path

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


def version() -> tuple[int, int] | None:
    try:
        return db.version(db_path())
    except FileNotFoundError:
        return None


@st.cache_resource(max_entries=2)
def _connection(path: str, ver: tuple[int, int]):
    return db.connect_read(path)


def connection():
    ver = version()
    if ver is None:
        return None
    return _connection(db_path(), ver).cursor()


@st.cache_data(max_entries=256, show_spinner=False)
def _cached(path: str, ver, fn_name: str, args: tuple, kwargs: tuple) -> pd.DataFrame:
    con = _connection(path, ver).cursor()
    try:
        return getattr(queries, fn_name)(con, *args, **dict(kwargs))
    finally:
        con.close()


def q(fn_name: str, *args, **kwargs):
    """Run ``queries.<fn_name>(con, *args, **kwargs)``, cached per published version."""
    ver = version()
    if ver is None:
        return None
    if not os.environ.get("NQ71_TIMING"):
        return _cached(db_path(), ver, fn_name, args, tuple(sorted(kwargs.items())))
    import sys
    import time

    t = time.perf_counter()
    out = _cached(db_path(), ver, fn_name, args, tuple(sorted(kwargs.items())))
    print(f"[thời gian] q {fn_name} {args[:1]}: {1000 * (time.perf_counter() - t):.0f} ms", file=sys.stderr)
    return out


def overview(f) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The overview page's results for filters ``f``: progress, reporting, trend.

    One function for the page and for ``ui.serve``, which computes the default
    view while the server starts so the first visitor is served from the cache.
    The trend is assembled from each quarter's cached progress (the chosen
    quarter's is the one just read), not queried again.
    """
    scope = {"level": f.level, "units": f.units}
    quarters = queries.quarters_of_year(q("periods_with_data"), f.period.year)
    by_quarter = {c: q("progress", f.plan, queries.PeriodSel(c), **scope) for c in quarters}
    return (
        q("progress", f.plan, f.period, **scope),
        q("reporting", f.plan, f.period, **scope),
        queries.trend_of(by_quarter),
    )


@st.cache_resource(max_entries=2, show_spinner=False)
def _lookups(path: str, ver) -> dict:
    units = _cached(path, ver, "named", ("units",), ())
    codes, parents = units.code.tolist(), units.parent_code.tolist()
    return {
        "names": dict(zip(codes, units.name.tolist(), strict=True)),
        "ward_of": {c: p for c, p in zip(codes, parents, strict=True) if isinstance(p, str) and p},
        "provinces": sorted({int(p) for p in units.province.tolist()}),
    }


def lookups() -> dict:
    """Unit names, each school's xã/phường and the provinces, built once per published version
    (at national scale a dict of 53.000 names costs more than the page's queries)."""
    ver = version()
    return _lookups(db_path(), ver) if ver else {}
