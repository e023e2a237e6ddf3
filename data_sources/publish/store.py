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
import sys
from pathlib import Path

import duckdb

from core.db import mark_published, readable
from core.fmt import number

from ..sql import load, statements

PUBLISHED = ".published"  # marker beside a version once its link swap succeeded


class StoreError(Exception):
    """Writing the new version failed (disk full, no permission, an I/O error): it was removed, nothing was
    published, the previous version is still served. The message is for a person, in Vietnamese."""


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
            if (
                (current := _current(db)) is not None
                and current.exists()
                and not Path(f"{current}{PUBLISHED}").exists()
            ):
                # published before markers existed, or its marker could not be written (disk full): the link's
                # target is published by definition
                with contextlib.suppress(OSError):
                    mark_published(current)
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
    """Point the link at ``new`` atomically."""
    link = db.with_name(f"{db.name}.link-{os.getpid()}")
    _remove(link)
    try:
        os.symlink(os.path.relpath(new, db.parent), link)
        os.replace(link, db)
    except OSError:
        _remove(link)
        raise


@contextlib.contextmanager
def publishing(db_path: str | Path):
    """A connection to a new version (a copy of the current one); published when the block ends without an
    error. Any failure removes the new version and leaves the link untouched; a failure of the disk (full, no
    permission, an I/O error: from the copy, DuckDB's writes, the checkpoint or the link swap) is raised as
    :class:`StoreError` in Vietnamese."""
    db = Path(db_path)
    with _locked(db):
        new = _next_version(db)
        try:
            if db.exists() or db.is_symlink():
                # the newest version that checks out (size, SHA-256, opens): never build on a damaged one, whose
                # damage the new version's fresh checksum would otherwise make look good
                source, _ = readable(db, check=True)
                shutil.copyfile(source, new)
            con = duckdb.connect(str(new))
            try:
                for stmt in statements("connection_settings") + statements("schema"):
                    con.execute(stmt)
                yield con
                con.execute(load("checkpoint"))
            finally:
                with contextlib.suppress(duckdb.Error):  # after a fatal error DuckDB may refuse even to close
                    con.close()
            _swap(db, new)
        except BaseException as e:
            _remove(new)
            if (why := disk_failure(e)) is not None:
                raise StoreError(_store_message(db, why)) from None
            raise
        published(db, new)


def published(db: Path, new: Path) -> None:
    """After the link swap: from here nothing may remove ``new``. Its marker (size, SHA-256) is what tells
    readers and the next import a damaged version from a good one; one that cannot be written (the disk filled
    just now) is written by the next publish (see _locked), and old versions are pruned then too."""
    try:
        mark_published(new)
        _prune(db)
    except OSError as e:
        print(f"Lưu ý: đã công bố {new.name} nhưng {disk_failure(e)} khi ghi dấu kiểm tra.", file=sys.stderr)


def disk_failure(e: BaseException) -> str | None:
    """What went wrong with the disk, in Vietnamese, when ``e`` is a failure of the disk; None otherwise."""
    import errno

    if isinstance(e, OSError) and not isinstance(e, (FileNotFoundError, StoreError)):
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            return "ổ đĩa đã đầy"
        if e.errno in (errno.EACCES, errno.EPERM):
            return "máy chủ không có quyền ghi vào thư mục dữ liệu"
        if e.errno == errno.EROFS:
            return "thư mục dữ liệu nằm trên ổ chỉ đọc"
        return "lỗi đọc ghi ổ đĩa"
    if isinstance(e, duckdb.OutOfMemoryException):
        return "máy chủ không đủ bộ nhớ để ghi (DuckDB)"
    if isinstance(e, duckdb.Error):
        text = str(e)
        if "No space left" in text or "out of disk" in text.lower():
            return "ổ đĩa đã đầy"
        if "Permission denied" in text or "Read-only file system" in text:
            return "máy chủ không có quyền ghi vào thư mục dữ liệu"
        if isinstance(e, (duckdb.IOException, duckdb.FatalException)) or "Could not write" in text:
            return "lỗi đọc ghi ổ đĩa"
    return None


def _store_message(db: Path, why: str) -> str:
    free = ""
    with contextlib.suppress(OSError):
        left = shutil.disk_usage(db.parent).free
        free = f" (còn trống {number(left / 1024 / 1024, 1)} MB)"
    return (
        f"Không ghi được phiên bản dữ liệu mới: {why}{free}. Phiên bản dở dang đã được xóa; chưa công bố gì, dữ liệu "
        "đang công bố giữ nguyên. Quản trị viên giải phóng chỗ trống hoặc sửa quyền ghi của thư mục dữ liệu (xem "
        "python -m deploy check), rồi nhập lại."
    )


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal"), Path(f"{path}{PUBLISHED}")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
