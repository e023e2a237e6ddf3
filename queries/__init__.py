"""Read side: named queries over the published database. No streamlit here.

Every function takes an open (read-only) DuckDB connection and plain values,
binds them as parameters and returns a DataFrame. Pages call these; caching
lives in ``ui/data.py``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core.periods import PeriodSel

from .sql import load

STATUSES = ["Đạt", "Đúng tiến độ", "Chậm", "Chưa có số liệu", "Theo dõi"]


def _df(con, name: str, params: dict) -> pd.DataFrame:
    return con.execute(load(name), params).df()


def _units(units) -> list[str] | None:
    return list(units) if units else None


def progress(con, plan: str, period: PeriodSel, level: str = "xa", units=None) -> pd.DataFrame:
    a, b = period.quarters
    return _df(
        con,
        "progress",
        {
            "plan": plan,
            "year": period.year,
            "q_from": a,
            "q_to": b,
            "level": level,
            "units": _units(units),
            "as_of": period.as_of,
        },
    )


def quarters_of_year(periods: list[str], year: int) -> list[str]:
    return sorted(p for p in periods if "Q" in p and p[:4] == str(year))


def trend_of(progress_by_quarter: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each %-target's overall value per quarter (the overview's trend chart), from the
    ``progress`` result of each quarter (the dashboard has them in its cache)."""
    rows = []
    for code, t in progress_by_quarter.items():
        t = t[(t.unit_code == "*") & t.value.notna() & (t.measure == "%")]
        rows += [
            {"quarter": code, "indicator": f"{r.indicator} {r.indicator_name}", "value": r.value}
            for r in t.itertuples()
        ]
    return pd.DataFrame(rows, columns=["quarter", "indicator", "value"])


def reporting(con, plan: str, period: PeriodSel, level: str = "xa", units=None, today: dt.date | None = None):
    return _df(
        con,
        "reporting",
        {
            "plan": plan,
            "quarters": period.quarter_codes,
            "level": level,
            "units": _units(units),
            "today": today or dt.date.today(),
        },
    )


def observations(con, unit: str | None = None, period: str | None = None) -> pd.DataFrame:
    return _df(con, "observations", {"unit": unit, "period": period})


def rejects(con, unit: str | None = None) -> pd.DataFrame:
    return _df(con, "rejects", {"unit": unit})


def named(con, name: str, **params) -> pd.DataFrame:
    """Any other query file by name, its parameters bound."""
    return _df(con, name, params)


def periods_with_data(con) -> list[str]:
    """Selectable periods: quarters with data (newest first), then their halves, then years."""
    qs = [r[0] for r in con.execute(load("quarters")).fetchall()]
    halves = sorted({f"{q[:4]}-H{1 if int(q[-1]) <= 2 else 2}" for q in qs}, reverse=True)
    years = sorted({q[:4] for q in qs}, reverse=True)
    return qs + halves + years
