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

from core.db import mark_published, readable

from ..sql import load, statements

PUBLISHED = ".published"  # marker beside a version once its link swap succeeded


def keep() -> int:
    """How many published versions are kept (``versions_kept`` in catalog/deployment.toml,
    NQ71_VERSIONS_KEPT wins); at least 2, so the one before the current stays as a fallback."""
    from core import catalog

    value = os.environ.get("NQ71_VERSIONS_KEPT") or catalog.settings().get("versions_kept", 3)
    return max(2, int(value))


def versions_dir(db: Path) -> Path:
    return db.with_name(f"{db.name}.versions")


def _versions(db: Path) -> list[Path]:
    d = versions_dir(db)
    if not d.exists():
        return []
    return sorted(p for p in d.iterdir() if re.fullmatch(r"\d{6}\.duckdb", p.name))


def published_versions(db: Path) -> list[Path]:
    """Versions whose publication completed (marker present), oldest first."""
    return [v for v in _versions(db) if Path(f"{v}{PUBLISHED}").exists()]


def _current(db: Path) -> Path | None:
    return Path(os.path.realpath(db)) if db.is_symlink() else None


def clean_orphans(db: Path) -> list[Path]:
    """Remove versions a killed writer left half-written (never published, not the link's target)
    and stale ``.link-<pid>`` files. Called under the writers' lock at the start of every publish."""
    current = _current(db)
    removed = []
    for v in _versions(db):
        if not Path(f"{v}{PUBLISHED}").exists() and (current is None or v.resolve() != current):
            _remove(v)
            removed.append(v)
    for stale in db.parent.glob(f"{db.name}.link-*"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    return removed


def _prune(db: Path) -> None:
    """Keep the last ``keep()`` published versions (the current one always)."""
    current = _current(db)
    for old in published_versions(db)[: -keep()]:
        if current is None or old.resolve() != current:
            _remove(old)


@contextlib.contextmanager
def _locked(db: Path):
    """The writers' lock: one publish at a time (a second writer waits for the first to land)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{db}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if (current := _current(db)) is not None and current.exists():
                Path(f"{current}{PUBLISHED}").touch()  # versions published before markers existed
            clean_orphans(db)
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _next_version(db: Path) -> Path:
    existing = _versions(db)
    n = int(existing[-1].stem) + 1 if existing else 1
    new = versions_dir(db) / f"{n:06d}.duckdb"
    new.parent.mkdir(exist_ok=True)
    _remove(new)
    return new


def _swap(db: Path, new: Path) -> None:
    """Point the link at ``new`` atomically, mark it published, prune old versions."""
    link = db.with_name(f"{db.name}.link-{os.getpid()}")
    _remove(link)
    os.symlink(os.path.relpath(new, db.parent), link)
    os.replace(link, db)
    mark_published(new)  # size and SHA-256: readers and the next import know a damaged version from a good one
    _prune(db)


@contextlib.contextmanager
def publishing(db_path: str | Path):
    db = Path(db_path)
    with _locked(db):
        new = _next_version(db)
        if db.exists() or db.is_symlink():
            # the newest version that checks out (size, SHA-256, opens): never build on a damaged one, whose
            # damage the new version's fresh checksum would otherwise make look good
            source, _ = readable(db, check=True)
            shutil.copyfile(source, new)
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
        _swap(db, new)


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal"), Path(f"{path}{PUBLISHED}")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
