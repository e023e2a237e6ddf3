"""A full disk (issue 25, finding 5), for real: the database lives on a small tmpfs mounted in a mount
namespace of its own (``unshare -m``, as root: CI runs as root), filled until only a little room is left.
The import then fails in the copy of the current version (room smaller than the database) or in DuckDB's
own writes and checkpoint (room a little larger): either way a Vietnamese message and exit code 2, the
half-written version removed, the link untouched, and the previous version still served by the export.

Failures the tmpfs cannot produce on demand (the link swap, a restore) are injected below."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, ROOT

SCRIPT = r"""
set -u
D="$1"; EXTRA_KB="$2"
mount -t tmpfs -o size=48m tmpfs "$D" || exit 99
cd "$ROOT"
"$PY" -m data_sources ingest "$FIXTURES/progress_small.csv" --db "$D/nq71.duckdb" --province 66 > /dev/null || exit 98
size_kb=$(( $(stat -c %s "$D/nq71.duckdb.versions/000001.duckdb") / 1024 ))
dd if=/dev/zero of="$D/filler" bs=64k 2> /dev/null
free_kb=$(df -k --output=avail "$D" | tail -1)
truncate -s -$(( size_kb + EXTRA_KB - free_kb ))K "$D/filler"
"$PY" -m data_sources ingest "$FIXTURES/cycle/progress_small.csv" --db "$D/nq71.duckdb" --province 66
echo "exit=$?"
echo "files=$(cd "$D/nq71.duckdb.versions" && ls | tr '\n' ' ')"
echo "link=$(readlink "$D/nq71.duckdb")"
"$PY" -m queries export --db "$D/nq71.duckdb" --kind observations --out "$D/x.csv" > /dev/null 2>&1 || exit 97
echo "rows=$(wc -l < "$D/x.csv")"
"""

ENGLISH = ("Traceback", "Exception", "Errno", "No space", "Error", "IO Error")


@pytest.mark.parametrize(
    "extra_kb, where",
    [
        (-3000, "room less than the database: the copy fails"),
        (600, "the copy fits, the writes do not"),
        (1500, "more room, still too little"),
    ],
)
def test_a_full_disk_is_said_in_vietnamese_and_costs_nothing(tmp_path, extra_kb, where):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.fail("this test mounts a tmpfs in a mount namespace: it needs root and util-linux (CI has both)")
    mnt = tmp_path / "dia"
    mnt.mkdir()
    env = {**os.environ, "ROOT": str(ROOT), "PY": sys.executable, "FIXTURES": str(FIXTURES)}
    proc = subprocess.run(
        ["unshare", "-m", "bash", "-c", SCRIPT, "script", str(mnt), str(extra_kb)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, (where, out)
    assert "exit=2" in proc.stdout, (where, out)
    assert "Không ghi được phiên bản dữ liệu mới: ổ đĩa đã đầy" in proc.stderr, (where, out)
    assert "dữ liệu đang công bố giữ nguyên" in proc.stderr
    for word in ENGLISH:
        assert word not in proc.stderr, (word, out)
    assert "files=000001.duckdb 000001.duckdb.published \n" in proc.stdout, out  # nothing half-written left
    assert "link=nq71.duckdb.versions/000001.duckdb" in proc.stdout
    assert "rows=" in proc.stdout and int(proc.stdout.split("rows=")[1]) > 1  # the previous version still served


def _published(tmp_path):
    from data_sources.load.ingest import ingest_paths

    db = tmp_path / "nq71.duckdb"
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66)
    return db


def test_a_link_swap_that_fails_removes_the_new_version_and_keeps_the_old(tmp_path, monkeypatch):
    from data_sources.load.ingest import ingest_paths
    from data_sources.publish import store

    db = _published(tmp_path)
    before = os.readlink(db)

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.os, "replace", full)
    with pytest.raises(store.StoreError, match="ổ đĩa đã đầy") as e:
        ingest_paths([FIXTURES / "cycle/progress_small.csv"], db, province=66)
    assert "No space" not in str(e.value)
    assert os.readlink(db) == before
    assert sorted(p.name for p in store.versions_dir(db).iterdir()) == ["000001.duckdb", "000001.duckdb.published"]
    assert not list(tmp_path.glob("nq71.duckdb.link-*"))


def test_a_marker_that_cannot_be_written_after_the_swap_never_removes_the_published_version(tmp_path, monkeypatch):
    from core import db as core_db
    from data_sources.load.ingest import ingest_paths
    from data_sources.publish import store

    db = _published(tmp_path)

    def full(version):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "mark_published", full)
    ingest_paths([FIXTURES / "cycle/progress_small.csv"], db, province=66)  # published all the same
    assert os.readlink(db).endswith("000002.duckdb") and (store.versions_dir(db) / "000002.duckdb").exists()
    monkeypatch.undo()
    ingest_paths([FIXTURES / "progress_small.csv"], db, province=66)  # the next publish writes its marker
    marker = store.versions_dir(db) / "000002.duckdb.published"
    assert core_db.sha256(store.versions_dir(db) / "000002.duckdb") in marker.read_text()


def test_a_restore_onto_a_full_disk_is_refused_in_vietnamese(tmp_path, monkeypatch):
    from data_sources.publish import backup, store

    db = _published(tmp_path)
    archive = tmp_path / "sao_luu.tar"
    backup.backup(db, archive)

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.shutil, "copyfile", full)
    monkeypatch.setattr(backup.shutil, "copyfile", full)
    with pytest.raises(backup.BackupError, match="ổ đĩa đã đầy") as e:
        backup.restore(db, archive)
    assert sorted(p.name for p in store.versions_dir(db).iterdir()) == ["000001.duckdb", "000001.duckdb.published"]
    assert "Chưa khôi phục gì" in str(e.value) and "No space" not in str(e.value)
