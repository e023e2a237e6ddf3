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
    """None when DuckDB opens ``path`` read-only, else why not (in Vietnamese: a person reads it)."""
    try:
        duckdb.connect(str(path), read_only=True).close()
    except (duckdb.Error, OSError):
        return "tệp hỏng, DuckDB không mở được"
    return None


def sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def mark_published(version: Path) -> None:
    """The marker written beside a version once it is published: its size and SHA-256 at that moment."""
    import json

    Path(f"{version}{PUBLISHED}").write_text(
        json.dumps({"bytes": version.stat().st_size, "sha256": sha256(version)}), encoding="utf-8"
    )


def _intact(version: Path, full: bool | str) -> str | None:
    """None when ``version`` is as it was published, else why not. The size is compared always (a cut file is
    the common damage, found at once); with ``full`` the SHA-256 and an open by DuckDB too. A version
    published before markers held a checksum is opened by DuckDB instead."""
    import json

    try:
        mark = json.loads(Path(f"{version}{PUBLISHED}").read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        mark = {}
    if not isinstance(mark, dict):
        mark = {}
    try:
        size = version.stat().st_size
    except OSError:
        return "không còn tệp"
    if mark.get("bytes") is not None and size != mark["bytes"]:
        return f"kích thước {size:,} byte khác lúc công bố ({mark['bytes']:,} byte): tệp bị cắt hoặc bị ghi đè".replace(
            ",", "."
        )
    if not full:
        return None
    if full is True and mark.get("sha256") and sha256(version) != mark["sha256"]:
        return "nội dung khác lúc công bố (mã kiểm tra SHA-256 không khớp): tệp bị hỏng"
    return _opens(version)


def readable(db_path: str | Path, check: bool | str = False) -> tuple[Path, str | None]:
    """The file to read and, when it is not the published one, why: a missing (or, with ``check``,
    damaged) current version falls back to the newest good one before it (nothing is lost; the
    office is told). Without ``check`` existence and size (against the publish marker) are looked at: this
    runs on every rerun. ``check=True``: the SHA-256 and an open too; ``check="open"``: an open, no hash
    (an import choosing what to build on)."""
    p = Path(db_path)
    target = Path(os.path.realpath(p))
    if not p.is_symlink():
        if not p.exists():
            raise FileNotFoundError(
                f"Chưa có cơ sở dữ liệu «{db_path}». Hãy nhập số liệu: "
                "python -m data_sources ingest <tệp> --db " + str(db_path)
            )
        return p, None
    problem = "không còn tệp" if not target.exists() else _intact(target, full=check)
    if problem is None:
        return target, None
    for v in _good_versions(p):
        if v.resolve() != target and _intact(v, full=True) is None:
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
