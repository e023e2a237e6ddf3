"""The demo's reporting cycle, played after its imports so every state shows on the pages.

Quý I/2026: the office approved most xã/phường that reported and returned two with a reason; two
approved xã then sent a corrected row (``dinh_chinh_quy_1_2026.csv``, written here from their
published row with one more conference, as a unit editing its sheet would), so two changes wait for
the office. Quý II/2026: some approved, the others wait; three late xã were reminded. Decisions are
real cycle commands (``data_sources.cycle``), timed when the demo is built.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from core import catalog
from core.db import connect_read

from ..sql import load
from . import cycle

OFFICE = "Văn phòng Sở GDĐT (dữ liệu mẫu)"
RETURN_REASONS = [
    "Số người hiểu rõ vai trò lớn hơn số người được khảo sát: kiểm tra lại hai cột khảo sát",
    "Chưa ghi số đảng viên được học tập, quán triệt: bổ sung cột Đảng viên",
]
CORRECTED = "dinh_chinh_quy_1_2026.csv"
CORRECTION_RECEIVED = dt.datetime(2026, 5, 6, 10, 15)


def _read(db: Path, name: str, **params) -> list[tuple]:
    con = connect_read(db)
    try:
        return con.execute(load(name), params).fetchall()
    finally:
        con.close()


def _units(db: Path, quarter: str) -> list[tuple[str, str]]:
    return _read(db, "demo_units_with_data", quarter=quarter, level="xa")


def _row(db: Path, unit: str, period: str) -> list[tuple]:
    return _read(db, "demo_unit_row", unit=unit, period=period)


def _correction(db: Path, units: list[tuple[str, str]], out: Path) -> Path:
    """Two units' Q1 rows as published with one more «Số hội nghị» (a conference reported late),
    written in the form's columns."""
    fields = catalog.fields()
    rows = []
    for code, name in units:
        cells = {f: (k, v, t) for f, k, v, t in _row(db, code, "2026-Q1")}
        row = {"Tên đơn vị": name, "Kỳ báo cáo": "Quý I/2026"}
        for f, (kind, value, text) in cells.items():
            if f == "so_hoi_nghi":
                value += 1
            if kind == "text":
                row[fields[f].name] = text
            elif kind == "yesno":
                row[fields[f].name] = "Có" if value == 1 else "Không"
            else:
                row[fields[f].name] = str(int(value)) if value == int(value) else str(value).replace(".", ",")
        rows.append(row)
    header = list(dict.fromkeys(k for r in rows for k in r))
    path = out / CORRECTED
    with open(path, "w", encoding="utf-8", newline="") as f:
        wr = csv.DictWriter(f, header, lineterminator="\n")
        wr.writeheader()
        wr.writerows(rows)
    return path


def play(db: str | Path, province: int, schools: str) -> None:
    from .ingest import ingest_paths

    db = Path(db)
    q1 = _units(db, "2026-Q1")
    returned, approved = q1[-2:], q1[: int(len(q1) * 0.7)]
    cycle.approve(db, "2026-Q1", [c for c, _ in approved], OFFICE)
    for (code, _), reason in zip(returned, RETURN_REASONS, strict=True):
        cycle.return_report(db, "2026-Q1", code, reason, OFFICE)
    with tempfile.TemporaryDirectory() as tmp:
        path = _correction(db, approved[:2], Path(tmp))
        ingest_paths([path], db, province=province, schools=schools, seen_at=CORRECTION_RECEIVED)
    q2 = _units(db, "2026-Q2")
    cycle.approve(db, "2026-Q2", [c for c, _ in q2[: int(len(q2) * 0.4)]], OFFICE)
    with_data = {c for c, _ in q2}
    late = [c for c, _ in q1 if c not in with_data][:3]
    if late:
        cycle.remind(db, "2026-Q2", late, OFFICE)
