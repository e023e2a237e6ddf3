"""The reporting cycle (issue 15): submit, approve (lock), return, pending changes, history, chase.

Data: tests/fixtures/progress_small.csv (three xã of Đắk Lắk, worked by hand in test_queries.py) and
tests/fixtures/cycle/progress_small.csv, the same sheet read again later with two values changed:
Xã Ea Kar (24373) Quý II/2026 «Số CBQL GV NV được quán triệt» 70 -> 85 and Xã Ea Ô (24403) 120 -> 150.
Every expected value below is read off those two files by hand.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import queries
from core.db import connect_read
from core.periods import PeriodSel
from data_sources.load import cycle
from data_sources.load.ingest import ingest_paths
from tests.conftest import FIXTURES, ROOT, run_cli

EA_KAR, EA_O, CU_YANG = "24373", "24403", "24406"
Q2 = "2026-Q2"
EVERY = queries.Scope.everything()
TODAY = dt.date(2026, 11, 23)
OFFICE = "Chánh Văn phòng Sở"


def _import(db, path, day: int) -> object:
    return ingest_paths([path], db, province=66, seen_at=dt.datetime(2026, 7, day, 9, 0))


def _published(db, unit: str, field: str = "cb_quan_triet") -> float | None:
    con = connect_read(db)
    try:
        obs = queries.observations(con, EVERY, unit, Q2)
        ct01 = queries.progress(con, "000", PeriodSel(Q2), EVERY, units=(unit,))
    finally:
        con.close()
    rows = obs[obs.field == field]
    ratio = ct01[(ct01.unit_code == unit) & (ct01.indicator == "CT01")].value
    return (None if rows.empty else float(rows.value.iloc[0])), (
        None if ratio.empty else round(float(ratio.iloc[0]), 1)
    )


def _read(db, fn, *args, **kwargs):
    con = connect_read(db)
    try:
        return fn(con, *args, **kwargs)
    finally:
        con.close()


def _states(db) -> dict[str, str]:
    subs = _read(db, queries.submissions, "000", PeriodSel(Q2), EVERY, today=TODAY)
    return dict(zip(subs.unit_code, subs.state, strict=True))


@pytest.fixture
def approved(db):
    """Q2 imported on 10/7; the office approves Ea Kar and returns Ea Ô."""
    _import(db, FIXTURES / "progress_small.csv", 10)
    assert _published(db, EA_KAR) == (70.0, 70.0) and _published(db, EA_O) == (120.0, 40.0)
    states = _states(db)
    assert (states[EA_KAR], states[EA_O], states[CU_YANG]) == ("da_nop", "da_nop", "da_nop")
    assert cycle.approve(db, Q2, [EA_KAR], OFFICE) == ["Xã Ea Kar (24373): đã duyệt và khóa số liệu quý II/2026."]
    cycle.return_report(db, Q2, EA_O, "Thiếu số người được khảo sát", OFFICE)
    states = _states(db)
    assert (states[EA_KAR], states[EA_O]) == ("da_duyet", "tra_lai")
    return db


def test_a_locked_value_waits_for_the_office_and_is_published_once_accepted(approved):
    db = approved
    s = _import(db, FIXTURES / "cycle" / "progress_small.csv", 12)
    assert s.pending == 1 and "Chờ duyệt: 1 giá trị" in s.text()
    # Ea Kar is approved: what leadership saw stays (value and the target's ratio)
    assert _published(db, EA_KAR) == (70.0, 70.0)
    pending = _read(db, queries.pending_changes, EVERY)
    assert pending[["unit_code", "field", "old_value", "new_value", "source", "row", "column"]].values.tolist() == [
        [EA_KAR, "cb_quan_triet", 70.0, 85.0, "progress_small.csv", 4, "D"]
    ]
    # Ea Ô was returned, not locked: its new value is published and it counts as sent again
    assert _published(db, EA_O) == (150.0, 50.0)
    assert _states(db)[EA_O] == "da_nop"

    change = int(pending.id.iloc[0])
    assert "đã chấp nhận" in cycle.accept(db, change, OFFICE).lower()
    assert _published(db, EA_KAR) == (85.0, 85.0)
    assert _read(db, queries.pending_changes, EVERY).empty
    assert _states(db)[EA_KAR] == "da_duyet"  # re-opened and re-approved

    hist = _read(db, queries.history, EVERY, EA_KAR)
    values = hist[hist.field == "cb_quan_triet"]
    assert set(zip(values.event, values.old_value, values.new_value, strict=True)) == {
        ("cho_duyet", 70.0, 85.0),
        ("chap_nhan", 70.0, 85.0),
    }
    accepted = values[values.event == "chap_nhan"].iloc[0]
    assert (accepted.actor, accepted.approved_by, accepted.source, accepted["row"], accepted.column) == (
        OFFICE, OFFICE, "progress_small.csv", 4, "D"
    )  # fmt: skip
    decisions = hist[hist.field.isna()]
    assert sorted(decisions.event) == ["duyet", "duyet", "mo_khoa"]  # approved; re-opened and re-approved
    assert set(decisions.actor) == {OFFICE} and decisions["at_time"].notna().all()

    ea_o = _read(db, queries.history, EVERY, EA_O)
    change_row = ea_o[ea_o.field == "cb_quan_triet"].iloc[0]
    assert (change_row.event, change_row.old_value, change_row.new_value, change_row.import_id) == (
        "nhap",
        120.0,
        150.0,
        2,
    )
    returned = ea_o[ea_o.event == "tra_lai"].iloc[0]
    assert (returned.actor, returned.reason) == (OFFICE, "Thiếu số người được khảo sát")


def test_a_rejected_change_keeps_the_published_value_and_is_not_listed_again(approved):
    db = approved
    _import(db, FIXTURES / "cycle" / "progress_small.csv", 12)
    change = int(_read(db, queries.pending_changes, EVERY).id.iloc[0])
    cycle.reject(db, change, OFFICE)
    assert _published(db, EA_KAR) == (70.0, 70.0)
    _import(db, FIXTURES / "cycle" / "progress_small.csv", 13)  # the sheet still says 85
    assert _read(db, queries.pending_changes, EVERY).empty
    every = _read(db, queries.pending_changes, EVERY, None)
    assert every[["id", "state", "decided_by"]].values.tolist() == [[change, "tu_choi", OFFICE]]


def test_lifting_a_lock_publishes_what_the_sheet_says(approved):
    db = approved
    _import(db, FIXTURES / "cycle" / "progress_small.csv", 12)
    with pytest.raises(cycle.CycleError, match="ghi lý do"):
        cycle.unlock(db, Q2, EA_KAR, "  ", OFFICE)
    cycle.unlock(db, Q2, EA_KAR, "Đơn vị sửa số quán triệt", OFFICE)
    assert _published(db, EA_KAR) == (85.0, 85.0)
    assert _read(db, queries.pending_changes, EVERY, ("bo_khoa",)).unit_code.tolist() == [EA_KAR]
    assert _states(db)[EA_KAR] == "da_nop"
    hist = _read(db, queries.history, EVERY, EA_KAR)
    assert ("mo_khoa", 70.0, 85.0) in set(zip(hist.event, hist.old_value, hist.new_value, strict=True))


def test_refusals_write_nothing(db):
    _import(db, FIXTURES / "progress_small.csv", 10)
    before = sorted(p.name for p in db.parent.glob(f"{db.name}.versions/*"))
    with pytest.raises(cycle.CycleError, match="chưa báo cáo"):
        cycle.approve(db, "2026-Q1", [EA_KAR, CU_YANG], OFFICE)  # Cư Yang has no Q1 row
    with pytest.raises(cycle.CycleError, match="99999"):
        cycle.approve(db, Q2, ["99999"], OFFICE)
    with pytest.raises(cycle.CycleError, match="dạng quý"):
        cycle.approve(db, "Q2", [EA_KAR], OFFICE)
    with pytest.raises(cycle.CycleError, match="lý do"):
        cycle.return_report(db, Q2, EA_KAR, "", OFFICE)
    with pytest.raises(cycle.CycleError, match="#7"):
        cycle.accept(db, 7, OFFICE)
    assert sorted(p.name for p in db.parent.glob(f"{db.name}.versions/*")) == before
    states = _states(db)
    assert [states[u] for u in (EA_KAR, EA_O, CU_YANG)] == ["da_nop"] * 3  # nothing half-done
    q1 = _read(db, queries.submissions, "000", PeriodSel("2026-Q1"), EVERY, today=TODAY).set_index("unit_code")
    assert q1.state[EA_KAR] == "da_nop"  # Ea Kar's Q1 approval was not written either


def test_command_line_and_exports(approved, tmp_path):
    db = approved
    run_cli("data_sources", "ingest", str(FIXTURES / "cycle" / "progress_small.csv"), "--db", str(db))
    out = run_cli("data_sources", "cycle", "pending", "--db", str(db)).stdout.splitlines()
    assert out[0].split("\t")[:3] == ["id", "unit_code", "unit_name"]
    assert out[1].split("\t")[1:3] == [EA_KAR, "Xã Ea Kar"] and len(out) == 2
    change = out[1].split("\t")[0]
    done = run_cli("data_sources", "cycle", "accept", "--db", str(db), "--change", change, "--by", "Văn thư")
    assert f"Đã chấp nhận thay đổi #{change}" in done.stdout
    bad = run_cli("data_sources", "cycle", "approve", "--db", str(db), "--period", Q2, "--unit", "00000",
                  "--by", "Văn thư", check=False)  # fmt: skip
    assert bad.returncode == 2 and "«00000»" in bad.stderr
    run_cli("data_sources", "cycle", "approve", "--db", str(db), "--period", Q2, "--unit", EA_O, "--unit", CU_YANG,
            "--by", "Văn thư")  # fmt: skip
    for kind in ("history", "pending", "submissions"):
        path = tmp_path / f"{kind}.csv"
        run_cli("queries", "export", "--db", str(db), "--kind", kind, "--period", Q2, "--out", str(path))
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        if kind == "submissions":
            assert dict(zip(df.unit_code, df.state, strict=False))[EA_O] == "da_duyet"
            assert len(df) == 102  # every xã/phường of Đắk Lắk
        elif kind == "pending":
            assert df[["unit_code", "state", "old_value", "new_value", "decided_by"]].values.tolist() == [
                [EA_KAR, "chap_nhan", "70.0", "85.0", "Văn thư"]
            ]
        else:
            assert {"chap_nhan", "duyet", "tra_lai", "nhap", "cho_duyet"} <= set(df.event)
            assert set(df[df.event == "duyet"].actor) == {OFFICE, "Văn thư"}


def test_chase_list_with_contacts_and_reminders(tmp_path, monkeypatch):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "ma_don_vi,phai_bao_cao,ghi_chu,nguoi_lien_he,dien_thoai,email\n"
        f"{CU_YANG},1,,Nguyễn Văn A,0900 000 001,cuyang@vidu.edu.vn\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NQ71_ROSTER", str(roster))  # read on every import (catalog.roster_path)
    db = tmp_path / "c.duckdb"
    _import(db, FIXTURES / "progress_small.csv", 10)
    cycle.return_report(db, Q2, EA_O, "Thiếu số người được khảo sát", OFFICE)
    subs = _read(db, queries.submissions, "000", PeriodSel("2026-Q1"), EVERY, today=TODAY)
    rows = queries.chase_list(subs, "Sở GDĐT Đắk Lắk")
    # Q1: Ea Kar and Ea Ô reported; Cư Yang and the 99 other xã did not, 131 days after 15/7... of Q1: 15/4
    assert len(rows) == 100 and CU_YANG in set(rows.unit_code)
    cu = rows.set_index("unit_code").loc[CU_YANG]
    assert (cu.contact, cu.phone, cu.email, cu.days_overdue) == (
        "Nguyễn Văn A",
        "0900 000 001",
        "cuyang@vidu.edu.vn",
        222,
    )
    assert cu.reminder.startswith("Kính gửi Xã Cư Yang (đ/c Nguyễn Văn A): đến nay Sở GDĐT Đắk Lắk chưa nhận")
    assert (
        "báo cáo quý I/2026 về" in cu.reminder and "hạn 15/04/2026, đã quá 222 ngày" in cu.reminder
    )  # lower case mid-sentence
    q2 = queries.chase_list(_read(db, queries.submissions, "000", PeriodSel(Q2), EVERY, today=TODAY), "Sở")
    ea_o = q2.set_index("unit_code").loc[EA_O]
    assert ea_o.state == "tra_lai" and "Lý do: Thiếu số người được khảo sát." in ea_o.reminder
    assert cycle.remind(db, "2026-Q1", [CU_YANG, CU_YANG], OFFICE) == 1
    cycle.remind(db, "2026-Q1", [CU_YANG], OFFICE)
    subs = _read(db, queries.submissions, "000", PeriodSel("2026-Q1"), EVERY, today=TODAY)
    assert subs.set_index("unit_code").reminders[CU_YANG] == 2


def test_reporting_page_approves_and_shows_pending_and_chase(approved, monkeypatch):
    db = approved
    _import(db, FIXTURES / "cycle" / "progress_small.csv", 12)
    monkeypatch.setenv("NQ71_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.sidebar.selectbox(key="f_period").set_value(Q2).run()
    at.switch_page("pages/bao_cao.py").run()
    assert not at.exception, at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["✔ Đã duyệt"], tiles["↩ Trả lại"], tiles["● Đã báo cáo (chờ duyệt)"]) == (
        "1",
        "0",
        "2",
    )  # Ea Ô sent again
    pending = next(d.value for d in at.dataframe if "Giá trị mới" in d.value.columns)
    assert pending[["Đơn vị", "Đang công bố", "Giá trị mới", "Ô nguồn"]].values.tolist() == [
        ["Xã Ea Kar", "70", "85", "progress_small.csv / progress_small · D4"]
    ]
    assert any("Kính gửi" in c.value for c in at.code)  # a reminder ready to copy
    # approve Ea Ô and Cư Yang from the page (demo mode: the administrator)
    at.multiselect(key="cycle_approve_units").set_value([EA_O, CU_YANG])
    next(b for b in at.button if b.label == "Duyệt các đơn vị đã chọn").click().run()
    assert not at.exception, at.exception
    assert _states(db)[EA_O] == "da_duyet" and _states(db)[CU_YANG] == "da_duyet"
    assert any("đã duyệt và khóa" in s.value for s in at.success)


def test_unit_user_cannot_approve_even_by_calling_the_action(approved, monkeypatch):
    from ui import access, actions

    monkeypatch.setenv("NQ71_DB", str(approved))
    monkeypatch.setenv("NQ71_USERS", str(FIXTURES / "users.csv"))
    monkeypatch.setattr(access, "current", lambda: access.viewer_for("eakar@vidu.edu.vn"))
    for call in (lambda: actions.approve(Q2, [EA_KAR]), lambda: actions.return_report(Q2, EA_KAR, "x"),
                 lambda: actions.accept_change(1), lambda: actions.remind(Q2, [EA_KAR])):  # fmt: skip
        with pytest.raises(access.Denied):
            call()
    assert _states(approved)[EA_KAR] == "da_duyet"


def test_a_pending_change_is_decided_and_audited_under_its_own_unit(approved, monkeypatch):
    """accept/reject take the change's id alone: the unit checked against the scope and written to the
    audit log is the change's own, read from the database (a caller named a unit before, and it was
    believed)."""
    from core import audit
    from queries import Scope
    from ui import access, actions

    _import(approved, FIXTURES / "cycle" / "progress_small.csv", 12)
    change = int(_read(approved, queries.pending_changes, EVERY).id.iloc[0])
    monkeypatch.setenv("NQ71_DB", str(approved))
    # someone who may decide, but only for Ea Ô: the change of Ea Kar is refused, and stays pending
    other = access.Viewer("vp.eao@vidu.edu.vn", "VP Ea Ô", "van_phong", Scope.of([EA_O]))
    monkeypatch.setattr(access, "current", lambda: other)
    with pytest.raises(access.Denied, match=EA_KAR):
        actions.accept_change(change)
    assert len(_read(approved, queries.pending_changes, EVERY)) == 1
    refused = audit.events(approved)[0]
    assert refused["action"] == "khong_duoc_phep" and refused["detail"]["units"] == [EA_KAR]
    office = access.Viewer("vanphong@vidu.edu.vn", "Văn phòng Sở", "van_phong", Scope.everything())
    monkeypatch.setattr(access, "current", lambda: office)
    actions.accept_change(change)
    done = audit.events(approved)[0]
    assert done["action"] == "chap_nhan" and done["detail"] == {"change": change, "unit": EA_KAR}
