"""What the periodic report (``outputs/report.py``) reads, gathered in one place.

Every number comes from the read API: ``progress``, ``reporting``, ``reporting_target`` and
``settings`` in ``queries/__init__.py``, plus the two functions here, each backed by its own
``queries/<name>.sql`` (header: grain, parameters, columns). Both take a :class:`Scope`
and bind it as ``$scope``; nothing the viewer may not see enters a report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from core import catalog
from core.periods import PeriodSel

from . import ALL, Scope, progress, reporting, reporting_summary, reporting_target, settings
from .sql import load


def _span(period: PeriodSel, scope: Scope, level: str, units) -> dict:
    a, b = period.quarters
    return {
        "year": period.year,
        "q_from": a,
        "q_to": b,
        "level": level,
        "scope": scope.param(),
        "units": list(units) if units else None,
    }


def field_totals(con, period: PeriodSel, scope: Scope, level: str = "xa", units=None) -> pd.DataFrame:
    """Each count and yes/no field of the form over ``period`` for the units in scope, in the form's
    order. Columns: field, field_name, kind, agg, measure, denominator, value, units, flagged."""
    df = con.execute(load("report_fields"), _span(period, scope, level, units)).df()
    order = {code: i for i, code in enumerate(catalog.form_fields())}
    df = df.assign(_o=df.field.map(order)).sort_values("_o", kind="stable").drop(columns="_o")
    return df.reset_index(drop=True)


def period_texts(con, period: PeriodSel, scope: Scope, level: str = "xa", units=None) -> pd.DataFrame:
    """The units' free-text answers over ``period``. Columns: field, field_name, text, unit_code,
    unit_name, period."""
    return con.execute(load("report_texts"), _span(period, scope, level, units)).df()


def grouped_texts(texts: pd.DataFrame, field_code: str) -> list[tuple[str, list[str]]]:
    """One text field's answers, the same words written by several units said once with every unit
    that wrote them: [(text, [unit names…])], the most shared first, then alphabetical."""
    part = texts[texts.field == field_code]
    groups: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    for r in part.itertuples():
        key = " ".join(str(r.text).split()).casefold().rstrip(".;")
        shown.setdefault(key, " ".join(str(r.text).split()))
        if r.unit_name not in groups.setdefault(key, []):
            groups[key].append(r.unit_name)
    out = [(shown[k], sorted(v)) for k, v in groups.items()]
    return sorted(out, key=lambda kv: (-len(kv[1]), kv[0].casefold()))


@dataclass
class ReportData:
    """Everything one report says, read for one plan, period and scope."""

    plan: str
    plan_name: str
    issuer: str  # the plan's body (catalog/plans.csv co_quan)
    province_name: str
    period: PeriodSel
    level: str
    units: tuple[str, ...]
    unit_names: list[str]  # the chosen units' names ([] = every unit in scope)
    overall: pd.DataFrame  # progress rows of the scope (unit_code = '*'), one per target
    per_unit: pd.DataFrame  # progress rows per unit
    fields: pd.DataFrame  # field_totals
    texts: pd.DataFrame  # period_texts
    reporting: pd.DataFrame  # reporting rows (unit × quarter)
    reporting_summary: pd.DataFrame  # per quarter: expected, reported, on time…
    reporting_target: float | None
    today: dt.date
    extra: dict = field(default_factory=dict)

    @property
    def missing(self) -> pd.DataFrame:
        """Units that have not reported the period's last quarter (the list the office acts on)."""
        rep = self.reporting
        if rep.empty:
            return rep
        last = rep[rep.quarter == rep.quarter.max()]
        return last[~last.reported]

    def field(self, code: str) -> pd.Series | None:
        rows = self.fields[self.fields.field == code]
        return None if rows.empty else rows.iloc[0]


def gather(
    con,
    plan: str,
    period: PeriodSel,
    scope: Scope,
    level: str = "xa",
    units=None,
    today: dt.date | None = None,
) -> ReportData:
    """Read everything the report needs through the read API."""
    today = today or dt.date.today()
    units = tuple(scope.narrow(units)) if units else ()
    s = settings(con)
    row = s[s.plan == plan]
    if row.empty:
        raise ValueError(f"Kế hoạch «{plan}» không có trong danh mục (catalog/plans.csv).")
    row = row.iloc[0]
    prog = progress(con, plan, period, scope, level=level, units=units or None)
    rep = reporting(con, plan, period, scope, level=level, units=units or None, today=today)
    target = reporting_target(con, plan)
    names = dict(zip(prog.unit_code, prog.unit_name, strict=False))
    return ReportData(
        plan=plan,
        plan_name=row.plan_name,
        issuer=row.co_quan or "",
        province_name=row.province_name,
        period=period,
        level=level,
        units=units,
        unit_names=[names.get(u, u) for u in units],
        overall=prog[prog.unit_code == ALL].reset_index(drop=True),
        per_unit=prog[prog.unit_code != ALL].reset_index(drop=True),
        fields=field_totals(con, period, scope, level, units or None),
        texts=period_texts(con, period, scope, level, units or None),
        reporting=rep,
        reporting_summary=reporting_summary(rep, target),
        reporting_target=target,
        today=today,
    )
