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


def connect_read(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published file."""
    p = Path(db_path)
    if not p.exists():
        raise FileNotFoundError(
            f"Chưa có cơ sở dữ liệu «{db_path}». Hãy nhập số liệu: "
            "python -m data_sources ingest <tệp> --db " + str(db_path)
        )
    # the resolved path names one version: a new version is a new database instance
    return duckdb.connect(os.path.realpath(p), read_only=True)


def version(db_path: str | Path) -> tuple[int, int]:
    """Changes whenever a version is published (the link's target inode, mtime): a cache key."""
    st = os.stat(db_path)
    return st.st_ino, st.st_mtime_ns
