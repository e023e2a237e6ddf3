"""The database file, and publishing a new version of it atomically.

DuckDB allows one writing process or many reading ones, not both, and a
process reuses an open database instance for the same path. So every
published version is its own file, and the path people use is a symbolic
link to the newest one::

    nq71.duckdb ──▶ nq71.duckdb.versions/000007.duckdb      (published)
                    nq71.duckdb.versions/000008.duckdb      (being written: a copy of 7)

A writer (``ingest``, ``refresh``, a confirmed unit mapping) copies the newest
version, writes its copy, CHECKPOINTs and closes it, then swaps the link with
``os.replace`` (atomic). A reader that opened version 7 keeps reading it; a
reader that connects after the swap resolves the link to version 8, a new
path, so it gets a fresh database instance with the new data. A writer that
fails half-way deletes its copy and the link is untouched. Writers take an
exclusive lock on ``nq71.duckdb.lock`` so two imports never race. The last
``KEEP`` versions are kept; older ones are deleted (a reader that still has
one open keeps reading it until it closes).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from pathlib import Path

import duckdb

from ..sql import load, statements

KEEP = 3


def versions_dir(db: Path) -> Path:
    return db.with_name(f"{db.name}.versions")


def _versions(db: Path) -> list[Path]:
    d = versions_dir(db)
    if not d.exists():
        return []
    return sorted(p for p in d.iterdir() if re.fullmatch(r"\d{6}\.duckdb", p.name))


@contextlib.contextmanager
def publishing(db_path: str | Path):
    db = Path(db_path)
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{db}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            existing = _versions(db)
            n = int(existing[-1].stem) + 1 if existing else 1
            new = versions_dir(db) / f"{n:06d}.duckdb"
            new.parent.mkdir(exist_ok=True)
            _remove(new)
            if db.exists():
                shutil.copyfile(db, new)  # follows the link: the newest version (or a plain older file)
            try:
                con = duckdb.connect(str(new))
                try:
                    for stmt in statements("connection_settings") + statements("schema"):
                        con.execute(stmt)
                    yield con
                    con.execute(load("checkpoint"))
                finally:
                    con.close()
            except BaseException:
                _remove(new)
                raise
            link = db.with_name(f"{db.name}.link-{os.getpid()}")
            _remove(link)
            os.symlink(os.path.relpath(new, db.parent), link)
            os.replace(link, db)
            for old in _versions(db)[:-KEEP]:
                _remove(old)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
