"""The reporting cycle's writes (DHIS2's data approval, for a province's phụ lục).

A unit's quarter is *chưa nộp* until an import sees its data, then *đã nộp*. The office approves it
(*đã duyệt*: locked) or returns it with a reason the unit sees (*trả lại*). While a quarter is
locked, an import that reads a different value does not change what is published: the change waits
in ``cycle.pending`` (old value, new value, source cell, import, time) until the office accepts it
(the quarter is re-opened and re-approved, the new value published) or rejects it. The office can
lift a lock, with a reason. Every change of a published value is written to ``cycle.history``
(by the import, or by the decision that published it) and every decision to ``cycle.decisions``.

Each command here is one publish, like an import (``publish.store.publishing``: a new version,
serialised with imports by the same lock, swapped in atomically): a command that fails writes
nothing. Used by ``python -m data_sources cycle …`` and by the dashboard (``ui/actions.py``, which
checks the role first).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core.db import connect_read
from core.periods import phrase

from ..publish.store import publishing
from ..sql import load, statements
from .ingest import rebuild_marts

QUARTER = re.compile(r"^20\d\d-Q[1-4]$")


class CycleError(ValueError):
    """A command that cannot be done as asked (Vietnamese message: what, and what to do)."""


@dataclass(frozen=True)
class _State:
    known: bool
    unit_name: str | None
    submitted: bool
    action: str | None


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _run(con, name: str, **params) -> None:
    """Each statement of ``name`` with the parameters it names (DuckDB refuses unused ones)."""
    for stmt in statements(name):
        code = "\n".join(line.split("--", 1)[0] for line in stmt.splitlines())
        con.execute(stmt, {k: v for k, v in params.items() if re.search(rf"\${k}\b", code)})


def _check(quarter: str, by: str) -> None:
    if not QUARTER.match(quarter or ""):
        raise CycleError(f"Kỳ «{quarter}» không đúng dạng quý (ví dụ 2026-Q1).")
    if not (by or "").strip():
        raise CycleError("Thiếu người thực hiện (--by): mọi thay đổi trạng thái đều ghi tên người làm.")


def _state(con, unit: str, quarter: str) -> _State:
    row = con.execute(load("cycle_state"), {"unit": unit, "quarter": quarter}).fetchone()
    st = _State(*row)
    if not st.known:
        raise CycleError(f"Không có đơn vị mã «{unit}» trong danh mục đơn vị. Kiểm tra lại mã đơn vị.")
    return st


def _reason(reason: str | None, missing: str) -> str:
    """The reason a decision needs (the unit reads it), stripped; CycleError(``missing``) when empty."""
    if not (reason or "").strip():
        raise CycleError(missing)
    return reason.strip()


def _name(st: _State, unit: str) -> str:
    return f"{st.unit_name} ({unit})"


def _has_marts(con) -> bool:
    return con.execute(load("has_table"), {"s": "mart", "n": "current_cells"}).fetchall()[0][0] > 0


def _require_data(con) -> None:
    if not _has_marts(con):
        raise CycleError("Chưa có số liệu nào được nhập: chưa có gì để duyệt.")


def approve(db: str | Path, quarter: str, units: list[str], by: str) -> list[str]:
    """Approve (and lock) each unit's quarter; all or nothing. Returns one line per unit."""
    _check(quarter, by)
    if not units:
        raise CycleError("Chưa chọn đơn vị nào để duyệt.")
    out = []
    with publishing(db) as con:
        _require_data(con)
        at = _now()
        for unit in dict.fromkeys(units):
            st = _state(con, unit, quarter)
            if not st.submitted:
                raise CycleError(
                    f"{_name(st, unit)} chưa báo cáo số liệu {phrase(quarter)}: chưa duyệt được. Chưa duyệt đơn vị nào."
                )
            if st.action == "duyet":
                out.append(f"{_name(st, unit)}: đã duyệt từ trước, giữ nguyên.")
                continue
            _run(con, "cycle_decide", unit=unit, quarter=quarter, action="duyet", reason=None, by=by, at=at)
            _run(con, "cycle_lock", unit=unit, quarter=quarter)
            out.append(f"{_name(st, unit)}: đã duyệt và khóa số liệu {phrase(quarter)}.")
    return out


def return_report(db: str | Path, quarter: str, unit: str, reason: str, by: str) -> str:
    """Return a unit's quarter with a reason it sees; an approved quarter is unlocked first."""
    _check(quarter, by)
    reason = _reason(reason, "Trả lại báo cáo cần ghi lý do (đơn vị sẽ đọc lý do này để sửa).")
    with publishing(db) as con:
        _require_data(con)
        st = _state(con, unit, quarter)
        if not st.submitted:
            raise CycleError(f"{_name(st, unit)} chưa báo cáo số liệu {phrase(quarter)}: không có gì để trả lại.")
        at = _now()
        _run(con, "cycle_decide", unit=unit, quarter=quarter, action="tra_lai", reason=reason, by=by, at=at)
        if st.action == "duyet":  # the decision first: the rebuild then sees the quarter unlocked
            _unlock(con, unit, quarter, by, at)
    return f"{_name(st, unit)}: đã trả lại báo cáo {phrase(quarter)} (lý do: {reason})."


def unlock(db: str | Path, quarter: str, unit: str, reason: str, by: str) -> str:
    """Lift the lock of an approved quarter, with a reason: what the sheets say is published again."""
    _check(quarter, by)
    reason = _reason(reason, "Mở khóa cần ghi lý do.")
    with publishing(db) as con:
        _require_data(con)
        st = _state(con, unit, quarter)
        if st.action != "duyet":
            raise CycleError(f"{_name(st, unit)}: {phrase(quarter)} chưa được duyệt nên không bị khóa.")
        at = _now()
        _run(con, "cycle_decide", unit=unit, quarter=quarter, action="mo_khoa", reason=reason, by=by, at=at)
        _unlock(con, unit, quarter, by, at)
    return f"{_name(st, unit)}: đã mở khóa số liệu {phrase(quarter)}."


def _touched(unit: str, quarter: str) -> tuple[str, dict]:
    """A decision on a unit's quarter changes only that unit's periods of the quarter (build_marts)."""
    return ("marts_touched_quarter", {"unit": unit, "quarter": quarter})


def _unlock(con, unit: str, quarter: str, by: str, at: dt.datetime) -> None:
    _run(con, "cycle_unlock", unit=unit, quarter=quarter, by=by, at=at)
    rebuild_marts(con, event="mo_khoa", by=by, at=at, touched=_touched(unit, quarter))
    con.execute(load("drop_prev_cells"))


def _change(con, change_id: int) -> tuple:
    row = con.execute(load("cycle_change"), {"id": int(change_id)}).fetchone()
    if row is None:
        raise CycleError(f"Không có thay đổi số #{change_id}. Xem danh sách: python -m data_sources cycle pending.")
    if row[4] != "cho":
        raise CycleError(f"Thay đổi #{change_id} không còn chờ duyệt (trạng thái: {row[4]}).")
    return row


def change_unit(db: str | Path, change_id: int) -> str:
    """The unit a pending change belongs to, as the database says (CycleError if there is none)."""
    con = connect_read(db)
    try:
        return _change(con, change_id)[1]
    finally:
        con.close()


def accept(db: str | Path, change_id: int, by: str) -> str:
    """Accept a pending change: the quarter is re-opened, the new value published, and re-approved."""
    if not (by or "").strip():
        raise CycleError("Thiếu người thực hiện (--by).")
    with publishing(db) as con:
        _, unit, quarter, field, _ = _change(con, change_id)
        at = _now()
        why = f"Chấp nhận thay đổi #{change_id} ({field})"
        _run(con, "cycle_decide", unit=unit, quarter=quarter, action="mo_khoa", reason=why, by=by, at=at)
        _run(con, "cycle_accept", id=int(change_id), by=by, at=at)
        _run(con, "cycle_decide", unit=unit, quarter=quarter, action="duyet", reason=why, by=by, at=at)
        rebuild_marts(con, event="chap_nhan", by=by, at=at, touched=_touched(unit, quarter))
        con.execute(load("drop_prev_cells"))
    return f"Đã chấp nhận thay đổi #{change_id}: giá trị mới được công bố, số liệu {phrase(quarter)} của {unit} được duyệt lại."


def reject(db: str | Path, change_id: int, by: str) -> str:
    """Reject a pending change: the published value stays."""
    if not (by or "").strip():
        raise CycleError("Thiếu người thực hiện (--by).")
    with publishing(db) as con:
        _change(con, change_id)
        _run(con, "cycle_reject", id=int(change_id), by=by, at=_now())
    return f"Đã từ chối thay đổi #{change_id}: giá trị đang công bố giữ nguyên."


def remind(db: str | Path, quarter: str, units: list[str], by: str) -> int:
    """Count one reminder sent to each unit (the text itself is pasted into Zalo or e-mail)."""
    _check(quarter, by)
    with publishing(db) as con:
        at = _now()
        for unit in dict.fromkeys(units):
            _state(con, unit, quarter)
            _run(con, "cycle_remind", unit=unit, quarter=quarter, by=by, at=at)
    return len(set(units))


def pending(db: str | Path) -> pd.DataFrame:
    """The changes waiting for the office (for the command line; the dashboard reads ``queries``)."""
    con = connect_read(db)
    try:
        return con.execute(load("cycle_pending_open")).df()
    finally:
        con.close()
