"""Ingestion end to end through the real command line and a real DuckDB file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from core.db import connect_read
from data_sources.load import ingest as ingest_mod
from data_sources.load.ingest import ingest_paths
from tests.conftest import FIXTURES, SAMPLES, run_cli

KEYS = ["unit_code", "period", "field"]


def observations(db) -> pd.DataFrame:
    out = db.parent / "obs.csv"
    run_cli("queries", "export", "--db", str(db), "--kind", "observations", "--out", str(out))
    return pd.read_csv(out, encoding="utf-8-sig", dtype={"unit_code": str})


def rejects(db) -> pd.DataFrame:
    out = db.parent / "rej.csv"
    run_cli("queries", "export", "--db", str(db), "--kind", "rejects", "--out", str(out))
    return pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def assert_same_observations(got: pd.DataFrame, expected_csv) -> None:
    exp = pd.read_csv(expected_csv, dtype={"unit_code": str})
    got = got[["unit_code", "period", "field", "value"]].sort_values(KEYS).reset_index(drop=True)
    exp = exp.sort_values(KEYS).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, exp, check_dtype=False)


@pytest.mark.parametrize("sample", ["office_form_dak_lak.xlsx", "forms_responses_dak_lak.csv"])
def test_shared_samples_reproduced_exactly(sample, db):
    path = SAMPLES / sample
    run_cli("data_sources", "ingest", str(path), "--db", str(db), "--province", "66")
    assert_same_observations(observations(db), path.with_name(path.name.rsplit(".", 1)[0] + ".expected.csv"))


FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".csv", ".xlsx", ".xls", ".ods", ".txt") and (
    p.with_name(p.stem + ".expected.csv").exists()) and not p.name.endswith((".expected.csv", ".rejects.csv")))  # fmt: skip


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_observations_and_rejects(path, db):
    run_cli("data_sources", "ingest", str(path), "--db", str(db), "--schools", str(FIXTURES / "school_registry.csv"))
    assert_same_observations(observations(db), path.with_name(path.stem + ".expected.csv"))
    expected_rejects = path.with_name(path.stem + ".rejects.csv")
    if expected_rejects.exists():
        got = rejects(db)
        want = list(csv.DictReader(io.StringIO(expected_rejects.read_text(encoding="utf-8"))))
        for w in want:
            hits = got[(got["row"] == w["row"]) & (got["column"] == w["column"]) & (got["field"] == w["field"])]
            assert len(hits) == 1, f"no reject listed at row {w['row']} column {w['column']}: {got.to_string()}"
            assert w["reason_contains"] in hits.iloc[0]["reason"]
        # nothing unexpected besides what the file lists
        assert len(got) == len(want), got.to_string()


def test_tab_without_unit_column_fails_alone(db):
    proc = run_cli(
        "data_sources", "ingest", str(FIXTURES / "tabs_per_month.xlsx"), str(FIXTURES / "no_unit_column.csv"),
        "--db", str(db),
    )  # fmt: skip
    assert "Hướng dẫn" in proc.stdout and "không tìm thấy dòng tiêu đề có cột tên đơn vị" in proc.stdout
    assert "no_unit_column" in proc.stdout
    assert len(observations(db)) == 11  # the two month tabs still imported


def test_unreadable_file_exits_nonzero_and_publishes_nothing(db, tmp_path):
    run_cli("data_sources", "ingest", str(FIXTURES / "monthly_semicolon.csv"), "--db", str(db))
    before = db.read_bytes()
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"this is not a zip file")
    proc = run_cli(
        "data_sources", "ingest", str(FIXTURES / "bad_values.csv"), str(broken), "--db", str(db), check=False
    )
    assert proc.returncode == 2
    assert "Không đọc được tệp «hong.xlsx»" in proc.stderr and "không phải tệp Excel .xlsx" in proc.stderr
    assert db.read_bytes() == before
    missing = run_cli("data_sources", "ingest", str(tmp_path / "khong_co.csv"), "--db", str(db), check=False)
    assert missing.returncode == 2 and "Không tìm thấy tệp" in missing.stderr


def _summary_rows(db):
    con = connect_read(db)
    try:
        return con.execute(
            "SELECT import_id, cells_read, imported, updated, unchanged, missing, rejected FROM raw.tabs ORDER BY 1"
        ).fetchall()
    finally:
        con.close()


def test_summary_arithmetic_and_reimport_changes_nothing(db):
    files = [FIXTURES / "office_csv_export.csv", FIXTURES / "bad_values.csv", FIXTURES / "forms_nfd_resubmit.csv"]
    first = ingest_paths(files, db)
    for tab in first.tabs:
        parts = tab["imported"] + tab["updated"] + tab["unchanged"] + tab["missing"] + tab["rejected"]
        assert tab["cells_read"] == parts > 0
    t = first.totals
    assert t["rejected"] > 0 and t["missing"] > 0 and t["imported"] > 0
    obs_before, rej_before = observations(db), rejects(db)
    second = ingest_paths(files, db)
    t2 = second.totals
    assert t2["imported"] == 0 and t2["updated"] == 0
    assert t2["cells_read"] == t["cells_read"] and t2["unchanged"] == t["imported"] + t["updated"] + t["unchanged"]
    pd.testing.assert_frame_equal(observations(db), obs_before)
    pd.testing.assert_frame_equal(rejects(db), rej_before)
    # the same files again change nothing: no version is written, and the summary says so (issue 25, finding 6)
    assert first.published and not second.published
    assert "không tạo phiên bản mới" in second.text() and "#" not in second.text().splitlines()[0]
    versions = sorted(p.name for p in db.parent.glob(f"{db.name}.versions/*.duckdb"))
    assert versions == ["000001.duckdb"]
    con = connect_read(db)
    assert con.execute("SELECT count(DISTINCT import_id) FROM raw.cells").fetchall()[0][0] == 1
    con.close()
    # one value changed in one file: published, and raw keeps both reads (a later import never deletes one)
    changed = db.parent / "office_csv_export.csv"
    text = (FIXTURES / "office_csv_export.csv").read_text(encoding="utf-8-sig")
    changed.write_text(text.replace(",1200,40,", ",1201,40,", 1), encoding="utf-8")
    assert changed.read_text(encoding="utf-8") != text
    third = ingest_paths([changed, *files[1:]], db)
    assert third.published and third.totals["updated"] == 1
    con = connect_read(db)
    assert con.execute("SELECT count(DISTINCT import_id) FROM raw.cells").fetchall()[0][0] == 2
    con.close()


# office_csv_export.csv as a person reads it, copied by hand from the file (BOM dropped, quotes
# removed, spaces inside cells kept, "" for an empty cell); row 5 is empty
OFFICE_CSV_ROWS = {
    1: ["SỞ GIÁO DỤC VÀ ĐÀO TẠO"],
    2: ["PHỤ LỤC"],
    3: ["Thống kê kết quả tuyên truyền Nghị quyết 71-NQ/TW"],
    4: ["Kỳ báo cáo: Quý II/2026"],
    6: ["TT", "Tên đơn vị", "Quán triệt Nghị quyết 71-NQ/TW", "", "Đảng viên", "",
        "Số tin bài trên trang TTĐT", "Đã ban hành kế hoạch tuyên truyền"],
    7: ["", "", "Tổng số", "Số được quán triệt", "Tổng số", "Số được học tập, quán triệt"],
    8: ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"],
    9: ["1", "P. Tân An", "1.234", "1 000", "-", "...", "x", "x"],
    10: ["2", "UBND xã Ea Kar", "2.500", "1200", "40", "12", "3", "Không"],
    11: ["3", "XÃ KRÔNG NÔ", "300", "300", "...", "", "-", "Đã ban hành"],
    12: ["4", "Xa Hoa Phu", "80", "", "12", "12", "5", "Chưa"],
    13: ["5", "phường   Buôn  Ma Thuột", "500", "250", "30", "30", "7", "1"],
    14: ["", "Tổng cộng", "4.614", "2.750", "82", "54", "15"],
}  # fmt: skip


def test_raw_keeps_every_cell_exactly(db):
    ingest_paths([FIXTURES / "office_csv_export.csv"], db)
    con = connect_read(db)
    got = con.execute('SELECT "row", col, value FROM raw.cells ORDER BY 1, 2').fetchall()
    con.close()
    want = [(r, c, v) for r, row in OFFICE_CSV_ROWS.items() for c, v in enumerate(row, start=1) if v]
    assert len(want) == 66  # counted by hand: 4 title cells, 6 + 4 + 8 header cells, 8+8+7+7+8 units, 6 total
    assert got == want


def test_resubmission_later_timestamp_wins_and_is_listed(db):
    ingest_paths([FIXTURES / "forms_nfd_resubmit.csv"], db)
    obs = observations(db)
    ea_trang = obs[(obs.unit_code == "24445") & (obs.field == "cb_quan_triet")]
    assert ea_trang.value.tolist() == [350]
    rej = rejects(db)
    superseded = rej[rej.reason.str.contains("Đã được thay bằng lần báo cáo sau")]
    assert set(superseded.raw_value) >= {"100"} and (superseded["row"] == "3").all()


def test_later_import_wins_without_timestamps(db, tmp_path):
    a = tmp_path / "a" / "bao_cao.csv"
    b = tmp_path / "b" / "bao_cao_sua.csv"
    a.parent.mkdir()
    b.parent.mkdir()
    a.write_text("Tên đơn vị,Kỳ báo cáo,Số chuyên đề tuyên truyền\nXã Ea Kar,Quý I/2026,1\n", encoding="utf-8")
    b.write_text("Tên đơn vị,Kỳ báo cáo,Số chuyên đề tuyên truyền\nXã Ea Kar,Quý I/2026,3\n", encoding="utf-8")
    ingest_paths([a], db)
    s = ingest_paths([b], db)
    assert s.totals["updated"] == 1
    assert observations(db).value.tolist() == [3]


def test_corrected_sheet_replaces_its_earlier_read(db, tmp_path):
    """A unit fixes a bad cell and the same file is read again: the reject disappears."""
    f = tmp_path / "phu_luc.csv"
    f.write_text("Tên đơn vị,Kỳ báo cáo,Số hội nghị\nXã Ea Kar,Quý I/2026,năm\n", encoding="utf-8")
    ingest_paths([f], db)
    assert len(rejects(db)) == 1
    f.write_text("Tên đơn vị,Kỳ báo cáo,Số hội nghị\nXã Ea Kar,Quý I/2026,5\n", encoding="utf-8")
    ingest_paths([f], db)
    assert rejects(db).empty and observations(db).value.tolist() == [5]


def test_confirmed_mapping_applies_now_and_to_later_imports(db, tmp_path):
    from data_sources.load.mappings import confirm
    from data_sources.parse.units import unit_key

    f = FIXTURES / "bad_values.csv"
    ingest_paths([f], db)
    assert "24408" not in set(observations(db).unit_code)
    confirm(db, unit_key("Xã Không Có Thật"), "Xã Không Có Thật", "24406")
    obs = observations(db)
    assert set(obs[obs.unit_code == "24406"].field) == {
        "cb_tong",
        "cb_quan_triet",
        "so_hoi_nghi",
        "so_chuyen_de",
        "co_ke_hoach",
    }
    g = tmp_path / "lan_sau.csv"
    g.write_text("Tên đơn vị,Kỳ báo cáo,Số hội nghị\nxã không có thật,Quý II/2026,7\n", encoding="utf-8")
    ingest_paths([g], db)
    obs = observations(db)
    assert obs[(obs.unit_code == "24406") & (obs.period == "2026-Q2")].value.tolist() == [7]


def _files_beside(db) -> list[str]:
    """Every file the publish step may leave next to the database: the link, the lock, the link-<pid>
    it writes before swapping, and ``<db>.versions/NNNNNN.duckdb`` with its ``.wal``."""
    return sorted(
        str(p.relative_to(db.parent))
        for p in db.parent.rglob("*")
        if p.relative_to(db.parent).parts[0].startswith(db.name)
    )


def test_failed_import_leaves_published_data_untouched(db, monkeypatch):
    ingest_paths([FIXTURES / "monthly_semicolon.csv"], db)
    before = observations(db)
    published = os.readlink(db)
    files = _files_beside(db)
    # the one published version, named as data_sources/publish/store.py names it
    assert files == [
        "test.duckdb", "test.duckdb.lock", "test.duckdb.versions", "test.duckdb.versions/000001.duckdb",
        "test.duckdb.versions/000001.duckdb.published",
    ]  # fmt: skip
    from data_sources.load import ingest as ingest_mod

    def boom(*a, **k):
        raise RuntimeError("mất điện giữa chừng")

    monkeypatch.setattr(ingest_mod, "_load", boom)
    with pytest.raises(RuntimeError):
        ingest_paths([FIXTURES / "office_csv_export.csv"], db)
    # no half-written versions/000002.duckdb (nor its .wal), no test.duckdb.link-<pid>, link unchanged
    assert _files_beside(db) == files
    assert os.readlink(db) == published == "test.duckdb.versions/000001.duckdb"
    pd.testing.assert_frame_equal(observations(db), before)


def test_same_name_in_two_folders_is_one_source(db, tmp_path):
    """Sources are keyed by file name, so a re-sent copy replaces the earlier one."""
    a = tmp_path / "x" / "bao_cao.csv"
    a.parent.mkdir()
    shutil.copy(FIXTURES / "monthly_semicolon.csv", a)
    ingest_paths([a], db)
    ingest_paths([FIXTURES / "monthly_semicolon.csv"], db)
    assert len(observations(db)) == 6


# --- period resolution (issue 12): ranked clues, conflicts import nothing --------------------------


def test_conflicting_period_clues_import_nothing_and_say_so(db):
    """Tab «Q2-2025» vs «Kỳ báo cáo: Quý II/2026»: nothing from the tab, the summary names both clues,
    the data-quality list has one row of the new kind."""
    s = ingest_paths([FIXTURES / "period_conflict_tab_title.xlsx", FIXTURES / "period_doc_date_title.xlsx"], db)
    bad = next(t for t in s.tabs if t["sheet"] == "Q2-2025")
    assert bad["cells_read"] == 0 and bad["imported"] == 0
    for text in (
        "mâu thuẫn",
        "tên trang tính «Q2-2025»",
        "là quý II/2025",
        "Kỳ báo cáo: Quý II/2026",
        "là quý II/2026",
    ):
        assert text in bad["error"], bad["error"]
    assert "✗ period_conflict_tab_title.xlsx / Q2-2025: " in s.text() and "Không nhập" in s.text()
    con = connect_read(db)
    kinds = con.execute("SELECT kind, sheet, reason FROM mart.rejects").fetchall()
    con.close()
    assert [(k, sh) for k, sh, _ in kinds] == [("ky_mau_thuan", "Q2-2025")]
    assert "Q2-2025" in kinds[0][2] and "sửa" in kinds[0][2]
    # the other tab, whose title also carries a resolution's date, is read under its explicit period
    assert set(observations(db).period) == {"2026-Q2"}


def test_period_evidence_is_in_the_notes(db):
    s = ingest_paths([FIXTURES / "period_doc_date_title.xlsx"], db)
    notes = "\n".join(s.tabs[0]["notes"])
    assert "Kỳ báo cáo (quý II/2026)" in notes and "dòng «Kỳ báo cáo:»" in notes
    assert "ngày 22/8/2025" in notes  # the date that was set aside, and why


# --- other formats and encodings (issue 12) -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("csv_unknown_encoding.csv", "bảng mã không xác định"),
        ("csv_marks_lost.csv", "bị thay bằng «?»"),
    ],
)
def test_csv_whose_encoding_cannot_be_told_is_refused(db, name, why):
    proc = run_cli("data_sources", "ingest", str(FIXTURES / "refused" / name), "--db", str(db), check=False)
    assert proc.returncode == 2 and name in proc.stderr and why in proc.stderr and "tải lại" in proc.stderr
    assert not db.exists()  # nothing published


def test_repaired_or_legacy_encoding_is_said_in_the_notes(db):
    s = ingest_paths([FIXTURES / "csv_cp1252_mojibake.csv", FIXTURES / "csv_cp1258.csv"], db)
    notes = {t["source"]: "\n".join(t["notes"]) for t in s.tabs}
    assert "đã khôi phục đúng chữ tiếng Việt" in notes["csv_cp1252_mojibake.csv"]
    assert "Windows-1258" in notes["csv_cp1258.csv"]


def test_no_tab_to_import_is_refused_before_any_version_is_written(db):
    from data_sources.load.ingest import ingest_tabs
    from data_sources.publish.store import versions_dir
    from data_sources.read.readers import ReadError

    with pytest.raises(ReadError, match="Không có trang tính nào để nhập"):
        ingest_tabs([], db, province=66)
    assert not db.exists() and not (versions_dir(db).exists() and any(versions_dir(db).iterdir()))


def test_the_same_file_after_a_change_of_the_roster_is_published(db, tmp_path, monkeypatch):
    """Nothing changed in the file, but the list of units that must report did: the import changes what is
    published (the chase list), so it writes a version; the same file once more then writes none."""
    files = [FIXTURES / "progress_small.csv"]
    ingest_paths(files, db, province=66)
    roster = tmp_path / "roster.csv"
    roster.write_text("ma_don_vi,phai_bao_cao,ghi_chu,nguoi_lien_he,dien_thoai,email\n24100,0,sáp nhập,,,\n", "utf-8")
    monkeypatch.setenv("NQ71_ROSTER", str(roster))
    again = ingest_paths(files, db, province=66)
    assert again.published
    assert not ingest_paths(files, db, province=66).published
    con = connect_read(db)
    assert con.execute("SELECT count(*) FROM ref.roster WHERE NOT phai_bao_cao").fetchall()[0][0] == 1
    con.close()


def test_a_ratio_that_disagrees_with_its_numbers_carries_its_unit_and_its_unit_sees_it(db):
    """bad_values.csv row 3: Xã Ea Ô states 40% for 50 of 200 (25%). The rejected ratio names the row's unit,
    so the unit's own restricted view lists it (issue 25: the ratio checks had no unit code, and only an
    unrestricted scope saw them)."""
    import queries
    from core.db import connect_read

    ingest_paths([FIXTURES / "bad_values.csv"], db, province=66)
    con = connect_read(db)
    try:
        every = queries.rejects(con, queries.Scope.everything())
        ratio = every[every.field == "ty_le"]
        assert len(ratio) == 1 and ratio.iloc[0]["row"] == 3 and ratio.iloc[0]["unit"] == "Xã Ea Ô"
        units = queries.units(con, queries.Scope.everything())
        ea_o, ea_kar = (units[units.name == n].code.iloc[0] for n in ("Xã Ea Ô", "Xã Ea Kar"))
        assert "ty_le" in set(queries.rejects(con, queries.Scope.of([ea_o])).field)
        assert "ty_le" not in set(queries.rejects(con, queries.Scope.of([ea_kar])).field)  # another unit does not
    finally:
        con.close()


def _cells(db) -> list[tuple]:
    con = connect_read(db)
    try:
        return con.execute(
            "SELECT unit_name, period, field, value FROM mart.observations "
            "WHERE field IN ('cb_tong', 'cb_quan_triet') ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def test_a_file_read_again_after_another_file_wins_its_units_back_and_is_published(db, tmp_path, monkeypatch):
    """Review of issue 25 (F2): «nothing changed» is judged against what is published, not only against the
    file's own last read. A, then B (another file, the same units), then A again, all read in the same second
    (the clock held: A read again keeps the time its content first came, the same as B's, and the later
    reading wins the tie): A's values are published."""

    class Held(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 4, 5, 8, 0, 0)

    monkeypatch.setattr(ingest_mod, "dt", SimpleNamespace(datetime=Held))
    head = "Tên đơn vị,Kỳ báo cáo,Tổng số CBQL GV NV,Số CBQL GV NV được quán triệt\n"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(head + "Xã Ea Kar,Quý I/2026,100,40\nXã Ea Ô,Quý I/2026,300,60\n", encoding="utf-8")
    b.write_text(head + "Xã Ea Kar,Quý I/2026,100,90\nXã Ea Ô,Quý I/2026,300,250\n", encoding="utf-8")
    ingest_paths([a], db, province=66)
    ingest_paths([b], db, province=66)
    assert ("Xã Ea Kar", "2026-Q1", "cb_quan_triet", 90.0) in _cells(db)
    again = ingest_paths([a], db, province=66)
    assert again.published, again.text()
    got = _cells(db)
    assert ("Xã Ea Kar", "2026-Q1", "cb_quan_triet", 40.0) in got and (
        "Xã Ea Ô",
        "2026-Q1",
        "cb_quan_triet",
        60.0,
    ) in got
    assert not ingest_paths([a], db, province=66).published  # and once more: now nothing changes


def test_a_workbook_of_a_thousand_tabs_never_shares_a_row_key_with_the_next_import(db, tmp_path):
    """Review of issue 25 (F1): a staged row's key was import × 10⁹ + tab × 10⁶ + row, so tab 1.000 of import 1
    was row 0 of import 2, and one unit's values showed under another. Keys are now dense within an import."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "T0"
    for i in range(1, 1000):
        wb.create_sheet(f"T{i}")
    ws = wb.create_sheet("Dữ liệu")
    ws.append(["Tên đơn vị", "Kỳ báo cáo", "Tổng số CBQL GV NV"])
    ws.append(["Xã Ea Kar", "Quý I/2026", 100])
    many = tmp_path / "nhieu_trang.xlsx"
    wb.save(many)
    nxt = tmp_path / "tiep.csv"
    nxt.write_text("Tên đơn vị,Kỳ báo cáo,Tổng số CBQL GV NV\nXã Ea Ô,Quý I/2026,300\n", encoding="utf-8")
    ingest_paths([many], db, province=66)
    ingest_paths([nxt], db, province=66)
    assert _cells(db) == [("Xã Ea Kar", "2026-Q1", "cb_tong", 100.0), ("Xã Ea Ô", "2026-Q1", "cb_tong", 300.0)]
    con = connect_read(db)
    try:
        assert con.execute("SELECT count(*) = count(DISTINCT ord) FROM stg.rows").fetchall()[0][0]
    finally:
        con.close()
