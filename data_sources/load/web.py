"""A report sent from the «Nộp báo cáo» form: a source like any other.

The form's answers become one tab (source ``web:<plan>:<unit>``, sheet «Nộp trực tuyến – <period>»): a
header row of the catalog's field names and one data row, the unit written with its code (the code
decides, as in any sheet), the period in words and the exact time it was sent in «Dấu thời gian». That
tab goes through :func:`ingest.ingest_tabs`, the same path as a sheet: every cell kept in ``raw``, the
reader's value rules, the marts, the reporting cycle (a locked quarter: the change waits for the office;
after the deadline: late). Its time of receipt is the time it was sent (known). Who sent it, or which
personal link, is written in ``raw.web_submissions`` in the same version.

Per unit and period the latest report wins, whatever its source (build_marts.sql): a later sheet row wins
over an earlier web report and the other way round; the values it replaced are listed for the office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from core import catalog, form
from core.periods import label

from ..read.readers import Tab
from ..sql import load
from .ingest import ImportSummary, ingest_tabs

SOURCE_PREFIX = "web:"


@dataclass(frozen=True)
class Sender:
    via: str  # tai_khoan | lien_ket
    actor: str  # the signed-in person's e-mail, or the link's words
    generation: int = 0


def source_of(plan: str, unit: str) -> str:
    return f"{SOURCE_PREFIX}{plan}:{unit}"


def sheet_of(period: str) -> str:
    return f"Nộp trực tuyến – {label(period)}"


def tab_of(unit: str, unit_name: str, plan: str, period: str, answers: dict[str, str], at: dt.datetime) -> Tab:
    """The form's answers as the one-row tab the reader reads (text exactly as typed)."""
    fields = [f for f in form.fields(plan) if f.code in answers]
    names = catalog.fields()
    keys = [catalog.field_of_kind(k) for k in ("unit", "period", "timestamp")]
    header = [names[k].name for k in keys] + [f.name for f in fields]
    row = [f"{unit_name} ({unit})", label(period), at.strftime("%Y-%m-%d %H:%M:%S")]
    row += [str(answers[f.code]) for f in fields]
    cells = lambda values: [(v, "s") for v in values]  # noqa: E731
    return Tab(source_of(plan, unit), sheet_of(period), [cells(header), cells(row)], is_file=False)


def _province_of(db: str | Path, unit: str) -> int | None:
    import duckdb

    from core.db import connect_read

    try:
        con = connect_read(db)
    except (FileNotFoundError, duckdb.Error):  # nothing published yet: the deployment's one province decides
        return None
    try:
        rows = con.execute(load("unit_province"), {"c": unit}).fetchall()
    finally:
        con.close()
    return int(rows[0][0]) if rows and rows[0][0] is not None else None


def submit(
    db: str | Path,
    unit: str,
    unit_name: str,
    plan: str,
    period: str,
    answers: dict[str, str],
    sender: Sender,
    at: dt.datetime | None = None,
    province=None,
    schools: str | None = None,
) -> ImportSummary:
    """Send the answers: ingest them as a tab and record who sent them; returns the import's summary.
    ``province``/``schools``: as for any import (None: the deployment's settings, as the dashboard runs)."""
    at = (at or dt.datetime.now()).replace(microsecond=0)
    tab = tab_of(unit, unit_name, plan, period, answers, at)
    tab.province = _province_of(db, unit)  # a deployment of several provinces matches it in the unit's own

    def record(con) -> None:
        con.execute(
            load("insert_web_submission"),
            {
                "unit": unit,
                "plan": plan,
                "period": period,
                "via": sender.via,
                "actor": sender.actor,
                "generation": sender.generation,
                "at": at,
            },
        )

    return ingest_tabs([tab], db, province=province, schools=schools, seen_at=at, on_publish=record)
