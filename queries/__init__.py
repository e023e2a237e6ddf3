"""The read API: typed functions over the published database. No streamlit here.

Every caller (pages through ``ui.data``, the CSV/xlsx exports, the CLI, the
reports) reads through these functions. Each SQL-backed function runs one
``queries/<name>.sql`` file whose header states its grain, parameters and
columns; values are bound, never formatted into SQL. Every function that
returns unit data takes a :class:`Scope`: the units the viewer may see. The
scope is a bound list parameter and, being a hashable value, part of every
cache key (``ui/data.py``), so one viewer never gets an answer computed for
another.

The pure functions below the SQL ones (``overview_summary``, ``reporting_summary``,
``indicator_view``, ``unit_matrix``) hold the counting and sort rules pages
used to carry; they take the DataFrames the SQL functions return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from core import catalog, fmt
from core.periods import PeriodSel, previous_quarter, quarter_of
from core.periods import phrase as period_phrase

from .sql import load

__all__ = [
    "ALL",
    "PeriodSel",
    "Scope",
    "carried_values",
    "changes",
    "chase_list",
    "contacts",
    "current_answers",
    "cycle_states",
    "data_quality",
    "has_trend",
    "history",
    "imports",
    "indicator_view",
    "indicators_of",
    "observations",
    "overview_summary",
    "pending_changes",
    "periods_with_data",
    "previous_quarter",
    "progress",
    "progress_periods",
    "provinces",
    "quarter_of",
    "quarters_of_year",
    "rejects",
    "reminder_text",
    "reporting",
    "reporting_quarters",
    "reporting_summary",
    "reporting_target",
    "settings",
    "sources",
    "submission_view",
    "submissions",
    "trend",
    "trend_quarters",
    "unit_history",
    "unit_matrix",
    "unit_texts",
    "units",
    "unmatched",
    "web_submissions",
]

ALL = "*"  # the unit_code of the row that aggregates the whole scope


@dataclass(frozen=True)
class Scope:
    """The units a viewer may see: ``codes=None`` is every unit (the demo, leadership, the office).

    A restricted scope lists every code explicitly (a xã/phường *and* its schools):
    the access layer expands it; queries never widen it.
    """

    codes: frozenset[str] | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def of(cls, codes: Iterable[str]) -> Scope:
        return cls(frozenset(codes))

    @property
    def unrestricted(self) -> bool:
        return self.codes is None

    def param(self) -> list[str] | None:
        """The bound ``$scope`` parameter: NULL for every unit, else the sorted list of codes."""
        return None if self.codes is None else sorted(self.codes)

    def allows(self, code: str) -> bool:
        return self.codes is None or code in self.codes

    def narrow(self, chosen: Iterable[str]) -> tuple[str, ...]:
        """The chosen units this scope allows (a forged URL filter never widens what is seen)."""
        return tuple(c for c in chosen if self.allows(c))


def _df(con, name: str, params: dict) -> pd.DataFrame:
    return con.execute(load(name), params).df()


def _units(units) -> list[str] | None:
    return list(units) if units else None


# ---------------------------------------------------------------- settings and lists (no unit data)


def demo_marker(con) -> pd.DataFrame:
    """One row, ``n``: 1 when the database is the bundled demo (written by build-demo only)."""
    return _df(con, "demo_marker", {})


def settings(con) -> pd.DataFrame:
    """One row per plan of the catalog, with the deployment's settings repeated on each."""
    return _df(con, "settings", {})


def provinces(con) -> pd.DataFrame:
    """Columns province, name: the provinces the deployment follows."""
    return _df(con, "provinces", {})


def periods_with_data(con) -> list[str]:
    """Selectable periods: quarters with data (newest first), then their halves, then years."""
    qs = [r[0] for r in con.execute(load("quarters")).fetchall()]
    halves = sorted({f"{q[:4]}-H{1 if int(q[-1]) <= 2 else 2}" for q in qs}, reverse=True)
    years = sorted({q[:4] for q in qs}, reverse=True)
    return qs + halves + years


def imports(con) -> pd.DataFrame:
    """Import history, one row per tab per import (every unit's import: for the office)."""
    return _df(con, "imports", {})


def sources(con) -> pd.DataFrame:
    """The Google Sheets sources with their last good read and last error."""
    return _df(con, "sources", {})


# ---------------------------------------------------------------- unit data: every function takes a scope


def units(con, scope: Scope) -> pd.DataFrame:
    """Columns code, name, level, type, parent_code, province: the units in scope."""
    return _df(con, "units", {"scope": scope.param()})


def progress(con, plan: str, period: PeriodSel, scope: Scope, level: str = "xa", units=None) -> pd.DataFrame:
    """One row per unit in scope (and ``unit_code = '*'`` for the scope) × target of ``plan``.

    Columns: unit_code, unit_name, indicator, indicator_name, kind, measure, value, num, den,
    target, deadline, pace_line, scope, note, seed, status (code), status_label, status_order.
    ``units`` narrows the scope to chosen units (a xã/phường brings its schools)."""
    rows = progress_periods(con, plan, (period,), scope, level=level, units=units)
    return rows.drop(columns="period")


def progress_periods(
    con, plan: str, periods: Iterable[PeriodSel], scope: Scope, level: str = "xa", units=None
) -> pd.DataFrame:
    """``progress`` of several periods in one run (the overview's quarters of a year, the quarter
    before): the same columns, after a first column ``period`` (the code asked for), each period's
    rows judged as ``progress`` judges them alone."""
    sel = [
        {"period": p.code, "year": p.year, "q_from": p.quarters[0], "q_to": p.quarters[1], "as_of": p.as_of}
        for p in dict.fromkeys(periods)
    ]
    params = {"plan": plan, "periods": sel, "level": level, "scope": scope.param(), "units": _units(units)}
    return _prepared(con, "progress", "unit_answers", params, "progress_unprepared")


def _prepared(con, name: str, table: str, params: dict, older: str | None) -> pd.DataFrame | None:
    """``name``'s rows, read from ``mart.<table>``, prepared at publish (data_sources/sql/build_answers.sql);
    a version published before that table was added is read the slower way, ``older`` (None: the caller
    counts another way), until the next publish. Tried rather than asked first: a question to the catalog
    costs as much as the read (1–3 ms), and pages read on every filter change."""
    try:
        return _df(con, name, params)
    except duckdb.CatalogException as e:
        if f"Table with name {table} does not exist" not in str(e):  # another missing table is a fault
            raise
    return _df(con, older, params) if older else None


def trend(progress_by_quarter: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each %-target's value for the whole scope per quarter (the overview's trend), assembled from
    the ``progress`` result of each quarter (the dashboard has them cached). Columns quarter,
    indicator (its name: people never read the code), value."""
    parts = []
    for code, t in progress_by_quarter.items():
        t = t[(t.unit_code == ALL) & t.value.notna() & (t.measure == "%")]
        parts.append(pd.DataFrame({"quarter": code, "indicator": t.indicator_name, "value": t.value.astype(float)}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["quarter", "indicator", "value"])


def has_trend(trend_rows: pd.DataFrame) -> bool:
    """A trend needs at least two quarters."""
    return trend_rows.quarter.nunique() >= 2


def quarters_of_year(periods: list[str], year: int) -> list[str]:
    """The quarters of ``year`` among the selectable ``periods``, oldest first."""
    return sorted(p for p in periods if quarter_of(p) == p and p[:4] == str(year))


def reporting(
    con, plan: str, period: PeriodSel, scope: Scope, level: str = "xa", units=None, today: dt.date | None = None
) -> pd.DataFrame:
    """One row per expected unit in scope × quarter of ``period`` (CT10): deadline, first_at,
    reported, on_time, time_unknown, days_overdue, days_late."""
    return reporting_quarters(con, plan, tuple(period.quarter_codes), scope, level=level, units=units, today=today)


def reporting_quarters(
    con, plan: str, quarters: tuple[str, ...], scope: Scope, level: str = "xa", units=None, today: dt.date | None = None
) -> pd.DataFrame:
    """``reporting`` of the quarters named (codes such as '2026-Q1'), in one run: the on-time trend
    reads every quarter with data at once."""
    params = {
        "plan": plan,
        "quarters": list(quarters),
        "level": level,
        "scope": scope.param(),
        "units": _units(units),
        "today": today or dt.date.today(),
    }
    return _prepared(con, "reporting", "unit_quarter_reports", params, "reporting_unprepared")


def reporting_target(con, plan: str) -> float | None:
    """The plan's CT10-like target (share of units reporting on time, %), from the catalog."""
    rows = _df(con, "reporting_target", {"plan": plan})
    return None if rows.empty or pd.isna(rows.target.iloc[0]) else float(rows.target.iloc[0])


def observations(con, scope: Scope, unit: str | None = None, period: str | None = None) -> pd.DataFrame:
    """Current value per unit × native period × count/yes-no field (the observations export)."""
    return _df(con, "observations", {"scope": scope.param(), "unit": unit, "period": period})


def unit_history(con, scope: Scope, unit: str) -> pd.DataFrame:
    """One unit's current values across periods (empty when the unit is out of scope)."""
    return _df(con, "unit_detail", {"scope": scope.param(), "unit": unit})


def carried_values(con, scope: Scope, unit: str, period: str, fields: Iterable[str]) -> dict[str, tuple[float, str]]:
    """{field: (value, period it was reported for)}: the unit's latest value of each field before ``period``
    (the totals the «Nộp báo cáo» form is prefilled with); {} for a unit out of scope."""
    if not scope.allows(unit):
        return {}
    df = _df(con, "carried_values", {"unit": unit, "period": period, "fields": list(fields)})
    return {r.field: (float(r.value), r.from_period) for r in df.itertuples()}


def current_answers(con, scope: Scope, unit: str, period: str) -> dict[str, str]:
    """{field: text}: the unit's published report of ``period`` as the form shows it (a count in the
    Vietnamese way, a yes/no as «Có»/«Không», a text as written); {} for none or a unit out of scope."""
    if not scope.allows(unit):
        return {}
    df = _df(con, "current_answers", {"unit": unit, "period": period})
    out = {}
    for r in df.itertuples():
        if r.kind == "text":
            out[r.field] = r.text_value or ""
        elif r.kind == "yesno":
            out[r.field] = "Có" if r.value == 1 else "Không"
        elif pd.notna(r.value):
            out[r.field] = fmt.number(r.value)
    return out


def web_submissions(con, scope: Scope, unit: str, plan: str) -> pd.DataFrame:
    """What the unit sent from the «Nộp báo cáo» form (one row per report × answer, newest first), with
    ``field_name``; empty for a unit out of scope or a database published before the form existed."""
    cols = ["import_id", "sent_at", "period", "via", "actor", "field", "raw_value", "status", "reason", "shown"]
    if not scope.allows(unit) or not _has(con, "raw", "web_submissions"):
        return pd.DataFrame(columns=[*cols, "field_name"])
    df = _df(con, "web_submissions", {"unit": unit, "plan": plan})
    df["field_name"] = df.field.map({c: f.name for c, f in catalog.fields().items()}).fillna(df.field)
    return df


def _has(con, schema: str, table: str) -> bool:
    return bool(con.execute(load("has_table"), {"schema": schema, "table": table}).fetchone()[0])


def unit_texts(con, scope: Scope, unit: str) -> pd.DataFrame:
    """One unit's free-text answers (khó khăn, đề xuất, ghi chú) per period."""
    return _df(con, "unit_texts", {"scope": scope.param(), "unit": unit})


def rejects(con, scope: Scope, unit: str | None = None) -> pd.DataFrame:
    """Every problem (the rejects export). Rows with no unit (a name that matched nothing) are
    only in an unrestricted scope."""
    return _df(con, "rejects", {"scope": scope.param(), "unit": unit})


def data_quality(con, scope: Scope, kinds: list[str] | None = None) -> pd.DataFrame:
    """The data-quality list with a link to each cell; same scope rule as :func:`rejects`."""
    return _df(con, "data_quality", {"scope": scope.param(), "kinds": kinds})


def unmatched(con, scope: Scope) -> pd.DataFrame:
    """Names that matched no unit or several: they belong to no unit yet, so only an
    unrestricted scope (the office, an administrator) sees them."""
    df = _df(con, "unmatched", {})
    return df if scope.unrestricted else df.iloc[0:0]


# ---------------------------------------------------------------- the reporting cycle


def submissions(
    con, plan: str, period: PeriodSel, scope: Scope, level: str = "xa", units=None, today: dt.date | None = None
) -> pd.DataFrame:
    """One row per expected unit in scope × quarter of ``period``: :func:`reporting`'s columns plus
    the cycle's state (``state``: chua_nop | da_nop | tra_lai | da_duyet, ``state_label``), the latest
    decision (action, reason, actor, at_time), open pending changes, reminders sent and the roster's
    contact (contact, phone, email)."""
    rep = reporting(con, plan, period, scope, level=level, units=units, today=today)
    return submission_view(rep, cycle_states(con, period.quarter_codes, scope), contacts(con, scope))


def cycle_states(con, quarters: Iterable[str], scope: Scope) -> pd.DataFrame:
    """Per unit × quarter with a decision, an open change or a reminder: the latest decision, whether
    the data changed since, open pending changes, reminders (the cycle's part of :func:`submissions`)."""
    return _df(con, "cycle_states", {"quarters": list(quarters), "scope": scope.param()})


def contacts(con, scope: Scope) -> pd.DataFrame:
    """The roster's contact per unit in scope: contact, phone, email."""
    return _df(con, "contacts", {"scope": scope.param()})


def pending_changes(con, scope: Scope, states: Iterable[str] | None = ("cho",)) -> pd.DataFrame:
    """Changes an import saw in approved (locked) quarters; by default those still waiting."""
    return _df(con, "pending", {"scope": scope.param(), "states": list(states) if states else None})


def history(con, scope: Scope, unit: str | None = None) -> pd.DataFrame:
    """Every change of a published value and every decision of the cycle, newest first, with
    ``event_label`` (catalog/su_kien.csv)."""
    df = _df(con, "history", {"scope": scope.param(), "unit": unit})
    df["event_label"] = df.event.map(catalog.cycle_events()).fillna(df.event)
    return df


def submission_view(rep: pd.DataFrame, states: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    """The rule of a unit's state for a quarter: approved while its latest decision is an approval;
    returned until its data changes after the return (then submitted again); else submitted when the
    import saw data, not submitted otherwise."""
    df = rep.merge(states, on=["unit_code", "quarter"], how="left").merge(contacts, on="unit_code", how="left")
    df["pending"] = df["pending"].fillna(0).astype(int)
    df["reminders"] = df["reminders"].fillna(0).astype(int)
    changed = df["changed_after"].astype("boolean").fillna(False).astype(bool)
    df["state"] = "chua_nop"
    df.loc[df.reported, "state"] = "da_nop"
    df.loc[(df.action == "tra_lai") & ~changed, "state"] = "tra_lai"
    df.loc[df.action == "duyet", "state"] = "da_duyet"
    words = catalog.submission_states()
    df["state_label"] = df.state.map({c: w.label for c, w in words.items()})
    df["state_order"] = df.state.map({c: w.order for c, w in words.items()})
    for col in ("contact", "phone", "email"):
        df[col] = df[col].fillna("")
    return df


def chase_list(subs: pd.DataFrame, office: str) -> pd.DataFrame:
    """Whom the office must chase: units whose report is overdue and still missing, or returned and
    not sent again; most overdue first, with a ready-to-send reminder (deployment.toml templates)."""
    late = subs[((subs.state == "chua_nop") & subs.days_overdue.notna()) | (subs.state == "tra_lai")]
    late = late.sort_values(["state_order", "days_overdue", "unit_name"], ascending=[True, False, True])
    late["reminder"] = [reminder_text(r, office) for r in late.itertuples()]
    return late.reset_index(drop=True)


def reminder_text(row, office: str) -> str:
    """The reminder for one row of :func:`chase_list` (Vietnamese, to paste into Zalo or an e-mail)."""
    s = catalog.settings()
    template = s["nhac_tra_lai"] if row.state == "tra_lai" else s["nhac_chua_nop"]
    overdue = row.days_overdue
    return template.format(
        don_vi=row.unit_name,
        nguoi_lien_he=f" (đ/c {row.contact})" if row.contact else "",
        ky=period_phrase(row.quarter),
        han=fmt.date(row.deadline),
        so_ngay=fmt.number(int(overdue)) if pd.notna(overdue) else "0",
        ly_do=row.reason if isinstance(row.reason, str) else "",
        co_quan=office,
    )


# ---------------------------------------------------------------- rules over those results (no SQL)


def overview_summary(prog: pd.DataFrame, reported: pd.DataFrame) -> dict:
    """The overview's headline numbers: units reported in the last quarter of the period (``reported``: the
    ``reporting_summary`` of the period's quarters, as ``reporting_counted`` gives it), and how many targets
    (judged ones: with a number and data) are met, on track, behind."""
    overall = prog[prog.unit_code == ALL]
    per_unit = prog[prog.unit_code != ALL]
    last = reported.sort_values("quarter").iloc[-1] if len(reported) else None
    judged = overall[~overall.status.isin(["theo_doi", "chua_co_so_lieu"])]
    count = judged.status.value_counts()
    return {
        "quarter": last.quarter if last is not None else None,
        "reported": int(last.reported) if last is not None else 0,
        "expected": int(last.expected) if last is not None else 0,
        "judged": len(judged),
        "met": int(count.get("dat", 0)),
        "on_track": int(count.get("dung_tien_do", 0)),
        "behind": int(count.get("cham", 0)),
        "units_behind": int(per_unit[per_unit.status == "cham"].unit_code.nunique()),
    }


COUNTS = ["quarter", "deadline", "from_plan", "expected", "reported", "on_time", "time_unknown", "late"]


def reporting_counts(rep: pd.DataFrame) -> pd.DataFrame:
    """Per quarter of ``reporting`` rows: its deadline, expected, reported, on time, time unknown and late
    units (the columns of queries/reporting_counts.sql, which counts the same in the database)."""
    if rep.empty:
        return pd.DataFrame(columns=COUNTS)
    rows = []
    for quarter, part in rep.groupby("quarter", sort=True):
        late = part.reported & ~part.on_time & ~part.time_unknown
        rows.append(
            (
                quarter, part.deadline.iloc[0], bool(part.from_plan.iloc[0]), len(part), int(part.reported.sum()),
                int(part.on_time.sum()), int(part.time_unknown.sum()), int(late.sum()),
            )
        )  # fmt: skip
    return pd.DataFrame(rows, columns=COUNTS)


def reporting_counted(
    con,
    plan: str,
    quarters: tuple[str, ...],
    scope: Scope,
    level: str = "xa",
    units=None,
    target: float | None = None,
    province: int | None = None,
) -> pd.DataFrame:
    """``reporting_summary`` of the quarters named (the on-time trend), counted in the database: read from
    the counts prepared at publish (queries/report_counts.sql) when the viewer may see every unit and views
    every unit or one province (``province``: the province whose every xã/phường ``units`` names, as the
    province filter does), else counted from the units' rows (queries/reporting_counts.sql), and from
    ``reporting`` rows in a database published before either. One row per quarter however long the history."""
    if not quarters:
        return summary_of_counts(pd.DataFrame(columns=COUNTS), target)
    if scope.unrestricted and (not units or province):
        params = {
            "plan": plan,
            "quarters": list(quarters),
            "level": level,
            "province": int(province or 0) if units else 0,
        }
        counts = _prepared(con, "report_counts", "report_counts", params, None)
        # a quarter not counted at publish (none, unless the version is older than the table): counted now
        if counts is not None and set(counts.quarter) == set(quarters):
            return summary_of_counts(counts, target)
    params = {
        "plan": plan,
        "quarters": list(quarters),
        "scope": scope.param(),
        "level": level,
        "units": _units(units),
        "today": dt.date.today(),
    }
    counts = _prepared(con, "reporting_counts", "unit_quarter_reports", params, None)
    if counts is None:
        counts = reporting_counts(reporting_quarters(con, plan, quarters, scope, level=level, units=units))
    return summary_of_counts(counts, target)


def reporting_summary(rep: pd.DataFrame, target: float | None = None) -> pd.DataFrame:
    """Per quarter: expected, reported, on time, missing, late, the on-time rate (%) and its status
    against the plan's reporting target (CT10)."""
    return summary_of_counts(reporting_counts(rep), target)


def summary_of_counts(counts: pd.DataFrame, target: float | None = None) -> pd.DataFrame:
    """``reporting_summary`` from the counts per quarter (``reporting_counts``)."""
    rows = []
    for c in counts.itertuples():
        n, done, ontime, unknown = int(c.expected), int(c.reported), int(c.on_time), int(c.time_unknown)
        judged = n - unknown  # the rate is over the units whose timeliness is known: never late by default
        rate = 100.0 * ontime / judged if judged else None
        if rate is None:
            status = "chua_co_so_lieu"
        elif target is None:
            status = "theo_doi"
        else:
            status = "dat" if rate >= target - 1e-9 else "cham"
        rows.append(
            {
                "quarter": c.quarter,
                "deadline": c.deadline,
                "from_plan": bool(c.from_plan),
                "expected": n,
                "reported": done,
                "on_time": ontime,
                "missing": n - done,
                "late": int(c.late),
                "time_unknown": unknown,
                "reported_rate": 100.0 * done / n if n else None,
                "on_time_rate": rate,
                "target": target,
                "status": status,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "quarter", "deadline", "from_plan", "expected", "reported", "on_time", "missing", "late",
            "time_unknown", "reported_rate", "on_time_rate", "target", "status",
        ],
    )  # fmt: skip


def late_rows(rep: pd.DataFrame) -> pd.DataFrame:
    """The units that reported after the deadline, at a known time (``reporting`` rows)."""
    return rep[rep.reported & ~rep.on_time & ~rep.time_unknown]


def unknown_time_rows(rep: pd.DataFrame) -> pd.DataFrame:
    """The units whose report was loaded after the deadline without a time of receipt."""
    return rep[rep.time_unknown]


def trend_quarters(summaries: pd.DataFrame) -> pd.DataFrame:
    """The quarters of an on-time trend: those the plan sets a deadline for, and those in which a unit
    of the level reported (a quarter with data for other plans only is not a 0 % for this one)."""
    return summaries[summaries.from_plan | (summaries.reported > 0)].reset_index(drop=True)


def indicator_view(prog: pd.DataFrame, indicator: str) -> tuple[pd.Series, pd.DataFrame, dict]:
    """One target: the scope's row, the units' rows worst first (status order, then value, then
    name), and the counts the page shows (units with data, meeting the target, without data)."""
    rows = prog[(prog.indicator == indicator) & (prog.unit_code != ALL)]
    overall = prog[(prog.indicator == indicator) & (prog.unit_code == ALL)].iloc[0]
    rows = rows.sort_values(["status_order", "value", "unit_name"])
    with_data = rows[rows.value.notna()]
    counts = {
        "with_data": len(with_data),
        "meeting": int((with_data.status == "dat").sum()),
        "no_data": int(rows.value.isna().sum()),
    }
    return overall, rows, counts


def indicators_of(prog: pd.DataFrame) -> dict[str, str]:
    """Indicator code -> its unit-row name, in catalog order (the name of the scope row may add
    '(tỷ lệ đơn vị đạt)')."""
    per_unit = prog[prog.unit_code != ALL].drop_duplicates("indicator")
    names = dict(zip(per_unit.indicator, per_unit.indicator_name, strict=True))
    for r in prog[prog.unit_code == ALL].itertuples():
        names.setdefault(r.indicator, r.indicator_name)
    return dict(sorted(names.items()))


CHANGE_ORDER = {"trang_thai": 0, "moi": 1, "giam": 2, "tang": 3}


def changes(prev: pd.DataFrame, cur: pd.DataFrame) -> pd.DataFrame:
    """What changed since the previous period, for leadership to read first: per unit (and the
    scope row '*') × target, a new report (no value before, one now), a value that went up or down,
    or a status that changed. Columns: unit_code, unit_name, indicator, indicator_name, measure, kind,
    value_before, value, status_before, status, change (trang_thai | moi | giam | tang); the scope's
    rows first, then status changes (those now behind first), new reports, falls, rises."""
    key = ["unit_code", "indicator"]
    before = prev[[*key, "value", "status"]].rename(columns={"value": "value_before", "status": "status_before"})
    m = cur.merge(before, on=key, how="left")
    was, now = m.value_before, m.value
    change = pd.Series(None, index=m.index, dtype=object)
    change[now.notna() & (now > was + 1e-9)] = "tang"
    change[now.notna() & (now < was - 1e-9)] = "giam"
    change[now.notna() & was.isna()] = "moi"
    moved = (m.status != m.status_before) & m.status_before.notna() & (m.status != "chua_co_so_lieu")
    change[moved & now.notna() & was.notna()] = "trang_thai"
    m = m.assign(change=change)[change.notna()]
    m = m.assign(
        o1=(m.unit_code != ALL).astype(int), o2=m.change.map(CHANGE_ORDER), o3=(m.status != "cham").astype(int)
    )
    cols = ["unit_code", "unit_name", "indicator", "indicator_name", "measure", "kind", "value_before", "value",
            "status_before", "status", "change"]  # fmt: skip
    return m.sort_values(["o1", "o2", "o3", "indicator", "unit_name"], kind="stable")[cols].reset_index(drop=True)


def unit_matrix(prog: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Units × targets, worst first: long rows (unit_code, unit_name, indicator, value, measure, kind,
    status, status_order, unit_rank, behind) ordered by the unit's number of targets behind (desc) then
    name, each unit's targets in indicator order; and the indicator codes in order."""
    units = prog[prog.unit_code.to_numpy() != ALL]
    behind = (units.status.to_numpy() == "cham").astype(int)
    per_unit = pd.DataFrame({"unit_code": units.unit_code.to_numpy(), "b": behind}).groupby("unit_code").b.sum()
    order = units.drop_duplicates("unit_code")[["unit_code", "unit_name"]]
    order = order.assign(behind=per_unit.reindex(order.unit_code).to_numpy())
    order = order.sort_values(["behind", "unit_name"], ascending=[False, True], kind="stable")
    rank = pd.Series(range(len(order)), index=order.unit_code.to_numpy())
    long = units.assign(
        unit_rank=rank.reindex(units.unit_code).to_numpy(), behind=per_unit.reindex(units.unit_code).to_numpy()
    )
    # the query returns rows ordered by indicator then unit: a stable sort on the rank keeps that order
    return long.sort_values("unit_rank", kind="stable"), sorted(set(units.indicator))
