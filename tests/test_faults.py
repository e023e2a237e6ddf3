"""Fault drills (short versions): imports killed half-way, two imports at once, readers during an
import, a damaged or missing current version, bounded retention, backup and restore.

Each drill runs the real command line in subprocesses on a real DuckDB file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.db import connect_read, readable
from data_sources.publish.store import published_versions, versions_dir
from tests.conftest import FIXTURES, ROOT, run_cli

SMALL = str(FIXTURES / "progress_small.csv")
CHANGED = str(FIXTURES / "cycle" / "progress_small.csv")  # the same file name, two values changed
OFFICE = str(FIXTURES / "office_csv_export.csv")


def _ingest(db: Path, *paths: str, **kw) -> subprocess.CompletedProcess:
    return run_cli("data_sources", "ingest", *paths, "--db", str(db), "--province", "66", **kw)


def _observations(db: Path) -> list[tuple]:
    con = connect_read(db)
    try:
        return con.execute("SELECT unit_code, period, field, value FROM mart.observations ORDER BY ALL").fetchall()
    finally:
        con.close()


def _files(db: Path) -> list[str]:
    return sorted(p.name for p in versions_dir(db).iterdir())


def test_kill_mid_import_keeps_published_data_and_next_import_cleans_up(tmp_path):
    db = tmp_path / "nq71.duckdb"
    _ingest(db, SMALL)
    before = first = _observations(db)
    killed_mid_write = 0
    for delay in (0.0, 0.05, 0.2):  # killed as the new version appears, and a little later
        known = set(_files(db))
        newest = published_versions(db)[-1]
        proc = subprocess.Popen(
            [sys.executable, "-m", "data_sources", "ingest", OFFICE, "--db", str(db), "--province", "66"], cwd=ROOT
        )
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline and not (set(_files(db)) - known):
            time.sleep(0.005)  # until the writer has created its new version file
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.returncode == -signal.SIGKILL and published_versions(db)[-1] == newest:
            killed_mid_write += 1
            assert _observations(db) == before  # still readable, unchanged
        elif proc.returncode == -signal.SIGKILL:  # on a busy machine the kill can land after the publish
            before = _observations(db)
    assert killed_mid_write, "every import finished before the kill: the drill tested nothing"
    orphans = [f for f in _files(db) if f.endswith(".duckdb") and not (versions_dir(db) / f"{f}.published").exists()]
    _ingest(db, OFFICE)  # the next import succeeds, and removes what the killed ones left
    after_files = _files(db)
    assert not any(f in after_files for f in orphans if f != os.path.basename(os.path.realpath(db)))
    assert all((versions_dir(db) / f"{f}.published").exists() for f in after_files if f.endswith(".duckdb"))
    assert len(_observations(db)) > len(first)
    # the last good version before this import is still there (a fallback), as the current one
    assert len(published_versions(db)) >= 2


def test_retention_keeps_the_setting_and_never_the_orphans(tmp_path, monkeypatch):
    monkeypatch.setenv("NQ71_VERSIONS_KEPT", "2")
    db = tmp_path / "nq71.duckdb"
    for i in range(4):  # each import changes a value (the same file twice would publish nothing)
        _ingest(db, (SMALL, CHANGED)[i % 2])
    # an orphan as a killed writer leaves it: a newer version file, never published, with its .wal
    orphan = versions_dir(db) / "000099.duckdb"
    orphan.write_bytes(b"half-written")
    Path(f"{orphan}.wal").write_bytes(b"x")
    _ingest(db, CHANGED)
    files = _files(db)
    assert "000099.duckdb" not in files and "000099.duckdb.wal" not in files
    kept = [f for f in files if f.endswith(".duckdb")]
    assert len(kept) == 2 and os.path.basename(os.path.realpath(db)) == kept[-1]


def test_two_imports_at_once_both_land(tmp_path):
    db = tmp_path / "nq71.duckdb"
    _ingest(db, SMALL)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "data_sources", "ingest", path, "--db", str(db), "--province", "66"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in (OFFICE, str(FIXTURES / "school_level.csv"))
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    con = connect_read(db)
    try:
        imports = con.execute("SELECT count(*) FROM raw.imports").fetchall()[0][0]
        sources = {r[0] for r in con.execute("SELECT DISTINCT source FROM raw.tabs").fetchall()}
    finally:
        con.close()
    assert imports == 3 and {"office_csv_export.csv", "school_level.csv"} <= sources  # no lost update


def test_a_reader_never_fails_during_imports(tmp_path):
    db = tmp_path / "nq71.duckdb"
    _ingest(db, SMALL)
    errors, reads = [], 0
    stop = threading.Event()

    def read_loop():
        nonlocal reads
        while not stop.is_set():
            try:
                _observations(db)
                reads += 1
            except Exception as e:
                errors.append(repr(e))

    t = threading.Thread(target=read_loop)
    t.start()
    try:
        for _ in range(3):
            _ingest(db, OFFICE)
    finally:
        stop.set()
        t.join(30)
    assert not errors and reads > 10


def test_damaged_or_missing_current_version_falls_back_with_a_message(tmp_path):
    db = tmp_path / "nq71.duckdb"
    _ingest(db, SMALL)
    good = _observations(db)
    _ingest(db, OFFICE)
    current = Path(os.path.realpath(db))
    current.write_bytes(b"\0" * 4096)  # damaged on disk
    path, note = readable(db, check=True)
    assert path != current and "không đọc được" in note
    assert _observations(db) == good  # the version before it, intact
    current.unlink()  # missing
    path, note = readable(db)
    assert path != current and "không còn tệp" in note and _observations(db) == good


def test_backup_and_restore_give_back_the_same_data(tmp_path, monkeypatch):
    monkeypatch.setenv("NQ71_USERS", str(tmp_path / "nguoi_dung.csv"))  # never the checkout's own data/
    db = tmp_path / "nq71.duckdb"
    _ingest(db, SMALL)
    saved = _observations(db)
    out = tmp_path / "sao_luu" / "nq71-2026-07-10.tar"
    run_cli("data_sources", "backup", "--db", str(db), "--out", str(out))
    _ingest(db, OFFICE)
    assert _observations(db) != saved
    run_cli("data_sources", "restore", "--db", str(db), "--from", str(out))
    assert _observations(db) == saved
    bad = tmp_path / "not_a_db.duckdb"
    bad.write_bytes(b"nope")
    proc = run_cli("data_sources", "restore", "--db", str(db), "--from", str(bad), check=False)
    assert proc.returncode == 2 and "Lỗi" in proc.stderr and _observations(db) == saved


@pytest.mark.parametrize("kept", ["1", "3"])
def test_versions_kept_is_a_setting_with_a_floor_of_two(tmp_path, monkeypatch, kept):
    monkeypatch.setenv("NQ71_VERSIONS_KEPT", kept)
    db = tmp_path / "nq71.duckdb"
    for i in range(5):
        _ingest(db, (SMALL, CHANGED)[i % 2])
    assert len(published_versions(db)) == max(2, int(kept))


def test_a_failure_storing_raw_cells_beside_the_matching_fails_the_import_and_publishes_nothing(tmp_path):
    """raw.cells is written on a second cursor while the tabs are matched (ingest._Background): its
    failure must stop the import like any other, with DuckDB's own error, and leave no version."""
    import duckdb

    from data_sources.load.ingest import ingest_paths

    db = tmp_path / "nq71.duckdb"
    con = duckdb.connect(str(db))  # a plain file whose raw.cells refuses the office sheet's total row
    con.execute("CREATE SCHEMA raw")
    con.execute(
        'CREATE TABLE raw.cells (import_id INTEGER, source VARCHAR, sheet VARCHAR, "row" INTEGER, col INTEGER, '
        "value VARCHAR CHECK (value <> 'Tổng cộng'), type VARCHAR, read_at TIMESTAMP)"
    )
    con.close()
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        ingest_paths([OFFICE], db, province=66)
    assert not os.path.islink(db)  # never swapped for a new version
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM raw.cells").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'mart'").fetchall() == [
            (0,)
        ]
    finally:
        con.close()
    assert not versions_dir(db).exists() or not any(versions_dir(db).iterdir())


@pytest.mark.parametrize("keep", [0.5, 8000])
def test_a_cut_current_version_is_noticed_said_and_never_built_on(tmp_path, keep):
    """Finding 2 of issue 25: the current version cut to half still opened, and every page and export then
    failed; cut to a few KB the export served the previous version without a word; every import copied
    the damaged file. Each version's marker holds its size and SHA-256 from publish time."""
    db = tmp_path / "nq71.duckdb"
    _ingest(db, SMALL)
    good = _observations(db)
    _ingest(db, OFFICE)
    newest = _observations(db)
    current = Path(os.path.realpath(db))
    data = current.read_bytes()
    current.write_bytes(data[: int(len(data) * keep)] if keep < 1 else data[:keep])
    path, note = readable(db, check=True)
    assert path != current and "bị cắt" in note
    out = tmp_path / "obs.csv"
    proc = run_cli("queries", "export", "--db", str(db), "--kind", "observations", "--out", str(out))
    assert proc.stderr.startswith("Lưu ý: Phiên bản dữ liệu hiện tại") and "bị cắt" in proc.stderr
    assert _observations(db) == good  # pages read the good version before it, and say so
    _ingest(db, OFFICE)  # the next import builds on the good version, not on the cut one
    assert readable(db, check=True)[1] is None and _observations(db) == newest


def test_a_version_altered_in_place_is_found_by_its_checksum(tmp_path):
    db = tmp_path / "nq71.duckdb"
    _ingest(db, SMALL)
    good = _observations(db)
    _ingest(db, OFFICE)
    current = Path(os.path.realpath(db))
    data = bytearray(current.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte flipped, same size
    current.write_bytes(bytes(data))
    path, note = readable(db, check=True)
    assert path != current and "SHA-256" in note
    import duckdb

    con = duckdb.connect(str(path), read_only=True)  # what pages and the CLI read now
    try:
        assert (
            con.execute("SELECT unit_code, period, field, value FROM mart.observations ORDER BY ALL").fetchall() == good
        )
    finally:
        con.close()
    _ingest(db, OFFICE)  # built on the good version: its fresh checksum does not bless the flipped byte
    assert readable(db, check=True)[1] is None
    assert Path(os.path.realpath(db)).read_bytes() != bytes(data)
