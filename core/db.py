"""How the published database is named and opened: the one protocol both sides share.

The path people use (``data/nq71.duckdb``) is a symbolic link to the newest
complete version in ``<db>.versions/`` (``data_sources/publish/store.py``
writes and swaps it). A reader resolves the link once and opens that version
read-only, so a new version is a new path and a new DuckDB instance.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

PUBLISHED = ".published"  # written beside a version once its publication completed (publish/store.py)


def _good_versions(link: Path) -> list[Path]:
    """Completed versions, newest first."""
    d = link.with_name(f"{link.name}.versions")
    if not d.exists():
        return []
    return sorted((v for v in d.glob("*.duckdb") if Path(f"{v}{PUBLISHED}").exists()), reverse=True)


def _opens(path: Path) -> str | None:
    """None when DuckDB opens ``path`` read-only, else why not."""
    try:
        duckdb.connect(str(path), read_only=True).close()
    except (duckdb.Error, OSError) as e:
        return f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    return None


def readable(db_path: str | Path, check: bool = False) -> tuple[Path, str | None]:
    """The file to read and, when it is not the published one, why: a missing (or, with ``check``,
    damaged) current version falls back to the newest good one before it (nothing is lost; the
    office is told). Without ``check`` only existence is looked at: this runs on every rerun."""
    p = Path(db_path)
    target = Path(os.path.realpath(p))
    if not p.is_symlink():
        if not p.exists():
            raise FileNotFoundError(
                f"Chưa có cơ sở dữ liệu «{db_path}». Hãy nhập số liệu: "
                "python -m data_sources ingest <tệp> --db " + str(db_path)
            )
        return p, None
    problem = "không còn tệp" if not target.exists() else (_opens(target) if check else None)
    if problem is None:
        return target, None
    for v in _good_versions(p):
        if v.resolve() != target and _opens(v) is None:
            return v, (
                f"Phiên bản dữ liệu hiện tại ({target.name}) không đọc được ({problem}); đang hiển thị phiên bản "
                f"tốt gần nhất ({v.name}). Quản trị viên chạy lại lần nhập hoặc khôi phục bản sao lưu."
            )
    raise FileNotFoundError(f"Không đọc được cơ sở dữ liệu «{db_path}» ({problem}) và không còn phiên bản tốt nào.")


def connect_read(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published file (or the last good version, see ``readable``)."""
    path, _ = readable(db_path)
    try:
        # the resolved path names one version: a new version is a new database instance
        return duckdb.connect(str(path), read_only=True)
    except (duckdb.Error, OSError):
        path, _ = readable(db_path, check=True)
        return duckdb.connect(str(path), read_only=True)


def version(db_path: str | Path) -> tuple[int, int]:
    """Changes whenever a version is published (the link's target inode, mtime): a cache key."""
    st = os.stat(readable(db_path)[0])
    return st.st_ino, st.st_mtime_ns
