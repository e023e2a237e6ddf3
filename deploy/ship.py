"""Ship the published version to another host: ``python -m deploy ship --to rsync://HOST/MODULE``.

A province with two hosts has one writer: imports, the Google refresh and the web's «Gửi báo cáo»
publish there (data_sources/publish/store.py). Every other host serves its own copy of the published
database, kept by this command with rsync (Debian's package, ``make cluster-deps``), pushed to an rsync
daemon on that host (a module whose path is the folder holding the database there). The order is what
keeps the other host's readers safe (core/db.py resolves the link on every rerun):

1. the version file (rsync writes it under a hidden temporary name and renames it when complete),
2. its ``.published`` marker (size and SHA-256; the other host's fallback trusts only marked versions),
3. the link, last: rsync writes a symbolic link under a temporary name and renames it over the old one,
   so the other host sees the old version or the new one, never a link to a missing file,
4. the older kept versions (fallbacks) and the removal of those the writer pruned, never the one the
   link names.

``--watch``: ship at start, then again whenever the link names a new version (a systemd service on the
writer, deploy/systemd/nq71-ship.service), so every publish reaches the other hosts within seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from core.db import PUBLISHED, readable

VERSION = re.compile(r"\d{6}\.duckdb")


class ShipError(Exception):
    """Shipping failed; the other host keeps what it had. The message is for a person, in Vietnamese."""


def rsync_bin() -> str:
    exe = shutil.which("rsync")
    if exe is None:
        raise ShipError("Thiếu rsync: chạy 'make cluster-deps' (root) hoặc 'apt-get install rsync' rồi chạy lại.")
    return exe


def _published(db: Path) -> list[Path]:
    d = db.with_name(f"{db.name}.versions")
    if not d.is_dir():
        return []
    return sorted(v for v in d.iterdir() if VERSION.fullmatch(v.name) and Path(f"{v}{PUBLISHED}").exists())


def current(db: Path) -> Path:
    """The version the link names, checked whole (size, SHA-256, opens): a damaged one is never shipped."""
    if not db.is_symlink():
        raise ShipError(
            f"«{db}» chưa phải cơ sở dữ liệu đã công bố (một liên kết tới phiên bản trong {db.name}.versions/): "
            "máy ghi nhập số liệu trước (python -m data_sources ingest …), rồi mới gửi."
        )
    if os.path.isabs(os.readlink(db)):
        raise ShipError(f"Liên kết «{db}» chỉ tới một đường dẫn tuyệt đối: máy kia không dùng được. Nhập lại một lần.")
    target = Path(os.path.realpath(db))
    if not Path(f"{target}{PUBLISHED}").exists():
        raise ShipError(f"Phiên bản {target.name} chưa có dấu công bố ({target.name}{PUBLISHED}): chưa gửi.")
    try:
        path, why = readable(db, check=True)
    except FileNotFoundError as e:
        raise ShipError(str(e)) from None
    if why is not None or path != target:
        raise ShipError(f"Không gửi phiên bản hỏng: {why}")
    return target


def _rsync(args: list[str], dest: str, timeout: float) -> None:
    proc = subprocess.run(
        [rsync_bin(), "--archive", "--timeout=60", *args], capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or [f"mã thoát {proc.returncode}"])[0]
        raise ShipError(
            f"Không gửi được tới {dest} (rsync, mã {proc.returncode}: {detail}). Máy kia giữ phiên bản nó đang có; "
            "kiểm tra mạng, dịch vụ rsync trên máy kia (rsyncd.conf, hosts allow) rồi gửi lại."
        )


def ship(db: str | Path, dest: str, timeout: float = 3600.0) -> Path:
    """Push the published version of ``db`` to ``dest`` (``rsync://HOST[:PORT]/MODULE[/FOLDER]``, or any
    rsync destination: ``HOST::MODULE``, a folder), in the order that never shows a half-shipped version.
    Returns the version shipped."""
    db = Path(db)
    target = current(db)
    base = dest.rstrip("/") + "/"
    versions = f"{base}{db.name}.versions/"
    _rsync([str(target), versions], dest, timeout)  # 1. the file
    _rsync([f"{target}{PUBLISHED}", versions], dest, timeout)  # 2. its marker
    _rsync([str(db), base], dest, timeout)  # 3. the link, last
    # 4. the fallbacks the writer keeps; what it pruned goes (a reader there holding one keeps reading it)
    keep = [f"--filter=P /{target.name}", f"--filter=P /{target.name}{PUBLISHED}"]
    for v in _published(db):
        keep += [f"--include=/{v.name}", f"--include=/{v.name}{PUBLISHED}"]
    src = f"{db.with_name(f'{db.name}.versions')}/"
    _rsync([*keep, "--exclude=*", "--delete", "--delete-excluded", src, versions], dest, timeout)
    return target


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1024 / 1024:.1f} MB".replace(".", ",")


def ship_all(db: Path, dests: list[str]) -> bool:
    ok = True
    for dest in dests:
        start = time.monotonic()
        try:
            v = ship(db, dest)
        except (ShipError, subprocess.TimeoutExpired) as e:
            print(f"Lỗi: {e}" if isinstance(e, ShipError) else f"Lỗi: gửi tới {dest} quá lâu.", file=sys.stderr)
            ok = False
            continue
        took = f"{time.monotonic() - start:.1f}".replace(".", ",")
        print(f"Đã gửi phiên bản {v.name} ({_size(v)}) tới {dest} trong {took} s.", flush=True)
    return ok


def watch(db: Path, dests: list[str], interval: float = 2.0, stop=lambda: False) -> None:
    """Ship now, then whenever the link names another version (a failed shipment is tried again)."""
    shipped: Path | None = None
    while not stop():
        now = Path(os.path.realpath(db)) if db.is_symlink() else None
        if now is not None and now != shipped and ship_all(db, dests):
            shipped = now
        time.sleep(interval)


def command(args) -> int:
    from core import catalog

    try:
        s = catalog.settings()
    except ValueError as e:
        print(f"Lỗi: {e}", file=sys.stderr)
        return 2
    db = Path(args.db or catalog.resolve(s["database"]))
    dests = args.to or [str(d) for d in s.get("ship_to") or []]
    if not dests:
        print("Lỗi: chưa có nơi gửi: --to rsync://MÁY/MODULE hoặc ship_to trong cấu hình.", file=sys.stderr)
        return 2
    if args.watch:
        print(f"Theo dõi {db}: gửi mỗi phiên bản mới tới {', '.join(dests)}. Ctrl-C để dừng.", flush=True)
        try:
            watch(db, dests, args.interval)
        except KeyboardInterrupt:
            pass
        return 0
    return 0 if ship_all(db, dests) else 2
