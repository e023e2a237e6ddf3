"""Command line export, the same rows the dashboard downloads.

    python -m queries export --db DB --kind observations|progress|rejects|history|pending|submissions
                             --out FILE.csv [--unit CODE] [--period 2026-Q1] [--plan PLAN]

The periodic report is ``python -m outputs report`` (outputs/__main__.py).

CSV is UTF-8 with BOM (Excel shows Vietnamese) and text cells that start with
``= + - @`` tab, CR or LF get a leading ``'`` (OWASP CSV injection).
"""

from __future__ import annotations

import argparse
import re
import sys

import pandas as pd

from core.cli import connect_published

from . import (
    PeriodSel,
    Scope,
    history,
    observations,
    pending_changes,
    periods_with_data,
    progress,
    rejects,
    settings,
    submissions,
)
from .export import write_csv

PROGRESS_COLUMNS = ["unit_code", "unit_name", "period", "indicator", "value", "target", "status"]
HISTORY_COLUMNS = [
    "at_time", "unit_code", "unit_name", "quarter", "period", "field", "event", "event_label", "old_value", "old_text",
    "new_value", "new_text", "source", "sheet", "row", "column", "import_id", "actor", "approved_by", "reason",
]  # fmt: skip
PENDING_COLUMNS = [
    "id", "state", "unit_code", "unit_name", "quarter", "period", "field", "old_value", "old_text", "new_value",
    "new_text", "source", "sheet", "row", "column", "import_id", "seen_at", "decided_by", "decided_at",
]  # fmt: skip
SUBMISSION_COLUMNS = [
    "unit_code", "unit_name", "quarter", "deadline", "state", "state_label", "first_at", "on_time", "time_unknown",
    "days_overdue",
    "action", "reason", "actor", "at_time", "pending", "reminders", "contact", "phone", "email",
]  # fmt: skip


def _submissions(con, plan: str, period: str, unit: str | None) -> pd.DataFrame:
    units = (unit,) if unit else None
    frames = [
        submissions(con, plan, PeriodSel(period), Scope.everything(), level=lv, units=units) for lv in ("xa", "truong")
    ]
    df = pd.concat(frames, ignore_index=True)
    return df[df.unit_code == unit] if unit else df


def _progress(con, plan: str, period: str, unit: str | None) -> pd.DataFrame:
    sel = PeriodSel(period)
    units = (unit,) if unit else None
    frames = []
    for level in ("xa", "truong"):
        df = progress(con, plan, sel, Scope.everything(), level=level, units=units)
        if level == "truong":
            df = df[df.unit_code != "*"]
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    if unit:
        df = df[df.unit_code == unit]  # that unit only (its schools have their own codes)
    df["period"] = sel.code
    df["value"] = df["value"].round(2)
    df["status"] = df["status_label"]  # the export has always carried the Vietnamese word
    return df[PROGRESS_COLUMNS]


def main(argv: list[str] | None = None) -> int:
    from core.cli import vietnamese

    vietnamese()
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["report"]:  # moved to outputs/: a cron line written for the old command is told where
        print("Lỗi: lệnh báo cáo đã chuyển sang «python -m outputs report» (cùng các tùy chọn).", file=sys.stderr)
        return 2
    p = argparse.ArgumentParser(prog="python -m queries", description="Xuất số liệu NQ71 ra CSV")
    sub = p.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("export", help="xuất CSV")
    ex.add_argument("--db", required=True)
    ex.add_argument(
        "--kind", required=True, choices=["observations", "progress", "rejects", "history", "pending", "submissions"]
    )
    ex.add_argument("--out", required=True)
    ex.add_argument("--unit", help="mã đơn vị (5 chữ số cho xã/phường)")
    ex.add_argument("--period", help="kỳ: 2026-Q1, 2026-04, 2026-H1 hoặc 2026 (rejects: liệt kê mọi kỳ)")
    ex.add_argument("--plan", help="mã kế hoạch (catalog/plans.csv); mặc định theo cấu hình")
    args = p.parse_args(argv)

    if args.period and not re.fullmatch(r"\d{4}(-Q[1-4]|-H[12]|-(0[1-9]|1[0-2]))?", args.period):
        print(f"Lỗi: kỳ «{args.period}» không hợp lệ; dùng dạng 2026-Q1, 2026-04, 2026-H1 hoặc 2026.", file=sys.stderr)
        return 2
    con = connect_published(args.db)
    if con is None:
        return 2
    try:
        if args.kind == "observations":
            df = observations(con, Scope.everything(), args.unit, args.period)[
                ["unit_code", "unit_name", "period", "field", "value"]
            ]
        elif args.kind == "rejects":
            df = rejects(con, Scope.everything(), args.unit)  # every problem, whatever its period (it may have none)
        elif args.kind == "history":
            df = history(con, Scope.everything(), args.unit)[HISTORY_COLUMNS]
        elif args.kind == "pending":
            df = pending_changes(con, Scope.everything(), states=None)[PENDING_COLUMNS]
            df = df[df.unit_code == args.unit] if args.unit else df
        else:
            plan = args.plan or settings(con).default_plan.iloc[0]
            period = args.period
            if period is None:
                qs = next((q for q in periods_with_data(con) if "-Q" in q), None)
                if qs is None:
                    print("Lỗi: chưa có kỳ báo cáo nào có số liệu.", file=sys.stderr)
                    return 2
                period = qs
            if args.kind == "progress" and re.fullmatch(r"\d{4}-\d{2}", period):
                print("Lỗi: tiến độ tính theo quý, 6 tháng hoặc năm (2026-Q2, 2026-H1, 2026).", file=sys.stderr)
                return 2
            if args.kind == "submissions":
                if not re.fullmatch(r"\d{4}(-Q[1-4]|-H[12])?", period):
                    print("Lỗi: trạng thái nộp tính theo quý (2026-Q1), 6 tháng hoặc năm.", file=sys.stderr)
                    return 2
                df = _submissions(con, plan, period, args.unit)[SUBMISSION_COLUMNS]
            else:
                df = _progress(con, plan, period, args.unit)
    finally:
        con.close()
    write_csv(df, args.out)
    print(f"Đã xuất {len(df)} dòng vào {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
